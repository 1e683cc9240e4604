"""Where a bench's processes run and what CPU they spend (Linux /proc), shared by the benches.

Import as `bench.procs` (run the benches from the repository root, as their docstrings say).
"""

import os
import socket
import subprocess
import sys
from pathlib import Path


def free_port() -> int:
    """A free TCP port on loopback (the server's process binds it right after)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin(cores: set[int] | None) -> None:
    """Keep this process, and the threads it starts, on these cores (None: anywhere)."""
    if cores is not None:
        os.sched_setaffinity(0, cores)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:  # a backend that ended meanwhile
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds so far of a process's event loop (its main thread) and its other threads
    (the SQLite writer, asyncio.to_thread workers), from Linux /proc."""
    out: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        name = "event loop" if task.name == str(pid) else "other threads"
        try:
            fields = (task / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks = int(fields[11]) + int(fields[12])
        out[name] = out.get(name, 0) + ticks / os.sysconf("SC_CLK_TCK")
    return out


def profile(pid: int, out: str, seconds: float, gil: bool = False) -> "subprocess.Popen[bytes]":
    """py-spy (pip install py-spy) sampling the server while the load runs, at ~1 kHz (its
    default 100 Hz leaves too few samples of a 10 s run). `gil`: only the thread that holds the
    GIL is sampled, i.e. Python's CPU; without it a thread waiting for the GIL (the event loop
    while the writer thread runs, and the other way round) counts too."""
    py_spy = Path(sys.executable).with_name("py-spy")
    command = [str(py_spy), "record", "--pid", str(pid), "--duration", str(int(seconds) - 1)]
    command += ["--output", out, "--nonblocking", "--rate", "997"] + (["--gil"] if gil else [])
    if out.endswith(".txt"):
        command += ["--format", "raw"]  # collapsed stacks: `sort -k2 -n` them
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
