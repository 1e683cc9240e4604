"""One read of a round that feeds the tally, every report format and every export."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.sealing import unseal
from collector.services.lookup import round_by_slug
from collector.services.moderated_grades import moderation_of
from collector.services.progress import agencies_in_order
from models.base import utcnow
from models.people import Agency
from models.returns import Answer, AuditReturn
from models.rounds import Action, Case, Expectation, Round
from models.tool import load_tool
from report.snapshot import (
    ActionRow,
    AgencyRow,
    CaseRow,
    ExpectationRow,
    ReturnRow,
    RoundSnapshot,
)


async def take_snapshot(
    *,
    session: AsyncSession,
    slug: str,
    with_previous: bool = True,
    only_keys: list[str] | None = None,
) -> RoundSnapshot:
    """Everything about the round, read in the caller's transaction.

    only_keys: read only these questions' answers (the desk's dashboard needs the grades only).
    """
    round_ = await round_by_slug(session, slug)
    agencies = await agencies_in_order(session, round_.id)
    cases = (
        (await session.execute(select(Case).where(Case.round_id == round_.id).order_by(Case.id)))
        .scalars()
        .all()
    )
    expectations = (
        await session.execute(
            select(Agency.code, Case.reference, Expectation.status)
            .join(Agency, Agency.id == Expectation.agency_id)
            .join(Case, Case.id == Expectation.case_id)
            .where(Expectation.round_id == round_.id)
            .order_by(Expectation.id)
        )
    ).all()
    answers: dict[int, dict] = defaultdict(dict)
    answer_query = (
        select(Answer.return_id, Answer.question_key, Answer.value, Answer.answered_at)
        .join(AuditReturn, AuditReturn.id == Answer.return_id)
        .where(AuditReturn.round_id == round_.id)
    )
    if only_keys is not None:
        answer_query = answer_query.where(Answer.question_key.in_(only_keys))
    first_answer: dict[int, datetime] = {}
    for return_id, key, value, at in await session.execute(answer_query):
        answers[return_id][key] = unseal(value)  # SEALING: read
        if at is not None and (return_id not in first_answer or at < first_answer[return_id]):
            first_answer[return_id] = at
    moderated, extended = await moderation_of(session, round_.id)
    returns = (
        await session.execute(
            select(AuditReturn, Agency.code, Case.reference)
            .join(Agency, Agency.id == AuditReturn.agency_id)
            .join(Case, Case.id == AuditReturn.case_id)
            .where(AuditReturn.round_id == round_.id)
            .order_by(AuditReturn.id)
        )
    ).all()
    actions = (
        (
            await session.execute(
                select(Action).where(Action.round_id == round_.id).order_by(Action.number)
            )
        )
        .scalars()
        .all()
    )
    sectors = dict(
        (
            await session.execute(
                select(Agency.code, Agency.sector).where(Agency.id.in_([i for i, _, _ in agencies]))
            )
        ).all()
    )
    previous = None
    if with_previous:
        prev_slug = (
            await session.execute(
                select(Round.slug)
                .where(Round.partnership == round_.partnership, Round.opens_at < round_.opens_at)
                .order_by(Round.opens_at.desc())
                .limit(1)
            )
        ).scalar()
        if prev_slug:
            previous = await take_snapshot(session=session, slug=prev_slug, with_previous=False)
    return RoundSnapshot(
        slug=round_.slug,
        title=round_.title,
        theme=round_.theme,
        partnership=round_.partnership,
        scope=round_.scope,
        opens_at=round_.opens_at,
        due_at=round_.due_at,
        status=round_.status,
        tool=load_tool(round_.tool_version),
        agencies=[AgencyRow(code=c, name=n, sector=sectors.get(c)) for _, c, n in agencies],
        cases=[CaseRow(reference=c.reference, note=c.note) for c in cases],
        expectations=[
            ExpectationRow(agency=a, case=c, status=s, extended_to=extended.get((a, c), ""))
            for a, c, s in expectations
        ],
        returns=[
            ReturnRow(
                id=r.id,
                agency=code,
                case=ref,
                status=r.status,
                answers=answers.get(r.id, {}),
                submitted_at=r.submitted_at,
                updated_at=r.updated_at,
                moderated=moderated.get(r.id, {}),
                first_answer_at=first_answer.get(r.id),
                cross_check_reason=r.cross_check_reason,
            )
            for r, code, ref in returns
        ],
        actions=[
            ActionRow(
                number=a.number,
                recommendation=a.recommendation,
                owner=a.owner,
                due_at=a.due_at,
                progress=a.progress,
                status=a.status,
            )
            for a in actions
        ],
        previous=previous,
        taken_at=utcnow(),
    )
