"""Allocation (which auditor audits an expected case) and extensions (more time on a case).

An agency lead allocates their agency's expected cases to its auditors; a coordinator may do
it for any agency. Reallocating is an audit event with the before and after. An extension is
asked for and decided in `collector.services.extensions`; the approved ones are read here
(`extended_dues`, by `collector.services.reminders.chase_inputs`; `agency_extensions`, by the
tally).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Forbidden, NotFound, Unprocessable
from collector.services.audit import record
from collector.services.lookup import agency_by_code, case_by_ref, round_by_slug
from models.base import utcnow
from models.enums import ExpectationStatus, Role
from models.moderation import (
    AllocateBody,
    Allocation,
    AllocationPublic,
    AuditorPublic,
    Extension,
    ExtensionStatus,
)
from models.people import Agency, Member
from models.rounds import Case, Expectation, Round

AGENCY_PEOPLE = (Role.auditor, Role.agency_lead)


@dataclass
class Expected:
    expectation: Expectation
    round: Round
    agency: Agency
    case: Case


def agency_scope(actor: Actor, code: str | None) -> str | None:
    """Leads and auditors act for their own agency; coordinators name one (or see all)."""
    if actor.role == Role.coordinator:
        return code
    if actor.role not in AGENCY_PEOPLE or actor.agency_code is None:
        raise Forbidden("This is for an agency's auditors and lead, or a coordinator.")
    if code not in (None, actor.agency_code):
        raise Forbidden("You can only see and allocate your own agency's cases.")
    return actor.agency_code


async def expected_case(
    session: AsyncSession, actor: Actor, slug: str, case_ref: str, code: str | None
) -> Expected:
    round_ = await round_by_slug(session, slug)
    scope = agency_scope(actor, code)
    if scope is None:
        raise Unprocessable("Say which agency: coordinators name it ('agency').", code="agency")
    agency = await agency_by_code(session, scope)
    case = await case_by_ref(session, round_, case_ref)
    exp = await session.scalar(
        select(Expectation).where(
            Expectation.round_id == round_.id,
            Expectation.agency_id == agency.id,
            Expectation.case_id == case.id,
        )
    )
    if exp is None or exp.status != ExpectationStatus.expected:
        raise NotFound(f"{agency.name} is not expected to audit {case_ref} in '{slug}'.")
    return Expected(exp, round_, agency, case)


async def extended_dues(session: AsyncSession, round_id: int) -> dict[int, date]:
    """The approved extension of each expectation of a round (the latest date when several)."""
    rows = await session.execute(
        select(Extension.expectation_id, Extension.until)
        .join(Expectation, Expectation.id == Extension.expectation_id)
        .where(Expectation.round_id == round_id, Extension.status == ExtensionStatus.approved)
    )
    dues: dict[int, date] = {}
    for eid, until in rows.all():
        dues[eid] = max(until, dues.get(eid, until))
    return dues


async def agency_extensions(session: AsyncSession, round_id: int) -> dict[int, str]:
    """agency id -> its latest approved extension (ISO date), for the tally."""
    rows = await session.execute(
        select(Expectation.agency_id, Extension.until)
        .join(Expectation, Expectation.id == Extension.expectation_id)
        .where(Expectation.round_id == round_id, Extension.status == ExtensionStatus.approved)
    )
    out: dict[int, str] = {}
    for agency_id, until in rows.all():
        out[agency_id] = max(until.isoformat(), out.get(agency_id, ""))
    return out


async def allocations(session: AsyncSession, round_id: int) -> dict[int, int]:
    """expectation id -> the allocated member's id, for a round."""
    rows = await session.execute(
        select(Allocation.expectation_id, Allocation.member_id)
        .join(Expectation, Expectation.id == Allocation.expectation_id)
        .where(Expectation.round_id == round_id)
    )
    return dict(rows.all())


async def auditors(
    *, session: AsyncSession, actor: Actor, agency: str | None = None
) -> list[AuditorPublic]:
    """Whom an agency's cases can be allocated to: its auditors and leads, not disabled."""
    scope = agency_scope(actor, agency)
    if scope is None:
        raise Unprocessable("Say which agency: coordinators name it ('agency').", code="agency")
    found = await agency_by_code(session, scope)
    rows = await session.execute(
        select(Member)
        .where(Member.agency_id == found.id, Member.disabled_at.is_(None))
        .where(Member.role.in_(AGENCY_PEOPLE))
        .order_by(Member.role != Role.auditor, Member.id)
    )
    return [AuditorPublic(id=m.id or 0, name=m.display_name, role=m.role) for m in rows.scalars()]


async def mine_first(
    session: AsyncSession, round_: Round, actor: Actor, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """An agency's expected returns with whom each is allocated to; the actor's own first."""
    people = await session.execute(
        select(Case.reference, Member.id, Member.display_name)
        .join(Expectation, Expectation.case_id == Case.id)
        .join(Allocation, Allocation.expectation_id == Expectation.id)
        .join(Member, Member.id == Allocation.member_id)
        .where(Expectation.round_id == round_.id, Expectation.agency_id == actor.agency_id)
    )
    by_case = {ref: (mid, name) for ref, mid, name in people.all()}
    dues = await session.execute(
        select(Case.reference, Extension.until)
        .join(Expectation, Expectation.case_id == Case.id)
        .join(Extension, Extension.expectation_id == Expectation.id)
        .where(Expectation.round_id == round_.id, Expectation.agency_id == actor.agency_id)
        .where(Extension.status == ExtensionStatus.approved)
    )
    extended: dict[str, date] = {}
    for ref, until in dues.all():
        extended[ref] = max(until, extended.get(ref, until))
    out = [
        row
        | {
            "mine": by_case.get(row["case"], (None,))[0] == actor.member_id,
            "auditor": by_case.get(row["case"], (None, None))[1],
            "extended_to": extended.get(row["case"]),
        }
        for row in rows
    ]
    return sorted(out, key=lambda r: not r["mine"])  # stable: cohort order within each part


async def expected_cases(
    *, session: AsyncSession, actor: Actor, slug: str, agency: str | None = None
) -> list[AllocationPublic]:
    """An agency's expected cases with whom each is allocated to (coordinators: every agency)."""
    round_ = await round_by_slug(session, slug)
    scope = agency_scope(actor, agency)
    stmt = (
        select(Expectation, Agency, Case, Member)
        .join(Agency, Agency.id == Expectation.agency_id)
        .join(Case, Case.id == Expectation.case_id)
        .outerjoin(Allocation, Allocation.expectation_id == Expectation.id)
        .outerjoin(Member, Member.id == Allocation.member_id)
        .where(Expectation.round_id == round_.id)
        .where(Expectation.status == ExpectationStatus.expected)
        .order_by(Agency.code, Case.id)
    )
    if scope is not None:
        stmt = stmt.where(Agency.code == scope)
    dues = await extended_dues(session, round_.id or 0)
    return [
        AllocationPublic(
            round=round_.slug,
            agency=ag.code,
            case=case.reference,
            expectation_id=exp.id,
            auditor_id=m.id if m else None,
            auditor=m.display_name if m else None,
            extended_to=dues.get(exp.id),
        )
        for exp, ag, case, m in (await session.execute(stmt)).all()
    ]


async def allocate(*, session: AsyncSession, actor: Actor, data: AllocateBody) -> AllocationPublic:
    """This case to this auditor of the agency; the same allocation again changes nothing."""
    _may_allocate(actor)
    found = await expected_case(session, actor, data.round, data.case, data.agency)
    return await _assign(session, actor, found, data.auditor)


def _may_allocate(actor: Actor) -> None:
    if actor.role not in (Role.agency_lead, Role.coordinator):
        raise Forbidden("Allocating cases needs the agency lead or coordinator role.")


async def expected_by_id(session: AsyncSession, expectation_id: int) -> Expected | None:
    row = (
        await session.execute(
            select(Expectation, Round, Agency, Case)
            .join(Round, Round.id == Expectation.round_id)
            .join(Agency, Agency.id == Expectation.agency_id)
            .join(Case, Case.id == Expectation.case_id)
            .where(Expectation.id == expectation_id)
        )
    ).first()
    return Expected(*row) if row is not None else None


async def allocate_expectation(
    *, session: AsyncSession, actor: Actor, expectation_id: int, auditor: int
) -> AllocationPublic:
    """The same, by the expectation's id (the chat's buttons carry it: 64 bytes at most)."""
    _may_allocate(actor)
    found = await expected_by_id(session, expectation_id)
    if found is None or found.expectation.status != ExpectationStatus.expected:
        raise NotFound(f"There is no expected case {expectation_id}.")
    agency_scope(actor, found.agency.code)  # a lead: their own agency only
    return await _assign(session, actor, found, auditor)


async def _assign(
    session: AsyncSession, actor: Actor, found: Expected, auditor: int
) -> AllocationPublic:
    data = AllocateBody(round=found.round.slug, case=found.case.reference, auditor=auditor)
    member = await session.get(Member, data.auditor)
    if (
        member is None
        or member.agency_id != found.agency.id
        or member.role not in AGENCY_PEOPLE
        or member.disabled_at is not None
    ):
        raise Unprocessable(
            f"Member {data.auditor} is not an auditor of {found.agency.name}: cases go to the "
            "agency's own auditors.",
            code="not_agency_auditor",
        )
    row = await session.scalar(
        select(Allocation)
        .where(Allocation.expectation_id == found.expectation.id)
        .with_for_update()
    )
    before: dict[str, Any] | None = None
    if row is None:
        row = Allocation(expectation_id=found.expectation.id or 0, member_id=data.auditor)
        session.add(row)
    elif row.member_id != data.auditor:
        before = {"auditor": row.member_id}
    else:
        return _allocation_view(found, member, await extended_dues(session, found.round.id or 0))
    row.member_id, row.allocated_by, row.allocated_at = data.auditor, actor.member_id, utcnow()
    record(
        session,
        actor=actor,
        action="case.reallocate" if before else "case.allocate",
        entity="expectation",
        entity_id=found.expectation.id,
        before=before,
        after={"case": found.case.reference, "agency": found.agency.code, "auditor": member.id},
    )
    return _allocation_view(found, member, await extended_dues(session, found.round.id or 0))


def _allocation_view(found: Expected, member: Member, dues: dict[int, date]) -> AllocationPublic:
    return AllocationPublic(
        round=found.round.slug,
        agency=found.agency.code,
        case=found.case.reference,
        expectation_id=found.expectation.id or 0,
        auditor_id=member.id,
        auditor=member.display_name,
        extended_to=dues.get(found.expectation.id or 0),
    )
