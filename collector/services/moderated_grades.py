"""Moderated grades beside the agency's own (never overwritten), and what moderation gives the
report snapshot and retention. Queries: `collector.services.moderation`."""

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Conflict, Unprocessable
from collector.sealing import seal, unseal
from collector.services.audit import record
from collector.services.moderation import answer_of, grade_key, return_for
from collector.services.return_rules import refuse_identifiers
from models.base import utcnow
from models.enums import ReturnStatus, Role
from models.grades import BY_KEY, SCALE
from models.moderation import (
    Extension,
    ExtensionStatus,
    GradeModerate,
    ModeratedGrade,
    ModeratedGradePublic,
    ModerationQuery,
    QueryMessage,
)
from models.people import Agency
from models.returns import AuditReturn
from models.rounds import Case, Expectation
from models.tool import GradeQuestion, load_tool


async def moderate_grade(
    *, session: AsyncSession, actor: Actor, return_id: int, data: GradeModerate
) -> ModeratedGradePublic:
    """The moderator's grade beside the agency's (which is never changed); the same grade and
    reason again changes nothing."""
    actor.require(Role.coordinator)
    rt = await return_for(session, actor, return_id)
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
    agency_grade = await answer_of(session, return_id, data.question)
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
            "agency_grade": grade_key(agency_grade),
        },
    )
    await session.flush()
    return _grade_view(row, agency_grade)


def _grade_view(row: ModeratedGrade, agency_grade: Any) -> ModeratedGradePublic:
    return ModeratedGradePublic(
        return_id=row.return_id,
        question=row.question_key,
        agency_grade=grade_key(agency_grade),
        grade=row.grade,
        reason=unseal(row.reason),  # SEALING: read
        moderated_at=row.moderated_at,
    )


async def moderated_grades(
    *, session: AsyncSession, actor: Actor, return_id: int
) -> list[ModeratedGradePublic]:
    await return_for(session, actor, return_id)
    rows = await session.execute(
        select(ModeratedGrade).where(ModeratedGrade.return_id == return_id)
    )
    return [
        _grade_view(r, await answer_of(session, return_id, r.question_key)) for r in rows.scalars()
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
