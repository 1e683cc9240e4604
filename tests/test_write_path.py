"""The answer write path: batched writes keep their own outcome; the two stores agree.

Answer writes are one procedure (collector.services.answers) on both databases: on SQLite
through the writer thread (collector.sqlite_writer), on PostgreSQL in lock-step batches
(collector.pg_writer, tested in test_pg_batches.py).
The API tests here run on both.
"""

import asyncio
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from collector.sqlite_writer import SqliteWriter
from models.base import utcnow
from models.enums import Role
from models.ops import AuditEvent
from models.returns import Answer
from tests.conftest import full_answers, small_round


async def _draft(collector, telegram_id, case):
    status, body = await collector.as_member(
        "POST", "/api/returns", telegram_id, json={"round": "r-2026", "case": case}
    )
    assert status == 200, body
    return body["id"]


async def test_refused_writes_sent_with_good_ones_leave_the_good_ones_whole(collector):
    cases = [{"reference": f"C{i}"} for i in range(1, 11)]
    await collector.create_round(
        small_round(cases=cases, expectations=[{"agency": "csc", "cases": "all"}])
    )
    await collector.add_member("Other", Role.auditor, agency="police", telegram_id=99)
    drafts = []
    for i in range(10):
        await collector.add_member(f"A{i}", Role.auditor, agency="csc", telegram_id=100 + i)
        drafts.append((100 + i, await _draft(collector, 100 + i, f"C{i + 1}")))

    def put(tid, rid, key, value):
        path = f"/api/returns/{rid}/answers/{key}"
        return collector.as_member("PUT", path, tid, json={"value": value})

    good = [put(tid, rid, "good_practice", f"Note {n} on the plan.") for n, (tid, rid) in
            enumerate(drafts)]  # fmt: skip
    bad = [
        put(drafts[0][0], drafts[0][1], "no_such_question", "x"),
        put(drafts[1][0], drafts[1][1], "good_practice", "Seen at SW1A 1AA on Monday."),
        put(drafts[2][0], drafts[2][1], "practice", "brilliant"),
        put(99, drafts[3][1], "good_practice", "Not my agency's case."),
    ]
    results = await asyncio.gather(*good, *bad)  # sent at once: they share write batches
    assert [s for s, _ in results[:10]] == [200] * 10
    assert [(s, b["error"]) for s, b in results[10:]] == [
        (422, "unknown_question"),
        (422, "identifiers_found"),
        (422, "invalid_grade"),
        (403, "forbidden"),
    ]
    async with collector.db.read() as s:
        stored = dict((await s.execute(select(Answer.return_id, Answer.value))).all())
        events = (
            await s.execute(
                select(func.count())
                .where(AuditEvent.action == "answer.put")
                .select_from(AuditEvent)
            )
        ).scalar()
    assert stored == {rid: f"Note {n} on the plan." for n, (_, rid) in enumerate(drafts)}
    assert events == 10


async def test_an_answer_reads_back_the_same_through_the_orm(collector):
    await collector.create_round(small_round())
    await collector.add_member("Aud", Role.auditor, agency="csc", telegram_id=7)
    rid = await _draft(collector, 7, "C1")
    before = utcnow()
    for key, value in full_answers().items():
        status, body = await collector.as_member(
            "PUT", f"/api/returns/{rid}/answers/{key}", 7, json={"value": value}
        )
        assert status == 200, body
    status, again = await collector.as_member(
        "PUT", f"/api/returns/{rid}/answers/practice", 7, json={"value": "outstanding"}
    )
    assert status == 200 and again["answers"]["practice"] == {"grade": "outstanding"}
    async with collector.db.read() as s:
        rows = (await s.execute(select(Answer).where(Answer.return_id == rid))).scalars().all()
        trail = (
            (await s.execute(select(AuditEvent).where(AuditEvent.entity_id == rid))).scalars().all()
        )
    answers = {a.question_key: a for a in rows}
    expected = {**full_answers(), "practice": {"grade": "outstanding"}}
    assert {k: a.value for k, a in answers.items()} == expected
    # Timestamps come back as aware UTC datetimes, as the ORM writes them.
    stamp = answers["practice"].answered_at
    assert stamp.tzinfo is not None and before - timedelta(seconds=1) < stamp < utcnow()
    change = [e for e in trail if e.action == "answer.put"][-1]
    assert (change.before, change.after) == (
        {"practice": {"grade": "good"}},
        {"practice": {"grade": "outstanding"}},
    )
    assert change.actor.startswith("member:") and change.at.tzinfo is not None


async def test_answer_writes_and_other_writes_at_once_never_lock(collector):
    cases = [{"reference": f"C{i}"} for i in range(1, 21)]
    await collector.create_round(
        small_round(cases=cases, expectations=[{"agency": "csc", "cases": "all"}])
    )
    await collector.add_member("Aud", Role.auditor, agency="csc", telegram_id=7)
    first = [await _draft(collector, 7, f"C{i}") for i in range(1, 11)]
    answers = [
        collector.as_member(
            "PUT", f"/api/returns/{rid}/answers/good_practice", 7, json={"value": f"Note {n}."}
        )
        for n, rid in enumerate(first)
    ]
    opens = [  # these take the ORM's write connection while the writer thread commits
        collector.as_member("POST", "/api/returns", 7, json={"round": "r-2026", "case": f"C{i}"})
        for i in range(11, 21)
    ]
    results = await asyncio.gather(*answers, *opens)
    assert [s for s, _ in results] == [200] * 20, [b for s, b in results if s != 200]


@pytest.fixture
def sqlite_file(tmp_path):
    path = str(tmp_path / "w.db")
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));"
        "INSERT INTO parent VALUES (1);"
    )
    con.close()
    return path


def _count(path):
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM child").fetchone()[0]
    finally:
        con.close()


async def test_writer_tells_no_one_saved_when_their_batch_does_not_commit(sqlite_file):
    writer = SqliteWriter(sqlite_file)
    writer.start()

    async def good(port):
        return await port.execute("INSERT INTO child (parent_id) VALUES (1)")

    async def breaks_at_commit(port):
        # A deferred foreign key is checked only at COMMIT: the whole batch fails there.
        await port.execute("PRAGMA defer_foreign_keys = ON")
        await port.execute("INSERT INTO child (parent_id) VALUES (42)")

    try:
        results = await asyncio.gather(
            writer.run(good), writer.run(breaks_at_commit), writer.run(good),
            return_exceptions=True,
        )  # fmt: skip
        assert all(isinstance(r, sqlite3.IntegrityError) for r in results), results
        assert await asyncio.to_thread(_count, sqlite_file) == 0
        assert isinstance(await writer.run(good), int)  # the writer carries on afterwards
        assert await asyncio.to_thread(_count, sqlite_file) == 1
    finally:
        await writer.close()


async def test_a_write_that_fails_after_writing_leaves_nothing_and_the_others_stand(sqlite_file):
    writer = SqliteWriter(sqlite_file)
    writer.start()

    async def good(port):
        await port.execute("INSERT INTO child (parent_id) VALUES (1)")
        return "ok"

    async def half_then_fails(port):
        await port.execute("INSERT INTO child (parent_id) VALUES (1)")
        raise ValueError("refused after writing")

    try:
        results = await asyncio.gather(
            writer.run(good), writer.run(half_then_fails), writer.run(good),
            return_exceptions=True,
        )  # fmt: skip
        assert results[0] == results[2] == "ok" and isinstance(results[1], ValueError)
        assert await asyncio.to_thread(_count, sqlite_file) == 2  # the refused one left nothing
    finally:
        await writer.close()


async def test_several_writes_failing_after_writing_in_one_batch_leave_only_the_good_ones(
    sqlite_file,
):
    writer = SqliteWriter(sqlite_file)
    writer.start()

    async def good(port):
        await port.execute("INSERT INTO child (parent_id) VALUES (1)")
        return (await port.fetch_one("SELECT count(*) FROM child"))[0]

    async def half_then_fails(port):
        await port.execute("INSERT INTO child (parent_id) VALUES (1)")
        await port.execute("INSERT INTO child (parent_id) VALUES (1)")
        raise ValueError("refused after writing")

    async def refused_before_writing(port):
        await port.fetch_one("SELECT count(*) FROM child")
        raise LookupError("refused before writing")

    try:
        jobs = [good, half_then_fails, refused_before_writing, good, half_then_fails, good]
        results = await asyncio.gather(*(writer.run(j) for j in jobs), return_exceptions=True)
        # The good ones saw only each other's rows: the batch ran again without the others.
        assert [results[0], results[3], results[5]] == [1, 2, 3], results
        assert [type(results[i]) for i in (1, 2, 4)] == [ValueError, LookupError, ValueError]
        assert await asyncio.to_thread(_count, sqlite_file) == 3
    finally:
        await writer.close()


async def test_closing_the_writer_finishes_the_writes_already_queued(sqlite_file):
    writer = SqliteWriter(sqlite_file)
    writer.start()

    async def good(port):
        await port.execute("INSERT INTO child (parent_id) VALUES (1)")
        return (await port.fetch_one("SELECT max(id) FROM child"))[0]

    writes = [asyncio.create_task(writer.run(good)) for _ in range(5)]
    await asyncio.sleep(0)  # the writes are queued, not yet handed to the thread
    await writer.close()
    done = await asyncio.wait_for(asyncio.gather(*writes), timeout=5)
    assert sorted(done) == [1, 2, 3, 4, 5]
    assert await asyncio.to_thread(_count, sqlite_file) == 5
