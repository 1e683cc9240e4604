"""The coordinator's desk: server-rendered pages under /desk/, live by Server-Sent Events."""

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from collector.desk import (
    live,
    moderation,
    passkeys,
    people_pages,
    returns,
    round_pages,
    rounds,
    signin,
    writing,
    writing_section,
)
from collector.desk.board_cache import BoardCache
from collector.desk.common import desk_middleware
from collector.desk.feed import ChangeFeed
from collector.desk.keys import BOARDS, FEED
from collector.keys import DB, REPORTS
from collector.services.report_cache import ReportCache
from models.web_guard import WEB_STATIC

HERE = Path(__file__).parent


async def feed_ctx(app: web.Application) -> AsyncIterator[None]:
    app[FEED] = ChangeFeed(app[DB])
    app[FEED].start()
    yield
    await app[FEED].stop()


async def _end_streams(app: web.Application) -> None:
    # Live pages hold their connection open: end them so the server can stop.
    if FEED in app:
        await app[FEED].stop()


def setup_desk(app: web.Application) -> None:
    """Templates, routes, static files, the desk's middleware and its change feed.

    Call after the database's cleanup context is added (the feed reads the database).
    """
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["words"] = lambda v: str(v).replace("_", " ")
    app.middlewares.append(desk_middleware)
    app[BOARDS] = BoardCache()
    app[REPORTS] = ReportCache()  # the writing pages' and the API's (api/report_text.py)
    for module in (
        signin,
        rounds,
        round_pages,
        returns,
        live,
        people_pages,
        passkeys,
        writing,
        writing_section,
        moderation,
    ):
        app.add_routes(module.routes)
    app.router.add_static("/desk/static", HERE / "static", name="desk_static")
    app.router.add_static("/desk/shared", WEB_STATIC, name="desk_shared")
    app.cleanup_ctx.append(feed_ctx)
    app.on_shutdown.append(_end_streams)
