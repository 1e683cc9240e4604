"""Passkey pages: register one (signed in), sign in with one (JSON for the page's script)."""

import json
from typing import Any

from aiohttp import web

from collector.desk.common import desk, set_session_cookie
from collector.errors import BadRequest, DomainError
from collector.keys import DB, SETTINGS
from collector.services import desk_passkeys
from models import passkey_site
from models.passkey_site import RelyingParty

routes = web.RouteTableDef()


def relying_party(request: web.Request) -> RelyingParty:
    """MAA_PUBLIC_URL when set; otherwise where this page was asked for (models/passkey_site)."""
    return passkey_site.relying_party(request.app[SETTINGS], asked=str(request.url))


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read())
    except ValueError:
        raise BadRequest("The request body is not valid JSON.", code="invalid_json") from None
    if not isinstance(body, dict):
        raise BadRequest("Send a JSON object.")
    return body


def _answer(message: str, status: int = 200, **extra: Any) -> web.Response:
    return web.json_response({"message": message, **extra}, status=status)


def _refused(exc: DomainError) -> web.Response:
    return web.json_response(exc.body(), status=exc.status)


@routes.post("/desk/passkeys/options")
async def register_options(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    async with request.app[DB].write() as session:
        options = await desk_passkeys.registration_options(
            session=session, actor=me.actor, rp=relying_party(request)
        )
    return web.Response(text=options, content_type="application/json")


@routes.post("/desk/passkeys")
async def register(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    try:
        async with request.app[DB].write() as session:
            await desk_passkeys.register(
                session=session,
                actor=me.actor,
                rp=relying_party(request),
                credential=await _json(request),
            )
            n = await desk_passkeys.count_for(session=session, member_id=me.actor.member_id)
    except DomainError as exc:
        return _refused(exc)
    return _answer(desk_passkeys.SAVED, passkeys=n)


@routes.post("/desk/passkey/signin/options")
async def signin_options(request: web.Request) -> web.StreamResponse:
    async with request.app[DB].write() as session:
        options = await desk_passkeys.signin_options(session=session, rp=relying_party(request))
    return web.Response(text=options, content_type="application/json")


@routes.post("/desk/passkey/signin")
async def signin(request: web.Request) -> web.StreamResponse:
    try:
        credential = await _json(request)
        async with request.app[DB].write() as session:
            opened = await desk_passkeys.sign_in(
                session=session, rp=relying_party(request), credential=credential
            )
    except DomainError as exc:
        return _refused(exc)
    response = _answer("Signed in.", next="/desk/rounds")
    set_session_cookie(request, response, opened.secret)
    return response
