"""Moderation over the API: queries and their threads, editing a queried answer, moderated
grades, and the open queries that block a final report. Real collector, both databases."""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from collector.auth import SYSTEM
from collector.services import retention, rounds
from models.enums import Role, RoundStatus
from models.moderation import QueryMessage
from models.ops import AuditEvent, Reminder
from tests.conftest import full_answers, small_round

COORD, CSC, POLICE, LEAD = 1, 101, 102, 103
ASK = "Could you say what the impact was for the child?"


@pytest.fixture
async def submitted(collector: Any) -> int:
    """The small round with the Police's return for C1 submitted by their auditor."""
    await collector.create_round(small_round())
    await collector.add_member("Cora", Role.coordinator, telegram_id=COORD)
    await collector.add_member("Cass", Role.auditor, agency="csc", telegram_id=CSC)
    await collector.add_member("Pat", Role.auditor, agency="police", telegram_id=POLICE)
    await collector.add_member("Lee", Role.agency_lead, agency="police", telegram_id=LEAD)
    return await submit(collector, POLICE, "C1")


async def submit(collector: Any, tid: int, case: str, grade: str = "good") -> int:
    status, ret = await collector.as_member(
        "POST", "/api/returns", tid, json={"round": "r-2026", "case": case}
    )
    assert status == 200, ret
    for key, value in full_answers(grade).items():
        path = f"/api/returns/{ret['id']}/answers/{key}"
        assert (await collector.as_member("PUT", path, tid, json={"value": value}))[0] == 200
    status, done = await collector.as_member("POST", f"/api/returns/{ret['id']}/submit", tid)
    assert status == 200, done
    return ret["id"]


async def ask(collector: Any, rid: int, question: str = "good_practice", text: str = ASK):
    return await collector.as_member(
        "POST", f"/api/returns/{rid}/queries", COORD, json={"question": question, "text": text}
    )


async def events(collector: Any, action: str) -> list[AuditEvent]:
    async with collector.db.read() as session:
        rows = await session.execute(select(AuditEvent).where(AuditEvent.action == action))
        return list(rows.scalars())


async def outbox(collector: Any, kind: str) -> list[Reminder]:
    async with collector.db.read() as session:
        rows = await session.execute(
            select(Reminder).where(Reminder.kind == kind).order_by(Reminder.id)
        )
        return list(rows.scalars())


async def test_query_goes_to_the_agency_with_the_answer_quoted_and_is_answered(
    collector, submitted
):
    status, query = await ask(collector, submitted)
    assert status == 200, query
    assert query["status"] == "open" and query["question_title"] == "Good practice"
    assert query["queued_to"] == ["Pat (auditor)", "Lee (agency lead)"]
    again = await ask(collector, submitted)
    assert again == (200, query | {"queued_to": []})  # the same question: nothing new
    messages = await outbox(collector, "query")
    assert len(messages) == 2 and len(await events(collector, "query.ask")) == 1
    text = messages[0].payload["text"]
    assert "Prompt strategy meeting and clear plan for C1." in text and ASK in text
    assert messages[0].payload["button"] == [
        ["Reply", f"Q|{query['id']}"],
        ["Change the answer", f"Z|{query['return_id']}|good_practice"],
    ]

    # The reply is screened like any narrative: an identifier is refused, nothing stored.
    reply = f"/api/queries/{query['id']}/reply"
    status, body = await collector.as_member(
        "POST", reply, POLICE, json={"text": "Call 07700 900123 for more"}
    )
    assert (status, body["error"]) == (422, "identifiers_found")
    said = "School attendance rose to 95% within the term."
    status, body = await collector.as_member("POST", reply, POLICE, json={"text": said})
    assert status == 200, body
    assert body["status"] == "answered"
    assert [(e["entry"], e["text"]) for e in body["thread"]] == [
        ("question", ASK),
        ("reply", said),
    ]
    assert (await collector.as_member("POST", reply, POLICE, json={"text": said}))[1] == body
    assert len(await events(collector, "query.answered")) == 1
    # The coordinator who asked is told (queued, through the outbox).
    assert [m.stage for m in await outbox(collector, "query")][-1] == "query"
    status, thread = await collector.as_member("GET", f"/api/returns/{submitted}/queries", LEAD)
    assert status == 200 and thread[0]["thread"] == body["thread"]


async def test_editing_the_queried_answer_reopens_that_question_only(collector, submitted):
    assert (await ask(collector, submitted))[0] == 200
    base = f"/api/returns/{submitted}/answers"
    status, body = await collector.as_member(
        "PUT", f"{base}/development", POLICE, json={"value": "Something else entirely."}
    )
    assert (status, body["error"]) == (409, "return_submitted")
    better = "Prompt strategy meeting; the child's attendance rose as a result."
    status, body = await collector.as_member(
        "PUT", f"{base}/good_practice", POLICE, json={"value": better}
    )
    assert status == 200, body
    assert body["status"] == "submitted" and body["answers"]["good_practice"] == better
    _, [after] = await collector.as_member("GET", f"/api/returns/{submitted}/queries", COORD)
    assert after["status"] == "answered"
    assert [e["entry"] for e in after["thread"]] == ["question", "edit"]
    # Answered: the question is closed to edits again.
    status, body = await collector.as_member(
        "PUT", f"{base}/good_practice", POLICE, json={"value": "Again."}
    )
    assert (status, body["error"]) == (409, "return_submitted")


async def test_open_queries_block_the_final_report_until_closed(collector, submitted):
    _, query = await ask(collector, submitted, "impact", "Is Good right here?")
    async with collector.db.write() as session:
        await rounds.set_round_status(
            session=session, actor=SYSTEM, slug="r-2026", status=RoundStatus.closed
        )
    final = "/api/rounds/r-2026/report/finalise"
    status, body = await collector.as_member("POST", final, COORD, json={})
    assert (status, body["error"]) == (409, "open_queries")
    assert "C1 (Police): Impact" in body["message"]
    close = f"/api/queries/{query['id']}/close"
    status, body = await collector.as_member("POST", close, POLICE, json={"reason": "Fine."})
    assert status == 403
    status, body = await collector.as_member(
        "POST", close, COORD, json={"reason": "Discussed by phone; the grade stands."}
    )
    assert (status, body["status"]) == (200, "closed")
    assert body["thread"][-1]["entry"] == "close"
    assert (await collector.as_member("POST", close, COORD, json={"reason": "Again."}))[0] == 200
    assert len(await events(collector, "query.close")) == 1
    status, body = await collector.as_member("POST", final, COORD, json={})
    assert status == 200, body


async def test_query_bad_input(collector, submitted):
    status, draft = await collector.as_member(
        "POST", "/api/returns", CSC, json={"round": "r-2026", "case": "C1"}
    )
    status, body = await ask(collector, draft["id"])
    assert (status, body["error"]) == (409, "not_submitted")
    assert "draft" in body["message"]
    status, body = await ask(collector, 99999)
    assert (status, body["error"]) == (404, "not_found")
    status, body = await ask(collector, submitted, "no_such_question")
    assert (status, body["error"]) == (422, "unknown_question")
    status, body = await collector.as_member(
        "POST",
        f"/api/returns/{submitted}/queries",
        POLICE,
        json={"question": "impact", "text": "Self-query"},
    )
    assert status == 403
    _, query = await ask(collector, submitted)
    # Another agency's auditor sees neither the queries nor may reply.
    assert (await collector.as_member("GET", f"/api/returns/{submitted}/queries", CSC))[0] == 403
    status, body = await collector.as_member(
        "POST", f"/api/queries/{query['id']}/reply", CSC, json={"text": "Not mine."}
    )
    assert status == 403
    status, body = await collector.as_member(
        "POST", "/api/queries/424242/reply", COORD, json={"text": "?"}
    )
    assert (status, body["error"]) == (404, "not_found")


async def test_moderated_grade_leaves_the_agency_grade_intact(collector, submitted):
    path = f"/api/returns/{submitted}/moderated-grade"
    grade = {"question": "impact", "grade": "requires_improvement", "reason": "Little change."}
    status, body = await collector.as_member("PUT", path, COORD, json=grade)
    assert status == 200, body
    assert (body["agency_grade"], body["grade"]) == ("good", "requires_improvement")
    assert (await collector.as_member("PUT", path, COORD, json=grade))[1] == body
    assert len(await events(collector, "grade.moderate")) == 1
    _, ret = await collector.as_member("GET", f"/api/returns/{submitted}", POLICE)
    assert ret["answers"]["impact"] == {"grade": "good"}
    status, listed = await collector.as_member(
        "GET", f"/api/returns/{submitted}/moderated-grades", LEAD
    )
    assert status == 200 and listed == [body]
    # Bad input: not a grade, not a scale grade, an auditor, a draft.
    status, body = await collector.as_member(
        "PUT", path, COORD, json=grade | {"question": "good_practice"}
    )
    assert (status, body["error"]) == (422, "not_a_grade")
    status, body = await collector.as_member("PUT", path, COORD, json=grade | {"grade": "meh"})
    assert (status, body["error"]) == (422, "unknown_grade")
    assert (await collector.as_member("PUT", path, POLICE, json=grade))[0] == 403
    _, draft = await collector.as_member(
        "POST", "/api/returns", CSC, json={"round": "r-2026", "case": "C2"}
    )
    status, body = await collector.as_member(
        "PUT", f"/api/returns/{draft['id']}/moderated-grade", COORD, json=grade
    )
    assert (status, body["error"]) == (409, "not_submitted")


async def test_retention_clears_the_threads_with_the_answers(collector, submitted):
    _, query = await ask(collector, submitted)
    reply = f"/api/queries/{query['id']}/reply"
    await collector.as_member("POST", reply, POLICE, json={"text": "The nurse saw it."})
    async with collector.db.write() as session:
        await rounds.set_round_status(
            session=session, actor=SYSTEM, slug="r-2026", status=RoundStatus.closed
        )
    later = datetime(2099, 1, 1, tzinfo=UTC)
    assert await retention.apply_due(collector.db, SYSTEM, later) == ["r-2026"]
    async with collector.db.read() as session:
        texts = (await session.execute(select(QueryMessage.text))).scalars().all()
    assert texts == [None, None]  # who and when are kept; what was said is gone
