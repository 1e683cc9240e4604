"""Sessions for the browser chat (`/chat/` on the bot's web listener).

The browser chat signs people in exactly as the desk does: a one-time link (`maa desk-link`,
the bot's /desk, the desk's members page) or an invite, turned into a desk session row here.
The bot keeps the session's secret in its HttpOnly cookie and sends it back with every call as
`X-MAA-Session` beside the service token; `collector.services.acting` checks it like any other
credential (the same expiry rule as the desk's, disabled and erased members refused).
"""

from pydantic import BaseModel, Field

from collector.api.routing import Api, Call
from collector.auth import Actor
from collector.errors import Forbidden, Unauthorized
from collector.keys import DB
from collector.services import desk_auth, members
from models.people import InviteRedeem

api = Api()


class ChatSignIn(BaseModel):
    link: str = Field(min_length=1, max_length=100)  # the secret at the end of a sign-in link


class ChatJoin(BaseModel):
    code: str = Field(min_length=1, max_length=64)  # an invite code
    display_name: str = Field(min_length=1, max_length=200)


class ChatSession(BaseModel):
    session: str  # the session's secret: the bot's cookie holds it; never logged
    member_id: int
    display_name: str


def bot_only(actor: Actor | None) -> None:
    if actor is None or not actor.is_service:
        raise Forbidden("Only the bot's service token may do this.")


@api.route(
    "POST",
    "/api/chat/sessions",
    "Use a one-time sign-in link for the browser chat: a session (the bot)",
    body=ChatSignIn,
    response=ChatSession,
    status=201,
)
async def sign_in(call: Call) -> ChatSession:
    bot_only(call.actor)
    async with call.request.app[DB].write() as session:
        opened = await desk_auth.redeem_link(session=session, secret=call.body.link, how="chat")
        if opened is not None:
            member = await members.get_member(session=session, member_id=opened.member_id)
    if opened is None:
        raise Forbidden(desk_auth.LINK_REFUSED, code="link_refused")
    return ChatSession(
        session=opened.secret, member_id=opened.member_id, display_name=member.display_name
    )


@api.route(
    "POST",
    "/api/chat/join",
    "Enrol with an invite in the browser (a web-only member) and sign in (the bot)",
    body=ChatJoin,
    response=ChatSession,
    status=201,
)
async def join(call: Call) -> ChatSession:
    bot_only(call.actor)
    data = InviteRedeem(code=call.body.code, display_name=call.body.display_name)
    async with call.request.app[DB].write() as session:
        member = await members.redeem_invite(session=session, actor=call.actor, data=data)
        opened = await desk_auth.open_session(session=session, member_id=member.id, how="invite")
    return ChatSession(session=opened.secret, member_id=member.id, display_name=member.display_name)


class SignedOut(BaseModel):
    ended: bool


@api.route("POST", "/api/chat/signout", "End this browser chat's session", response=SignedOut)
async def sign_out(call: Call) -> SignedOut:
    credentials = call.credentials
    if credentials is None or credentials.session_hash is None or call.actor is None:
        raise Unauthorized("Send the session to end in X-MAA-Session.")
    async with call.request.app[DB].write() as session:
        sid = await desk_auth.session_id(session=session, secret_hash=credentials.session_hash)
        if sid is not None:
            await desk_auth.end_session(session=session, actor=call.actor, session_id=sid)
    return SignedOut(ended=sid is not None)
