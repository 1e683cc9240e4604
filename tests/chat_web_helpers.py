"""Browser chat test helpers: a sign-in link, and pressing, typing and reading as a person would."""

import re
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestServer
from playwright.async_api import expect as pw_expect

from bot.chatweb import create_chat_app
from bot.chatweb.keys import SETTINGS as CHAT_SETTINGS
from collector.auth import SYSTEM
from collector.services import desk_auth
from tests.desk_helpers import localhost


@dataclass
class ChatWeb:
    url: str
    server: TestServer


async def start_chat_web(collector: Any, collector_url: str | None = None) -> ChatWeb:
    """A browser chat process's app, reaching the collector at `collector_url`."""
    settings = collector.settings.model_copy(
        update={"public_url": collector_url or collector.url, "chat_listen": "127.0.0.1:0"}
    )
    server = TestServer(create_chat_app(settings), host="127.0.0.1")
    await server.start_server()
    return ChatWeb(str(server.make_url("")).rstrip("/"), server)


async def passkey_chat(collector: Any) -> ChatWeb:
    """A chat and a desk on `localhost` (passkeys refuse IP addresses), different ports: the
    relying party is `localhost` for both, and the collector accepts both origins."""
    desk_url = localhost(collector.url)
    chat = await start_chat_web(collector, collector_url=desk_url)
    chat.url = localhost(chat.url)
    collector.settings.public_url = desk_url
    collector.settings.chat_public_url = chat.url
    chat_settings = chat.server.app[CHAT_SETTINGS]
    chat_settings.public_url, chat_settings.chat_public_url = desk_url, chat.url
    return chat


async def chat_link(collector: Any, chatweb: Any, member_id: int) -> str:
    """A one-time sign-in link (the desk's), opened in the chat."""
    async with collector.db.write() as session:
        issued = await desk_auth.issue_link(session=session, actor=SYSTEM, member_id=member_id)
    return f"{chatweb.url}/chat/signin/{issued.secret}"


def button(page: Any, label: str) -> Any:
    """An offered button whose label starts with `label` (the newest, if several)."""
    return (
        page.locator("form.buttons")
        .get_by_role("button", name=re.compile("^" + re.escape(label)))
        .last
    )


async def press(page: Any, label: str, expect: str | None = None) -> None:
    await button(page, label).click()
    await page.wait_for_load_state()
    if expect:
        await sees(page, expect)


async def say(page: Any, text: str, expect: str | None = None) -> None:
    await page.get_by_label("Type your answer").fill(text)
    await page.get_by_role("button", name="Send", exact=True).click()
    await page.wait_for_load_state()
    if expect:
        await sees(page, expect)


async def sees(page: Any, text: str) -> None:
    """The newest turn's messages show `text`."""
    await pw_expect(page.locator("li.line.bot.now", has_text=text).first).to_be_visible()


async def sign_in(page: Any, collector: Any, chatweb: Any, member_id: int) -> None:
    await page.goto(await chat_link(collector, chatweb, member_id))
    await page.get_by_role("button", name="Sign in").click()
    await sees(page, "Welcome back")
