"""Getting a desk sign-in link: from the bot's /desk, and from `maa desk-link`."""

import re

import aiohttp
import pytest
from typer.testing import CliRunner

from collector.cli import app
from tests.bot_helpers import COORD, STRANGER, User

pytest_plugins = ["tests.bot_fixtures"]


async def test_desk_in_the_chat_replies_with_a_link_that_signs_in_once(bot, loopback, world):
    reply = await User(loopback, COORD).cmd("/desk", expect="Your sign-in link to the desk")
    url = re.search(r"(http\S+/desk/signin/\S+)", reply["text"]).group(1)
    assert url.startswith(world.url)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.post(url) as r:
            assert r.status == 200 and "Audit rounds" in await r.text()
            assert "Cora Coordinator" in await r.text()
        async with http.post(url) as r:
            assert r.status == 403
    await User(loopback, STRANGER).cmd("/desk", expect="I don't know you yet")


@pytest.fixture
def maa(database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAA_DATABASE_URL", database_url)
    monkeypatch.setenv("MAA_PUBLIC_URL", "https://maa.example.org")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


def test_desk_link_command_prints_one_link_and_refuses_unknown_members(maa):
    assert maa("member", "add", "--name", "Cora", "--role", "coordinator").exit_code == 0
    result = maa("desk-link", "--member", "1")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"https://maa\.example\.org/desk/signin/[\w-]{32}\n", result.stdout)
    result = maa("desk-link", "--member", "9")
    assert result.exit_code == 1 and "There is no member 9" in result.output
