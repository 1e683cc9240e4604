"""Signing in to the desk: one-time links, server-side sessions and ending them.

Every sign-in, failed link use and sign-out is an audit event. Secrets (the link's, the
session cookie's) are random and only their SHA-256 is stored, as with invites and tokens.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor, digest, new_secret
from collector.errors import NotFound
from collector.services.audit import record
from models.base import utcnow
from models.desk import DeskLink, DeskSession
from models.enums import Role
from models.people import Agency, Member
from models.web_guard import SESSION_ABSOLUTE, SESSION_IDLE

LINK_LIFE = timedelta(minutes=10)
IDLE = SESSION_IDLE
ABSOLUTE = SESSION_ABSOLUTE
# A session's last-seen time is written at most this often: a page view is not a write.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedLink:
    secret: str  # shown once, in the link; never stored or logged
    member_id: int
    expires_at: datetime


async def issue_link(*, session: AsyncSession, actor: Actor, member_id: int) -> IssuedLink:
    """A sign-in link for a member: a member asks for their own; coordinators for anyone."""
    if actor.member_id != member_id:
        actor.require(Role.coordinator)
    if await session.get(Member, member_id) is None:
        raise NotFound(f"There is no member {member_id}.")
    secret = new_secret()
    link = DeskLink(
        member_id=member_id,
        secret_hash=digest(secret),
        expires_at=utcnow() + LINK_LIFE,
        created_by=actor.member_id,
    )
    session.add(link)
    await session.flush()
    record(
        session,
        actor=actor,
        action="desk.link",
        entity="member",
        entity_id=member_id,
        after={"expires_at": link.expires_at.isoformat()},
    )
    return IssuedLink(secret, member_id, link.expires_at)


@dataclass(frozen=True)
class Opened:
    """A new session: the cookie's secret (never stored) and who it is for."""

    secret: str
    member_id: int


LINK_REFUSED = (
    "This sign-in link has been used already or has expired. Links work once, for 10 minutes: "
    "send /desk to the bot for a new one, or ask a coordinator."
)


async def redeem_link(*, session: AsyncSession, secret: str, how: str = "link") -> Opened | None:
    """Use a link once: a session for its member. A used, expired or unknown link (None)
    changes nothing but the audit trail, which records the failed attempt. `how`: "link" for
    the desk, "chat-link" for the browser chat (the same link, opened there)."""
    now = utcnow()
    link = (
        await session.execute(
            select(DeskLink).where(DeskLink.secret_hash == digest(secret)).with_for_update()
        )
    ).scalar_one_or_none()
    if link is None or link.used_at is not None or link.expires_at <= now:
        why = "unknown" if link is None else "used" if link.used_at else "expired"
        record(
            session,
            actor=Actor(member_id=None, role=None),
            action="desk.link_refused",
            entity="member",
            entity_id=link.member_id if link else None,
            after={"why": why},
        )
        return None
    link.used_at = now
    return await open_session(session=session, member_id=link.member_id, how=how)


async def open_session(*, session: AsyncSession, member_id: int, how: str) -> Opened:
    """A new desk session row for a member who has just proved who they are."""
    secret = new_secret()
    row = DeskSession(member_id=member_id, secret_hash=digest(secret), how=how)
    session.add(row)
    await session.flush()
    record(
        session,
        actor=Actor(member_id=member_id, role=None),
        action="desk.sign_in",
        entity="member",
        entity_id=member_id,
        after={"how": how, "session": row.id},
    )
    return Opened(secret, member_id)


@dataclass(frozen=True)
class Current:
    """A live session: its row id, the acting member, and whether its last-seen needs a write."""

    session_id: int
    actor: Actor
    display_name: str
    stale: bool


def member_allowed(member: Member) -> bool:
    """THE place a session's member is checked on every desk request: a disabled or erased
    member's open session stops working at its next request (disabling and erasing also end
    the session rows: `withdraw.set_disabled`, `erasure.erase_member`)."""
    return member.disabled_at is None and member.erased_at is None


def live(
    *, created_at: datetime, seen_at: datetime, ended_at: datetime | None, now: datetime
) -> bool:
    """THE rule for whether a session still works: not ended, not idle, not too old. The desk
    (`current`) and the API acting through a chat session (`services.acting`) both ask it."""
    return ended_at is None and now - seen_at <= IDLE and now - created_at <= ABSOLUTE


async def current(*, session: AsyncSession, secret: str) -> Current | None:
    """The session a cookie names, or None when unknown, ended, idle or too old."""
    now = utcnow()
    row = (
        await session.execute(
            select(DeskSession, Member, Agency.code)
            .join(Member, Member.id == DeskSession.member_id)
            .outerjoin(Agency, Agency.id == Member.agency_id)
            .where(DeskSession.secret_hash == digest(secret))
        )
    ).first()
    if row is None:
        return None
    s, m, code = row
    if not live(created_at=s.created_at, seen_at=s.seen_at, ended_at=s.ended_at, now=now):
        return None
    if not member_allowed(m):
        return None
    actor = Actor(m.id, m.role, m.agency_id, code, m.telegram_id)
    return Current(s.id, actor, m.display_name, now - s.seen_at > TOUCH_EVERY)


async def touch(*, session: AsyncSession, session_id: int) -> None:
    """Keep a session alive (idle expiry counts from here). Not an audited change."""
    await session.execute(
        update(DeskSession).where(DeskSession.id == session_id).values(seen_at=utcnow())
    )


async def end_session(*, session: AsyncSession, actor: Actor, session_id: int) -> None:
    """Sign out this browser."""
    await session.execute(
        update(DeskSession)
        .where(DeskSession.id == session_id, DeskSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    record(
        session,
        actor=actor,
        action="desk.sign_out",
        entity="member",
        entity_id=actor.member_id,
        after={"session": session_id},
    )


async def end_sessions(*, session: AsyncSession, actor: Actor, member_id: int) -> int:
    """End every desk session of a member (sign out everywhere; or when a member is disabled).

    A member may end their own; coordinators anyone's. Returns how many were open.
    """
    if actor.member_id != member_id:
        actor.require(Role.coordinator)
    result = await session.execute(
        update(DeskSession)
        .where(DeskSession.member_id == member_id, DeskSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    ended = result.rowcount or 0
    record(
        session,
        actor=actor,
        action="desk.sign_out_everywhere",
        entity="member",
        entity_id=member_id,
        after={"sessions": ended},
    )
    return ended


async def session_id(*, session: AsyncSession, secret_hash: str) -> int | None:
    """The row of a session named by its secret's hash (the browser chat's sign-out)."""
    return (
        await session.execute(select(DeskSession.id).where(DeskSession.secret_hash == secret_hash))
    ).scalar()
