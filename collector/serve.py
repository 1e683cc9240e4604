"""Run the collector (and the bot beside it) until interrupted."""

import asyncio
import contextlib
import logging
import signal

from aiohttp import web

from collector.app import create_app
from models.settings import Settings

log = logging.getLogger("maa")


async def serve_forever(settings: Settings, *, with_bot: bool) -> None:
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    log.info("collector listening on http://%s:%s", settings.host, settings.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    bot = None
    try:
        if with_bot and settings.telegram_token.get_secret_value():
            from bot.app import start_bot

            bot = await start_bot(settings)
        elif with_bot:
            log.info("bot not started: set MAA_TELEGRAM_TOKEN to run it")
        await stop.wait()
    finally:
        if bot is not None:
            from bot.app import stop_bot

            await stop_bot(bot)
        await runner.cleanup()
