"""A collector or a bot killed with SIGKILL between the answer and the delivery: the alert is
in the database with the answer, so it is delivered once after the restart."""

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import Bot

from bot.client import CollectorClient
from bot.outbox import OutboxSender, Pacer
from tests.bot_fixtures import TOKEN
from tests.bot_helpers import COORD, POLICE, User, is_question
from tests.conftest import SERVICE_TOKEN, full_answers

pytest_plugins = ["tests.bot_fixtures"]

ALERT = "Immediate safeguarding concern"
MAA = [sys.executable, "-c", "from collector.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """`maa ...` as a child process with its own environment."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args, self.env = args, {**os.environ, **env}
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> "Process":
        self.proc = await asyncio.create_subprocess_exec(
            *MAA, *self.args, env=self.env, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        return self

    async def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(sig)
            await asyncio.wait_for(self.proc.wait(), 20)


@pytest.fixture
async def processes() -> AsyncIterator[list[Process]]:
    started: list[Process] = []
    yield started
    for p in started:
        await p.kill(signal.SIGTERM)


async def up(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"{url}/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the collector did not start")


async def at_last_question(url: str) -> str:
    """The police auditor's return for C1 with every answer but the current-concern one."""
    client = CollectorClient(url, SERVICE_TOKEN)
    try:
        ret = await client.open_return(POLICE, "r-2026", "C1")
        answers = full_answers()
        answers.pop("immediate_concern")
        for key, value in answers.items():
            await client.put_answer(POLICE, ret.id, key, value)
    finally:
        await client.close()
    return f"/api/returns/{ret.id}/answers/immediate_concern"


async def test_collector_killed_after_the_answer_delivers_once_after_restart(
    world, loopback, processes
):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"MAA_DATABASE_URL": world.settings.database_url, "MAA_SERVICE_TOKEN": SERVICE_TOKEN}
    collector = await Process(["serve", "--no-bot", "--port", str(port)], env).start()
    processes.append(collector)
    await up(url)
    path = await at_last_question(url)
    client = CollectorClient(url, SERVICE_TOKEN)
    stored = await client.request("PUT", path, POLICE, json={"value": True})
    assert stored["alert"]["queued_to"] == ["Cora Coordinator (coordinator)"]
    await client.close()
    await collector.kill()  # SIGKILL: no shutdown, nothing flushed on the way out
    processes.append(
        again := await Process(["serve", "--no-bot", "--port", str(port)], env).start()
    )
    await up(url)
    client = CollectorClient(url, SERVICE_TOKEN)
    async with Bot(TOKEN, base_url=loopback.base_url) as bot:
        sender = OutboxSender(bot, client, pacer=Pacer(per_second=1000, chat_interval=0.0))
        while await sender.drain():
            pass
        await sender.drain()  # a second sender round (another replica, say) sends nothing more
    await client.close()
    await again.kill(signal.SIGTERM)
    coord = User(loopback, COORD)
    assert sum(ALERT in t for t in coord.texts()) == 1
    assert sum("was delivered to Cora" in t for t in User(loopback, POLICE).texts()) == 1


async def test_bot_killed_after_the_answer_delivers_once_after_restart(world, loopback, processes):
    await at_last_question(world.url)
    env = {
        "MAA_PUBLIC_URL": world.url,
        "MAA_SERVICE_TOKEN": SERVICE_TOKEN,
        "MAA_TELEGRAM_TOKEN": TOKEN,
        "MAA_TELEGRAM_BASE_URL": loopback.base_url,
        "MAA_REMINDERS": "false",  # this bot sends nothing from the outbox: it dies first
    }
    first = await Process(["bot"], env).start()
    processes.append(first)
    auditor, coord = User(loopback, POLICE), User(loopback, COORD)
    # A new process takes a few seconds to start polling.
    q11 = await auditor.cmd("/resume", expect=is_question(11), timeout=30)
    await auditor.press(q11, "Yes", expect="queued to go now to Cora Coordinator")
    await first.kill()  # SIGKILL, the alert still undelivered
    assert not any(ALERT in t for t in coord.texts())
    second = await Process(["bot"], {**env, "MAA_REMINDERS": "true"}).start()
    processes.append(second)
    await coord.expect(ALERT, timeout=30)
    await auditor.expect("was delivered to Cora Coordinator", timeout=15)
    await asyncio.sleep(2)  # time for any duplicate to show
    await second.kill(signal.SIGTERM)
    assert sum(ALERT in t for t in coord.texts()) == 1
    assert sum("is queued to go now" in t for t in auditor.texts()) == 1
    assert sum("was delivered to" in t for t in auditor.texts()) == 1
