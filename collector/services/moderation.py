"""Moderation: queries on a submitted return (ask, reply, close); moderated grades are in
`collector.services.moderated_grades`.

A query's thread is kept on the return (`query_message` rows, text sealed like any narrative).
The agency hears of a query through the outbox (like reminders and concern alerts); editing
the queried answer is the answer write's (`collector.services.answers`, which asks
`query_rules.open_query`). Open queries block finalising the report (`ensure_no_open_queries`).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Conflict, Forbidden, NotFound, Unprocessable
from collector.sealing import seal, unseal
from collector.services.audit import record
from collector.services.outbox import insert_rows
from collector.services.return_rules import NOT_YOURS, WRITERS, refuse_identifiers, warn_names
from models.base import utcnow
from models.enums import ReminderStatus, ReturnStatus, Role
from models.grades import grade_name
from models.moderation import (
    QUERY_KIND,
    ModerationQuery,
    QueryAsk,
    QueryEntry,
    QueryMessage,
    QueryPublic,
    QueryStatus,
    ThreadEntry,
)
from models.people import Agency, Member
from models.returns import Answer, AuditReturn
from models.rounds import Case, Round
from models.tool import load_tool
from report import moderation_text
from report.concern_text import who


class ReturnNames:
    """A return with the names it is known by."""

    def __init__(self, ret: AuditReturn, round_: Round, agency: Agency, case: Case) -> None:
        self.ret, self.round, self.agency, self.case = ret, round_, agency, case

    def title(self, key: str) -> str:
        question = load_tool(self.round.tool_version).question(key)
        return question.title if question is not None else key


async def return_for(session: AsyncSession, actor: Actor, return_id: int) -> ReturnNames:
    """The return, if the actor is a coordinator or one of its agency's writers."""
    row = (
        await session.execute(
            select(AuditReturn, Round, Agency, Case)
            .join(Round, Round.id == AuditReturn.round_id)
            .join(Agency, Agency.id == AuditReturn.agency_id)
            .join(Case, Case.id == AuditReturn.case_id)
            .where(AuditReturn.id == return_id)
        )
    ).first()
    if actor.role == Role.coordinator:
        if row is None:
            raise NotFound(f"There is no return {return_id}.")
        return ReturnNames(*row)
    if row is None or actor.role not in WRITERS or actor.agency_id != row[0].agency_id:
        raise Forbidden(NOT_YOURS)
    return ReturnNames(*row)


async def answer_of(session: AsyncSession, return_id: int, key: str) -> Any:
    value = await session.scalar(
        select(Answer.value).where(Answer.return_id == return_id, Answer.question_key == key)
    )
    return unseal(value)  # SEALING: read


def grade_key(value: Any) -> str | None:
    """The grade key of a graded answer ({"grade": key, ...}), else None."""
    grade = value.get("grade") if isinstance(value, dict) else None
    return grade if isinstance(grade, str) else None


def _quoted(value: Any) -> str:
    """An answer as the person who gave it would recognise it."""
    if value is None:
        return ""
    if (grade := grade_key(value)) is not None:
        return grade_name(grade)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


async def _view(
    session: AsyncSession,
    rt: ReturnNames,
    query: ModerationQuery,
    queued_to: list[str] | None = None,
) -> QueryPublic:
    rows = await session.execute(
        select(QueryMessage, Member.display_name)
        .outerjoin(Member, Member.id == QueryMessage.author_id)
        .where(QueryMessage.query_id == query.id)
        .order_by(QueryMessage.id)
    )
    # Names are read now, not stored in the thread: an erased member's name is gone from it too.
    thread = [
        ThreadEntry(
            entry=m.entry,
            text=unseal(m.text),  # SEALING: read
            author=name or ("the maa command" if m.author_id is None else m.author),
            at=m.at,
        )
        for m, name in rows.all()
    ]
    assert query.id is not None
    return QueryPublic(
        id=query.id,
        return_id=rt.ret.id or 0,
        round=rt.round.slug,
        agency=rt.agency.code,
        case=rt.case.reference,
        question=query.question_key,
        question_title=rt.title(query.question_key),
        status=query.status,
        asked_at=query.asked_at,
        thread=thread,
        queued_to=queued_to or [],
    )


def _message(query_id: int, entry: QueryEntry, text: str | None, actor: Actor) -> Any:
    return QueryMessage(
        query_id=query_id,
        entry=entry,
        text=seal(text),  # SEALING: write
        author_id=actor.member_id,
        author=actor.label,  # as the audit trail: "member:3"; the name is read with the thread
    )


def _outbox_row(
    key: str, round_id: int, recipient: int, text: str, now: datetime, button: Any
) -> dict[str, Any]:
    return {
        "key": key,
        "round_id": round_id,
        "kind": QUERY_KIND,
        "stage": "query",
        "recipient_id": recipient,
        "payload": {"text": seal(text), "button": list(button) if button else None},  # SEALING
        "send_after": now,
        "status": ReminderStatus.queued,
        "attempts": 0,
        "created_at": now,
    }


async def _agency_people(session: AsyncSession, rt: ReturnNames) -> list[Member]:
    """Whom a query goes to: who submitted the return, and the agency's leads; reachable."""
    rows = await session.execute(
        select(Member).where(
            Member.disabled_at.is_(None),
            Member.telegram_id.is_not(None),
            Member.reachable.is_(True),
            Member.agency_id == rt.agency.id,
            (Member.id == rt.ret.submitted_by) | (Member.role == Role.agency_lead),
        )
    )
    return list(rows.scalars())


async def ask_query(
    *, session: AsyncSession, actor: Actor, return_id: int, data: QueryAsk
) -> QueryPublic:
    """A coordinator's question on one answer of a submitted return; asking the same open
    question again changes nothing."""
    actor.require(Role.coordinator)
    rt = await return_for(session, actor, return_id)
    if rt.ret.status != ReturnStatus.submitted:
        raise Conflict(
            f"The return for {rt.case.reference} is not submitted yet ({rt.ret.status}): "
            "queries are for submitted returns.",
            code="not_submitted",
        )
    if load_tool(rt.round.tool_version).question(data.question) is None:
        raise Unprocessable(
            f"The audit tool has no question '{data.question}'.", code="unknown_question"
        )
    refuse_identifiers(data.text)
    for existing in await _queries(session, return_id, QueryStatus.open):
        first = await session.scalar(
            select(QueryMessage.text)
            .where(QueryMessage.query_id == existing.id)
            .order_by(QueryMessage.id)
        )
        if existing.question_key == data.question and unseal(first) == data.text.strip():
            return await _view(session, rt, existing)
    now = utcnow()
    query = ModerationQuery(
        return_id=return_id, question_key=data.question, asked_by=actor.member_id, asked_at=now
    )
    session.add(query)
    await session.flush()
    assert query.id is not None
    session.add(_message(query.id, QueryEntry.question, data.text.strip(), actor))
    people = await _agency_people(session, rt)
    answer = _quoted(await answer_of(session, return_id, data.question))
    rows = [
        _outbox_row(
            f"query:{query.id}:{m.id}",
            rt.round.id or 0,
            m.id or 0,
            moderation_text.query_text(
                name=m.display_name,
                round_title=rt.round.title,
                case=rt.case.reference,
                agency_name=rt.agency.name,
                question_title=rt.title(data.question),
                answer=answer,
                query=data.text,
            ),
            now,
            [list(b) for b in moderation_text.query_buttons(query.id, return_id, data.question)],
        )
        for m in people
    ]
    await insert_rows(session, rows)
    record(
        session,
        actor=actor,
        action="query.ask",
        entity="return",
        entity_id=return_id,
        after={"query": query.id, "question": data.question, "queued_to": [m.id for m in people]},
    )
    queued = [who(m.display_name, str(m.role)) for m in people]
    return await _view(session, rt, query, queued)


async def _queries(
    session: AsyncSession, return_id: int, status: QueryStatus | None = None
) -> list[ModerationQuery]:
    stmt = select(ModerationQuery).where(ModerationQuery.return_id == return_id)
    if status is not None:
        stmt = stmt.where(ModerationQuery.status == status)
    return list((await session.execute(stmt.order_by(ModerationQuery.id))).scalars())


async def list_queries(*, session: AsyncSession, actor: Actor, return_id: int) -> list[QueryPublic]:
    """Every query on a return with its thread (coordinators; the agency's own writers)."""
    rt = await return_for(session, actor, return_id)
    return [await _view(session, rt, q) for q in await _queries(session, return_id)]


async def _query(
    session: AsyncSession, actor: Actor, query_id: int
) -> tuple[ModerationQuery, ReturnNames]:
    query = await session.get(ModerationQuery, query_id, with_for_update=True)
    if query is None:
        if actor.role == Role.coordinator:
            raise NotFound(f"There is no query {query_id}.")
        raise Forbidden(NOT_YOURS)
    return query, await return_for(session, actor, query.return_id)


async def reply_query(
    *, session: AsyncSession, actor: Actor, query_id: int, text: str, names_ok: bool = False
) -> QueryPublic:
    """The agency's reply, screened like any narrative; the same reply again changes nothing."""
    query, rt = await _query(session, actor, query_id)
    if actor.role == Role.coordinator and actor.agency_id != rt.agency.id:
        raise Forbidden("Replies come from the agency; a coordinator closes a query instead.")
    clean = text.strip()
    if query.status != QueryStatus.open:
        last = await session.scalar(
            select(QueryMessage.text)
            .where(QueryMessage.query_id == query_id)
            .order_by(QueryMessage.id.desc())
        )
        if query.status == QueryStatus.answered and unseal(last) == clean:
            return await _view(session, rt, query)
        raise Conflict(
            f"This query is {query.status} already; the thread is kept on the return.",
            code="query_not_open",
        )
    refuse_identifiers(clean)
    if not names_ok:
        warn_names(clean, tuple(rt.round.screen_allow or ()))
    session.add(_message(query_id, QueryEntry.reply, clean, actor))
    await _answered(session, actor, rt, query, "reply")
    return await _view(session, rt, query)


async def _answered(
    session: AsyncSession, actor: Actor, rt: ReturnNames, query: ModerationQuery, how: str
) -> None:
    now = utcnow()
    query.status, query.closed_at = QueryStatus.answered, now
    asker = await session.get(Member, query.asked_by) if query.asked_by else None
    if asker is not None and asker.telegram_id is not None and asker.reachable:
        text = moderation_text.answered_text(
            name=asker.display_name,
            case=rt.case.reference,
            agency_name=rt.agency.name,
            question_title=rt.title(query.question_key),
        )
        row = _outbox_row(
            f"query:{query.id}:answered", rt.round.id or 0, asker.id or 0, text, now, None
        )
        await insert_rows(session, [row])
    record(
        session,
        actor=actor,
        action="query.answered",
        entity="return",
        entity_id=rt.ret.id,
        after={"query": query.id, "question": query.question_key, "by": how},
    )


async def close_query(
    *, session: AsyncSession, actor: Actor, query_id: int, reason: str
) -> QueryPublic:
    """A coordinator closes a query with a reason; closing it again changes nothing."""
    actor.require(Role.coordinator)
    query, rt = await _query(session, actor, query_id)
    if query.status == QueryStatus.closed:
        return await _view(session, rt, query)
    refuse_identifiers(reason)
    before = query.status
    query.status, query.closed_at = QueryStatus.closed, utcnow()
    session.add(_message(query_id, QueryEntry.close, reason.strip(), actor))
    record(
        session,
        actor=actor,
        action="query.close",
        entity="return",
        entity_id=rt.ret.id,
        before={"query": query_id, "status": before},
        after={"query": query_id, "status": QueryStatus.closed},
    )
    return await _view(session, rt, query)


async def ensure_no_open_queries(session: AsyncSession, round_: Round) -> None:
    """A 409 naming every open query of the round: they block finalising its report."""
    rows = await session.execute(
        select(ModerationQuery.question_key, Case.reference, Agency.name)
        .join(AuditReturn, AuditReturn.id == ModerationQuery.return_id)
        .join(Case, Case.id == AuditReturn.case_id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .where(AuditReturn.round_id == round_.id, ModerationQuery.status == QueryStatus.open)
        .order_by(ModerationQuery.id)
    )
    found = rows.all()
    if not found:
        return
    tool = load_tool(round_.tool_version)
    names = [
        f"{ref} ({agency}): {q.title if (q := tool.question(key)) else key}"
        for key, ref, agency in found
    ]
    raise Conflict(
        f"The report cannot be final while moderation queries are open: {'; '.join(names)}. "
        "Each needs an answer from the agency, or closing with a reason.",
        code="open_queries",
        queries=names,
    )
