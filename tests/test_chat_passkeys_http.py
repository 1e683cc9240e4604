"""Passkeys for the browser chat over plain HTTP: where they can work (models/passkey_site), the
collector's routes (`/api/chat/passkey*`) and the chat's, refusing bad input clearly.
A real passkey's round trip is in tests/test_chat_web_passkeys.py (Chromium)."""

import base64
import json
import logging
import re

import aiohttp
import pytest
from sqlalchemy import update

from bot.chatweb.keys import SETTINGS as CHAT_SETTINGS
from collector.auth import SYSTEM
from collector.services import desk_auth
from models.base import utcnow
from models.desk import PasskeyChallenge
from models.enums import Role
from models.passkey_site import chat_passkeys, origin_of, relying_party
from models.settings import Settings
from tests.chat_web_helpers import chat_link, passkey_chat, start_chat_web
from tests.conftest import SERVICE_TOKEN, small_round
from tests.desk_helpers import localhost

pytest_plugins = ["tests.chat_web_fixtures"]

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def conf(public: str, chat: str = "", listen: str = "") -> Settings:
    return Settings(public_url=public, chat_public_url=chat, chat_listen=listen, _env_file=None)


def test_the_chat_gets_passkeys_only_on_the_desk_s_host_or_a_subdomain_of_it():
    both = relying_party(conf("https://maa.example.org/", "https://chat.maa.example.org"))
    assert both.rp_id == "maa.example.org"
    assert both.origins == ("https://maa.example.org", "https://chat.maa.example.org")
    same_host = relying_party(conf("http://localhost:8080", "http://localhost:8090"))
    assert same_host.origins == ("http://localhost:8080", "http://localhost:8090")
    assert chat_passkeys(conf("https://maa.example.org", "https://maa.example.org:443/"))
    assert relying_party(conf("https://maa.example.org", "https://maa.example.org")).origins == (
        "https://maa.example.org",
    )
    # A parent domain, a look-alike, another site, an IP address, or no chat at all: not offered.
    for public, chat in (
        ("https://maa.example.org", "https://example.org"),
        ("https://maa.example.org", "https://evilmaa.example.org"),
        ("https://maa.example.org", "https://chat.example.net"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8090"),
        ("https://maa.example.org", ""),
    ):
        settings = conf(public, chat)
        assert not chat_passkeys(settings), (public, chat)
        assert relying_party(settings).origins == (origin_of(public),)
    # The chat's listen address when it has no public one; the desk's page address when
    # MAA_PUBLIC_URL is unset.
    assert chat_passkeys(conf("http://localhost:8080", listen="localhost:8090"))
    asked = relying_party(conf(""), asked="http://desk.example.org:8080/desk/account")
    assert asked.rp_id == "desk.example.org"
    assert asked.origins == ("http://desk.example.org:8080",)


@pytest.fixture
def settings(settings):
    """A desk and a chat whose hosts fit (no browser is involved in these tests)."""
    return settings.model_copy(
        update={
            "public_url": "https://maa.example.test",
            "chat_public_url": "https://chat.maa.example.test",
        }
    )


def client_data(challenge: str) -> str:
    raw = json.dumps({"type": "webauthn.get", "challenge": challenge, "origin": "x"}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def session_for(collector, member_id: int) -> str:
    secret = (await chat_link(collector, type("W", (), {"url": ""})(), member_id)).rsplit("/")[-1]
    status, body = await collector.call(
        "POST", "/api/chat/sessions", token=SERVICE_TOKEN, json={"link": secret}
    )
    assert status == 201, body
    return body["session"]


async def test_the_collector_s_sign_in_routes_refuse_bad_input_with_4xx_json(collector):
    await collector.create_round(small_round())
    pat = await collector.add_member("Pat", Role.auditor, agency="police")
    status, body = await collector.call("POST", "/api/chat/passkey/options")
    assert status == 401, body
    status, body = await collector.call(
        "POST", "/api/chat/passkey/options", token=await collector.token_for(pat)
    )
    assert status == 403 and body["error"] == "forbidden"  # only the bot's service token
    status, options = await collector.call("POST", "/api/chat/passkey/options", headers=SERVICE)
    assert status == 200 and options["rpId"] == "maa.example.test" and options["challenge"]

    signin = "/api/chat/passkey/signin"
    status, body = await collector.call("POST", signin, headers=SERVICE, data=b"{not json")
    assert status == 415  # not sent as JSON
    status, body = await collector.call(
        "POST", signin, headers={**SERVICE, "Content-Type": "application/json"}, data=b"{not"
    )
    assert status == 400 and body["error"] == "invalid_json"
    for bad in ({}, {"credential": "x"}, {"credential": []}):
        status, body = await collector.call("POST", signin, headers=SERVICE, json=bad)
        assert status == 400 and body["error"] == "invalid_request", (bad, body)
    status, body = await collector.call("POST", signin, headers=SERVICE, json={"credential": {}})
    assert status == 400 and body["error"] == "bad_passkey"
    stranger = {"id": "AAAA", "response": {"clientDataJSON": client_data("not-ours")}}
    status, body = await collector.call(
        "POST", signin, headers=SERVICE, json={"credential": stranger}
    )
    assert status == 403 and body["error"] == "passkey_expired"
    # Challenges are base64url: a NUL (which PostgreSQL refuses) or a number is no challenge.
    for odd in ("a\x00b", 7, ""):
        raw = base64.urlsafe_b64encode(json.dumps({"challenge": odd}).encode()).decode()
        weird = {"id": "AAAA", "response": {"clientDataJSON": raw}}
        status, body = await collector.call(
            "POST", signin, headers=SERVICE, json={"credential": weird}
        )
        assert status == 400 and body["error"] == "bad_passkey", (odd, body)
    # Our challenge, but a passkey nobody registered (or an id that is no id).
    for odd_id in ("not base64!", 12):
        status, options = await collector.call("POST", "/api/chat/passkey/options", headers=SERVICE)
        odd = {"id": odd_id, "response": {"clientDataJSON": client_data(options["challenge"])}}
        status, body = await collector.call(
            "POST", signin, headers=SERVICE, json={"credential": odd}
        )
        assert status == 403 and body["error"] == "unknown_passkey", (odd_id, body)
    status, options = await collector.call("POST", "/api/chat/passkey/options", headers=SERVICE)
    unknown = {"id": "AAAA", "response": {"clientDataJSON": client_data(options["challenge"])}}
    status, body = await collector.call(
        "POST", signin, headers=SERVICE, json={"credential": unknown}
    )
    assert status == 403 and body["error"] == "unknown_passkey"
    assert "not registered" in body["message"]
    # A challenge past its five minutes: expired, whatever it carries.
    status, options = await collector.call("POST", "/api/chat/passkey/options", headers=SERVICE)
    async with collector.db.write() as session:
        await session.execute(update(PasskeyChallenge).values(expires_at=utcnow()))
    late = {"id": "AAAA", "response": {"clientDataJSON": client_data(options["challenge"])}}
    status, body = await collector.call("POST", signin, headers=SERVICE, json={"credential": late})
    assert status == 403 and body["error"] == "passkey_expired"
    assert "expired" in body["message"]


async def test_registering_needs_a_chat_session_and_a_fitting_address(collector):
    await collector.create_round(small_round())
    pat = await collector.add_member("Pat", Role.auditor, agency="police")
    secret = await session_for(collector, pat)
    as_session = {**SERVICE, "X-MAA-Session": secret}
    for method, path in (
        ("GET", "/api/chat/passkeys"),
        ("POST", "/api/chat/passkeys/options"),
    ):
        status, body = await collector.call(method, path, headers=SERVICE)
        assert status == 401 and body["error"] == "unauthorized", (path, body)
    status, body = await collector.call("GET", "/api/chat/passkeys", headers=as_session)
    assert status == 200 and body == {"passkeys": 0}
    status, options = await collector.call("POST", "/api/chat/passkeys/options", headers=as_session)
    assert status == 200 and options["rp"]["id"] == "maa.example.test"
    assert options["user"]["name"] == f"member-{pat}"
    status, body = await collector.call(
        "POST", "/api/chat/passkeys", headers=as_session, json={"credential": {"id": "x"}}
    )
    assert status == 400 and body["error"] == "bad_passkey"
    # Someone else's registration challenge is not this member's to answer.
    other = await collector.add_member("Ola", Role.auditor, agency="police")
    theirs = await session_for(collector, other)
    status, options = await collector.call(
        "POST", "/api/chat/passkeys/options", headers={**SERVICE, "X-MAA-Session": theirs}
    )
    foreign = {"id": "AAAA", "response": {"clientDataJSON": client_data(options["challenge"])}}
    status, body = await collector.call(
        "POST", "/api/chat/passkeys", headers=as_session, json={"credential": foreign}
    )
    assert status == 403 and body["error"] == "passkey_expired", body
    # The chat moved to another site: the collector says passkeys cannot work there.
    collector.settings.chat_public_url = "https://chat.example.net"
    for path, headers in (
        ("/api/chat/passkey/options", SERVICE),
        ("/api/chat/passkeys/options", as_session),
    ):
        status, body = await collector.call("POST", path, headers=headers)
        assert status == 409 and body["error"] == "passkeys_unavailable", body
        assert "MAA_CHAT_PUBLIC_URL" in body["message"]


async def test_the_chat_s_passkey_routes_answer_json_and_log_no_secret(collector, caplog):
    caplog.set_level(logging.DEBUG)
    await collector.create_round(small_round())
    pat = await collector.add_member("Pat", Role.auditor, agency="police")
    chat = await passkey_chat(collector)
    try:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            async with http.get(f"{chat.url}/chat/") as r:
                page = await r.text()
                assert "Sign in with a passkey" in page and "data-passkey-signin hidden" in page
                assert '<script src="/chat/shared/passkeys.js" defer>' in page
            async with http.get(f"{chat.url}/chat/shared/passkeys.js") as r:
                assert r.status == 200 and "navigator.credentials.get" in await r.text()
            async with http.post(f"{chat.url}/chat/passkey/options") as r:
                options = await r.json()
                assert r.status == 200 and options["rpId"] == "localhost"
            as_json = {"Content-Type": "application/json"}
            async with http.post(f"{chat.url}/chat/passkey/signin", data=b"{}") as r:
                assert r.status == 415 and (await r.json())["error"] == "unsupported_media_type"
            for raw, code in ((b"{nope", "invalid_json"), (b"[1]", "invalid_json")):
                async with http.post(
                    f"{chat.url}/chat/passkey/signin", data=raw, headers=as_json
                ) as r:
                    body = await r.json()
                    assert r.status == 400 and body["error"] == code, body
                    assert body["message"] == "That was not a passkey response: try again."
            async with http.post(f"{chat.url}/chat/passkey/signin", json={"id": "x"}) as r:
                body = await r.json()
                assert r.status == 400 and body["error"] == "bad_passkey", body
            async with http.post(
                f"{chat.url}/chat/passkey/signin", data=b"x" * 70_000, headers=as_json
            ) as r:
                assert r.status == 413 and (await r.json())["error"] == "too_large"
            # Not signed in: registering is refused (the sign-in page, for a person).
            async with http.post(f"{chat.url}/chat/passkeys/options", json={}) as r:
                assert r.status == 401 and "Sign in to the audit chat" in await r.text()
            async with http.get(f"{chat.url}/chat/passkeys") as r:
                assert r.status == 401 and "Sign in to the audit chat" in await r.text()

            async with http.post(await chat_link(collector, chat, pat)) as r:
                page = await r.text()
                assert "Welcome back, Pat" in page and 'href="/chat/passkeys"' in page
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            async with http.get(f"{chat.url}/chat/passkeys") as r:
                page = await r.text()
                assert r.status == 200 and "You have 0 passkeys." in page
                assert "Register a passkey on this device" in page
            async with http.post(f"{chat.url}/chat/passkeys/options", json={}) as r:
                assert r.status == 403 and "This form has expired" in await r.text()
            token = {"X-CSRF-Token": csrf}
            async with http.post(f"{chat.url}/chat/passkeys/options", json={}, headers=token) as r:
                body = await r.json()
                assert r.status == 200 and body["rp"]["id"] == "localhost"
            async with http.post(
                f"{chat.url}/chat/passkeys", data=b"{", headers={**token, **as_json}
            ) as r:
                assert r.status == 400 and (await r.json())["error"] == "invalid_json"
            async with http.post(f"{chat.url}/chat/passkeys", json={"id": "x"}, headers=token) as r:
                body = await r.json()
                assert r.status == 400 and body["error"] == "bad_passkey"
                assert body["message"] == "That is not a passkey response."
            cookie = next(c.value for c in jar if c.key == "maa_chat")
            # The session ends elsewhere: the script is told to sign in again, in JSON.
            async with collector.db.write() as session:
                await desk_auth.end_sessions(session=session, actor=SYSTEM, member_id=pat)
            async with http.post(f"{chat.url}/chat/passkeys", json={"id": "x"}, headers=token) as r:
                body = await r.json()
                assert r.status == 401 and body["error"] == "session_ended", body
        assert cookie not in caplog.text
    finally:
        await chat.server.close()


async def test_no_passkey_button_where_passkeys_cannot_work(collector, chatweb):
    """The usual test chat is on 127.0.0.1: an IP address cannot hold a passkey."""
    chatweb.server.app[CHAT_SETTINGS].chat_public_url = ""  # plain http: a cookie it can send
    await collector.create_round(small_round())
    pat = await collector.add_member("Pat", Role.auditor, agency="police")
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(f"{chatweb.url}/chat/") as r:
            page = await r.text()
            assert "Sign in to the audit chat" in page and "passkey" not in page.lower()
        async with http.post(f"{chatweb.url}/chat/passkey/options") as r:
            body = await r.json()
            assert r.status == 409 and body["error"] == "passkeys_unavailable"
        async with http.post(await chat_link(collector, chatweb, pat)) as r:
            assert r.status == 200
        async with http.get(f"{chatweb.url}/chat/passkeys") as r:
            page = await r.text()
            assert "Passkeys cannot be used in the chat at this address" in page
            assert "passkeys.js" not in page and "Register a passkey" not in page


async def test_the_chat_says_when_the_collector_cannot_be_reached(collector):
    chat = await start_chat_web(collector, collector_url="http://localhost:9")  # nobody there
    chat.server.app[CHAT_SETTINGS].chat_public_url = localhost(chat.url)
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{chat.url}/chat/passkey/options") as r,
        ):
            body = await r.json()
            assert r.status == 503 and "can't be reached" in body["message"]
    finally:
        await chat.server.close()
