"""The browser chat's sign-in and sessions over plain HTTP (no browser): the collector's side
(`/api/chat/*`, `X-MAA-Session` checked in the one auth place) and the chat's pages."""

import logging
import re
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from collector.auth import SYSTEM
from collector.cli import app
from collector.services import desk_auth, members
from models.base import utcnow
from models.desk import DeskSession
from models.enums import Role
from models.people import InviteCreate
from tests.chat_web_helpers import chat_link
from tests.conftest import SERVICE_TOKEN, small_round

pytest_plugins = ["tests.chat_web_fixtures"]
CHAT_URL = "http://chat.example.test"


@pytest.fixture
def settings(settings):
    """The collector knows where the browser chat is (its invites show the link)."""
    return settings.model_copy(update={"chat_public_url": CHAT_URL})


def as_session(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-MAA-Session": secret}


async def session_for(collector, member_id: int) -> str:
    link = await chat_link(collector, type("W", (), {"url": ""})(), member_id)
    secret = link.rsplit("/", 1)[1]
    status, body = await collector.call(
        "POST", "/api/chat/sessions", token=SERVICE_TOKEN, json={"link": secret}
    )
    assert status == 201, body
    return body["session"]


async def test_a_link_opens_a_session_once_and_the_session_acts_for_its_member(collector):
    await collector.create_round(small_round())
    nia = await collector.add_member("Nia Web", Role.auditor, agency="police")
    link = await chat_link(collector, type("W", (), {"url": ""})(), nia)
    secret = link.rsplit("/", 1)[1]
    status, body = await collector.call(
        "POST", "/api/chat/sessions", token=SERVICE_TOKEN, json={"link": secret}
    )
    assert status == 201 and body["member_id"] == nia and body["display_name"] == "Nia Web"
    status, again = await collector.call(
        "POST", "/api/chat/sessions", token=SERVICE_TOKEN, json={"link": secret}
    )
    assert status == 403 and again["error"] == "link_refused"

    status, me = await collector.call("GET", "/api/me", headers=as_session(body["session"]))
    assert status == 200 and me["id"] == nia and me["telegram_id"] is None
    # Writes act as that member, with the agency's limits.
    status, ret = await collector.call(
        "POST", "/api/returns", headers=as_session(body["session"]),
        json={"round": "r-2026", "case": "C3"},
    )  # fmt: skip
    assert status == 403, ret  # police is not expected to audit C3
    status, ret = await collector.call(
        "POST", "/api/returns", headers=as_session(body["session"]),
        json={"round": "r-2026", "case": "C1"},
    )  # fmt: skip
    assert status == 200
    status, saved = await collector.call(
        "PUT", f"/api/returns/{ret['id']}/answers/involvement",
        headers=as_session(body["session"]), json={"value": "throughout"},
    )  # fmt: skip
    assert status == 200 and saved["answers"]["involvement"] == "throughout"


async def test_only_the_bot_opens_sessions_and_a_session_needs_the_service_token(collector):
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    token = await collector.token_for(coord)
    status, body = await collector.call(
        "POST", "/api/chat/sessions", token=token, json={"link": "x" * 32}
    )
    assert status == 403 and body["error"] == "forbidden"
    secret = await session_for(collector, coord)
    # The session's secret alone (a stolen cookie) is no API credential.
    status, body = await collector.call("GET", "/api/me", token=secret)
    assert status == 401
    status, body = await collector.call(
        "GET", "/api/me", headers={"Authorization": "Bearer nope", "X-MAA-Session": secret}
    )
    assert status == 401
    for bad in ("", "é" * 5, "x" * 101, "not a secret"):
        status, body = await collector.call("GET", "/api/me", headers=as_session(bad))
        assert status == 401 and body["error"] in ("session_ended", "unauthorized"), bad


async def test_ended_idle_and_disabled_sessions_are_refused(collector):
    await collector.create_round(small_round())
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    pat = await collector.add_member("Pat", Role.auditor, agency="police")
    ended = await session_for(collector, pat)
    status, _ = await collector.call("POST", "/api/chat/signout", headers=as_session(ended))
    assert status == 200
    status, body = await collector.call("GET", "/api/me", headers=as_session(ended))
    assert status == 401 and body["error"] == "session_ended"

    idle = await session_for(collector, pat)
    async with collector.db.write() as session:
        await session.execute(update(DeskSession).values(seen_at=utcnow() - timedelta(minutes=31)))
    status, body = await collector.call("GET", "/api/me", headers=as_session(idle))
    assert status == 401 and body["error"] == "session_ended"

    live = await session_for(collector, pat)
    status, _ = await collector.call("GET", "/api/me", headers=as_session(live))
    assert status == 200
    coord_token = await collector.token_for(coord)
    status, _ = await collector.call("POST", f"/api/members/{pat}/disable", token=coord_token)
    assert status == 200
    status, body = await collector.call("GET", "/api/me", headers=as_session(live))
    assert status in (401, 403) and body["error"] in ("session_ended", "member_disabled")


async def test_a_session_in_use_is_kept_alive(collector):
    await collector.create_round(small_round())
    pat = await collector.add_member("Pat", Role.auditor, agency="police")
    secret = await session_for(collector, pat)
    async with collector.db.write() as session:
        await session.execute(update(DeskSession).values(seen_at=utcnow() - timedelta(minutes=20)))
    status, _ = await collector.call("GET", "/api/me", headers=as_session(secret))
    assert status == 200
    async with collector.db.read() as session:
        row = (await session.execute(DeskSession.__table__.select())).first()
    assert utcnow() - row.seen_at < timedelta(minutes=1)  # touched: idle counts from now


async def test_an_invite_opened_in_the_browser_makes_a_web_only_member(collector, chatweb):
    await collector.create_round(small_round())
    async with collector.db.write() as session:
        issued = await members.issue_invite(
            session=session, actor=SYSTEM, data=InviteCreate(role=Role.auditor, agency="police")
        )
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(f"{chatweb.url}/chat/join/{issued.code}") as r:
            assert r.status == 200 and "Join the audit" in await r.text()
        form = {"code": issued.code, "name": "Nia <b>Web</b>"}
        async with http.post(f"{chatweb.url}/chat/join", data=form) as r:
            page = await r.text()
            assert r.status == 200 and str(r.url).endswith("/chat/")
            assert "Welcome back, Nia &lt;b&gt;Web&lt;/b&gt; (auditor, Police)" in page
        async with http.post(f"{chatweb.url}/chat/join", data=form) as r:
            assert r.status == 410 and "already been used" in await r.text()
    async with collector.db.read() as session:
        found = [m for m in await members.list_members(session=session, actor=SYSTEM)]
    assert [(m.display_name, m.telegram_id) for m in found] == [("Nia <b>Web</b>", None)]


async def test_pages_refuse_bad_input_clearly_and_log_no_secret(collector, chatweb, caplog):
    await collector.create_round(small_round())
    caplog.set_level(logging.DEBUG)
    pat = await collector.add_member("Pat", Role.auditor, agency="police")
    link = await chat_link(collector, chatweb, pat)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(link) as r:  # opening the link uses nothing up
            assert r.status == 200 and r.headers["X-Frame-Options"] == "DENY"
        async with http.post(link) as r:
            page = await r.text()
            assert r.status == 200 and "Welcome back, Pat" in page
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        async with http.post(link) as r:
            assert r.status == 403 and "used already or has expired" in await r.text()
        async with http.post(f"{chatweb.url}/chat/say", data={"text": "/audit"}) as r:
            assert r.status == 403 and "This form has expired" in await r.text()
        async with http.post(f"{chatweb.url}/chat/press", data={"csrf": csrf, "data": "zz"}) as r:
            assert r.status == 200 and "out of date" in await r.text()
        async with http.get(f"{chatweb.url}/chat/files/99") as r:
            assert r.status == 404
        async with http.get(f"{chatweb.url}/chat/nowhere") as r:
            assert r.status == 404 and "no such page" in await r.text()
        async with http.post(f"{chatweb.url}/chat/signout", data={"csrf": csrf}) as r:
            assert r.status == 200 and "signed out" in await r.text()
    # Typed while the session ended elsewhere (signed out everywhere): refused, given back.
    link = await chat_link(collector, chatweb, pat)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.post(link) as r:
            csrf = re.search(r'name="csrf" value="([^"]+)"', await r.text()).group(1)
        async with collector.db.write() as session:
            await desk_auth.end_sessions(session=session, actor=SYSTEM, member_id=pat)
        form = {"csrf": csrf, "text": "My long answer about C1"}
        async with http.post(f"{chatweb.url}/chat/say", data=form) as r:
            page = await r.text()
            assert r.status == 401 and "not saved" in page
            assert "My long answer about C1</textarea>" in page
        async with http.get(f"{chatweb.url}/chat/") as r:
            assert "Sign in to the audit chat" in await r.text()
    secret = link.rsplit("/", 1)[1]
    assert secret not in caplog.text


def test_desk_link_prints_a_chat_link(database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAA_DATABASE_URL", database_url)
    monkeypatch.setenv("MAA_CHAT_PUBLIC_URL", "https://chat.example.org")
    runner = CliRunner()
    result = runner.invoke(app, ["member", "add", "--name", "Nia", "--role", "coordinator"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["desk-link", "--member", "1", "--chat"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"https://chat\.example\.org/chat/signin/[\w-]{32}\n", result.stdout)


async def test_the_desk_shows_an_invite_s_browser_link_which_joins(collector, chatweb):
    await collector.create_round(small_round())
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    async with collector.db.write() as session:
        issued = await desk_auth.issue_link(session=session, actor=SYSTEM, member_id=coord)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.post(f"{collector.url}/desk/signin/{issued.secret}") as r:
            assert r.status == 200
        async with http.get(f"{collector.url}/desk/invites") as r:
            csrf = re.search(r'name="csrf" value="([^"]+)"', await r.text()).group(1)
        form = {"csrf": csrf, "role": "auditor", "agency": "police", "days": "7"}
        async with http.post(f"{collector.url}/desk/invites", data=form) as r:
            page = await r.text()
    web = re.search(re.escape(CHAT_URL) + r"/chat/join/([\w-]+)", page)
    assert web and "Or, without Telegram, in a browser" in page
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        form = {"code": web.group(1), "name": "Nia"}
        async with http.post(f"{chatweb.url}/chat/join", data=form) as r:
            assert r.status == 200 and "Welcome back, Nia (auditor, Police)" in await r.text()
