"""Build the bot's Application and run it: long polling by default, a webhook when configured."""

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from aiohttp import web
from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import handlers
from bot.client import CollectorClient
from bot.flow_commands import COMMANDS, Chat
from bot.outbox import OutboxSender
from models.logs import floor, redact_headers
from models.settings import Settings

log = logging.getLogger("maa.bot")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MENU = [
    BotCommand("audit", "Choose a case to audit"),
    BotCommand("resume", "Carry on where you left off"),
    BotCommand("status", "Your agency's returns"),
    BotCommand("back", "Previous question"),
    BotCommand("skip", "Skip an optional question"),
    BotCommand("cancel", "Stop for now (answers are kept)"),
    BotCommand("help", "What I can do"),
]


def _secret(value: object) -> str:
    return value.get_secret_value() if hasattr(value, "get_secret_value") else str(value or "")


def rate_limiter() -> AIORateLimiter:
    """Telegram's flood limits as PTB's defaults: 30 chat-bound requests a second across all
    chats, 20 a minute per group. bench/bot_bench.py gives its echo baseline the same one."""
    return AIORateLimiter()


def build_application(settings: Settings) -> Application:
    """The bot, pointed at settings.telegram_base_url and talking to the collector over HTTP."""
    # Below these levels the libraries log the bot's token (it is in every Bot API URL) and the
    # text of messages, which holds narrative answers: never, whatever MAA_LOG_LEVEL says.
    floor()
    client = CollectorClient(settings.collector_url, _secret(settings.service_token))

    sender = OutboxSender(None, client) if settings.reminders else None

    async def post_init(application: Application) -> None:
        application.bot_data[handlers.CHAT] = Chat(
            client, application.bot.username or settings.telegram_bot_username
        )
        with contextlib.suppress(Exception):
            await application.bot.set_my_commands(MENU)
        if sender is not None:
            # Through application.bot, so reminders share the rate limiter with replies.
            sender.bot = application.bot
            sender.start()

    async def post_shutdown(application: Application) -> None:
        if sender is not None:
            await sender.stop()
        await client.close()

    application = (
        ApplicationBuilder()
        .token(_secret(settings.telegram_token))
        .base_url(settings.telegram_base_url)
        .rate_limiter(rate_limiter())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[handlers.CLIENT] = client
    if sender is not None:
        application.bot_data[handlers.SENDER] = sender  # woken when a concern is queued
    application.add_handler(CommandHandler(list(COMMANDS), handlers.command))
    application.add_handler(MessageHandler(filters.COMMAND, handlers.command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.text))
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & ~filters.TEXT, handlers.unsupported)
    )
    application.add_error_handler(handlers.error)
    return application


def webhook_app(application: Application, secret: str, path: str = "/telegram") -> web.Application:
    """An aiohttp app that feeds authenticated webhook calls into the Application."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        # surrogateescape: a header of raw bytes is refused, not a 500 while encoding it.
        if not secret or not hmac.compare_digest(
            given.encode("utf-8", "surrogateescape"), secret.encode()
        ):
            return web.Response(status=403, text="forbidden")
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="bad update")
        await application.update_queue.put(update)
        return web.Response(text="ok")

    redact_headers()  # aiohttp logs unparseable requests with their headers (the secret)
    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    return app


async def run_webhook(
    settings: Settings, stop: asyncio.Event | None = None, application: Application | None = None
) -> None:
    """Webhook mode: register MAA_WEBHOOK_URL with the secret, listen on MAA_WEBHOOK_LISTEN."""
    application = application or build_application(settings)
    secret = _secret(settings.webhook_secret)
    if not secret:
        raise ValueError("webhook mode needs MAA_WEBHOOK_SECRET")
    path = urlsplit(settings.webhook_url).path or "/telegram"
    host, _, port = settings.webhook_listen.rpartition(":")
    async with application:
        await application.post_init(application)
        await application.start()
        runner = web.AppRunner(webhook_app(application, secret, path), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host or "127.0.0.1", int(port or 8443)).start()
        log.info("bot listening for webhook calls on %s", settings.webhook_listen)
        # Registered once listening: Telegram may call as soon as it knows the URL.
        await application.bot.set_webhook(
            settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
        )
        try:
            await (stop or asyncio.Event()).wait()
        finally:
            await runner.cleanup()
            await application.stop()
            await application.post_shutdown(application)


@contextlib.asynccontextmanager
async def running(application: Application, poll_timeout: float = 10.0) -> AsyncIterator[None]:
    """Poll inside an already running event loop (tests; the `maa` composition root)."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.updater.start_polling(timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)
    await application.start()
    try:
        yield
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


async def run_until(settings: Settings, stop: asyncio.Event) -> None:
    """Run the bot in this event loop until `stop` is set: polling unless MAA_WEBHOOK_URL is set;
    with MAA_CHAT_LISTEN, the browser chat beside it (sharing its client and outbox sender)."""
    application = build_application(settings)
    chat = _chat_beside(settings, application, stop)
    try:
        if settings.webhook_url:
            await run_webhook(settings, stop, application)
            return
        async with running(application):
            log.info("bot polling %s", urlsplit(settings.telegram_base_url).netloc)
            await stop.wait()
    finally:
        if chat is not None:
            if not chat.done():
                chat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await chat


def _chat_beside(
    settings: Settings, application: Application, stop: asyncio.Event
) -> "asyncio.Task[None] | None":
    if not settings.chat_listen:
        return None
    from bot.chatweb import serve_chat

    sender = application.bot_data.get(handlers.SENDER)
    client = application.bot_data[handlers.CLIENT]
    wake = sender.wake if sender is not None else None
    return asyncio.get_running_loop().create_task(serve_chat(settings, stop, client, wake))
