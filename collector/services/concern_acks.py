"""Concern alerts for the people they concern: "I'm dealing with this", and the list by state."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor, ensure_member
from collector.errors import Forbidden, NotFound
from collector.services.audit import record
from collector.services.concern_rules import message_row
from collector.services.concerns import PENDING, TO_RECIPIENTS, recipient_rows
from collector.services.lookup import round_by_slug
from collector.services.outbox import insert_rows
from models.base import utcnow
from models.concerns import (
    Concern,
    ConcernAckResult,
    ConcernPublic,
    ConcernRecipient,
    ConcernStage,
    ConcernState,
)
from models.enums import ReminderStatus, Role
from models.ops import Reminder
from models.people import Agency, Member
from report import concern_text

NOT_YOURS = "Only coordinators, and the lead of the agency that raised it, can see this concern."


async def _may_see(session: AsyncSession, actor: Actor, c: Concern) -> None:
    """Coordinators see and take every concern; an agency lead those of their own agency."""
    ensure_member(actor)
    if actor.role == Role.coordinator:
        return
    if actor.role == Role.agency_lead and actor.agency_id == c.agency_id:
        return
    raise Forbidden(NOT_YOURS)


async def acknowledge(*, session: AsyncSession, actor: Actor, concern_id: int) -> ConcernAckResult:
    """ "I'm dealing with this": the first press owns the concern; later presses are told who."""
    c = await session.get(Concern, concern_id, with_for_update=True)
    if c is None:
        raise NotFound(f"There is no concern {concern_id}.")
    await _may_see(session, actor, c)
    first = c.acknowledged_by is None
    now = utcnow()
    if first:
        c.acknowledged_by, c.acknowledged_at = actor.member_id, now
        record(
            session,
            actor=actor,
            action="concern.acknowledged",
            entity="concern",
            entity_id=c.id,
            before={"acknowledged_by": None},
            after={"acknowledged_by": actor.member_id},
        )
        await _tell_owner(session, c, now)
    owner = await session.get(Member, c.acknowledged_by)
    assert owner is not None and c.acknowledged_at is not None
    return ConcernAckResult(
        id=c.id,
        case=c.case_reference,
        acknowledged_by=concern_text.who(owner.display_name, owner.role),
        acknowledged_at=c.acknowledged_at,
        yours=c.acknowledged_by == actor.member_id,
        first=first,
    )


async def _tell_owner(session: AsyncSession, c: Concern, now: datetime) -> None:
    """Tell the auditor and the other recipients who is dealing with it."""
    await session.flush()
    owner = await session.get(Member, c.acknowledged_by)
    agency = await session.get(Agency, c.agency_id)
    assert owner is not None and agency is not None
    note = concern_text.owner_text(
        case=c.case_reference,
        agency=agency.name,
        owner=concern_text.who(owner.display_name, owner.role),
        at=now,
    )
    told = [
        rid
        for rid, r in (await recipient_rows(session, c.id)).items()
        if r.status not in (ReminderStatus.unreachable, ReminderStatus.cancelled)
    ]
    if c.raised_by is not None:
        told.append(c.raised_by)
    await insert_rows(
        session,
        [
            message_row(
                concern_id=c.id,
                round_id=c.round_id,
                stage=ConcernStage.owner,
                recipient_id=rid,
                text=note,
                now=now,
            )
            for rid in dict.fromkeys(told)
            if rid != c.acknowledged_by
        ],
    )


def state_of(c: Concern, rows: list[Reminder]) -> ConcernState:
    """The one rule for a concern's state, as listed to coordinators."""
    if c.acknowledged_at is not None:
        return ConcernState.acknowledged
    if c.escalated_at is not None:
        return ConcernState.escalated
    if any(r.status == ReminderStatus.sent for r in rows):
        return ConcernState.sent
    if any(r.status in PENDING for r in rows):
        return ConcernState.queued
    return ConcernState.undeliverable


async def list_concerns(*, session: AsyncSession, actor: Actor, slug: str) -> list[ConcernPublic]:
    """A round's concerns, newest first: all for coordinators, their agency's for a lead."""
    ensure_member(actor)
    if actor.role not in (Role.coordinator, Role.agency_lead):
        raise Forbidden(NOT_YOURS)
    round_ = await round_by_slug(session, slug)
    query = select(Concern, Agency).join(Agency, Agency.id == Concern.agency_id)
    query = query.where(Concern.round_id == round_.id).order_by(Concern.id.desc())
    if actor.role != Role.coordinator:
        query = query.where(Concern.agency_id == actor.agency_id)
    found = (await session.execute(query)).all()
    ids = [c.id for c, _ in found]
    rows = (
        (
            await session.execute(
                select(Reminder, Member)
                .join(Member, Member.id == Reminder.recipient_id)
                .where(Reminder.concern_id.in_(ids), Reminder.stage.in_(TO_RECIPIENTS))
                .order_by(Reminder.id)
            )
        ).all()
        if ids
        else []
    )
    by_concern: dict[int, dict[int, tuple[Reminder, Member]]] = {}
    for r, m in rows:
        by_concern.setdefault(r.concern_id, {})[m.id] = (r, m)  # type: ignore[index]
    names = {m.id: m for _, m in rows}
    owners = [c.acknowledged_by for c, _ in found if c.acknowledged_by is not None]
    for m in (await session.execute(select(Member).where(Member.id.in_(owners)))).scalars():
        names[m.id] = m
    out = []
    for c, agency in found:
        mine = list(by_concern.get(c.id, {}).values())
        owner = names.get(c.acknowledged_by) if c.acknowledged_by else None
        out.append(
            ConcernPublic(
                id=c.id,
                round=round_.slug,
                case=c.case_reference,
                agency=agency.code,
                agency_name=agency.name,
                state=state_of(c, [r for r, _ in mine]),
                raised_at=c.raised_at,
                escalate_at=c.escalate_at,
                escalated_at=c.escalated_at,
                acknowledged_by=concern_text.who(owner.display_name, owner.role) if owner else None,
                acknowledged_at=c.acknowledged_at,
                recipients=[
                    ConcernRecipient(
                        member_id=m.id,
                        name=m.display_name,
                        role=str(m.role),
                        status=str(r.status),
                        sent_at=r.sent_at,
                    )
                    for r, m in mine
                ],
            )
        )
    return out
