"""Withdrawing access over HTTP (coordinators): disable and enable members, revoke tokens."""

from collector.api.routing import Api, Call
from collector.keys import DB
from collector.services import withdraw
from models.people import ApiTokenPublic, MemberPublic, TokenRevoke, TokensRevoked

api = Api()


async def _switch(call: Call, disabled: bool) -> MemberPublic:
    async with call.request.app[DB].write() as session:
        return await withdraw.set_disabled(
            session=session,
            actor=call.actor,
            member_id=call.int_param("member_id"),
            disabled=disabled,
        )


@api.route(
    "POST",
    "/api/members/{member_id}/disable",
    "Disable a member: their token and Telegram messages are refused at once (coordinators)",
    response=MemberPublic,
)
async def disable_member(call: Call) -> MemberPublic:
    return await _switch(call, True)


@api.route(
    "POST",
    "/api/members/{member_id}/enable",
    "Enable a disabled member again (coordinators)",
    response=MemberPublic,
)
async def enable_member(call: Call) -> MemberPublic:
    return await _switch(call, False)


@api.route(
    "GET",
    "/api/members/{member_id}/tokens",
    "A member's personal API tokens, live and revoked (coordinators)",
    response=list[ApiTokenPublic],
)
async def list_tokens(call: Call) -> list[ApiTokenPublic]:
    async with call.request.app[DB].read() as session:
        return await withdraw.list_tokens(
            session=session, actor=call.actor, member_id=call.int_param("member_id")
        )


@api.route(
    "POST",
    "/api/members/{member_id}/tokens/revoke",
    "Revoke one of a member's tokens, or all of them (coordinators)",
    body=TokenRevoke,
    response=TokensRevoked,
)
async def revoke_tokens(call: Call) -> TokensRevoked:
    async with call.request.app[DB].write() as session:
        revoked = await withdraw.revoke_tokens(
            session=session,
            actor=call.actor,
            member_id=call.int_param("member_id"),
            token_id=call.body.token_id,
        )
    return TokensRevoked(revoked=revoked)
