"""Concern-alert latency benchmark: answer stored → alert delivered, with 1,000 reminders queued.

    .venv/bin/python -m bench.alert_bench [--reminders 1000] [--alerts 30] [--every 1.0]
                                          [--no-wake] [--database-url URL]

Runs the collector in its own process and the loopback Bot API server (429 above 30 messages a
second) on 127.0.0.1. Queues one reminder per auditor through the real policy, starts the real
outbox sender (`OutboxSender.run_forever`, default batch, lease, pacing and poll), then stores a
"yes" to the current-concern question every `--every` seconds through the answer API, as the bot
does, waking the sender as the bot's handler does (`--no-wake`: another replica's sender, which
finds it at its next poll). Latency = from the answer's 200 response to the Bot API's successful
sendMessage of the alert to each recipient (two coordinators and the agency lead), from the
server's own log. Target: p99 <= 5 s.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from typing import Any

from sqlalchemy import select
from telegram import Bot
from telegram.request import HTTPXRequest

from bench.api_bench import wait_up
from bench.reminder_bench import free_port, serve_collector
from bot.client import CollectorClient
from bot.outbox import OutboxSender
from collector.auth import SYSTEM
from collector.db import Database
from collector.services import rounds
from models.enums import Role, RoundStatus
from models.people import Agency, Member
from models.roundfile import RoundFile
from testing.loopback import LoopbackBotApi

SERVICE_TOKEN = "bench-service-token-0123456789"
FIRST_AUDITOR, FIRST_RAISER, COORDS, LEAD = 10_000, 50_000, (1, 2), 3
ANSWERS = {  # every answer but the current-concern question (synthetic, screened clean)
    "involvement": "throughout",
    "practice": {"grade": "good"},
    "joint_working_grade": {"grade": "good"},
    "impact": {"grade": "good"},
    "good_practice": "Prompt strategy meeting.",
    "development": "Earlier referral to early help.",
    "joint_working": "Information shared promptly.",
    "voice_of_child": "Views recorded at each visit.",
    "themes": ["signposting"],
    "learning": "Share the plan with the GP.",
}


def round_file(cases: int) -> RoundFile:
    return RoundFile.model_validate(
        {
            "slug": "bench",
            "title": "Benchmark audit",
            "theme": "Concern alerts under load",
            "partnership": "Benchshire Safeguarding Children Partnership",
            "opens_at": "2026-01-05",
            "due_at": "2026-02-13",
            "tool_version": "maa-audit-1",
            "agencies": [
                {"code": "csc", "name": "Children's Social Care"},
                {"code": "police", "name": "Police"},
            ],
            "cases": [{"reference": f"C{i}"} for i in range(1, cases + 1)],
            "expectations": [
                {"agency": "csc", "cases": ["C1"]},
                {"agency": "police", "cases": "all"},
            ],
        }
    )


async def seed(db: Database, reminders: int, alerts: int) -> None:
    async with db.write() as session:
        await rounds.create_round(session=session, actor=SYSTEM, data=round_file(alerts))
        await rounds.set_round_status(
            session=session, actor=SYSTEM, slug="bench", status=RoundStatus.open
        )
        codes = {a.code: a.id for a in (await session.execute(select(Agency))).scalars()}
        people = [Member(display_name=f"Coordinator {i}", role=Role.coordinator, telegram_id=i)
                  for i in COORDS]  # fmt: skip
        people.append(Member(display_name="Police lead", role=Role.agency_lead,
                             telegram_id=LEAD, agency_id=codes["police"]))  # fmt: skip
        people += [
            Member(display_name=f"Auditor {i}", role=Role.auditor,
                   telegram_id=FIRST_AUDITOR + i, agency_id=codes["csc"])
            for i in range(reminders)
        ]  # fmt: skip
        people += [
            Member(display_name=f"Police auditor {i}", role=Role.auditor,
                   telegram_id=FIRST_RAISER + i, agency_id=codes["police"])
            for i in range(alerts)
        ]  # fmt: skip
        session.add_all(people)


async def prepare(client: CollectorClient, alerts: int) -> list[tuple[int, int]]:
    """Each raiser's return for its own case, answered up to the last question."""
    out = []
    for i in range(alerts):
        tid = FIRST_RAISER + i
        ret = await client.open_return(tid, "bench", f"C{i + 1}")
        for key, value in ANSWERS.items():
            await client.put_answer(tid, ret.id, key, value)
        out.append((tid, ret.id))
    return out


def case_of(call: Any) -> str | None:
    """The case a successfully sent alert is about, from its "Case: C7" line."""
    text = str(call.params.get("text", ""))
    if call.status != 200 or not text.startswith("⚠️ Immediate safeguarding concern"):
        return None
    return text.split("Case: ", 1)[1].split("\n", 1)[0]


async def send_forever(sender: OutboxSender, stop: asyncio.Event) -> None:
    """OutboxSender.run_forever without its policy runs (the bench queued the reminders)."""
    while not stop.is_set():
        await sender.drain(stop)
        await sender._idle(stop)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def main(args: argparse.Namespace) -> dict[str, Any]:
    tmp = tempfile.mkdtemp(prefix="maa-alert-bench-")
    url = args.database_url or f"sqlite+aiosqlite:///{tmp}/maa.db"
    port = free_port()
    child = multiprocessing.get_context("spawn").Process(
        target=serve_collector, args=(url, port), daemon=True
    )
    child.start()
    collector_url = f"http://127.0.0.1:{port}"
    await wait_up(f"{collector_url}/healthz", tries=1200)  # slow to start on a busy machine
    db = Database(url)
    await seed(db, args.reminders, args.alerts)
    client = CollectorClient(collector_url, SERVICE_TOKEN)
    raisers = await prepare(client, args.alerts)
    auditors = set(range(FIRST_AUDITOR, FIRST_AUDITOR + args.reminders))
    server = await LoopbackBotApi(rate_limit_per_second=30).start()
    request = HTTPXRequest(connection_pool_size=64)
    stored: dict[str, float] = {}  # case -> monotonic time of the answer's response
    async with Bot("123456:bench", base_url=server.base_url, request=request) as bot:
        sender = OutboxSender(bot, client)  # the bot's defaults
        at = "2026-02-06T10:00:00+00:00"  # a week before the due date: every reminder is due
        plan = await client.request("POST", "/api/reminders/plan", json={"at": at})
        queued = plan["queued"]
        stop = asyncio.Event()
        task = asyncio.create_task(send_forever(sender, stop))
        await asyncio.sleep(1.0)  # the fan-out is under way
        for i, (tid, rid) in enumerate(raisers):
            body = await client.put_answer(tid, rid, "immediate_concern", True)
            stored[f"C{i + 1}"] = time.monotonic()
            assert body.alert is not None and body.alert.deliverable, body.alert
            if not args.no_wake:
                sender.wake()  # what the bot's handler does on the answer's Deliver step
            await asyncio.sleep(args.every)
        deadline = time.monotonic() + 120
        want = {(c, chat) for c in stored for chat in (*COORDS, LEAD)}
        while time.monotonic() < deadline:
            got = {(case_of(c), c.chat_id) for c in server.sent_log if case_of(c)}
            if want <= got:
                break
            await asyncio.sleep(0.2)
        reminders_sent = sum(
            1 for c in server.sent_log if c.status == 200 and c.chat_id in auditors
        )
        stop.set()
        await task
    latencies, counts = [], {}
    for c in server.sent_log:
        if not (case := case_of(c)):
            continue
        counts[(case, c.chat_id)] = counts.get((case, c.chat_id), 0) + 1
        latencies.append(c.at - stored[case])
    await client.close()
    await server.stop()
    await db.dispose()
    child.terminate()
    child.join()
    return {
        "reminders_queued": queued,
        "reminders_sent_meanwhile": reminders_sent,
        "alerts": len(stored),
        "alert_messages_delivered": len(latencies),
        "exactly_once": set(counts.values()) == {1} and len(counts) == len(stored) * 3,
        "wake": not args.no_wake,
        "latency_s": {
            "p50": round(statistics.median(latencies), 3) if latencies else None,
            "p99": round(pct(latencies, 99), 3) if latencies else None,
            "max": round(max(latencies), 3) if latencies else None,
        },
        "responses_429": sum(1 for c in server.sent_log if c.status == 429),
        "database": url.split("://")[0],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=1000)
    parser.add_argument("--alerts", type=int, default=30)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between alerts")
    parser.add_argument("--no-wake", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("MAA_BENCH_DATABASE_URL"))
    result = asyncio.run(main(parser.parse_args()))
    result["machine"] = f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}"
    print(json.dumps(result, indent=2))
    p99 = result["latency_s"]["p99"]
    sys.exit(0 if result["exactly_once"] and p99 is not None and p99 <= 5 else 1)
