"""The reminder outbox end to end: plan → claim → send (real telegram.Bot, loopback) → ack."""

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram import Bot
from typer.testing import CliRunner

from bot.client import CollectorClient
from bot.outbox import OutboxSender
from collector.auth import Actor
from collector.cli import app as cli_app
from collector.db import Database
from collector.services import reminder_delivery, reminders
from models.enums import ReminderStatus, Role
from models.ops import Reminder
from models.people import Member
from testing.loopback import LoopbackBotApi
from tests.conftest import SERVICE_TOKEN, full_answers, small_round

TOKEN = "123456:ABC-test"
SERVICE = Actor(member_id=None, role=None)
FRI_06 = datetime(2026, 2, 6, 10, 0, tzinfo=UTC)  # due 13 Feb: before-7d fell at 09:00
WED_11 = datetime(2026, 2, 11, 10, 0, tzinfo=UTC)  # before-2d
FRI_13 = datetime(2026, 2, 13, 10, 0, tzinfo=UTC)  # due
WED_18 = datetime(2026, 2, 18, 10, 0, tzinfo=UTC)  # after-2d for agencies; escalate-5d


@pytest.fixture(autouse=True)
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def people(collector: Any) -> dict[str, int]:
    """The small round, open, with a coordinator and members of each agency (telegram ids)."""
    await collector.create_round(small_round())
    ids = {
        "coord": await collector.add_member("Cora", Role.coordinator, telegram_id=1),
        "csc": await collector.add_member("Cass", Role.auditor, agency="csc", telegram_id=101),
        "police": await collector.add_member("Pat", Role.auditor, agency="police", telegram_id=102),
        "lead": await collector.add_member(
            "Lee", Role.agency_lead, agency="police", telegram_id=103
        ),
        "gp": await collector.add_member("Gill", Role.auditor, agency="gp", telegram_id=104),
    }
    return ids


@pytest.fixture
async def server() -> AsyncIterator[LoopbackBotApi]:
    async with LoopbackBotApi() as api:
        yield api


@pytest.fixture
async def sender(collector: Any, server: LoopbackBotApi) -> AsyncIterator[OutboxSender]:
    client = CollectorClient(collector.url, SERVICE_TOKEN)
    async with Bot(TOKEN, base_url=server.base_url) as bot:
        yield OutboxSender(bot, client)
    await client.close()


async def plan(collector: Any, at: datetime | None, **body: Any) -> dict[str, Any]:
    body = {"round": "r-2026", "at": at.isoformat() if at else None, **body}
    status, out = await collector.call(
        "POST", "/api/reminders/plan", token=SERVICE_TOKEN, json=body
    )
    assert status == 200, out
    return out


async def claim(collector: Any, limit: int = 50, at: datetime | None = None, lease: float = 60):
    body = {"limit": limit, "lease_seconds": lease, "at": at.isoformat() if at else None}
    status, out = await collector.call(
        "POST", "/api/reminders/claim", token=SERVICE_TOKEN, json=body
    )
    assert status == 200, out
    return out


async def rows(collector: Any) -> list[Reminder]:
    async with collector.db.read() as session:
        return list((await session.execute(select(Reminder).order_by(Reminder.id))).scalars())


def stages(decisions: list[dict], kind: str = "expectation") -> dict[int, str]:
    return {d["recipient_id"]: d["stage"] for d in decisions if d["kind"] == kind}


async def submit_all(collector: Any, telegram_id: int, cases: list[str]) -> None:
    for case in cases:
        status, ret = await collector.as_member(
            "POST", "/api/returns", telegram_id, json={"round": "r-2026", "case": case}
        )
        assert status == 200, ret
        for key, value in full_answers().items():
            path = f"/api/returns/{ret['id']}/answers/{key}"
            status, body = await collector.as_member(
                "PUT", path, telegram_id, json={"value": value}
            )
            assert status == 200, body
        status, body = await collector.as_member(
            "POST", f"/api/returns/{ret['id']}/submit", telegram_id
        )
        assert status == 200, body


async def test_moved_clock_gives_the_right_stage_and_nothing_after_submission(collector, people):
    p = people
    early = await plan(collector, datetime(2026, 2, 6, 8, 0, tzinfo=UTC), dry_run=True)
    assert stages(early["decisions"]) == {}
    assert any("first stage falls due" in line for line in early["lines"])

    first = await plan(collector, FRI_06)
    who = ("csc", "police", "lead", "gp")
    assert stages(first["decisions"]) == {p[k]: "before-7d" for k in who}
    assert stages(first["decisions"], "digest") == {p["coord"]: "daily"}
    assert first["queued"] == 5
    gp = next(d for d in first["decisions"] if d["recipient_id"] == p["gp"])
    assert gp["button"][0] == "Open C3" and gp["button"][1].endswith(":C3")

    assert set(stages((await plan(collector, WED_11))["decisions"]).values()) == {"before-2d"}

    await submit_all(collector, 102, ["C1", "C2"])  # police are done
    due = await plan(collector, FRI_13)
    assert stages(due["decisions"]) == {p["csc"]: "due", p["gp"]: "due"}

    late = await plan(collector, WED_18)
    assert stages(late["decisions"]) == {p["csc"]: "after-2d", p["gp"]: "after-2d"}
    assert stages(late["decisions"], "escalation") == {p["coord"]: "escalate-5d"}
    escalation = next(d for d in late["decisions"] if d["kind"] == "escalation")
    assert "Police" not in escalation["text"] and "Children's Social Care" in escalation["text"]
    keys = [r.key for r in await rows(collector)]
    assert len(keys) == len(set(keys)) == 5 + 5 + 3 + 4


async def test_claim_cancels_reminders_whose_returns_were_submitted(collector, people):
    await plan(collector, FRI_06)
    await submit_all(collector, 102, ["C1", "C2"])
    claimed = await claim(collector)
    recipients = {c["recipient_id"] for c in claimed}
    assert recipients == {people["csc"], people["gp"], people["coord"]}
    by_member = {r.recipient_id: r.status for r in await rows(collector)}
    assert by_member[people["police"]] == by_member[people["lead"]] == ReminderStatus.cancelled


async def test_plan_twice_or_concurrently_and_claim_concurrently_without_duplicates(
    collector, people
):
    assert (await plan(collector, FRI_06))["queued"] == 5
    assert (await plan(collector, FRI_06))["queued"] == 0

    async def plan_in_another_engine() -> int:
        async with collector.db.write() as session:  # a second engine: like a second process
            result = await reminders.plan(session=session, actor=SERVICE, slug="r-2026", at=WED_11)
        return result["queued"]

    over_http, direct = await asyncio.gather(plan(collector, WED_11), plan_in_another_engine())
    assert over_http["queued"] + direct == len(over_http["decisions"]) == 5
    assert len(await rows(collector)) == 10

    a, b = await asyncio.gather(claim(collector, limit=4), claim(collector, limit=4))
    ids_a, ids_b = {c["id"] for c in a}, {c["id"] for c in b}
    assert len(ids_a) == len(ids_b) == 4 and not ids_a & ids_b
    rest = await claim(collector, limit=50)
    assert len(rest) == 2 and not {c["id"] for c in rest} & (ids_a | ids_b)


async def test_a_claim_never_acknowledged_comes_back_after_the_lease(collector, people, sender):
    await plan(collector, FRI_06)
    now = datetime.now(UTC)
    (first,) = await claim(collector, limit=1, at=now, lease=60)
    others = await claim(collector, at=now + timedelta(seconds=30))
    assert first["id"] not in {c["id"] for c in others}
    again = await claim(collector, at=now + timedelta(seconds=61))
    assert [c["id"] for c in again] == [first["id"]] and again[0]["attempts"] == 2
    assert await claim(collector, at=now + timedelta(seconds=62)) == []

    # A sender "crashes" after claiming with a one-second lease; the real sender then delivers.
    await plan(collector, WED_11)
    crashed = await claim(collector, limit=50, lease=1)
    assert len(crashed) == 5
    await asyncio.sleep(1.2)
    assert await sender.run_once() == 5
    ids = {c["id"] for c in crashed}
    assert {r.status for r in await rows(collector) if r.id in ids} == {ReminderStatus.sent}
    ok, body = await collector.call(
        "POST",
        f"/api/reminders/{crashed[0]['id']}/ack",
        token=SERVICE_TOKEN,
        json={"outcome": "sent"},
    )
    assert ok == 200 and body["status"] == "sent"  # a repeated acknowledgement is harmless


async def test_sender_sends_with_button_and_paces_one_chat(collector, people, server, sender):
    await plan(collector, FRI_06)
    await plan(collector, WED_11)  # the coordinator now has two digests waiting
    assert await sender.run_once() == 10
    msg = server.messages(104)[-1]
    assert msg["reply_markup"]["inline_keyboard"][0][0]["text"] == "Open C3"
    sends = [c for c in server.sent_log if c.method == "sendMessage" and c.chat_id == 1]
    assert len(sends) == 2 and sends[1].at - sends[0].at >= 1.0
    assert await sender.run_once() == 0


async def test_a_429_delays_and_retries(collector, people, server, sender):
    async with collector.db.write() as session:  # only the coordinator's digest is due
        await session.execute(Member.__table__.update().where(Member.role != Role.coordinator)
                              .values(telegram_id=None))  # fmt: skip
    await plan(collector, FRI_06)
    server.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    assert await sender.run_once() == 1
    assert time.monotonic() - started >= 1.0
    log = [(c.status, c.at) for c in server.sent_log if c.method == "sendMessage"]
    assert [s for s, _ in log] == [429, 200] and log[1][1] - log[0][1] >= 1.0
    (row,) = await rows(collector)
    assert (row.status, row.attempts) == (ReminderStatus.sent, 1)


async def test_a_blocked_user_is_marked_unreachable_and_coordinators_told_once(
    collector, people, server, sender
):
    coord2 = await collector.add_member("Cody", Role.coordinator, telegram_id=2)
    server.block(102)
    await plan(collector, FRI_06)
    await plan(collector, WED_11)  # two reminders to the blocked user in one batch
    await sender.run_once()
    async with collector.db.read() as session:
        assert (await session.get(Member, people["police"])).reachable is False
    all_rows = await rows(collector)
    blocked = [r for r in all_rows if r.recipient_id == people["police"]]
    assert {r.status for r in blocked} == {ReminderStatus.unreachable}
    notices = [r for r in all_rows if r.kind == "unreachable"]
    assert sorted(r.recipient_id for r in notices) == [people["coord"], coord2]
    await sender.run_once()
    told = [m for m in server.messages(2) if "blocked" in (m.get("text") or "")]
    assert len(told) == 1 and "Pat (Police)" in told[0]["text"]
    later = await plan(collector, FRI_13)
    assert people["police"] not in stages(later["decisions"])

    # They come back (any message to the bot), then block it again: a new notice, once.
    assert (await collector.as_member("GET", "/api/me", 102))[0] == 200
    async with collector.db.read() as session:
        assert (await session.get(Member, people["police"])).reachable is True
    await plan(collector, FRI_13)
    await sender.run_once()
    await sender.run_once()
    told = [m for m in server.messages(2) if "blocked" in (m.get("text") or "")]
    assert len(told) == 2


async def test_api_rules(collector, people):
    coord_dry = await collector.as_member(
        "POST", "/api/reminders/plan", 1, json={"round": "r-2026", "dry_run": True}
    )
    assert coord_dry[0] == 200 and coord_dry[1]["lines"] and coord_dry[1]["queued"] == 0
    assert await rows(collector) == []
    status, body = await collector.as_member(
        "POST", "/api/reminders/plan", 1, json={"round": "r-2026"}
    )
    assert (status, body["error"]) == (403, "forbidden")
    status, body = await collector.as_member(
        "POST", "/api/reminders/plan", 101, json={"round": "r-2026", "dry_run": True}
    )
    assert status == 403
    status, body = await collector.as_member("POST", "/api/reminders/claim", 1, json={})
    assert status == 403
    status, body = await collector.call(
        "POST", "/api/reminders/plan", token=SERVICE_TOKEN, json={"round": "nope"}
    )
    assert (status, body["error"]) == (404, "not_found")
    await plan(collector, FRI_06)
    (row, *_) = await rows(collector)
    ack = f"/api/reminders/{row.id}/ack"
    status, body = await collector.call("POST", ack, token=SERVICE_TOKEN, json={"outcome": "sent"})
    assert (status, body["error"]) == (409, "not_claimed")
    status, body = await collector.call("POST", ack, token=SERVICE_TOKEN, json={"outcome": "meh"})
    assert (status, body["error"]) == (400, "invalid_request")
    status, body = await collector.call(
        "POST", "/api/reminders/999999/ack", token=SERVICE_TOKEN, json={"outcome": "sent"}
    )
    assert status == 404
    (one,) = await claim(collector, limit=1)
    failed = {"outcome": "failed", "error": "NetworkError", "retry_after": 30}
    path = f"/api/reminders/{one['id']}/ack"
    status, body = await collector.call("POST", path, token=SERVICE_TOKEN, json=failed)
    assert (status, body["status"], body["last_error"]) == (200, "queued", "NetworkError")
    assert one["id"] not in {c["id"] for c in await claim(collector)}  # not before 30 s


async def test_cli_dry_run_prints_who_and_why_and_queues_nothing(collector, people):
    env = {"MAA_DATABASE_URL": collector.settings.database_url}
    args = ["remind", "r-2026", "--dry-run", "--at", FRI_06.isoformat()]
    result = await asyncio.to_thread(CliRunner().invoke, cli_app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "Reminder to Pat (#" in result.output and "7 days before the due date" in result.output
    assert "Daily digest to Cora" in result.output
    async with collector.db.read() as session:
        assert (await session.execute(select(func.count()).select_from(Reminder))).scalar() == 0
    args = ["remind", "r-2026", "--at", FRI_06.isoformat()]
    result = await asyncio.to_thread(CliRunner().invoke, cli_app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "Queued 5 new reminder(s)" in result.output


async def test_the_running_sender_plans_periodically_and_sends_each_reminder_once(
    collector, server, sender
):
    # No quiet hours and stages at midnight, so the real clock (long past the due date) works.
    policy = {"quiet_hours": None, "send_at": "00:00", "digest_at": "00:00"}
    await collector.create_round(small_round(reminders=policy))
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    await collector.add_member("Cass", Role.auditor, agency="csc", telegram_id=101)
    sender.plan_every, sender.poll_seconds = 0.2, 0.1
    sender.start()
    try:
        for _ in range(100):
            await asyncio.sleep(0.1)
            done = await rows(collector)
            if len(done) == 3 and all(r.status == ReminderStatus.sent for r in done):
                break
        await asyncio.sleep(0.5)  # a few more planning passes: they must add nothing
    finally:
        await sender.stop()
    kinds = sorted((r.recipient_id == coord, r.kind, r.stage) for r in await rows(collector))
    assert kinds == [
        (False, "expectation", "after-2d"),
        (True, "digest", "daily"),
        (True, "escalation", "escalate-5d"),
    ]
    assert len(server.messages(101)) == 1 and len(server.messages(1)) == 2


async def test_two_senders_in_open_transactions_claim_disjoint_rows(collector, people):
    await plan(collector, FRI_06)
    await plan(collector, WED_11)
    other = Database(collector.settings.database_url)  # a second sender process, in effect

    async def claim_in(db: Database) -> set[int]:
        async with db.write() as session:
            got = await reminder_delivery.claim(
                session=session, actor=SERVICE, limit=4, lease_seconds=60, at=None
            )
        return {c["id"] for c in got}

    try:
        async with collector.db.write() as session:  # the first sender holds its rows...
            first = await reminder_delivery.claim(
                session=session, actor=SERVICE, limit=4, lease_seconds=60, at=None
            )
            second = asyncio.create_task(claim_in(other))  # ...while the second claims
            await asyncio.sleep(0.3)
            if not collector.db.is_sqlite:
                assert second.done()  # SKIP LOCKED: it took other rows without waiting
        ids_a, ids_b = {c["id"] for c in first}, await second
    finally:
        await other.dispose()
    assert len(ids_a) == len(ids_b) == 4 and not ids_a & ids_b
