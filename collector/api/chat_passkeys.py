"""Passkeys for the browser chat: sign in with one, and register one while signed in.

The chat's pages call these with the service token (and, to register, the member's
`X-MAA-Session`); the work is the desk's (collector/services/desk_passkeys.py: one
implementation of the challenges, the checks and the audit events). A passkey is bound to the
desk's host, so these answer only when the chat's address fits it (models/passkey_site.py);
the chat does not offer passkeys otherwise.
"""

from typing import Any

from aiohttp import web
from pydantic import BaseModel

from collector.api.chat_sessions import ChatSession, bot_only
from collector.api.routing import JSON, Api, Call
from collector.auth import Actor
from collector.errors import Conflict, Unauthorized
from collector.keys import DB, SETTINGS
from collector.services import desk_passkeys, members
from models import passkey_site
from models.passkey_site import RelyingParty

api = Api()

UNAVAILABLE = (
    "Passkeys cannot be used in the browser chat at this address: the chat's address "
    "(MAA_CHAT_PUBLIC_URL) must be on the desk's host (MAA_PUBLIC_URL) or a subdomain of it."
)


class ChatPasskey(BaseModel):
    credential: dict[str, Any]  # the browser's signed response, as the desk's script sends it


class PasskeySaved(BaseModel):
    message: str
    passkeys: int  # how many the member has now


class PasskeyCount(BaseModel):
    passkeys: int


def _chat_rp(call: Call) -> RelyingParty:
    settings = call.request.app[SETTINGS]
    if not passkey_site.chat_passkeys(settings):
        raise Conflict(UNAVAILABLE, code="passkeys_unavailable")
    return passkey_site.relying_party(settings)


def _signed_in(call: Call) -> Actor:
    """Passkeys are registered from a signed-in browser: a chat session, nothing else."""
    credentials = call.credentials
    if credentials is None or credentials.session_hash is None or call.actor is None:
        raise Unauthorized("Send the browser chat's session in X-MAA-Session.")
    return call.actor


def _options(text: str) -> web.Response:
    return web.Response(text=text, content_type=JSON)


@api.route(
    "POST",
    "/api/chat/passkey/options",
    "Options for signing in to the browser chat with a passkey (the bot)",
    raw=True,
)
async def signin_options(call: Call) -> web.StreamResponse:
    bot_only(call.actor)
    rp = _chat_rp(call)
    async with call.request.app[DB].write() as session:
        return _options(await desk_passkeys.signin_options(session=session, rp=rp))


@api.route(
    "POST",
    "/api/chat/passkey/signin",
    "Sign in to the browser chat with a passkey: a session (the bot)",
    body=ChatPasskey,
    response=ChatSession,
    status=201,
)
async def sign_in(call: Call) -> ChatSession:
    bot_only(call.actor)
    rp = _chat_rp(call)
    async with call.request.app[DB].write() as session:
        opened = await desk_passkeys.sign_in(
            session=session, rp=rp, credential=call.body.credential, how="chat_passkey"
        )
        member = await members.get_member(session=session, member_id=opened.member_id)
    return ChatSession(
        session=opened.secret, member_id=opened.member_id, display_name=member.display_name
    )


@api.route(
    "GET",
    "/api/chat/passkeys",
    "How many passkeys the browser chat's member has",
    response=PasskeyCount,
)
async def count(call: Call) -> PasskeyCount:
    actor = _signed_in(call)
    assert actor.member_id is not None
    async with call.request.app[DB].read() as session:
        n = await desk_passkeys.count_for(session=session, member_id=actor.member_id)
    return PasskeyCount(passkeys=n)


@api.route(
    "POST",
    "/api/chat/passkeys/options",
    "Options for registering a passkey from the browser chat",
    raw=True,
)
async def register_options(call: Call) -> web.StreamResponse:
    actor = _signed_in(call)
    rp = _chat_rp(call)
    async with call.request.app[DB].write() as session:
        return _options(
            await desk_passkeys.registration_options(session=session, actor=actor, rp=rp)
        )


@api.route(
    "POST",
    "/api/chat/passkeys",
    "Register a passkey from the browser chat",
    body=ChatPasskey,
    response=PasskeySaved,
    status=201,
)
async def register(call: Call) -> PasskeySaved:
    actor = _signed_in(call)
    rp = _chat_rp(call)
    assert actor.member_id is not None
    async with call.request.app[DB].write() as session:
        await desk_passkeys.register(
            session=session, actor=actor, rp=rp, credential=call.body.credential
        )
        n = await desk_passkeys.count_for(session=session, member_id=actor.member_id)
    return PasskeySaved(message=desk_passkeys.SAVED, passkeys=n)
