"""Fixtures for the bot tests: the real Application polling a loopback Bot API server, talking
to a really running collector (tests/conftest.py). Used as a plugin: pytest_plugins."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession, web
from pydantic import SecretStr

from bot.app import build_application, running
from bot.handlers import RETRY_BASE
from models.enums import Role
from testing.loopback import LoopbackBotApi
from tests.bot_helpers import COORD, CSC, POLICE
from tests.conftest import small_round

TOKEN = "123456:TEST-TOKEN-for-the-loopback"


@pytest.fixture
async def loopback() -> AsyncIterator[LoopbackBotApi]:
    async with LoopbackBotApi("maa_test_bot") as api:
        yield api


def bot_settings(collector: Any, loopback: LoopbackBotApi, collector_url: str | None = None):
    return collector.settings.model_copy(
        update={
            "public_url": collector_url or collector.url,
            "reminders": False,  # the outbox has its own tests; here it would add messages
            "telegram_token": SecretStr(TOKEN),
            "telegram_base_url": loopback.base_url,
        }
    )


class BotRunner:
    """Start and stop real bots (each a new Application, as after a restart)."""

    def __init__(self, collector: Any, loopback: LoopbackBotApi) -> None:
        self.collector, self.loopback = collector, loopback
        self.collector_url: str | None = None
        self._stack: list[Any] = []

    async def start(self):
        app = build_application(bot_settings(self.collector, self.loopback, self.collector_url))
        app.bot_data[RETRY_BASE] = 0.3
        ctx = running(app, poll_timeout=0.5)
        await ctx.__aenter__()
        self._stack.append(ctx)
        return app

    async def stop(self) -> None:
        if self._stack:
            await self._stack.pop().__aexit__(None, None, None)


@pytest.fixture
async def bots(collector, loopback) -> AsyncIterator[BotRunner]:
    runner = BotRunner(collector, loopback)
    yield runner
    while runner._stack:
        await runner.stop()


@pytest.fixture
async def world(collector):
    """An open round (police audits C1, C2; csc all), a coordinator, a police and a csc auditor."""
    await collector.create_round(small_round())
    await collector.add_member("Cora Coordinator", Role.coordinator, telegram_id=COORD)
    await collector.add_member("Pat Police", Role.auditor, agency="police", telegram_id=POLICE)
    await collector.add_member("Cas Social", Role.auditor, agency="csc", telegram_id=CSC)
    return collector


@pytest.fixture
async def switch(bots, world) -> AsyncIterator["Switch"]:
    """A proxy in front of the collector that the bots started from `bots` go through."""
    proxy = await Switch(world.url).start()
    bots.collector_url = proxy.url
    yield proxy
    while bots._stack:  # the bots first: they may still be calling the collector
        await bots.stop()
    await proxy.stop()


@pytest.fixture
async def bot(bots, world):
    """One running bot, with the world set up."""
    return await bots.start()


class Switch:
    """A proxy in front of the collector that can be 'down' (503), to test unreachability;
    it also lists the requests the bot made."""

    def __init__(self, target: str) -> None:
        self.target, self.down, self.url = target, False, ""
        self.seen: list[tuple[str, str]] = []  # (method, path) of every request, in order
        self._runner: web.AppRunner | None = None

    async def start(self) -> "Switch":
        async def forward(request: web.Request) -> web.Response:
            self.seen.append((request.method, request.path))
            if self.down:
                return web.Response(status=503)
            async with (
                ClientSession() as http,
                http.request(
                    request.method,
                    self.target + request.path_qs,
                    headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
                    data=await request.read(),
                ) as resp,
            ):
                body = await resp.read()
                return web.Response(status=resp.status, body=body, content_type=resp.content_type)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
