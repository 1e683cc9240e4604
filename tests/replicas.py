"""Collector replicas as deployed: `maa serve --no-bot` processes on one PostgreSQL database."""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import SERVICE_TOKEN

MAA = Path(sys.executable).with_name("maa")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Replica:
    url: str
    process: subprocess.Popen

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; what was acknowledged must already be committed."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_replica(database_url: str, workdir: Path, port: int | None = None, **env: str) -> Replica:
    """`port`: a fixed one (a restart where the last one ran); a free one otherwise."""
    port = port or free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MAA_")}
    environ |= {
        "MAA_DATABASE_URL": database_url,
        "MAA_SERVICE_TOKEN": SERVICE_TOKEN,
        "MAA_HOST": "127.0.0.1",
        "MAA_PORT": str(port),
        "MAA_LOG_LEVEL": "WARNING",
        **env,
    }
    process = subprocess.Popen(
        [str(MAA), "serve", "--no-bot"],
        cwd=workdir,  # no .env of ours is read
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / f"replica-{port}.log", "wb"),  # noqa: SIM115 (the child owns it)
    )
    return Replica(f"http://127.0.0.1:{port}", process)


async def wait_healthy(http: aiohttp.ClientSession, replica: Replica, within: float = 90) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        if replica.process.poll() is not None:
            raise AssertionError(f"replica {replica.url} exited with {replica.process.returncode}")
        with contextlib.suppress(aiohttp.ClientError):
            async with http.get(replica.url + "/healthz") as r:
                if r.status == 200:
                    return
        await asyncio.sleep(0.1)
    raise AssertionError(f"replica {replica.url} did not become healthy")


async def call(
    http: aiohttp.ClientSession,
    replica: Replica,
    method: str,
    path: str,
    telegram_id: int | None = None,
    json: Any = None,
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    if telegram_id is not None:
        headers["X-MAA-Telegram-Id"] = str(telegram_id)
    async with http.request(method, replica.url + path, json=json, headers=headers) as r:
        return r.status, await r.json()
