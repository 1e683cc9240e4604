"""What the desk's round dashboard shows, cut to what the actor may see, and the reads that
keep it current (collector/desk/board_cache.py).

Figures come from the same snapshot and report builder as the overview report (submitted
returns only for grades), so the desk and the report always agree.
"""

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Forbidden
from collector.services.board_figures import AgencyProgress, progress
from collector.services.lookup import round_by_slug
from collector.services.progress import agencies_in_order
from models.base import utcnow
from models.concerns import Concern as ConcernRow
from models.enums import ExpectationStatus, ReturnStatus, Role
from models.ops import AuditEvent, Reminder
from models.people import Agency
from models.returns import Answer, AuditReturn
from models.rounds import Case, Expectation, Round
from models.tool import load_tool
from report.model import OverviewReport
from report.overview import build_report
from report.snapshot import AgencyRow, CaseRow, ExpectationRow, ReturnRow, RoundSnapshot

ROLES_WITH_CASES = (Role.coordinator, Role.agency_lead, Role.auditor)


@dataclass(frozen=True)
class Concern:  # as the dashboard lists it
    at: datetime
    case: str
    agency: str
    return_id: int


@dataclass(frozen=True)
class Board:
    report: OverviewReport
    agencies: list[AgencyProgress]
    days_to_due: int
    overdue: bool
    concerns: list[Concern]
    reminders: dict[str, int]  # status -> count (coordinators only)
    tallies_only: bool  # viewers: counts and grades, no cases
    built_at: datetime
    # The page's parts drawn from these figures (grid, charts), drawn once and shared by
    # every request while the figures stand.
    drawn: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def scope_to_agency(snapshot: RoundSnapshot, code: str | None) -> RoundSnapshot:
    """The snapshot as one agency may see it: nothing of any other agency is left in it."""
    return replace(
        snapshot,
        agencies=[a for a in snapshot.agencies if a.code == code],
        expectations=[e for e in snapshot.expectations if e.agency == code],
        returns=[r for r in snapshot.returns if r.agency == code],
        previous=None,
    )


def may_see_board(actor: Actor) -> None:
    if actor.role not in (*ROLES_WITH_CASES, Role.viewer):
        raise Forbidden("This needs a member role.")
    if actor.role in (Role.agency_lead, Role.auditor) and not actor.agency_id:
        raise Forbidden("Only members of an agency have returns to see.")


def own_agency(actor: Actor) -> bool:
    """Agency leads and auditors see their own agency only."""
    return actor.role in (Role.agency_lead, Role.auditor)


async def round_board(
    *, session: AsyncSession, actor: Actor, slug: str, now: datetime | None = None
) -> Board:
    """The dashboard of a round for this actor, counted afresh from every return (the same
    visibility rules as the API). The desk's pages use `BoardCache`, which keeps these
    figures current change by change; this is what they must always equal."""
    may_see_board(actor)
    round_ = await round_by_slug(session, slug)
    snapshot = await grades_snapshot(session, round_)
    if own_agency(actor):
        snapshot = scope_to_agency(snapshot, actor.agency_code)
    # Building the report is CPU work over every return: off the event loop.
    report = await asyncio.to_thread(build_report, snapshot, figures_only=True)
    return await finish_board(
        session=session,
        actor=actor,
        round_=round_,
        report=report,
        agencies=progress(snapshot),
        now=now,
    )


async def finish_board(
    *,
    session: AsyncSession,
    actor: Actor,
    round_: Round,
    report: OverviewReport,
    agencies: list[AgencyProgress],
    now: datetime | None = None,
    drawn: dict[str, Any] | None = None,
) -> Board:
    """The board from its figures: with the concerns and reminders (read now, cheaply) and
    the days to the due date."""
    now = now or utcnow()
    own = own_agency(actor)
    concerns = await _concerns(session, round_.id, actor.agency_id if own else None)
    reminders = await _reminders(session, round_.id) if actor.role == Role.coordinator else {}
    overdue = now > round_.due_at
    agencies = list(agencies)
    if overdue:  # the ones to chase first
        agencies.sort(key=lambda a: (a.outstanding == 0, -a.outstanding))
    return Board(
        report=report,
        agencies=agencies,
        days_to_due=(round_.due_at.date() - now.date()).days,
        overdue=overdue,
        concerns=[] if actor.role == Role.viewer else concerns,
        reminders=reminders,
        tallies_only=actor.role == Role.viewer,
        built_at=now,
        drawn={} if drawn is None else drawn,
    )


async def grades_snapshot(session: AsyncSession, round_: Round) -> RoundSnapshot:
    """The round with its returns' grade answers only, read as plain rows (no ORM objects):
    what the dashboard's figures need, fast enough for a 20,000-return round."""
    tool = load_tool(round_.tool_version)
    keys = [q.key for q in tool.grade_questions]
    agencies = await agencies_in_order(session, round_.id)
    cases = (
        await session.execute(
            select(Case.reference).where(Case.round_id == round_.id).order_by(Case.id)
        )
    ).scalars()
    expectations = await session.execute(
        select(Agency.code, Case.reference, Expectation.status)
        .join(Agency, Agency.id == Expectation.agency_id)
        .join(Case, Case.id == Expectation.case_id)
        .where(Expectation.round_id == round_.id)
        .order_by(Expectation.id)
    )
    answers: dict[int, dict] = defaultdict(dict)
    for return_id, key, value in await session.execute(
        select(Answer.return_id, Answer.question_key, Answer.value)
        .join(AuditReturn, AuditReturn.id == Answer.return_id)
        .where(AuditReturn.round_id == round_.id, Answer.question_key.in_(keys))
    ):
        answers[return_id][key] = value
    returns = await session.execute(
        select(AuditReturn.id, Agency.code, Case.reference, AuditReturn.status)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(Case, Case.id == AuditReturn.case_id)
        .where(AuditReturn.round_id == round_.id)
        .order_by(AuditReturn.id)
    )
    return RoundSnapshot(
        slug=round_.slug,
        title=round_.title,
        theme=round_.theme,
        partnership=round_.partnership,
        scope=round_.scope,
        opens_at=round_.opens_at,
        due_at=round_.due_at,
        status=round_.status,
        tool=tool,
        agencies=[AgencyRow(code=c, name=n) for _, c, n in agencies],
        cases=[CaseRow(reference=r) for r in cases],
        expectations=[ExpectationRow(a, c, ExpectationStatus(s)) for a, c, s in expectations],
        returns=[
            ReturnRow(id=i, agency=a, case=c, status=ReturnStatus(st), answers=answers.get(i, {}))
            for i, a, c, st in returns
        ],
        taken_at=utcnow(),
    )


async def _concerns(session: AsyncSession, round_id: int, agency_id: int | None) -> list[Concern]:
    # From the concern rows (one per concern.raised event, written with it), which are
    # indexed by round: the audit trail holds every answer written.
    query = (
        select(ConcernRow.raised_at, ConcernRow.case_reference, Agency.code, ConcernRow.return_id)
        .join(Agency, Agency.id == ConcernRow.agency_id)
        .where(ConcernRow.round_id == round_id)
        .order_by(ConcernRow.id.desc())
        .limit(50)
    )
    if agency_id is not None:
        query = query.where(ConcernRow.agency_id == agency_id)
    return [Concern(*row) for row in (await session.execute(query)).all()]


@dataclass(frozen=True)
class Change:
    event_id: int
    entity: str
    entity_id: int | None
    action: str


async def latest_event(session: AsyncSession) -> int:
    return (await session.execute(select(func.max(AuditEvent.id)))).scalar() or 0


async def events_after(session: AsyncSession, floor: int) -> tuple[int, int]:
    """How many audit events there are after this id, and the highest: an unchanged round
    is told by these two numbers alone, without reading the events."""
    row = (
        await session.execute(
            select(func.count(), func.max(AuditEvent.id)).where(AuditEvent.id > floor)
        )
    ).one()
    return row[0], row[1] or 0


async def changes_after(session: AsyncSession, floor: int) -> list[Change]:
    """Audit events after this id: every write records one, in its own transaction."""
    rows = await session.execute(
        select(AuditEvent.id, AuditEvent.entity, AuditEvent.entity_id, AuditEvent.action)
        .where(AuditEvent.id > floor)
        .order_by(AuditEvent.id)
    )
    return [Change(*row) for row in rows.all()]


async def returns_now(
    session: AsyncSession, round_: Round, ids: set[int]
) -> tuple[list[ReturnRow], list[int]]:
    """These returns of the round as they are now (grade answers only), and those of the ids
    no longer in it."""
    keys = [q.key for q in load_tool(round_.tool_version).grade_questions]
    answers: dict[int, dict] = defaultdict(dict)
    for return_id, key, value in await session.execute(
        select(Answer.return_id, Answer.question_key, Answer.value).where(
            Answer.return_id.in_(ids), Answer.question_key.in_(keys)
        )
    ):
        answers[return_id][key] = value
    rows = await session.execute(
        select(AuditReturn.id, Agency.code, Case.reference, AuditReturn.status)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(Case, Case.id == AuditReturn.case_id)
        .where(AuditReturn.id.in_(ids), AuditReturn.round_id == round_.id)
    )
    found = [
        ReturnRow(id=i, agency=a, case=c, status=ReturnStatus(st), answers=answers.get(i, {}))
        for i, a, c, st in rows.all()
    ]
    return found, sorted(ids - {r.id for r in found})


async def _reminders(session: AsyncSession, round_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Reminder.status, func.count())
        .where(Reminder.round_id == round_id)
        .group_by(Reminder.status)
    )
    return {str(s): n for s, n in rows.all()}
