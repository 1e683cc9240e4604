"""Fixtures for the browser chat: its aiohttp app (bot/chatweb) served on loopback, calling a
really running collector (tests/conftest.py) over HTTP, as `maa chat-web` does. A plugin:
pytest_plugins. Helpers for driving the page: tests/chat_web_helpers.py."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.chatweb import create_chat_app


@dataclass
class ChatWeb:
    url: str
    server: TestServer

    @property
    def app(self) -> Any:
        return self.server.app


async def start_chat_web(collector: Any, collector_url: str | None = None) -> ChatWeb:
    """A browser chat process's app, reaching the collector at `collector_url`."""
    settings = collector.settings.model_copy(
        update={"public_url": collector_url or collector.url, "chat_listen": "127.0.0.1:0"}
    )
    server = TestServer(create_chat_app(settings), host="127.0.0.1")
    await server.start_server()
    return ChatWeb(str(server.make_url("")).rstrip("/"), server)


@pytest.fixture
async def chatweb(collector: Any) -> AsyncIterator[ChatWeb]:
    web = await start_chat_web(collector)
    yield web
    await web.server.close()
