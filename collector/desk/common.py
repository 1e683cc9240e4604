"""What every desk page shares: who is signed in, CSRF, security headers, error pages."""

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from collector.auth import Actor
from collector.errors import DomainError
from collector.keys import DB, SETTINGS
from collector.services import desk_auth
from models.enums import Role
from models.web_guard import HEADERS, cookie_options, csrf_for

log = logging.getLogger("maa.desk")

COOKIE = "maa_desk"
PREFIX = "/desk"
# Posts that need no session (they prove who you are themselves).
OPEN_POSTS = ("/desk/signin/", "/desk/passkey/signin")


@dataclass(frozen=True)
class Desk:
    """The signed-in member on this request."""

    actor: Actor
    name: str
    session_id: int
    csrf: str

    @property
    def is_coordinator(self) -> bool:
        return self.actor.role == Role.coordinator

    @property
    def role_words(self) -> str:
        return (self.actor.role or "").replace("_", " ")


ME = web.RequestKey("desk_me", Desk)


class SignInNeeded(Exception):
    """No live session: show the sign-in page (keeping what a form carried)."""


def desk(request: web.Request) -> Desk:
    found = request.get(ME)
    if found is None:
        raise SignInNeeded
    return found


def render(
    request: web.Request, template: str, context: dict[str, Any], status: int = 200
) -> web.Response:
    context = {"me": request.get(ME), "path": request.path, **context}
    return aiohttp_jinja2.render_template(template, request, context, status=status)


def error_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    return render(request, "error.html", {"title": title, "message": message}, status=status)


TITLES = {
    400: "That did not work",
    401: "Please sign in",
    403: "Not for you",
    404: "Not found",
    405: "Not allowed",
    409: "That cannot be done now",
    410: "Gone",
    413: "Too large",
    422: "That did not work",
}


async def _who(request: web.Request) -> Desk | None:
    secret = request.cookies.get(COOKIE)
    if not secret or len(secret) > 100:
        return None
    db = request.app[DB]
    async with db.read() as session:
        found = await desk_auth.current(session=session, secret=secret)
    if found is None:
        return None
    if found.stale:
        async with db.write() as session:
            await desk_auth.touch(session=session, session_id=found.session_id)
    return Desk(found.actor, found.display_name, found.session_id, csrf_for(secret))


async def _kept_fields(request: web.Request) -> list[tuple[str, str]]:
    """What a form carried, to give it back when the session ended while it was being typed."""
    if request.method != "POST":
        return []
    try:
        form = await request.post()
    except Exception:
        return []
    return [(k, v) for k, v in form.items() if isinstance(v, str) and k != "csrf" and v.strip()]


@web.middleware
async def desk_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if not request.path.startswith(PREFIX):
        return await handler(request)
    response = await _handle(request, handler)
    if not response.prepared:
        response.headers.update(HEADERS)
    return response


async def _handle(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        me = await _who(request)
        if me is not None:
            request[ME] = me
        if request.method == "POST" and not request.path.startswith(OPEN_POSTS):
            if me is None:
                raise SignInNeeded
            sent = request.headers.get("X-CSRF-Token")
            if sent is None:
                sent = str((await request.post()).get("csrf", ""))
            if not hmac.compare_digest(sent.encode(), me.csrf.encode()):
                return error_page(
                    request,
                    403,
                    "This form has expired",
                    "The form was not sent from this desk session, so nothing was changed. "
                    "Go back, reload the page and try again.",
                )
        return await handler(request)
    except SignInNeeded:
        kept = await _kept_fields(request)
        return render(request, "signin_needed.html", {"kept": kept}, status=401)
    except DomainError as exc:
        return error_page(request, exc.status, TITLES.get(exc.status, "Problem"), exc.message)
    except web.HTTPRedirection:
        raise
    except web.HTTPRequestEntityTooLarge:
        return error_page(request, 413, TITLES[413], "The file is over 1 MB: nothing was read.")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        message = {404: "There is no such page on the desk."}.get(exc.status, exc.reason)
        return error_page(request, exc.status, TITLES.get(exc.status, "Problem"), message)
    except Exception:
        # The route's pattern, never the path: a sign-in link's secret is in its path.
        route = request.match_info.route.resource
        where = route.canonical if route is not None else "?"
        log.exception("unhandled desk error on %s %s", request.method, where)
        return error_page(
            request,
            500,
            "Something went wrong",
            "Something went wrong on our side; nothing was saved.",
        )


def secure_cookies(request: web.Request) -> bool:
    return request.app[SETTINGS].collector_url.startswith("https://")


def set_session_cookie(request: web.Request, response: web.StreamResponse, secret: str) -> None:
    options = cookie_options(
        secure=secure_cookies(request),
        path=PREFIX,
        max_age=int(desk_auth.ABSOLUTE.total_seconds()),
    )
    response.set_cookie(COOKIE, secret, **options)


def see_other(location: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(location)


def public_base(request: web.Request) -> str:
    """MAA_PUBLIC_URL when set; otherwise the address this request was made to."""
    public = request.app[SETTINGS].public_url
    return public.rstrip("/") if public else str(request.url.origin())


def signin_url(base: str, secret: str) -> str:
    return f"{base}/desk/signin/{secret}"
