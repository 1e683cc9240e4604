"""Erasure of a person (UK GDPR article 17): who they were goes, what they did stays attributed
to a pseudonymous member id, so the history and the figures still add up."""

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import BadRequest, NotFound
from collector.services import desk_auth
from collector.services.audit import record
from models.base import utcnow
from models.enums import ReminderStatus, Role
from models.ops import AuditEvent, Reminder
from models.people import Agency, ApiToken, Invite, Member, MemberPublic

ERASED_NAME = "Erased member #{id}"


async def erase_member(*, session: AsyncSession, actor: Actor, member_id: int) -> MemberPublic:
    """Remove the person's name and Telegram id; void their tokens, sessions and open invites;
    strip their details from the audit trail and the outbox. Doing it again changes nothing."""
    actor.require(Role.coordinator)
    if actor.member_id == member_id:
        raise BadRequest("You cannot erase yourself: ask another coordinator.", code="erase_self")
    m = await session.get(Member, member_id, with_for_update=True)
    if m is None:
        raise NotFound(f"There is no member {member_id}.")
    now = utcnow()
    if m.erased_at is None:
        tokens = (
            await session.execute(delete(ApiToken).where(ApiToken.member_id == m.id))
        ).rowcount
        sessions = await desk_auth.end_sessions(session=session, actor=actor, member_id=m.id)
        invites = (
            await session.execute(
                update(Invite)
                .where(Invite.created_by == m.id, Invite.used_at.is_(None), Invite.expires_at > now)
                .values(expires_at=now)
            )
        ).rowcount
        # Events about the member held their name and Telegram id (member.add, ...).
        await session.execute(
            update(AuditEvent)
            .where(AuditEvent.entity == "member", AuditEvent.entity_id == m.id)
            .values(before=None, after=None)
        )
        # Messages to them (and notices naming them) keep their row but lose their text;
        # any still waiting are cancelled: there is nobody to send them to.
        about = (Reminder.recipient_id == m.id) | Reminder.key.startswith(f"unreachable:{m.id}:")
        await session.execute(update(Reminder).where(about).values(payload=None))
        await session.execute(
            update(Reminder)
            .where(
                Reminder.recipient_id == m.id,
                Reminder.status.in_((ReminderStatus.queued, ReminderStatus.claimed)),
            )
            .values(status=ReminderStatus.cancelled, claimed_until=None, last_error="erased")
        )
        m.display_name = ERASED_NAME.format(id=m.id)
        m.telegram_id = None
        m.reachable = False
        m.erased_at = now
        record(
            session,
            actor=actor,
            action="member.erase",
            entity="member",
            entity_id=m.id,
            after={"tokens_voided": tokens, "sessions_ended": sessions, "invites_voided": invites},
        )
        await session.flush()
    code = await session.scalar(select(Agency.code).where(Agency.id == m.agency_id))
    return MemberPublic(
        id=m.id, display_name=m.display_name, role=m.role, telegram_id=None, agency=code,
        reachable=False,
    )  # fmt: skip
