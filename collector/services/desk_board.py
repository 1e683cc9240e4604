"""What the desk's round dashboard shows, read once and cut to what the actor may see.

Figures come from the same snapshot and report builder as the overview report (submitted
returns only for grades), so the desk and the report always agree.
"""

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Forbidden
from collector.services.lookup import round_by_slug
from collector.services.snapshot import take_snapshot
from models.base import utcnow
from models.enums import ExpectationStatus, ReturnStatus, Role
from models.ops import AuditEvent, Reminder
from models.people import Agency
from models.returns import AuditReturn
from models.rounds import Case
from models.tool import load_tool
from report.model import OverviewReport
from report.overview import build_report
from report.snapshot import RoundSnapshot

ROLES_WITH_CASES = (Role.coordinator, Role.agency_lead, Role.auditor)


@dataclass(frozen=True)
class AgencyProgress:
    code: str
    name: str
    expected: int
    submitted: int
    drafts: int  # draft or reopened: being worked on
    not_started: int

    @property
    def outstanding(self) -> int:
        return max(self.expected - self.submitted, 0)

    @property
    def breakdown(self) -> str:
        """As the report writes it: "7 (of 8)", or "8" when every expected return is in."""
        if self.submitted < self.expected:
            return f"{self.submitted} (of {self.expected})"
        return str(self.submitted)


@dataclass(frozen=True)
class Concern:
    at: datetime
    case: str
    agency: str
    return_id: int


@dataclass(frozen=True)
class Board:
    snapshot: RoundSnapshot
    report: OverviewReport
    agencies: list[AgencyProgress]
    days_to_due: int
    overdue: bool
    concerns: list[Concern]
    reminders: dict[str, int]  # status -> count (coordinators only)
    tallies_only: bool  # viewers: counts and grades, no cases
    return_ids: dict[tuple[str, str], int]  # (agency code, case) -> return id, for links


def scope_to_agency(snapshot: RoundSnapshot, code: str | None) -> RoundSnapshot:
    """The snapshot as one agency may see it: nothing of any other agency is left in it."""
    return replace(
        snapshot,
        agencies=[a for a in snapshot.agencies if a.code == code],
        expectations=[e for e in snapshot.expectations if e.agency == code],
        returns=[r for r in snapshot.returns if r.agency == code],
        previous=None,
    )


def progress(snapshot: RoundSnapshot) -> list[AgencyProgress]:
    expected: dict[str, set[str]] = {}
    for e in snapshot.expectations:
        if e.status == ExpectationStatus.expected:
            expected.setdefault(e.agency, set()).add(e.case)
    rows = []
    for a in snapshot.agencies:
        cases = expected.get(a.code, set())
        mine = [r for r in snapshot.returns if r.agency == a.code and r.case in cases]
        submitted = sum(1 for r in mine if r.status == ReturnStatus.submitted)
        drafts = len(mine) - submitted
        rows.append(
            AgencyProgress(a.code, a.name, len(cases), submitted, drafts, len(cases) - len(mine))
        )
    return rows


async def round_board(
    *, session: AsyncSession, actor: Actor, slug: str, now: datetime | None = None
) -> Board:
    """The dashboard of a round for this actor (the same visibility rules as the API)."""
    if actor.role not in (*ROLES_WITH_CASES, Role.viewer):
        raise Forbidden("This needs a member role.")
    if actor.role in (Role.agency_lead, Role.auditor) and not actor.agency_id:
        raise Forbidden("Only members of an agency have returns to see.")
    now = now or utcnow()
    round_ = await round_by_slug(session, slug)
    tool = load_tool(round_.tool_version)
    keys = [q.key for q in tool.grade_questions]
    snapshot = await take_snapshot(session=session, slug=slug, with_previous=False, only_keys=keys)
    own = actor.role in (Role.agency_lead, Role.auditor)
    if own:
        snapshot = scope_to_agency(snapshot, actor.agency_code)
    concerns = await _concerns(session, round_.id, actor.agency_id if own else None)
    reminders = await _reminders(session, round_.id) if actor.role == Role.coordinator else {}
    # Building the report is CPU work over every return: off the event loop.
    report = await asyncio.to_thread(build_report, snapshot)
    agencies = progress(snapshot)
    overdue = now > round_.due_at
    if overdue:  # the ones to chase first
        agencies.sort(key=lambda a: (a.outstanding == 0, -a.outstanding))
    return Board(
        snapshot=snapshot,
        report=report,
        agencies=agencies,
        days_to_due=(round_.due_at.date() - now.date()).days,
        overdue=overdue,
        concerns=[] if actor.role == Role.viewer else concerns,
        reminders=reminders,
        tallies_only=actor.role == Role.viewer,
        return_ids={(r.agency, r.case): r.id for r in snapshot.returns},
    )


async def _concerns(session: AsyncSession, round_id: int, agency_id: int | None) -> list[Concern]:
    query = (
        select(AuditEvent.at, Case.reference, Agency.code, AuditReturn.id)
        .join(AuditReturn, AuditReturn.id == AuditEvent.entity_id)
        .join(Case, Case.id == AuditReturn.case_id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .where(
            AuditEvent.entity == "return",
            AuditEvent.action == "concern.raised",
            AuditReturn.round_id == round_id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(50)
    )
    if agency_id is not None:
        query = query.where(AuditReturn.agency_id == agency_id)
    return [Concern(*row) for row in (await session.execute(query)).all()]


async def _reminders(session: AsyncSession, round_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Reminder.status, func.count())
        .where(Reminder.round_id == round_id)
        .group_by(Reminder.status)
    )
    return {str(s): n for s, n in rows.all()}
