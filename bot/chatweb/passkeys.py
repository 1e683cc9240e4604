"""Passkeys in the browser chat: sign in with one, register one while signed in.

The page's script (static/passkeys.js) talks WebAuthn with the browser and posts JSON here; each
route passes it to the collector (collector/api/chat_passkeys.py), which does the desk's work
with the desk's service functions. Nothing here checks a passkey, and nothing is logged: a
signed response is no secret, but the session it opens is.
"""

import json
from typing import Any

from aiohttp import web

from bot.chatweb.keys import CLIENT, COOKIE, PREFIX, SETTINGS
from bot.chatweb.pages import SignInNeeded, Unavailable, need, render, set_session_cookie
from bot.chatweb.talk import Talk
from bot.client import CollectorError, CollectorUnavailable
from models.passkey_site import chat_passkeys
from models.web_guard import csrf_for

routes = web.RouteTableDef()

MAX_BODY = 64 * 1024  # a signed response is a few kilobytes
UNREACHABLE = "The audit service can't be reached just now: please try again in a minute."
NOT_HERE = "Passkeys cannot be used in the chat at this address: sign in with a one-time link."
SIGN_IN_AGAIN = "Your sign-in has ended: reload the page and sign in again."


def _refused(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


def _from_collector(exc: CollectorError) -> web.Response:
    """The collector's refusal, said as it said it (its messages are written for people)."""
    return _refused(exc.status, exc.code, exc.message)


async def _credential(request: web.Request) -> dict[str, Any] | web.Response:
    """The browser's signed response (a JSON object), or a refusal to send back."""
    if request.content_type != "application/json":
        # Only our script sends these: JSON needs a preflight cross-site, so another site's
        # page cannot post a passkey response here (and sign this browser in as someone else).
        return _refused(415, "unsupported_media_type", "Send the passkey response as JSON.")
    raw = await request.read()
    if len(raw) > MAX_BODY:
        return _refused(413, "too_large", "That was too long to read.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _refused(400, "invalid_json", "That was not a passkey response: try again.")
    if not isinstance(body, dict):
        return _refused(400, "invalid_json", "That was not a passkey response: try again.")
    return body


async def _ask(call: Any) -> Any:
    """One collector call; its refusal or absence as a JSON answer for the script."""
    try:
        return await call
    except CollectorError as exc:
        return _from_collector(exc)
    except CollectorUnavailable:
        return _refused(503, "unavailable", UNREACHABLE)


# ---- signing in (open: a passkey proves who you are)
def _not_here(request: web.Request) -> web.Response | None:
    """The page offers no passkeys here (models/passkey_site); a script that asks is told."""
    if chat_passkeys(request.app[SETTINGS]):
        return None
    return _refused(409, "passkeys_unavailable", NOT_HERE)


@routes.post("/chat/passkey/options")
async def signin_options(request: web.Request) -> web.StreamResponse:
    if (refused := _not_here(request)) is not None:
        return refused
    answer = await _ask(request.app[CLIENT].chat_passkey_options())
    return answer if isinstance(answer, web.Response) else web.json_response(answer)


@routes.post("/chat/passkey/signin")
async def sign_in(request: web.Request) -> web.StreamResponse:
    credential = await _credential(request)
    if isinstance(credential, web.Response):
        return credential
    opened = await _ask(request.app[CLIENT].chat_passkey_sign_in(credential))
    if isinstance(opened, web.Response):
        return opened
    # Where they stood comes back on the chat's first page (/resume), as after a link.
    response = web.json_response({"message": "Signed in.", "next": f"{PREFIX}/#latest"})
    set_session_cookie(request, response, opened["session"])
    return response


# ---- registering (signed in; the guard checks the CSRF header on these posts)
@routes.get("/chat/passkeys")
async def page(request: web.Request) -> web.StreamResponse:
    talk = await need(request)
    try:
        count = await talk.client.chat_passkeys()
    except CollectorUnavailable:
        raise Unavailable from None
    except CollectorError:  # the session ended meanwhile: the only refusal here
        raise SignInNeeded from None
    context = {
        "talk": talk,
        "csrf": csrf_for(request.cookies[COOKIE]),
        "count": count,
        "offered": chat_passkeys(request.app[SETTINGS]),
    }
    return render(request, "passkeys.html", context)


async def _talk(request: web.Request) -> Talk | web.Response:
    """The signed-in browser's conversation, or a refusal the script can show."""
    try:
        return await need(request)
    except SignInNeeded:
        return _refused(401, "session_ended", SIGN_IN_AGAIN)


@routes.post("/chat/passkeys/options")
async def register_options(request: web.Request) -> web.StreamResponse:
    talk = await _talk(request)
    if isinstance(talk, web.Response):
        return talk
    if (refused := _not_here(request)) is not None:
        return refused
    answer = await _ask(talk.client.chat_passkey_register_options())
    return answer if isinstance(answer, web.Response) else web.json_response(answer)


@routes.post("/chat/passkeys")
async def register(request: web.Request) -> web.StreamResponse:
    talk = await _talk(request)
    if isinstance(talk, web.Response):
        return talk
    credential = await _credential(request)
    if isinstance(credential, web.Response):
        return credential
    saved = await _ask(talk.client.chat_passkey_register(credential))
    if isinstance(saved, web.Response):
        return saved
    return web.json_response({"message": saved["message"], "passkeys": saved["passkeys"]})
