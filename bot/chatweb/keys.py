"""Typed keys of the browser chat's aiohttp app."""

from collections.abc import Callable

from aiohttp import web

from bot.chatweb.talk import Talks
from bot.client import CollectorClient
from models.settings import Settings

COOKIE = "maa_chat"
PREFIX = "/chat"

SETTINGS = web.AppKey("chat_settings", Settings)
CLIENT = web.AppKey("chat_client", CollectorClient)  # the bot's; each browser acts through it
TALKS = web.AppKey("chat_talks", Talks)
WAKE = web.AppKey("chat_wake", Callable[[], None] | None)  # type: ignore[arg-type]
