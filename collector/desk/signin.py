"""Signing in by one-time link, signing out here or everywhere."""

from aiohttp import web

from collector.desk.common import COOKIE, ME, PREFIX, desk, render, see_other, set_session_cookie
from collector.keys import DB
from collector.services import desk_auth

routes = web.RouteTableDef()


@routes.get("/desk")
@routes.get("/desk/")
async def home(request: web.Request) -> web.StreamResponse:
    if request.get(ME) is None:
        return render(request, "signin.html", {})
    raise see_other("/desk/rounds")


@routes.get("/desk/signin/{secret}")
async def link_page(request: web.Request) -> web.StreamResponse:
    # Opening the link changes nothing (a chat's link preview must not use it up): the
    # button below posts it.
    return render(request, "signin_link.html", {"secret": request.match_info["secret"]})


@routes.post("/desk/signin/{secret}")
async def link_use(request: web.Request) -> web.StreamResponse:
    secret = request.match_info["secret"]
    if len(secret) > 100:
        opened = None
    else:
        async with request.app[DB].write() as session:
            opened = await desk_auth.redeem_link(session=session, secret=secret)
    if opened is None:
        return render(
            request,
            "error.html",
            {"title": "This link cannot be used", "message": desk_auth.LINK_REFUSED},
            status=403,
        )
    response = see_other("/desk/rounds")
    set_session_cookie(request, response, opened.secret)
    raise response


@routes.post("/desk/signout")
async def sign_out(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    async with request.app[DB].write() as session:
        await desk_auth.end_session(session=session, actor=me.actor, session_id=me.session_id)
    request.pop(ME, None)
    response = render(request, "signed_out.html", {"everywhere": False})
    response.del_cookie(COOKIE, path=PREFIX)
    return response


@routes.post("/desk/signout-everywhere")
async def sign_out_everywhere(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    assert me.actor.member_id is not None
    async with request.app[DB].write() as session:
        n = await desk_auth.end_sessions(
            session=session, actor=me.actor, member_id=me.actor.member_id
        )
    request.pop(ME, None)
    response = render(request, "signed_out.html", {"everywhere": True, "ended": n})
    response.del_cookie(COOKIE, path=PREFIX)
    return response
