"""The real `maa` command failing to start says one line; no secret reaches its log."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import POSTGRES
from tests.raw_http import http, raw_request
from tests.test_serve import free_port

MAA = str(Path(sys.executable).with_name("maa"))
SECRET = "svc-Zq7YpL0x4kW9vB2n"  # the service token the server knows
STRAY = "tok-Hj3Kd8Wq1Rt5Yu6I"  # a token sent with a stray control character
LINK = "Lk4Vb7Nm2Qw9Er5Ty8Ui1Op3"  # a sign-in link's secret in a request aiohttp cannot parse


def maa(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "MAA_SERVICE_TOKEN": "", **env}
    return subprocess.run(
        [MAA, *args], env=full, capture_output=True, text=True, timeout=timeout, cwd=env.get("CWD")
    )


def one_line(result: subprocess.CompletedProcess, *needles: str) -> str:
    assert result.returncode != 0, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert all(n in lines[0] for n in needles), lines[0]
    return lines[0]


def test_unreachable_postgresql_is_one_line_for_every_command(tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+asyncpg://maa:hunter2@127.0.0.1:{port}/maa"
    for args in (["tally", "x"], ["serve", "--no-bot"]):
        line = one_line(maa(*args, MAA_DATABASE_URL=url), "MAA_DATABASE_URL", "cannot reach")
        assert "hunter2" not in line


# These do not depend on the suite's database: the SQLite pass runs them (each `maa` start
# costs seconds on a loaded machine).
sqlite_pass_only = pytest.mark.skipif(bool(POSTGRES), reason="database-independent: SQLite pass")


@sqlite_pass_only
def test_port_in_use_is_one_line(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = str(s.getsockname()[1])
        result = maa(
            "serve",
            "--no-bot",
            MAA_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/m.db",
            MAA_PORT=port,
        )
    one_line(result, "MAA_PORT", f"127.0.0.1:{port} is already in use")


@sqlite_pass_only
def test_sqlite_folder_is_made_one_level_deep_or_refused(tmp_path):
    deep = f"sqlite+aiosqlite:///{tmp_path}/a/b/m.db"
    one_line(maa("db", "upgrade", MAA_DATABASE_URL=deep), "MAA_DATABASE_URL", "does not exist")
    assert not (tmp_path / "a").exists()
    made = maa("db", "upgrade", MAA_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/a/m.db")
    assert made.returncode == 0 and (tmp_path / "a" / "m.db").exists()
    assert f"made the folder {tmp_path}/a" in made.stderr


@sqlite_pass_only
def test_demo_keeps_library_chatter_below_warning(tmp_path):
    result = maa(
        "demo",
        "--no-serve",
        MAA_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/m.db",
        MAA_OUT_DIR=str(tmp_path / "out"),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "cne-2024-overview.pdf").exists()
    assert " INFO fontTools" not in result.stderr and " INFO weasyprint" not in result.stderr
    assert len(result.stderr.splitlines()) < 10, result.stderr


async def test_no_token_in_the_log_at_debug_even_for_requests_aiohttp_cannot_parse(database_url):
    port = free_port()
    env = {
        **os.environ,
        "MAA_DATABASE_URL": database_url,
        "MAA_PORT": str(port),
        "MAA_LOG_LEVEL": "DEBUG",
        "MAA_SERVICE_TOKEN": SECRET,
    }
    proc = await asyncio.create_subprocess_exec(
        MAA, "serve", "--no-bot", env=env, stderr=asyncio.subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                try:
                    async with session.get(f"{url}/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("the collector did not start")
        bad = [
            b"Bearer " + STRAY.encode() + b"\r",
            b"Bearer " + STRAY.encode() + b"\x01",
            b"Bearer " + STRAY.encode() + b"\x00",
            b"Bearer " + SECRET.encode() + b"\x7f",
            b"Bearer " + SECRET.encode() + b"\x0b",
        ]
        for value in bad:
            status, _ = await raw_request(url, http("GET", "/api/me", {"Authorization": value}))
            assert 400 <= status < 500
        # The request line of a one-time sign-in link is logged with its secret withheld.
        for path in (f"/desk/signin/{LINK}", f"/desk/signin/{LINK}\x01", f"/desk/signin/{LINK} x"):
            link = http("GET", path, {"Authorization": b"Bearer x\r"})
            assert 400 <= (await raw_request(url, link))[0] < 500
        # A header the server takes, with a body it refuses: the 4xx paths log no token either.
        headers = {"Authorization": f"Bearer {SECRET}".encode(), "X-MAA-Telegram-Id": b"\xc2\xb2"}
        status, _ = await raw_request(url, http("GET", "/api/me", headers))
        assert status == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    log = err.decode(errors="replace")
    assert "DEBUG" in log and "Error handling request" in log, log[-2000:]
    assert STRAY not in log and SECRET not in log
    assert STRAY[4:] not in log and SECRET[4:] not in log
    assert LINK not in log
