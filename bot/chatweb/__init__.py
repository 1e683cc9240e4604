"""The browser chat: `/chat/` on the bot process's own web listener (MAA_CHAT_LISTEN).

The same conversation engine as Telegram and the terminal (bot/flow_commands.py), for people
whose work devices block Telegram. It signs people in with the desk's one-time links, invites
and passkeys, into the desk's sessions (issued and checked by the collector), and calls the
collector over HTTP as the signed-in member: the bot process holds no database credentials.
"""

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.chatweb import pages, passkeys
from bot.chatweb.keys import CLIENT, COOKIE, PREFIX, SETTINGS, TALKS, WAKE
from bot.chatweb.talk import Talks
from bot.client import CollectorClient
from models.logs import redact_headers
from models.settings import Settings
from models.web_guard import HEADERS, WEB_STATIC, csrf_for

log = logging.getLogger("maa.chatweb")
HERE = Path(__file__).parent
# Posts that need no session: they prove who you are themselves.
OPEN_POSTS = ("/chat/signin", "/chat/join", "/chat/passkey/")


@web.middleware
async def guard(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """CSRF on every post, the security headers, and a clear page for anything that fails."""
    response = await _handle(request, handler)
    response.headers.update(HEADERS)
    return response


async def _handle(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        if request.method == "POST" and not request.path.startswith(OPEN_POSTS):
            secret = request.cookies.get(COOKIE, "")
            # A form's field, or the header our passkey script sends with its JSON posts.
            sent = request.headers.get("X-CSRF-Token") or str(
                (await request.post()).get("csrf", "")
            )
            if not secret:
                raise pages.SignInNeeded
            if not hmac.compare_digest(sent.encode(), csrf_for(secret).encode()):
                return pages.message_page(
                    request,
                    403,
                    "This form has expired",
                    "The form was not sent from this chat, so nothing was changed. Go back, "
                    "reload the page and try again.",
                )
        return await handler(request)
    except pages.SignInNeeded:
        kept = await pages.kept_text(request)
        response = pages.signin_page(request, kept=kept, status=401)
        response.del_cookie(COOKIE, path=PREFIX)
        return response
    except pages.Unavailable:
        return pages.message_page(
            request,
            503,
            "The audit service can't be reached",
            "The audit service can't be reached just now. Nothing you typed was lost: please "
            "reload this page in a minute.",
        )
    except web.HTTPRedirection:
        raise
    except web.HTTPRequestEntityTooLarge:
        return pages.message_page(request, 413, "Too long", "That was too long to read.")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        message = {404: "There is no such page in the chat."}.get(exc.status, exc.reason)
        return pages.message_page(request, exc.status, "That did not work", message)
    except Exception:
        # The route's pattern, never the path: a sign-in link's secret is in its path.
        route = request.match_info.route.resource
        where = route.canonical if route is not None else "?"
        log.error("unhandled chat error on %s %s", request.method, where)
        return pages.message_page(
            request, 500, "Something went wrong", "Something went wrong on our side."
        )


def create_chat_app(
    settings: Settings,
    client: CollectorClient | None = None,
    wake: Callable[[], None] | None = None,
) -> web.Application:
    """The browser chat app; `client`: the bot's collector client (made here when alone),
    `wake`: the bot's outbox sender's wake-up, when this process runs one."""
    app = web.Application(client_max_size=256 * 1024, middlewares=[guard])
    own = client is None
    app[SETTINGS] = settings
    app[CLIENT] = client or CollectorClient(
        settings.collector_url, settings.service_token.get_secret_value()
    )
    app[TALKS] = Talks()
    app[WAKE] = wake
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    app.add_routes(pages.routes)
    app.add_routes(passkeys.routes)
    app.router.add_static(f"{PREFIX}/static", HERE / "static", name="chat_static")
    app.router.add_static(f"{PREFIX}/shared", WEB_STATIC, name="chat_shared")

    async def closing(app: web.Application) -> None:
        app[TALKS].close()
        if own:
            await app[CLIENT].close()

    app.on_cleanup.append(closing)
    redact_headers()  # aiohttp's error records carry headers (the session cookie)
    return app


async def serve_chat(
    settings: Settings,
    stop: asyncio.Event,
    client: CollectorClient | None = None,
    wake: Callable[[], None] | None = None,
) -> None:
    """Listen on MAA_CHAT_LISTEN until `stop` is set."""
    host, _, port = settings.chat_listen.rpartition(":")
    runner = web.AppRunner(create_chat_app(settings, client, wake), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host or "127.0.0.1", int(port or 8090)).start()
        log.info("browser chat listening on %s/chat/", settings.chat_url)
        await stop.wait()
    finally:
        await runner.cleanup()
