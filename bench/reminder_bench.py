"""Reminder fan-out benchmark: N reminders to N chats through a Bot API server limited to 30/s.

    .venv/bin/python -m bench.reminder_bench [--n 1000] [--database-url URL]

Runs a collector and the loopback Bot API server (429 above 30 messages a second) on
127.0.0.1, queues one reminder per auditor through the real plan → claim → send → ack path, and
measures from the server's log of successful sends: the achieved rate, the most sends in any
one-second window, and that every chat got its reminder exactly once.
"""

import argparse
import asyncio
import bisect
import itertools
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime

import aiohttp
from aiohttp import web
from sqlalchemy import func, select
from telegram import Bot
from telegram.request import HTTPXRequest

from bench.procs import free_port
from bot.client import CollectorClient
from bot.outbox import OutboxSender
from collector.app import create_app
from collector.auth import SYSTEM
from collector.db import Database
from collector.services import rounds
from models.enums import ReminderStatus, Role, RoundStatus
from models.ops import Reminder
from models.people import Agency, Member
from models.roundfile import RoundFile
from models.settings import Settings
from testing.loopback import LoopbackBotApi

SERVICE_TOKEN = "bench-service-token-0123456789"
FIRST_CHAT = 10_000


def round_file() -> RoundFile:
    return RoundFile.model_validate(
        {
            "slug": "bench",
            "title": "Benchmark audit",
            "theme": "Reminder fan-out",
            "partnership": "Benchshire Safeguarding Children Partnership",
            "opens_at": "2026-01-05",
            "due_at": "2026-02-13",
            "tool_version": "maa-audit-1",
            "agencies": [{"code": "csc", "name": "Children's Social Care"}],
            "cases": [{"reference": "C1"}],
            "expectations": [{"agency": "csc", "cases": "all"}],
        }
    )


async def seed(db: Database, n: int) -> None:
    """The round, open, and n auditors: one reminder each at the first stage."""
    async with db.write() as session:
        await rounds.create_round(session=session, actor=SYSTEM, data=round_file())
        await rounds.set_round_status(
            session=session, actor=SYSTEM, slug="bench", status=RoundStatus.open
        )
        agency = (await session.execute(select(Agency).where(Agency.code == "csc"))).scalar_one()
        session.add_all(
            Member(
                display_name=f"Auditor {i}",
                role=Role.auditor,
                telegram_id=FIRST_CHAT + i,
                agency_id=agency.id,
            )
            for i in range(n)
        )


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most events in any half-open window [t, t + window) that starts at an event."""
    return max((bisect.bisect_left(times, t + window) - i for i, t in enumerate(times)), default=0)


def serve_collector(url: str, port: int) -> None:
    """The collector in its own process, as deployed: its work does not delay the sender."""
    settings = Settings(database_url=url, service_token=SERVICE_TOKEN, _env_file=None)
    web.run_app(create_app(settings), host="127.0.0.1", port=port, print=None, access_log=None)


async def wait_until_up(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.get(f"{url}/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError("the collector did not start")


async def main(n: int, database_url: str | None) -> dict:
    tmp = tempfile.mkdtemp(prefix="maa-bench-")
    url = database_url or f"sqlite+aiosqlite:///{tmp}/maa.db"
    port = free_port()
    child = multiprocessing.get_context("spawn").Process(
        target=serve_collector, args=(url, port), daemon=True
    )
    child.start()
    collector_url = f"http://127.0.0.1:{port}"
    await wait_until_up(collector_url)  # it migrates the database on start
    db = Database(url)
    await seed(db, n)

    client = CollectorClient(collector_url, SERVICE_TOKEN)
    at = datetime(2026, 2, 6, 10, 0, tzinfo=UTC)  # past the first stage: every reminder is due
    queued = (await client.request("POST", "/api/reminders/plan", json={"at": at.isoformat()}))[
        "queued"
    ]
    server = await LoopbackBotApi(rate_limit_per_second=30).start()
    # PTB's plain Bot keeps one connection; the sender's sends overlap, so give it a pool.
    request = HTTPXRequest(connection_pool_size=64)
    started = time.monotonic()
    async with Bot("123456:bench", base_url=server.base_url, request=request) as bot:
        sender = OutboxSender(bot, client, batch=100)
        await sender.drain()
    elapsed = time.monotonic() - started

    ok = sorted(c.at for c in server.sent_log if c.method == "sendMessage" and c.status == 200)
    per_chat = Counter(c.chat_id for c in server.sent_log if c.status == 200 and c.chat_id)
    async with db.read() as session:
        statuses = dict(
            (
                await session.execute(
                    select(Reminder.status, func.count()).group_by(Reminder.status)
                )
            ).all()
        )
    await client.close()
    await server.stop()
    await db.dispose()
    child.terminate()
    child.join()
    rate = (len(ok) - 1) / (ok[-1] - ok[0]) if len(ok) > 1 else 0.0
    return {
        "reminders_queued": queued,
        "delivered": len(ok),
        "chats": len(per_chat),
        "exactly_once": len(per_chat) == n and set(per_chat.values()) == {1},
        "rows_sent": statuses.get(ReminderStatus.sent, 0),
        "rate_per_s": round(rate, 2),
        "max_in_any_1s": max_in_window(ok),
        "largest_gaps_s": sorted(
            (round(b - a, 3) for a, b in itertools.pairwise(ok)), reverse=True
        )[:5],
        "responses_429": sum(1 for c in server.sent_log if c.status == 429),
        "wall_seconds": round(elapsed, 2),
        "database": url.split("://")[0],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("MAA_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    result = asyncio.run(main(args.n, args.database_url))
    result["machine"] = f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}"
    print(json.dumps(result, indent=2))
    passed = (
        result["exactly_once"]
        and result["rows_sent"] == args.n
        and result["rate_per_s"] >= 27
        and result["max_in_any_1s"] <= 30
    )
    sys.exit(0 if passed else 1)
