"""Members, their personal API tokens, and invites that enrol them from Telegram."""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor, digest, new_secret
from collector.errors import BadRequest, Conflict, Forbidden, Gone, NotFound
from collector.services.audit import record
from collector.services.lookup import agency_by_code
from models.base import utcnow
from models.enums import Role
from models.people import (
    Agency,
    ApiToken,
    Invite,
    InviteCreate,
    InviteIssued,
    InviteRedeem,
    Member,
    MemberCreate,
    MemberPublic,
)

AGENCY_ROLES = (Role.auditor, Role.agency_lead)


def _public(member: Member, agency_code: str | None) -> MemberPublic:
    return MemberPublic(
        id=member.id,
        display_name=member.display_name,
        role=member.role,
        telegram_id=member.telegram_id,
        agency=agency_code,
        reachable=member.reachable,
        disabled_at=member.disabled_at,
    )


async def _agency_for_role(session: AsyncSession, role: Role, code: str | None) -> Agency | None:
    if role in AGENCY_ROLES and not code:
        name = role.value.replace("_", " ")
        raise BadRequest(f"An {name} belongs to an agency: give its code.")
    return await agency_by_code(session, code) if code else None


async def add_member(*, session: AsyncSession, actor: Actor, data: MemberCreate) -> MemberPublic:
    """Add a member directly (how the first coordinator is made)."""
    actor.require(Role.coordinator)
    agency = await _agency_for_role(session, data.role, data.agency)
    if (
        data.telegram_id is not None
        and (
            await session.execute(select(Member.id).where(Member.telegram_id == data.telegram_id))
        ).scalar()
    ):
        raise Conflict("That Telegram account is already a member.", code="member_exists")
    member = Member(
        display_name=data.display_name,
        role=data.role,
        telegram_id=data.telegram_id,
        agency_id=agency.id if agency else None,
    )
    session.add(member)
    await session.flush()
    public = _public(member, agency.code if agency else None)
    record(
        session,
        actor=actor,
        action="member.add",
        entity="member",
        entity_id=member.id,
        after=public.model_dump(mode="json"),
    )
    return public


async def list_members(*, session: AsyncSession, actor: Actor) -> list[MemberPublic]:
    actor.require(Role.coordinator)
    rows = await session.execute(
        select(Member, Agency.code)
        .outerjoin(Agency, Agency.id == Member.agency_id)
        .order_by(Member.id)
    )
    return [_public(m, code) for m, code in rows.all()]


async def get_member(*, session: AsyncSession, member_id: int) -> MemberPublic:
    row = (
        await session.execute(
            select(Member, Agency.code)
            .outerjoin(Agency, Agency.id == Member.agency_id)
            .where(Member.id == member_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"There is no member {member_id}.")
    return _public(*row)


async def create_token(*, session: AsyncSession, actor: Actor, member_id: int) -> str:
    """A new personal API token, returned once; only its hash is stored."""
    actor.require(Role.coordinator)
    await get_member(session=session, member_id=member_id)
    token = new_secret()
    row = ApiToken(member_id=member_id, token_hash=digest(token))
    session.add(row)
    await session.flush()
    record(session, actor=actor, action="token.create", entity="member", entity_id=member_id)
    return token


async def issue_invite(
    *, session: AsyncSession, actor: Actor, data: InviteCreate, bot_username: str = ""
) -> InviteIssued:
    """A single-use, expiring enrolment code. Agency leads may invite auditors of their agency."""
    if actor.role == Role.agency_lead:
        if data.role != Role.auditor or data.agency not in (None, actor.agency_code):
            raise Forbidden("Agency leads can invite auditors of their own agency only.")
        data = data.model_copy(update={"agency": actor.agency_code})
    else:
        actor.require(Role.coordinator)
    agency = await _agency_for_role(session, data.role, data.agency)
    code = new_secret()
    invite = Invite(
        code_hash=digest(code),
        role=data.role,
        agency_id=agency.id if agency else None,
        expires_at=utcnow() + timedelta(days=data.expires_in_days),
        created_by=actor.member_id,
    )
    session.add(invite)
    await session.flush()
    record(
        session,
        actor=actor,
        action="invite.issue",
        entity="invite",
        entity_id=invite.id,
        after={
            "role": data.role,
            "agency": data.agency,
            "expires_at": invite.expires_at.isoformat(),
        },
    )
    return InviteIssued(
        id=invite.id,
        code=code,
        role=data.role,
        agency=data.agency,
        expires_at=invite.expires_at,
        link=f"https://t.me/{bot_username}?start={code}" if bot_username else None,
    )


async def redeem_invite(*, session: AsyncSession, actor: Actor, data: InviteRedeem) -> MemberPublic:
    """Bind a Telegram account to the invite's agency and role; each code works once. Without
    a Telegram id (the browser chat) the member is web-only."""
    actor.require_service()
    invite = (
        await session.execute(select(Invite).where(Invite.code_hash == digest(data.code.strip())))
    ).scalar()
    if invite is None:
        raise NotFound(
            "That invite code is not recognised. Check the link, or ask for a new one.",
            code="invite_invalid",
        )
    if invite.used_at is not None:
        raise Gone(
            "That invite has already been used. Ask your coordinator for a new one.",
            code="invite_used",
        )
    if invite.expires_at <= utcnow():
        raise Gone(
            "That invite has expired. Ask your coordinator for a new one.", code="invite_expired"
        )
    if (
        data.telegram_id is not None
        and (
            await session.execute(select(Member.id).where(Member.telegram_id == data.telegram_id))
        ).scalar()
    ):
        raise Conflict("This Telegram account is already enrolled.", code="member_exists")
    member = Member(
        display_name=data.display_name,
        role=invite.role,
        telegram_id=data.telegram_id,
        agency_id=invite.agency_id,
    )
    session.add(member)
    await session.flush()
    # The guarded update makes two simultaneous redemptions of one code end with one winner.
    claimed = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None))
        .values(used_at=utcnow(), used_by=member.id)
    )
    if claimed.rowcount != 1:
        raise Gone(
            "That invite has already been used. Ask your coordinator for a new one.",
            code="invite_used",
        )
    code = None
    if invite.agency_id:
        code = (
            await session.execute(select(Agency.code).where(Agency.id == invite.agency_id))
        ).scalar()
    public = _public(member, code)
    record(
        session,
        actor=actor,
        action="invite.redeem",
        entity="invite",
        entity_id=invite.id,
        after={"member_id": member.id, "role": member.role, "agency": code},
    )
    return public


async def agency_name(*, session: AsyncSession, code: str | None) -> str | None:
    if code is None:
        return None
    return (await session.execute(select(Agency.name).where(Agency.code == code))).scalar()
