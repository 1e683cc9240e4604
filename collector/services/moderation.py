"""Moderation: queries on a submitted return (ask, reply, close) and moderated grades.

A query's thread is kept on the return (`query_message` rows, text sealed like any narrative).
The agency hears of a query through the outbox (like reminders and concern alerts); editing
the queried answer is the answer write's (`collector.services.answers`, which asks
`query_rules.open_query`). Open queries block finalising the report (`ensure_no_open_queries`).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Conflict, Forbidden, NotFound, Unprocessable
from collector.sealing import seal, unseal
from collector.services.audit import record
from collector.services.outbox import insert_rows
from collector.services.return_rules import NOT_YOURS, WRITERS, refuse_identifiers, warn_names
from models.base import utcnow
from models.enums import ReminderStatus, ReturnStatus, Role
from models.grades import BY_KEY, SCALE, grade_name
from models.moderation import (
    QUERY_KIND,
    Extension,
    ExtensionStatus,
    GradeModerate,
    ModeratedGrade,
    ModeratedGradePublic,
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
from models.rounds import Case, Expectation, Round
from models.tool import GradeQuestion, load_tool
from report import moderation_text
from report.concern_text import who


class _Return:
    """A return with the names it is known by."""

    def __init__(self, ret: AuditReturn, round_: Round, agency: Agency, case: Case) -> None:
        self.ret, self.round, self.agency, self.case = ret, round_, agency, case

    def title(self, key: str) -> str:
        question = load_tool(self.round.tool_version).question(key)
        return question.title if question is not None else key


async def _return(session: AsyncSession, actor: Actor, return_id: int) -> _Return:
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
        return _Return(*row)
    if row is None or actor.role not in WRITERS or actor.agency_id != row[0].agency_id:
        raise Forbidden(NOT_YOURS)
    return _Return(*row)


async def _answer(session: AsyncSession, return_id: int, key: str) -> Any:
    value = await session.scalar(
        select(Answer.value).where(Answer.return_id == return_id, Answer.question_key == key)
    )
    return unseal(value)  # SEALING: read


def _grade_of(value: Any) -> str | None:
    """The grade key of a graded answer ({"grade": key, ...}), else None."""
    grade = value.get("grade") if isinstance(value, dict) else None
    return grade if isinstance(grade, str) else None


def _quoted(value: Any) -> str:
    """An answer as the person who gave it would recognise it."""
    if value is None:
        return ""
    if (grade := _grade_of(value)) is not None:
        return grade_name(grade)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


async def _view(
    session: AsyncSession, rt: _Return, query: ModerationQuery, queued_to: list[str] | None = None
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


async def _agency_people(session: AsyncSession, rt: _Return) -> list[Member]:
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
    rt = await _return(session, actor, return_id)
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
    answer = _quoted(await _answer(session, return_id, data.question))
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
            moderation_text.query_button(query.id),
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
    rt = await _return(session, actor, return_id)
    return [await _view(session, rt, q) for q in await _queries(session, return_id)]


async def _query(
    session: AsyncSession, actor: Actor, query_id: int
) -> tuple[ModerationQuery, _Return]:
    query = await session.get(ModerationQuery, query_id, with_for_update=True)
    if query is None:
        if actor.role == Role.coordinator:
            raise NotFound(f"There is no query {query_id}.")
        raise Forbidden(NOT_YOURS)
    return query, await _return(session, actor, query.return_id)


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
    session: AsyncSession, actor: Actor, rt: _Return, query: ModerationQuery, how: str
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


# ---- moderated grades


async def moderate_grade(
    *, session: AsyncSession, actor: Actor, return_id: int, data: GradeModerate
) -> ModeratedGradePublic:
    """The moderator's grade beside the agency's (which is never changed); the same grade and
    reason again changes nothing."""
    actor.require(Role.coordinator)
    rt = await _return(session, actor, return_id)
    if rt.ret.status != ReturnStatus.submitted:
        raise Conflict(
            f"The return for {rt.case.reference} is not submitted ({rt.ret.status}): "
            "only a submitted return can be moderated.",
            code="not_submitted",
        )
    question = load_tool(rt.round.tool_version).question(data.question)
    if not isinstance(question, GradeQuestion):
        raise Unprocessable(
            f"'{data.question}' is not a graded question of this audit tool.",
            code="not_a_grade",
        )
    if data.grade not in BY_KEY:
        keys = ", ".join(g.key for g in SCALE)
        raise Unprocessable(f"A moderated grade is one of: {keys}.", code="unknown_grade")
    refuse_identifiers(data.reason)
    agency_grade = await _answer(session, return_id, data.question)
    row = await session.scalar(
        select(ModeratedGrade)
        .where(ModeratedGrade.return_id == return_id, ModeratedGrade.question_key == data.question)
        .with_for_update()
    )
    reason = data.reason.strip()
    before = None
    if row is not None:
        if row.grade == data.grade and unseal(row.reason) == reason:
            return _grade_view(row, agency_grade)
        before = {"grade": row.grade}
    else:
        row = ModeratedGrade(return_id=return_id, question_key=data.question, grade="", reason="")
        session.add(row)
    row.grade, row.reason = data.grade, seal(reason)  # SEALING: write
    row.moderated_by, row.moderated_at = actor.member_id, utcnow()
    record(
        session,
        actor=actor,
        action="grade.moderate",
        entity="return",
        entity_id=return_id,
        before=before,
        after={
            "question": data.question,
            "grade": data.grade,
            "agency_grade": _grade_of(agency_grade),
        },
    )
    await session.flush()
    return _grade_view(row, agency_grade)


def _grade_view(row: ModeratedGrade, agency_grade: Any) -> ModeratedGradePublic:
    return ModeratedGradePublic(
        return_id=row.return_id,
        question=row.question_key,
        agency_grade=_grade_of(agency_grade),
        grade=row.grade,
        reason=unseal(row.reason),  # SEALING: read
        moderated_at=row.moderated_at,
    )


async def moderated_grades(
    *, session: AsyncSession, actor: Actor, return_id: int
) -> list[ModeratedGradePublic]:
    await _return(session, actor, return_id)
    rows = await session.execute(
        select(ModeratedGrade).where(ModeratedGrade.return_id == return_id)
    )
    return [
        _grade_view(r, await _answer(session, return_id, r.question_key)) for r in rows.scalars()
    ]


async def moderation_of(
    session: AsyncSession, round_id: int
) -> tuple[dict[int, dict[str, str]], dict[tuple[str, str], str]]:
    """For a round's snapshot: moderated grades by return, and approved extensions (ISO date)
    by (agency code, case reference)."""
    rows = await session.execute(
        select(ModeratedGrade.return_id, ModeratedGrade.question_key, ModeratedGrade.grade)
        .join(AuditReturn, AuditReturn.id == ModeratedGrade.return_id)
        .where(AuditReturn.round_id == round_id)
    )
    moderated: dict[int, dict[str, str]] = {}
    for rid, key, grade in rows.all():
        moderated.setdefault(rid, {})[key] = grade
    dues = await session.execute(
        select(Agency.code, Case.reference, Extension.until)
        .join(Expectation, Expectation.id == Extension.expectation_id)
        .join(Agency, Agency.id == Expectation.agency_id)
        .join(Case, Case.id == Expectation.case_id)
        .where(Expectation.round_id == round_id, Extension.status == ExtensionStatus.approved)
    )
    extended: dict[tuple[str, str], str] = {}
    for code, ref, until in dues.all():
        extended[(code, ref)] = max(until.isoformat(), extended.get((code, ref), ""))
    return moderated, extended


async def forget_texts(session: AsyncSession, round_id: int) -> None:
    """Retention: the round's query threads, moderation and extension reasons lose their text
    (who and when stay), in the transaction that removes the round's answers."""
    returns = select(AuditReturn.id).where(AuditReturn.round_id == round_id)
    queries = select(ModerationQuery.id).where(ModerationQuery.return_id.in_(returns))
    await session.execute(
        update(QueryMessage).where(QueryMessage.query_id.in_(queries)).values(text=None)
    )
    await session.execute(
        update(ModeratedGrade).where(ModeratedGrade.return_id.in_(returns)).values(reason="")
    )
    expected = select(Expectation.id).where(Expectation.round_id == round_id)
    await session.execute(
        update(Extension)
        .where(Extension.expectation_id.in_(expected))
        .values(reason="", decision_reason=None)
    )
