"""Withdrawing access: disable or enable a member, list and revoke personal tokens.

A disabled member keeps their rows: past answers, returns and audit events stay attributed to
them. What stops is every credential of theirs, checked by `collector.auth.refuse_disabled`.
"""

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Conflict, NotFound
from collector.services.audit import record
from collector.services.members import get_member
from models.base import utcnow
from models.enums import Role
from models.people import ApiToken, ApiTokenPublic, Member, MemberPublic


async def set_disabled(
    *, session: AsyncSession, actor: Actor, member_id: int, disabled: bool
) -> MemberPublic:
    """Disable (or enable again) a member; the same request twice records one change."""
    actor.require(Role.coordinator)
    if disabled and actor.member_id == member_id:
        raise Conflict("You cannot disable yourself.", code="self_disable")
    member = await session.get(Member, member_id, with_for_update=True)
    if member is None:
        raise NotFound(f"There is no member {member_id}.")
    was = member.disabled_at
    if (was is not None) != disabled:
        member.disabled_at = utcnow() if disabled else None
        await session.flush()
        record(
            session,
            actor=actor,
            action="member.disable" if disabled else "member.enable",
            entity="member",
            entity_id=member_id,
            before={"disabled_at": was.isoformat() if was else None},
            after={"disabled_at": member.disabled_at.isoformat() if disabled else None},
        )
    return await get_member(session=session, member_id=member_id)


async def list_tokens(
    *, session: AsyncSession, actor: Actor, member_id: int
) -> list[ApiTokenPublic]:
    actor.require(Role.coordinator)
    await get_member(session=session, member_id=member_id)
    rows = await session.execute(
        select(ApiToken).where(ApiToken.member_id == member_id).order_by(ApiToken.id)
    )
    return [
        ApiTokenPublic(
            id=t.id, member_id=t.member_id, created_at=t.created_at, revoked_at=t.revoked_at
        )
        for t in rows.scalars()
    ]


async def revoke_tokens(
    *, session: AsyncSession, actor: Actor, member_id: int, token_id: int | None = None
) -> int:
    """Revoke one of a member's tokens, or all of them; how many were live until now."""
    actor.require(Role.coordinator)
    await get_member(session=session, member_id=member_id)
    query = update(ApiToken).where(ApiToken.member_id == member_id, ApiToken.revoked_at.is_(None))
    if token_id is not None:
        exists = await session.execute(
            select(ApiToken.id).where(ApiToken.id == token_id, ApiToken.member_id == member_id)
        )
        if exists.first() is None:
            raise NotFound(f"Member {member_id} has no token {token_id}.")
        query = query.where(ApiToken.id == token_id)
    revoked = [
        r
        for (r,) in await session.execute(query.values(revoked_at=utcnow()).returning(ApiToken.id))
    ]
    if revoked:
        record(
            session,
            actor=actor,
            action="token.revoke",
            entity="member",
            entity_id=member_id,
            after={"token_ids": revoked},
        )
    return len(revoked)
