"""Two collector replicas (`maa serve --no-bot` processes) on one PostgreSQL database.

Writes spread over both lose nothing and record each change once; a replica killed mid-write
loses no acknowledged answer; the reminder outbox delivers each message once across replicas.
"""

import asyncio
import itertools
from collections import Counter
from datetime import UTC, datetime

import aiohttp
import pytest
from sqlalchemy import func, select
from telegram import Bot

from bot.client import CollectorClient
from bot.outbox import OutboxSender
from collector.auth import SYSTEM
from collector.db import Database
from collector.services import desk_auth, members, rounds
from models.enums import ReminderStatus, Role, RoundStatus
from models.ops import AuditEvent, Reminder
from models.people import MemberCreate
from models.returns import Answer, AuditReturn
from models.roundfile import RoundFile
from testing.loopback import LoopbackBotApi
from tests.conftest import POSTGRES, SERVICE_TOKEN, full_answers, small_round
from tests.replicas import call, start_replica, wait_healthy

pytestmark = pytest.mark.skipif(not POSTGRES, reason="replicas share one PostgreSQL database")
AUDITORS = 8
FRI_06 = datetime(2026, 2, 6, 10, 0, tzinfo=UTC)  # before the due date: one reminder each


@pytest.fixture
async def replicas(database_url, tmp_path):
    """Two replicas started at once on an empty database: both migrate at start."""
    pair = [start_replica(database_url, tmp_path), start_replica(database_url, tmp_path)]
    try:
        async with aiohttp.ClientSession() as http:
            await asyncio.gather(*(wait_healthy(http, r) for r in pair))
            db = Database(database_url)
            await _seed(db)
            yield http, pair, db
            await db.dispose()
    finally:
        for r in pair:
            r.stop()


async def _seed(db: Database) -> None:
    cases = [{"reference": f"C{i}"} for i in range(1, AUDITORS + 1)]
    data = small_round(cases=cases, expectations=[{"agency": "csc", "cases": "all"}])
    async with db.write() as s:
        await rounds.create_round(session=s, actor=SYSTEM, data=RoundFile.model_validate(data))
        await rounds.set_round_status(
            session=s, actor=SYSTEM, slug="r-2026", status=RoundStatus.open
        )
        for i in range(AUDITORS):
            new = MemberCreate(
                display_name=f"A{i}", role=Role.auditor, agency="csc", telegram_id=100 + i
            )
            await members.add_member(session=s, actor=SYSTEM, data=new)


async def _open_everywhere(http, pair) -> list[int]:
    """Each auditor opens their case on both replicas at once: one return each."""
    opened = await asyncio.gather(
        *(
            call(http, r, "POST", "/api/returns", 100 + i, {"round": "r-2026", "case": f"C{i + 1}"})
            for i in range(AUDITORS)
            for r in pair
        )
    )
    assert {s for s, _ in opened} == {200}, opened
    ids = [b["id"] for _, b in opened]
    assert ids[0::2] == ids[1::2]  # the same return from either replica
    return ids[0::2]


async def _count(db, model, *where) -> int:
    async with db.read() as s:
        return (await s.execute(select(func.count()).select_from(model).where(*where))).scalar()


async def test_fifty_writers_over_two_replicas_lose_nothing_and_record_each_change_once(replicas):
    http, pair, db = replicas
    ids = await _open_everywhere(http, pair)
    rid, tid = ids[0], 100
    narrative = [("good_practice", f"Note {n} on the plan.") for n in range(40)]
    others = [(k, v) for k, v in full_answers().items() if k != "good_practice"]
    writes = [(n, k, v) for n, (k, v) in enumerate(narrative + others)]
    assert len(writes) == 50

    def put(n, key, value, replica):
        path = f"/api/returns/{rid}/answers/{key}"
        return call(http, replica, "PUT", path, tid, {"value": value, "update_id": 7000 + n})

    results = await asyncio.gather(*(put(n, k, v, pair[n % 2]) for n, k, v in writes))
    assert [s for s, _ in results] == [200] * 50, [b for s, b in results if s != 200]
    # Every update again, through the other replica: nothing changes, nothing is recorded.
    again = await asyncio.gather(*(put(n, k, v, pair[(n + 1) % 2]) for n, k, v in writes))
    assert {(s, b["repeat"]) for s, b in again} == {(200, True)}

    assert await _count(db, Answer, Answer.return_id == rid) == 11  # one row per question
    puts = AuditEvent.action == "answer.put"
    assert await _count(db, AuditEvent, puts, AuditEvent.entity_id == rid) == 50  # each change
    assert await _count(db, AuditReturn) == AUDITORS  # one return per case, never two
    assert await _count(db, AuditEvent, AuditEvent.action == "return.open") == AUDITORS
    async with db.read() as s:
        where = (Answer.return_id == rid, Answer.question_key == "good_practice")
        stored = (await s.execute(select(Answer.value).where(*where))).scalar()
    assert stored in {v for _, v in narrative}


async def test_writes_racing_a_submit_over_two_replicas_get_200_or_409(replicas):
    http, pair, db = replicas
    ids = await _open_everywhere(http, pair)
    rid, tid = ids[1], 101
    for key, value in full_answers().items():
        status, body = await call(http, pair[0], "PUT", f"/api/returns/{rid}/answers/{key}", tid,
                                  {"value": value})  # fmt: skip
        assert status == 200, body

    def put(n):
        path = f"/api/returns/{rid}/answers/good_practice"
        return call(http, pair[n % 2], "PUT", path, tid, {"value": f"Later note {n}."})

    racing = [put(n) for n in range(24)] + [
        call(http, pair[n % 2], "POST", f"/api/returns/{rid}/submit", tid) for n in range(2)
    ] + [put(n) for n in range(24, 48)]  # fmt: skip
    results = await asyncio.gather(*racing)
    assert {s for s, _ in results} <= {200, 409}, results
    refused = [b["error"] for s, b in results if s == 409]
    assert set(refused) <= {"return_submitted"} and refused  # some came after the submit
    async with db.read() as s:
        trail = (
            await s.execute(
                select(AuditEvent.action).where(AuditEvent.entity_id == rid).order_by(AuditEvent.id)
            )
        ).scalars().all()  # fmt: skip
    assert trail.count("return.submit") == 1
    after = trail[trail.index("return.submit") :]
    assert "answer.put" not in after  # nothing was written into the submitted return
    changed = sum(1 for s, b in results[:24] + results[26:] if s == 200)
    assert trail.count("answer.put") == len(full_answers()) + changed


@pytest.mark.parametrize("victim", [0, 1])
async def test_a_replica_killed_mid_write_loses_no_acknowledged_answer(replicas, victim):
    http, pair, db = replicas
    ids = await _open_everywhere(http, pair)
    killed, survivor = pair[victim], pair[1 - victim]
    acked: dict[int, list[str]] = {rid: [] for rid in ids}
    errors: Counter[int] = Counter()
    stop = asyncio.Event()

    async def writer(i: int, rid: int) -> None:
        for n in itertools.count():
            if stop.is_set():
                return
            replica = killed if killed.process.poll() is None and n % 3 else survivor
            value = f"Note {n:05d} from writer {i}."
            try:
                status, body = await call(http, replica, "PUT",
                                          f"/api/returns/{rid}/answers/good_practice", 100 + i,
                                          {"value": value})  # fmt: skip
            except aiohttp.ClientError:
                continue  # the killed replica: not acknowledged, so nothing is promised
            assert status < 500 or status == 503, body
            if status == 200:
                acked[rid].append(value)
            else:
                errors[status] += 1

    tasks = [asyncio.create_task(writer(i, rid)) for i, rid in enumerate(ids)]
    await asyncio.sleep(1.5)
    killed.kill()
    await asyncio.sleep(1.5)  # the survivor carries on alone
    stop.set()
    await asyncio.gather(*tasks)

    async with db.read() as s:
        stored = dict(
            (
                await s.execute(
                    select(Answer.return_id, Answer.value).where(
                        Answer.question_key == "good_practice"
                    )
                )
            ).all()
        )
        recorded = {
            (e.entity_id, e.after["good_practice"])
            for e in (
                await s.execute(select(AuditEvent).where(AuditEvent.action == "answer.put"))
            ).scalars()
        }
    for rid, values in acked.items():
        assert values, f"no write to return {rid} was acknowledged"
        # The writer waits for each answer, so its values only grow: the stored one is the
        # last acknowledged, or one sent later whose answer the kill cut off.
        assert stored[rid] >= values[-1]
        assert {(rid, v) for v in values} <= recorded
    assert not errors, errors


async def test_the_outbox_delivers_each_reminder_once_across_replicas(replicas):
    http, pair, db = replicas
    status, planned = await call(http, pair[0], "POST", "/api/reminders/plan", None,
                                 {"round": "r-2026", "at": FRI_06.isoformat()})  # fmt: skip
    assert status == 200 and planned["queued"] == AUDITORS, planned
    clients = [CollectorClient(r.url, SERVICE_TOKEN) for r in pair]
    # Each send takes a real round trip's time, so neither replica can empty the outbox
    # before the other has claimed: both must hand some out.
    async with LoopbackBotApi(latency=0.05) as telegram:
        bots = [Bot("123456:replica-test", base_url=telegram.base_url) for _ in pair]
        try:
            for b in bots:
                await b.initialize()
            senders = [OutboxSender(b, c, batch=2) for b, c in zip(bots, clients, strict=True)]
            claimed = await asyncio.gather(*(s.drain() for s in senders))
        finally:
            for b in bots:
                await b.shutdown()
            for c in clients:
                await c.close()
        sent = Counter(
            c.chat_id for c in telegram.sent_log if c.method == "sendMessage" and c.status == 200
        )
    assert sum(claimed) == AUDITORS and all(claimed), claimed  # both replicas handed some out
    assert sent == Counter({100 + i: 1 for i in range(AUDITORS)})
    rows = await _count(db, Reminder, Reminder.status == ReminderStatus.sent)
    assert rows == AUDITORS


async def test_a_desk_page_on_one_replica_hears_and_shows_a_write_through_the_other(replicas):
    """A browser's live dashboard on replica B: an answer and a submission made through
    replica A reach its event stream, and B's dashboard (kept current change by change)
    then shows them."""
    http, pair, db = replicas
    async with db.write() as s:
        coord = await members.add_member(
            session=s, actor=SYSTEM, data=MemberCreate(display_name="Cora", role=Role.coordinator)
        )
        link = await desk_auth.issue_link(session=s, actor=SYSTEM, member_id=coord.id)
    browser = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        async with browser.post(f"{pair[1].url}/desk/signin/{link.secret}") as r:
            assert r.status == 200
        async with browser.get(f"{pair[1].url}/desk/rounds/r-2026") as r:
            assert r.status == 200 and "0 (of 8)" in await r.text()  # read whole, once
        async with browser.get(f"{pair[1].url}/desk/rounds/r-2026/events") as stream:
            assert (await stream.content.readline()).startswith(b"event: ready")
            status, draft = await call(
                http, pair[0], "POST", "/api/returns", 100, {"round": "r-2026", "case": "C1"}
            )
            assert status == 200
            for key, value in full_answers().items():
                path = f"/api/returns/{draft['id']}/answers/{key}"
                assert (await call(http, pair[0], "PUT", path, 100, {"value": value}))[0] == 200
            submit = f"/api/returns/{draft['id']}/submit"
            assert (await call(http, pair[0], "POST", submit, 100))[0] == 200

            async def heard() -> None:
                seen = b""
                while b"event: change" not in seen:
                    seen += await stream.content.readline()

            await asyncio.wait_for(heard(), 30)  # the issue's 2 s is measured by the bench
        async with browser.get(f"{pair[1].url}/desk/rounds/r-2026") as r:
            page = await r.text()
        assert r.status == 200 and "1 (of 8)" in page  # the submission, through replica A
    finally:
        await browser.close()
