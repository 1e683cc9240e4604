"""The browser chat's pages: a request in, one engine event, the transcript out as HTML.

No audit logic here: a typed line becomes `Chat.command` or `Chat.text`, a pressed button
`Chat.button`, and the engine's steps are performed on the browser's `Talk` (talk.py). Every
post follows the post/redirect/get pattern, so a reload never sends an answer twice.
"""

import contextlib
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web

from bot import texts
from bot.chatweb.keys import CLIENT, COOKIE, PREFIX, SETTINGS, TALKS, WAKE
from bot.chatweb.talk import Talk
from bot.client import CollectorError, CollectorUnavailable
from bot.flow import Screen
from bot.flow_commands import Chat
from bot.flow_out import Out, Person, Send
from models.passkey_site import chat_passkeys
from models.web_guard import SESSION_ABSOLUTE, cookie_options, csrf_for

log = logging.getLogger("maa.chatweb")
routes = web.RouteTableDef()

MAX_TEXT = 20_000  # longer than any answer may be: the collector says how long is too long
SESSION_LIFE = int(SESSION_ABSOLUTE.total_seconds())  # the cookie lasts as long as the session
QUICK = ("/audit", "/resume", "/back", "/skip", "/status", "/help")


class Unavailable(Exception):
    """The collector cannot be reached: say so on a page of its own."""


def render(request: web.Request, template: str, context: dict, status: int = 200) -> web.Response:
    return aiohttp_jinja2.render_template(template, request, context, status=status)


def message_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    return render(request, "message.html", {"title": title, "message": message}, status=status)


URLSAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _secret_ok(secret: str | None) -> bool:
    """Our secrets are URL-safe base64: anything else is no secret of ours."""
    return bool(secret) and len(secret) <= 100 and set(secret) <= URLSAFE


def _key(secret: str) -> str:
    return csrf_for("talk:" + secret)  # a hash: the table of talks holds no secret as a key


async def talk_for(request: web.Request) -> Talk | None:
    """The signed-in browser's conversation (made on its first page), or None."""
    secret = request.cookies.get(COOKIE)
    if not _secret_ok(secret):
        return None
    assert secret is not None
    talks = request.app[TALKS]
    talk = talks.get(_key(secret))
    if talk is not None:
        return talk
    client = request.app[CLIENT].for_session(secret)
    try:
        me = await client.me(None)
    except CollectorUnavailable:
        raise Unavailable from None
    except CollectorError:
        return None  # ended, idle, disabled: sign in again
    # No Telegram id from the web (a web-only member has none): the session's client names
    # the member itself (X-MAA-Session).
    who = Person(None, me.get("display_name", ""))
    chat = Chat(client, request.app[SETTINGS].telegram_bot_username)
    talk = Talk(who, chat, client, int(me["id"]), wake=request.app[WAKE])
    async with talk.lock:
        talk.turn += 1
        talk.perform(await chat.command(who, talk.state, "start", []))
        resumed = await chat.command(who, talk.state, "resume", [])
        if resumed != [Send(Screen(texts.NOTHING_IN_PROGRESS))]:
            talk.perform(resumed)
    talks.put(_key(secret), talk)
    return talk


def see_other(location: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(location)


def set_session_cookie(request: web.Request, response: web.StreamResponse, secret: str) -> None:
    """The signed-in browser's cookie, whichever way they signed in."""
    secure = request.app[SETTINGS].chat_url.startswith("https://")
    options = cookie_options(secure=secure, path=PREFIX, max_age=SESSION_LIFE)
    response.set_cookie(COOKIE, secret, **options)


def _signed_in(request: web.Request, secret: str) -> web.HTTPSeeOther:
    response = see_other(f"{PREFIX}/")
    set_session_cookie(request, response, secret)
    return response


def signin_page(request: web.Request, *, kept: str = "", status: int = 200) -> web.Response:
    """The sign-in page; the passkey button only where passkeys can work (models/passkey_site)."""
    offer = chat_passkeys(request.app[SETTINGS])
    return render(request, "signin.html", {"kept": kept, "passkeys": offer}, status=status)


# ---- signing in (the desk's one-time links and sessions, issued by the collector)
@routes.get("/chat")
async def bare(request: web.Request) -> web.StreamResponse:
    raise see_other(f"{PREFIX}/")


@routes.get("/chat/")
async def home(request: web.Request) -> web.StreamResponse:
    talk = await talk_for(request)
    if talk is None:
        return signin_page(request)
    secret = request.cookies[COOKIE]
    return render(request, "chat.html", {"talk": talk, "csrf": csrf_for(secret), "quick": QUICK})


@routes.get("/chat/signin/{secret}")
async def link_page(request: web.Request) -> web.StreamResponse:
    # Opening the link changes nothing (a link preview must not use it up): its button posts.
    return render(request, "signin_link.html", {"secret": request.match_info["secret"]})


async def _use_link(request: web.Request, secret: str) -> web.StreamResponse:
    if not _secret_ok(secret):
        return _link_refused(request)
    try:
        opened = await request.app[CLIENT].chat_sign_in(secret)
    except CollectorError:
        return _link_refused(request)
    raise _signed_in(request, opened["session"])


def _link_refused(request: web.Request) -> web.Response:
    return message_page(
        request,
        403,
        "This link cannot be used",
        "This sign-in link has been used already or has expired. Links work once, for 10 "
        "minutes: send /desk to the bot, run `maa desk-link`, or ask a coordinator for a new one.",
    )


@routes.post("/chat/signin/{secret}")
async def link_use(request: web.Request) -> web.StreamResponse:
    return await _use_link(request, request.match_info["secret"])


@routes.post("/chat/signin")
async def link_pasted(request: web.Request) -> web.StreamResponse:
    """A sign-in link pasted into the form: the desk's link works here too (same secret)."""
    pasted = str((await request.post()).get("link", "")).strip()
    secret = urlsplit(pasted).path.rstrip("/").rpartition("/")[2] if "/" in pasted else pasted
    return await _use_link(request, secret)


@routes.get("/chat/join/{code}")
async def join_page(request: web.Request) -> web.StreamResponse:
    context = {"code": request.match_info["code"], "error": None, "name": ""}
    return render(request, "join.html", context)


@routes.post("/chat/join")
async def join(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    code, name = str(form.get("code", "")).strip(), str(form.get("name", "")).strip()
    if not code or not name:
        error = "Please give both the invite code and your name."
        return render(request, "join.html", {"code": code, "error": error, "name": name}, 422)
    try:
        opened = await request.app[CLIENT].chat_join(code, name)
    except CollectorError as exc:
        context = {"code": code, "error": exc.message, "name": name}
        return render(request, "join.html", context, status=exc.status)
    raise _signed_in(request, opened["session"])


@routes.post("/chat/signout")
async def sign_out(request: web.Request) -> web.StreamResponse:
    talk = await need(request)
    with contextlib.suppress(CollectorError):  # ended already: signed out either way
        await talk.client.chat_sign_out()
    request.app[TALKS].drop(_key(request.cookies[COOKIE]))
    response = message_page(request, 200, "Signed out", "You have signed out of the chat.")
    response.del_cookie(COOKIE, path=PREFIX)
    return response


# ---- the conversation
class SignInNeeded(Exception):
    """No live session: the sign-in page, with anything typed given back."""


async def need(request: web.Request) -> Talk:
    talk = await talk_for(request)
    if talk is None:
        raise SignInNeeded
    return talk


async def _turn(
    request: web.Request,
    talk: Talk,
    said: str,
    step: Callable[[], Awaitable[list[Out]]],
    pressed: int | None = None,
) -> web.StreamResponse:
    """One engine event, one at a time per browser (a second tab waits its turn)."""
    async with talk.lock:
        talk.said(said)
        try:
            outs = await step()
        except Exception as exc:  # where it failed, never what was typed
            log.error("chat turn failed: %s", type(exc).__name__)
            outs = [Send(Screen(texts.SOMETHING_WRONG))]
        talk.perform(outs, pressed)
    if talk.client.session_ended:
        request.app[TALKS].drop(_key(request.cookies[COOKIE]))
        raise SignInNeeded
    raise see_other(f"{PREFIX}/#latest")


@routes.post("/chat/say")
async def say(request: web.Request) -> web.StreamResponse:
    talk = await need(request)
    text = str((await request.post()).get("text", "")).strip()[:MAX_TEXT]
    if not text:
        raise see_other(f"{PREFIX}/#say")
    chat, who, state = talk.chat, talk.who, talk.state
    if text.startswith("/") and len(text) > 1 and not text[1].isspace():
        name, *args = text[1:].split()
        return await _turn(request, talk, text, lambda: chat.command(who, state, name, args))
    return await _turn(request, talk, text, lambda: chat.text(who, state, text))


@routes.post("/chat/press")
async def press(request: web.Request) -> web.StreamResponse:
    talk = await need(request)
    form = await request.post()
    data, on = str(form.get("data", ""))[:64], str(form.get("on", ""))
    line_id = int(on) if on.isdigit() and len(on) < 10 else None
    line = next((x for x in talk.lines if x.id == line_id), None)
    label = next(
        (b.label for row in (line.screen.buttons if line else []) for b in row if b.data == data),
        None,
    )
    said = f"▸ {label}" if label else "▸ (a button)"
    chat, who, state = talk.chat, talk.who, talk.state
    return await _turn(
        request, talk, said, lambda: chat.button(who, state, data, line_id), pressed=line_id
    )


@routes.get("/chat/files/{n}")
async def download(request: web.Request) -> web.StreamResponse:
    talk = await need(request)
    n = request.match_info["n"]
    if not n.isdigit() or int(n) >= len(talk.documents):
        return message_page(request, 404, "Not found", "That file is no longer here.")
    doc = talk.documents[int(n)]
    return web.Response(
        body=doc.content,
        headers={"Content-Disposition": f'attachment; filename="{doc.filename}"'},
        content_type="application/octet-stream",
    )


async def kept_text(request: web.Request) -> str:
    """What a form carried when its session had ended, to give it back (never lost)."""
    if request.method != "POST":
        return ""
    try:
        return str((await request.post()).get("text", ""))[:MAX_TEXT]
    except Exception:
        return ""
