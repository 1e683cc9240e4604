"""Work the collector does by itself on a timer: the daily retention run."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from collector.auth import SYSTEM
from collector.keys import DB, SETTINGS
from collector.services import retention
from models.base import utcnow

log = logging.getLogger("maa.retention")
FIRST_RUN_DELAY = 60.0  # seconds after start: let the service settle before the first run


async def retention_loop(app: web.Application, every: float) -> None:
    """Run retention now and then every `every` seconds. Safe with several replicas: each round
    is removed under a row lock, and a replica that comes second finds it done."""
    await asyncio.sleep(min(FIRST_RUN_DELAY, every))
    while True:
        try:
            done = await retention.apply_due(app[DB], SYSTEM, utcnow())
            if done:
                log.info("retention removed the answers of %d round(s): %s", len(done), done)
        except Exception:  # a failed run must not stop the next; the slugs carry no narrative
            log.exception("retention run failed; it is tried again at the next interval")
        await asyncio.sleep(every)


async def retention_ctx(app: web.Application) -> AsyncIterator[None]:
    hours = app[SETTINGS].retention_check_hours
    task = asyncio.create_task(retention_loop(app, hours * 3600)) if hours > 0 else None
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
