"""People on the desk: names for the audit trail, members a link or an action can go to,
outstanding invites and revoking them."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Conflict, NotFound
from collector.services.audit import record
from models.base import utcnow
from models.enums import Role
from models.ops import AuditEvent, AuditEventPublic
from models.people import Agency, Invite, Member
from models.rounds import Action


async def member_names(*, session: AsyncSession, labels: set[str]) -> dict[str, str]:
    """Audit-trail actor labels ("member:3") -> display names; other labels are left out."""
    ids = {int(x.split(":", 1)[1]) for x in labels if x.startswith("member:")}
    if not ids:
        return {}
    rows = await session.execute(select(Member.id, Member.display_name).where(Member.id.in_(ids)))
    return {f"member:{i}": name for i, name in rows.all()}


@dataclass(frozen=True)
class OutstandingInvite:
    id: int
    role: Role
    agency: str | None
    expires_at: datetime
    created_at: datetime


def _invite_scope(actor: Actor) -> int | None:
    """None: every invite (coordinators); otherwise the lead's own agency id."""
    if actor.role == Role.agency_lead and actor.agency_id:
        return actor.agency_id
    actor.require(Role.coordinator)
    return None


async def outstanding_invites(*, session: AsyncSession, actor: Actor) -> list[OutstandingInvite]:
    """Invites neither used nor expired: all for coordinators, their agency's for leads."""
    agency_id = _invite_scope(actor)
    query = (
        select(Invite, Agency.code)
        .outerjoin(Agency, Agency.id == Invite.agency_id)
        .where(Invite.used_at.is_(None), Invite.expires_at > utcnow())
        .order_by(Invite.id.desc())
    )
    if agency_id is not None:
        query = query.where(Invite.agency_id == agency_id)
    return [
        OutstandingInvite(i.id, i.role, code, i.expires_at, i.created_at)
        for i, code in (await session.execute(query)).all()
    ]


async def revoke_invite(*, session: AsyncSession, actor: Actor, invite_id: int) -> None:
    """Make an unused invite stop working now (it expires at once)."""
    agency_id = _invite_scope(actor)
    invite = await session.get(Invite, invite_id, with_for_update=True)
    if invite is None or (agency_id is not None and invite.agency_id != agency_id):
        raise NotFound("There is no such invite.")
    if invite.used_at is not None:
        raise Conflict("That invite has been used already.", code="invite_used")
    now = utcnow()
    if invite.expires_at > now:
        before = invite.expires_at.isoformat()
        invite.expires_at = now
        record(
            session,
            actor=actor,
            action="invite.revoke",
            entity="invite",
            entity_id=invite.id,
            before={"expires_at": before},
            after={"expires_at": now.isoformat()},
        )


async def assign_action(
    *,
    session: AsyncSession,
    actor: Actor,
    action_id: int,
    owner_member_id: int | None,
    due_at: datetime | None,
) -> None:
    """Give an action an owner (any enrolled member) and a due date (coordinators)."""
    actor.require(Role.coordinator)
    action = await session.get(Action, action_id, with_for_update=True)
    if action is None:
        raise NotFound(f"There is no action {action_id}.")
    if owner_member_id is not None and await session.get(Member, owner_member_id) is None:
        raise NotFound(f"There is no member {owner_member_id}.")
    before = {"owner_member_id": action.owner_member_id, "due_at": _iso(action.due_at)}
    action.owner_member_id = owner_member_id
    action.due_at = due_at
    after = {"owner_member_id": owner_member_id, "due_at": _iso(due_at)}
    if after != before:
        record(
            session,
            actor=actor,
            action="action.assign",
            entity="action",
            entity_id=action.id,
            before=before,
            after=after,
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def action_history(
    *, session: AsyncSession, actor: Actor, action_ids: list[int]
) -> dict[int, list[AuditEventPublic]]:
    """Each action's changes from the audit trail (coordinators and viewers)."""
    actor.require(Role.coordinator, Role.viewer)
    if not action_ids:
        return {}
    rows = await session.execute(
        select(AuditEvent)
        .where(AuditEvent.entity == "action", AuditEvent.entity_id.in_(action_ids))
        .order_by(AuditEvent.id)
    )
    out: dict[int, list[AuditEventPublic]] = {}
    for e in rows.scalars():
        out.setdefault(e.entity_id or 0, []).append(
            AuditEventPublic.model_validate(e, from_attributes=True)
        )
    return out
