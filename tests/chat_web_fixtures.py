"""Fixtures for the browser chat: its aiohttp app (bot/chatweb) served on loopback, calling a
really running collector (tests/conftest.py) over HTTP, as `maa chat-web` does. A plugin:
pytest_plugins. Helpers for driving the page: tests/chat_web_helpers.py."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.chat_web_helpers import ChatWeb, start_chat_web


@pytest.fixture
async def chatweb(collector: Any) -> AsyncIterator[ChatWeb]:
    web = await start_chat_web(collector)
    yield web
    await web.server.close()
