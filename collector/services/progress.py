"""Where each expected return stands: tallies, assignments, overdue lists, coordinators."""

import json
from datetime import datetime

from sqlalchemy import Select, Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Forbidden
from collector.sealing import unseal_json
from collector.services.allocation import agency_extensions, mine_first
from collector.services.lookup import round_by_slug
from models.base import utcnow
from models.enums import ExpectationStatus, ReturnStatus, Role
from models.grades import BY_KEY, NOT_GRADED, SCALE
from models.people import Agency, Member
from models.retention import RoundArchive
from models.returns import Answer, AuditReturn
from models.rounds import Case, Expectation, Round
from models.tool import load_tool
from report.tally import AgencyTally, Tally


async def agencies_in_order(session: AsyncSession, round_id: int) -> list[tuple[int, str, str]]:
    """The round's agencies (id, code, name) in round-file order."""
    # Grouped on the expectation index alone, then joined: grouping the joined rows by the
    # agency's name as well was four times slower on a 20,000-return round.
    first = (
        select(Expectation.agency_id, func.min(Expectation.id).label("first"))
        .where(Expectation.round_id == round_id)
        .group_by(Expectation.agency_id)
        .subquery()
    )
    rows = await session.execute(
        select(Agency.id, Agency.code, Agency.name)
        .join(first, first.c.agency_id == Agency.id)
        .order_by(first.c.first)
    )
    return [tuple(r) for r in rows.all()]


async def round_tally(*, session: AsyncSession, actor: Actor, slug: str) -> Tally:
    """Submitted returns and overall grades per agency, counted by the database."""
    actor.require(Role.coordinator, Role.viewer)
    round_ = await round_by_slug(session, slug)
    if round_.purged_at is not None:  # answers removed under retention: the tally kept with them
        return _kept_tally(await session.get(RoundArchive, round_.id))
    overall = load_tool(round_.tool_version).overall.key
    expected = dict(
        (
            await session.execute(
                select(Expectation.agency_id, func.count())
                .where(
                    Expectation.round_id == round_.id,
                    Expectation.status == ExpectationStatus.expected,
                )
                .group_by(Expectation.agency_id)
            )
        ).all()
    )
    # Grouped by the stored answer as it is and read here: extracting the grade and the reason
    # in SQL for every row cost a quarter of the query; the distinct answers are few.
    stored = cast(Answer.value, Text)  # PostgreSQL's json has no equality to group by
    rows = await session.execute(
        select(AuditReturn.agency_id, stored, func.count())
        .outerjoin(Answer, (Answer.return_id == AuditReturn.id) & (Answer.question_key == overall))
        .where(AuditReturn.round_id == round_.id, AuditReturn.status == ReturnStatus.submitted)
        .group_by(AuditReturn.agency_id, stored)
    )
    counts: dict[int, dict[str, int]] = {}
    reasons: dict[int, dict[str, int]] = {}
    for agency_id, text, n in rows.all():
        value = json.loads(text) if text else None
        g = value.get("grade") if isinstance(value, dict) else None
        if g in BY_KEY:
            bucket = counts.setdefault(agency_id, {})
            bucket[g] = bucket.get(g, 0) + n
        else:
            r = value.get("reason") if isinstance(value, dict) else None
            bucket = reasons.setdefault(agency_id, {})
            bucket[r or NOT_GRADED] = bucket.get(r or NOT_GRADED, 0) + n
    agencies = []
    extended = await agency_extensions(session, round_.id)
    for agency_id, code, name in await agencies_in_order(session, round_.id):
        grades = counts.get(agency_id, {})
        not_graded = reasons.get(agency_id, {})
        agencies.append(
            AgencyTally(
                code=code,
                name=name,
                returned=sum(grades.values()) + sum(not_graded.values()),
                expected=expected.get(agency_id, 0),
                overall_grades={g.name: grades[g.key] for g in SCALE if grades.get(g.key)},
                not_graded=sum(not_graded.values()),
                not_graded_reasons=not_graded,
                extended_to=extended.get(agency_id, ""),
            )
        )
    return Tally(
        round=slug,
        total_returns=sum(a.returned for a in agencies),
        agencies_returning=sum(1 for a in agencies if a.returned),
        agencies=agencies,
    )


def expectation_progress(round_id: int) -> Select:
    """Each expectation of a round with its return (if any) and how many answers it holds.

    Columns: expectation id, agency code, agency name, case reference, expectation status,
    return id, return status, answers given.
    """
    answered = (
        select(Answer.return_id, func.count().label("n")).group_by(Answer.return_id).subquery()
    )
    return (
        select(
            Expectation.id,
            Agency.code,
            Agency.name,
            Case.reference,
            Expectation.status,
            AuditReturn.id,
            AuditReturn.status,
            func.coalesce(answered.c.n, 0),
        )
        .select_from(Expectation)
        .join(Agency, Agency.id == Expectation.agency_id)
        .join(Case, Case.id == Expectation.case_id)
        .outerjoin(
            AuditReturn,
            (AuditReturn.round_id == Expectation.round_id)
            & (AuditReturn.agency_id == Expectation.agency_id)
            & (AuditReturn.case_id == Expectation.case_id),
        )
        .outerjoin(answered, answered.c.return_id == AuditReturn.id)
        .where(Expectation.round_id == round_id)
    )


async def expected_returns(
    *, session: AsyncSession, round_: Round, agency_id: int | None = None
) -> list[dict]:
    """Every expected return, with its status and how far the draft has got."""
    total = len(load_tool(round_.tool_version).questions)
    query = (
        expectation_progress(round_.id)
        .where(Expectation.status == ExpectationStatus.expected)
        .order_by(func.min(Expectation.id).over(partition_by=Expectation.agency_id), Case.id)
    )
    if agency_id is not None:
        query = query.where(Expectation.agency_id == agency_id)
    return [
        {
            "agency": code,
            "agency_name": name,
            "case": ref,
            "return_id": ret_id,
            "status": status or "not_started",
            "answered": n,
            "total_questions": total,
            "due_at": round_.due_at,
        }
        for _, code, name, ref, _, ret_id, status, n in (await session.execute(query)).all()
    ]


async def assignments(*, session: AsyncSession, actor: Actor, slug: str) -> list[dict]:
    """The actor's agency's expected cases in this round, submitted ones included."""
    if actor.role not in (Role.auditor, Role.agency_lead, Role.coordinator) or not actor.agency_id:
        raise Forbidden("Only members of an agency have cases to audit.")
    round_ = await round_by_slug(session, slug)
    rows = await expected_returns(session=session, round_=round_, agency_id=actor.agency_id)
    return await mine_first(session, round_, actor, rows)  # allocation: my cases first


async def overdue(
    *, session: AsyncSession, actor: Actor, slug: str, now: datetime | None = None
) -> list[dict]:
    """Expected returns not yet submitted, each marked overdue once the due date has passed."""
    actor.require(Role.coordinator)
    round_ = await round_by_slug(session, slug)
    now = now or utcnow()
    return [
        row | {"overdue": now > round_.due_at}
        for row in await expected_returns(session=session, round_=round_)
        if row["status"] != ReturnStatus.submitted
    ]


async def coordinators(*, session: AsyncSession) -> list[dict]:
    rows = await session.execute(
        select(Member.telegram_id, Member.display_name)
        .where(Member.role == Role.coordinator, Member.telegram_id.is_not(None))
        .order_by(Member.id)
    )
    return [{"telegram_id": t, "display_name": n} for t, n in rows.all()]


def _kept_tally(archive: RoundArchive | None) -> Tally:
    assert archive is not None  # written in the transaction that removed the answers
    kept = dict(unseal_json(archive.report)["tally"])  # SEALING: read
    kept["agencies"] = [AgencyTally(**a) for a in kept["agencies"]]
    return Tally(**kept)
