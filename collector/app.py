"""The collector's aiohttp application."""

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from collector import sealing
from collector.api import (
    actions,
    chat_passkeys,
    chat_sessions,
    concerns,
    desk_links,
    metrics,
    moderation,
    people,
    reminders,
    report_text,
    reports,
    returns,
    rounds,
    system,
    withdraw,
)
from collector.api.metrics import measure
from collector.api.middleware import errors
from collector.api.routing import Api
from collector.db import database
from collector.desk import setup_desk
from collector.jobs import retention_ctx
from collector.keys import DB, ENDPOINTS, METRICS, SETTINGS
from collector.metrics import Metrics
from collector.migrate import upgrade
from models.logs import redact_headers
from models.screen_names import first_names
from models.settings import Settings

log = logging.getLogger("maa.collector")


def endpoints() -> Api:
    api = Api()
    for module in (
        system,
        people,
        rounds,
        returns,
        reports,
        report_text,
        reminders,
        actions,
        concerns,
        withdraw,
        metrics,
        desk_links,
        moderation,
        chat_sessions,
        chat_passkeys,
    ):
        api.include(module.api)
    return api


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    """Migrate, then hold one engine for the app's life."""
    settings = app[SETTINGS]
    sealing.configure(settings.data_key.get_secret_value())
    await upgrade(settings)
    # The name lexicon (~100 ms to read) is loaded now, off the loop, not in the first answer.
    await asyncio.to_thread(first_names)
    app[DB] = database(settings)
    app[DB].start_writer()
    yield
    await app[DB].dispose()


def create_app(settings: Settings) -> web.Application:
    redact_headers()  # aiohttp logs unparseable requests with their headers
    # measure is outermost: it sees the status the error middleware settled on.
    app = web.Application(middlewares=[measure, errors], client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    api = endpoints()
    app[ENDPOINTS] = api.endpoints
    app.add_routes(api.aiohttp_routes())
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(retention_ctx)  # after the database: it needs app[DB]
    setup_desk(app)  # the coordinator's desk under /desk/ (after the database: its feed reads it)
    return app
