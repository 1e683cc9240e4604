"""People pages: my account (passkeys, sign out everywhere), members (give a sign-in link),
invites (create with a QR code, list outstanding, revoke)."""

import segno
from aiohttp import web
from markupsafe import Markup

from collector.desk.common import desk, public_base, render, see_other, signin_url
from collector.errors import BadRequest
from collector.keys import DB, SETTINGS
from collector.services import desk_auth, desk_passkeys, desk_people, members
from models.enums import Role
from models.people import InviteCreate

routes = web.RouteTableDef()


def qr_svg(text: str) -> Markup:
    svg = segno.make(text, error="m").svg_inline(scale=4, title="QR code of the link")
    return Markup(svg)  # segno's own markup; the link it encodes is escaped inside it


def _id(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit() or len(raw) > 12:
        raise BadRequest(f"'{raw}' is not a number.")
    return int(raw)


@routes.get("/desk/account")
async def account(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    assert me.actor.member_id is not None
    async with request.app[DB].read() as session:
        n = await desk_passkeys.count_for(session=session, member_id=me.actor.member_id)
    return render(request, "account.html", {"passkeys": n})


@routes.get("/desk/members")
async def members_page(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    async with request.app[DB].read() as session:
        people = await members.list_members(session=session, actor=me.actor)
    return render(request, "members.html", {"people": people, "link": None})


@routes.post("/desk/members/{member_id}/link")
async def give_link(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    member_id = _id(request, "member_id")
    async with request.app[DB].write() as session:
        issued = await desk_auth.issue_link(session=session, actor=me.actor, member_id=member_id)
    async with request.app[DB].read() as session:
        people = await members.list_members(session=session, actor=me.actor)
        who = await members.get_member(session=session, member_id=member_id)
    url = signin_url(public_base(request), issued.secret)
    link = {"url": url, "who": who, "expires_at": issued.expires_at, "qr": qr_svg(url)}
    return render(request, "members.html", {"people": people, "link": link})


@routes.post("/desk/members/{member_id}/signout")
async def end_member_sessions(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    async with request.app[DB].write() as session:
        await desk_auth.end_sessions(
            session=session, actor=me.actor, member_id=_id(request, "member_id")
        )
    raise see_other("/desk/members")


async def _invites_page(request: web.Request, issued: dict | None = None) -> web.Response:
    me = desk(request)
    async with request.app[DB].read() as session:
        waiting = await desk_people.outstanding_invites(session=session, actor=me.actor)
    roles = [Role.auditor] if me.actor.role == Role.agency_lead else list(Role)
    context = {"invites": waiting, "issued": issued, "roles": roles}
    return render(request, "invites.html", context)


@routes.get("/desk/invites")
async def invites(request: web.Request) -> web.StreamResponse:
    return await _invites_page(request)


@routes.post("/desk/invites")
async def invite_create(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    form = await request.post()
    role = str(form.get("role", ""))
    if role not in {r.value for r in Role}:
        raise BadRequest("Choose a role.")
    agency = str(form.get("agency", "")).strip() or None
    try:
        days = float(str(form.get("days", "7")))
        data = InviteCreate(role=Role(role), agency=agency, expires_in_days=days)
    except ValueError:
        raise BadRequest("An invite lasts between a few hours and 90 days.") from None
    async with request.app[DB].write() as session:
        issued = await members.issue_invite(
            session=session,
            actor=me.actor,
            data=data,
            bot_username=request.app[SETTINGS].telegram_bot_username,
        )
    shown = issued.link or issued.code
    conf = request.app[SETTINGS]
    # The same code opens in the browser chat, for people whose devices block Telegram.
    chat_on = bool(conf.chat_listen or conf.chat_public_url)
    web_link = f"{conf.chat_url}/chat/join/{issued.code}" if chat_on else None
    context = {"invite": issued, "text": shown, "qr": qr_svg(shown), "web": web_link}
    return await _invites_page(request, context)


@routes.post("/desk/invites/{invite_id}/revoke")
async def invite_revoke(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    async with request.app[DB].write() as session:
        await desk_people.revoke_invite(
            session=session, actor=me.actor, invite_id=_id(request, "invite_id")
        )
    raise see_other("/desk/invites")
