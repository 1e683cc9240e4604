"""Allocation (which auditor audits an expected case) and extensions (more time on a case).

An agency lead allocates their agency's expected cases to its auditors; a coordinator may do
it for any agency. Reallocating is an audit event with the before and after. An extension is
asked for by the agency with a reason and decided by a coordinator (Approve / Decline in the
chat); an approved one moves that agency's reminder schedule (`extended_dues`, read by
`collector.services.reminders.chase_inputs`).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Conflict, Forbidden, NotFound, Unprocessable
from collector.services.audit import record
from collector.services.lookup import agency_by_code, case_by_ref, round_by_slug
from collector.services.outbox import insert_rows
from collector.services.return_rules import refuse_identifiers
from models.base import utcnow
from models.enums import ExpectationStatus, ReminderStatus, Role
from models.moderation import (
    EXTENSION_KIND,
    AllocateBody,
    Allocation,
    AllocationPublic,
    AuditorPublic,
    Extension,
    ExtensionAsk,
    ExtensionPublic,
    ExtensionStatus,
)
from models.people import Agency, Member
from models.rounds import Case, Expectation, Round
from report import moderation_text
from report.concern_text import who
from report.reminder_policy import local_date, policy_from

AGENCY_PEOPLE = (Role.auditor, Role.agency_lead)
MAX_EXTENSION = timedelta(days=366)  # beyond this a round is better closed and audited again


@dataclass
class _Expected:
    expectation: Expectation
    round: Round
    agency: Agency
    case: Case


def _agency_scope(actor: Actor, code: str | None) -> str | None:
    """Leads and auditors act for their own agency; coordinators name one (or see all)."""
    if actor.role == Role.coordinator:
        return code
    if actor.role not in AGENCY_PEOPLE or actor.agency_code is None:
        raise Forbidden("This is for an agency's auditors and lead, or a coordinator.")
    if code not in (None, actor.agency_code):
        raise Forbidden("You can only see and allocate your own agency's cases.")
    return actor.agency_code


async def _expected(
    session: AsyncSession, actor: Actor, slug: str, case_ref: str, code: str | None
) -> _Expected:
    round_ = await round_by_slug(session, slug)
    scope = _agency_scope(actor, code)
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
    return _Expected(exp, round_, agency, case)


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
    scope = _agency_scope(actor, agency)
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
    scope = _agency_scope(actor, agency)
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
    found = await _expected(session, actor, data.round, data.case, data.agency)
    return await _assign(session, actor, found, data.auditor)


def _may_allocate(actor: Actor) -> None:
    if actor.role not in (Role.agency_lead, Role.coordinator):
        raise Forbidden("Allocating cases needs the agency lead or coordinator role.")


async def _by_id(session: AsyncSession, expectation_id: int) -> _Expected | None:
    row = (
        await session.execute(
            select(Expectation, Round, Agency, Case)
            .join(Round, Round.id == Expectation.round_id)
            .join(Agency, Agency.id == Expectation.agency_id)
            .join(Case, Case.id == Expectation.case_id)
            .where(Expectation.id == expectation_id)
        )
    ).first()
    return _Expected(*row) if row is not None else None


async def allocate_expectation(
    *, session: AsyncSession, actor: Actor, expectation_id: int, auditor: int
) -> AllocationPublic:
    """The same, by the expectation's id (the chat's buttons carry it: 64 bytes at most)."""
    _may_allocate(actor)
    found = await _by_id(session, expectation_id)
    if found is None or found.expectation.status != ExpectationStatus.expected:
        raise NotFound(f"There is no expected case {expectation_id}.")
    _agency_scope(actor, found.agency.code)  # a lead: their own agency only
    return await _assign(session, actor, found, auditor)


async def _assign(
    session: AsyncSession, actor: Actor, found: _Expected, auditor: int
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


def _allocation_view(found: _Expected, member: Member, dues: dict[int, date]) -> AllocationPublic:
    return AllocationPublic(
        round=found.round.slug,
        agency=found.agency.code,
        case=found.case.reference,
        expectation_id=found.expectation.id or 0,
        auditor_id=member.id,
        auditor=member.display_name,
        extended_to=dues.get(found.expectation.id or 0),
    )


# ---- extensions


def _ext_view(ext: Extension, found: _Expected, queued: list[str] | None = None) -> ExtensionPublic:
    return ExtensionPublic(
        id=ext.id or 0,
        round=found.round.slug,
        agency=found.agency.code,
        case=found.case.reference,
        until=ext.until,
        status=ext.status,
        requested_at=ext.requested_at,
        decided_at=ext.decided_at,
        queued_to=queued or [],
    )


def _outbox(key: str, round_id: int, member: Member, text: str, buttons: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "key": key,
        "round_id": round_id,
        "kind": EXTENSION_KIND,
        "stage": "request" if buttons else "decision",
        "recipient_id": member.id,
        "payload": {"text": text, "button": buttons},
        "send_after": now,
        "status": ReminderStatus.queued,
        "attempts": 0,
        "created_at": now,
    }


async def ask_extension(
    *, session: AsyncSession, actor: Actor, data: ExtensionAsk
) -> ExtensionPublic:
    """More time on a case, with a reason; asking again for the same date changes nothing."""
    if actor.role not in AGENCY_PEOPLE:
        raise Forbidden("Extensions are asked for by the agency's auditors and lead.")
    found = await _expected(session, actor, data.round, data.case, None)
    policy = policy_from(found.round.reminder_policy)
    due = local_date(found.round.due_at, policy.tz)
    if data.until <= due:
        raise Unprocessable(
            f"The round is due on {due.isoformat()}: an extension is to a later date.",
            code="not_later",
        )
    if data.until > due + MAX_EXTENSION:
        raise Unprocessable(
            f"An extension is at most {MAX_EXTENSION.days} days after the due date "
            f"({due.isoformat()}).",
            code="too_far",
        )
    refuse_identifiers(data.reason)
    same = await session.scalar(
        select(Extension).where(
            Extension.expectation_id == found.expectation.id,
            Extension.until == data.until,
            Extension.status == ExtensionStatus.pending,
        )
    )
    if same is not None:
        return _ext_view(same, found)
    ext = Extension(
        expectation_id=found.expectation.id or 0,
        until=data.until,
        reason=data.reason.strip(),
        requested_by=actor.member_id,
    )
    session.add(ext)
    await session.flush()
    coordinators = list(
        (
            await session.execute(
                select(Member).where(
                    Member.role == Role.coordinator,
                    Member.disabled_at.is_(None),
                    Member.telegram_id.is_not(None),
                    Member.reachable.is_(True),
                )
            )
        ).scalars()
    )
    today = local_date(utcnow(), policy.tz)
    buttons = [list(b) for b in moderation_text.extension_buttons(ext.id or 0)]
    rows = [
        _outbox(
            f"ext:{ext.id}:{m.id}",
            found.round.id or 0,
            m,
            moderation_text.extension_text(
                name=m.display_name,
                round_title=found.round.title,
                case=found.case.reference,
                agency_name=found.agency.name,
                until=data.until,
                reason=data.reason,
                today=today,
            ),
            buttons,
        )
        for m in coordinators
    ]
    await insert_rows(session, rows)
    record(
        session,
        actor=actor,
        action="extension.ask",
        entity="expectation",
        entity_id=found.expectation.id,
        after={"extension": ext.id, "until": data.until.isoformat(), "case": found.case.reference},
    )
    return _ext_view(ext, found, [who(m.display_name, "coordinator") for m in coordinators])


async def decide_extension(
    *, session: AsyncSession, actor: Actor, extension_id: int, approve: bool, reason: str | None
) -> ExtensionPublic:
    """A coordinator approves or declines; the same decision again changes nothing."""
    actor.require(Role.coordinator)
    ext = await session.get(Extension, extension_id, with_for_update=True)
    found = await _by_id(session, ext.expectation_id) if ext is not None else None
    if ext is None or found is None:
        raise NotFound(f"There is no extension request {extension_id}.")
    wanted = ExtensionStatus.approved if approve else ExtensionStatus.declined
    if ext.status == wanted:
        return _ext_view(ext, found)
    if ext.status != ExtensionStatus.pending:
        raise Conflict(
            f"This extension was {ext.status} already; ask the agency for a new request.",
            code="extension_decided",
        )
    if reason:
        refuse_identifiers(reason)
    ext.status, ext.decided_by, ext.decided_at = wanted, actor.member_id, utcnow()
    ext.decision_reason = reason
    asker = await session.get(Member, ext.requested_by) if ext.requested_by else None
    if asker is not None and asker.telegram_id is not None and asker.reachable:
        tz = policy_from(found.round.reminder_policy).tz
        words = moderation_text.extended_words(ext.until, local_date(utcnow(), tz))
        text = (
            f"Your request for more time on {found.case.reference} was approved: {words}."
            if approve
            else f"Your request for more time on {found.case.reference} was declined"
            + (f": “{reason}”." if reason else ".")
        )
        await insert_rows(
            session, [_outbox(f"ext:{ext.id}:decided", found.round.id or 0, asker, text, None)]
        )
    record(
        session,
        actor=actor,
        action=f"extension.{wanted}",
        entity="expectation",
        entity_id=ext.expectation_id,
        before={"extension": ext.id, "status": ExtensionStatus.pending},
        after={"extension": ext.id, "status": wanted, "until": ext.until.isoformat()},
    )
    return _ext_view(ext, found)


async def list_extensions(
    *, session: AsyncSession, actor: Actor, slug: str
) -> list[ExtensionPublic]:
    """A round's extension requests (coordinators: all; an agency: its own)."""
    round_ = await round_by_slug(session, slug)
    scope = _agency_scope(actor, None)
    stmt = (
        select(Extension, Expectation, Round, Agency, Case)
        .join(Expectation, Expectation.id == Extension.expectation_id)
        .join(Round, Round.id == Expectation.round_id)
        .join(Agency, Agency.id == Expectation.agency_id)
        .join(Case, Case.id == Expectation.case_id)
        .where(Round.id == round_.id)
        .order_by(Extension.id)
    )
    if scope is not None:
        stmt = stmt.where(Agency.code == scope)
    return [
        _ext_view(ext, _Expected(exp, r, ag, c))
        for ext, exp, r, ag, c in (await session.execute(stmt)).all()
    ]
