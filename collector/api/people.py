"""Members, invites and the caller itself."""

from collector.api.routing import Api, Call
from collector.auth import ensure_member
from collector.keys import DB, SETTINGS
from collector.services import members
from models.people import InviteCreate, InviteIssued, InviteRedeem, MemberCreate, MemberPublic

api = Api()


class Me(MemberPublic):
    agency_name: str | None


@api.route("GET", "/api/me", "The member this call acts for", response=Me)
async def me(call: Call) -> Me:
    ensure_member(call.actor)
    async with call.request.app[DB].read() as session:
        public = await members.get_member(session=session, member_id=call.actor.member_id)
        name = await members.agency_name(session=session, code=public.agency)
    return Me(**public.model_dump(), agency_name=name)


@api.route("GET", "/api/members", "Every member (coordinators)", response=list[MemberPublic])
async def list_members(call: Call) -> list[MemberPublic]:
    async with call.request.app[DB].read() as session:
        return await members.list_members(session=session, actor=call.actor)


@api.route(
    "POST",
    "/api/members",
    "Add a member (coordinators)",
    body=MemberCreate,
    response=MemberPublic,
    status=201,
)
async def add_member(call: Call) -> MemberPublic:
    async with call.request.app[DB].write() as session:
        return await members.add_member(session=session, actor=call.actor, data=call.body)


@api.route(
    "POST",
    "/api/invites",
    "Issue a single-use invite",
    body=InviteCreate,
    response=InviteIssued,
    status=201,
)
async def issue_invite(call: Call) -> InviteIssued:
    ensure_member(call.actor)
    username = call.request.app[SETTINGS].telegram_bot_username
    async with call.request.app[DB].write() as session:
        return await members.issue_invite(
            session=session, actor=call.actor, data=call.body, bot_username=username
        )


@api.route(
    "POST",
    "/api/invites/redeem",
    "Enrol a Telegram account with an invite (the bot)",
    body=InviteRedeem,
    response=MemberPublic,
)
async def redeem_invite(call: Call) -> MemberPublic:
    async with call.request.app[DB].write() as session:
        return await members.redeem_invite(session=session, actor=call.actor, data=call.body)


@api.route(
    "POST",
    "/api/members/{member_id}/erase",
    "Erase a person: name and Telegram id removed, tokens and invites void (coordinators)",
    response=MemberPublic,
)
async def erase_member(call: Call) -> MemberPublic:
    from collector.services import erasure

    async with call.request.app[DB].write() as session:
        return await erasure.erase_member(
            session=session, actor=call.actor, member_id=call.int_param("member_id")
        )
