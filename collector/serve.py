"""Run the collector (and the bot beside it) until interrupted."""

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from aiohttp import web

from collector.app import create_app
from collector.startup import listen_failure
from models.settings import Settings

log = logging.getLogger("maa")


async def until_signalled(work: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `work(stop)`, setting `stop` on SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await work(stop)


async def serve(settings: Settings, stop: asyncio.Event, *, with_bot: bool) -> None:
    """The collector on host:port, and the bot when asked for and a token is set."""
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, settings.host, settings.port).start()
        except OSError as exc:
            raise listen_failure(exc, settings.host, settings.port) from None
        log.info("collector listening on http://%s:%s", settings.host, settings.port)
        if with_bot and settings.telegram_token.get_secret_value():
            from bot.app import run_until

            await run_until(settings, stop)
        elif with_bot and settings.chat_listen:  # the browser chat alone: no Telegram at all
            from bot.chatweb import serve_chat

            await serve_chat(settings, stop)
        else:
            if with_bot:
                log.info("bot not started: set MAA_TELEGRAM_TOKEN to run it")
            await stop.wait()
    finally:
        await runner.cleanup()


async def serve_forever(settings: Settings, *, with_bot: bool) -> None:
    await until_signalled(lambda stop: serve(settings, stop, with_bot=with_bot))
