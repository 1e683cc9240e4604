"""`maa serve`: the collector and the bot together in one process, stopped cleanly."""

import asyncio
import logging
import socket

import aiohttp
from pydantic import SecretStr
from sqlalchemy import select

from collector.serve import serve
from models.enums import Role
from models.ops import Reminder
from testing.loopback import LoopbackBotApi
from tests.conftest import SERVICE_TOKEN, small_round


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_serve_runs_collector_and_bot_until_stopped(settings, collector, caplog):
    caplog.set_level(logging.DEBUG)
    port = free_port()
    await collector.add_member("Co", Role.coordinator, telegram_id=4242)
    await collector.create_round(small_round())
    async with LoopbackBotApi("maa_test_bot") as telegram:
        conf = settings.model_copy(
            update={
                "port": port,
                "telegram_token": SecretStr("123456:SERVE-TEST"),
                "telegram_base_url": telegram.base_url,
                "service_token": SecretStr(SERVICE_TOKEN),
            }
        )
        stop = asyncio.Event()
        task = asyncio.create_task(serve(conf, stop, with_bot=True))
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                        assert (r.status, await r.json()) == (200, {"status": "ok"})
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError("the collector did not start")
        # The bot in the same process answers through the collector it was started beside.
        telegram.send_command(4242, "/tally")
        reply = await telegram.wait_for(4242, "Police: 0 (of 2)", timeout=10)
        assert "Children's Social Care: 0 (of 4)" in reply["text"]
        # The bot's outbox worked the reminder policy at start: the round is long past due, so
        # the coordinator's escalation is queued (sent once quiet hours allow).
        for _ in range(100):
            async with collector.db.read() as s:
                keys = set((await s.execute(select(Reminder.key))).scalars())
            if any(k.startswith("esc:") for k in keys):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"no escalation queued: {sorted(keys)}")
        stop.set()
        await asyncio.wait_for(task, timeout=15)
    # Everything logged along the way, at every level, keeps the bot's token out.
    assert caplog.records and "SERVE-TEST" not in caplog.text
