"""Passkeys in the browser chat, in a real headless Chromium with a virtual authenticator
(Chrome DevTools' WebAuthn domain), against a really running collector and chat."""

import logging

import aiohttp
from playwright.async_api import expect

from collector.auth import SYSTEM
from collector.services import members, withdraw
from models.enums import Role
from models.people import InviteCreate
from tests.chat_web_helpers import passkey_chat, press, say, sees
from tests.conftest import small_round
from tests.desk_helpers import axe_check, localhost, screenshot
from tests.desk_helpers import sign_in as desk_sign_in
from tests.markers import needs_chromium

pytest_plugins = ["tests.desk_browser"]

pytestmark = needs_chromium


async def authenticator(context, page) -> None:
    """A platform authenticator that verifies its user, as a laptop's would."""
    cdp = await context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable")
    await cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


async def invite(collector) -> str:
    async with collector.db.write() as session:
        issued = await members.issue_invite(
            session=session, actor=SYSTEM, data=InviteCreate(role=Role.auditor, agency="police")
        )
    return issued.code


async def test_a_web_only_auditor_registers_a_passkey_and_signs_back_in_where_they_stood(
    collector, context, caplog
):
    caplog.set_level(logging.DEBUG)
    await collector.create_round(small_round())
    chat = await passkey_chat(collector)
    try:
        page = await context.new_page()
        await authenticator(context, page)
        await page.goto(f"{chat.url}/chat/join/{await invite(collector)}")
        await page.get_by_label("Your name").fill("Nia Web")
        await page.get_by_role("button", name="Join").click()
        await sees(page, "Nia Web (auditor, Police)")
        await say(page, "/audit", expect="Which case would you like to audit?")
        await press(page, "C1", expect="Question 1 of 11")
        await press(page, "Some involvement", expect="Question 2 of 11")
        await press(page, "Good", expect="Question 3 of 11")

        await page.get_by_role("link", name="Passkeys").click()
        await expect(page.get_by_role("heading", name="Passkeys")).to_be_visible()
        await expect(page.get_by_text("You have 0 passkeys.")).to_be_visible()
        await axe_check(page)
        await page.get_by_role("button", name="Register a passkey on this device").click()
        await expect(page.get_by_role("status")).to_contain_text("Passkey saved")
        await expect(page.get_by_text("You have 1 passkey.")).to_be_visible()
        await axe_check(page)
        await screenshot(page, "chat-passkeys")
        cookie = next(c for c in await context.cookies() if c["name"] == "maa_chat")
        await page.get_by_role("button", name="Sign out").click()
        await expect(page.get_by_role("heading", name="Signed out")).to_be_visible()

        await page.goto(f"{chat.url}/chat/")
        await axe_check(page)
        signed: list[str] = []
        page.on(
            "request",
            lambda r: signed.append(r.post_data or "") if r.url.endswith("/passkey/signin") else 0,
        )
        await page.get_by_role("button", name="Sign in with a passkey").click()
        await page.wait_for_url("**/chat/#latest")
        await sees(page, "Question 3 of 11")  # where they stood
        await say(page, "/back", expect="Question 2 of 11")  # and the session works

        # The same signed response again: its challenge was used, so it opens nothing.
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{chat.url}/chat/passkey/signin",
                data=signed[0],
                headers={"Content-Type": "application/json"},
            ) as r,
        ):
            body = await r.json()
            assert r.status == 403 and body["error"] == "passkey_expired", body
            assert "expired" in body["message"] and "maa_chat" not in r.cookies
        assert cookie["value"] not in caplog.text
    finally:
        await chat.server.close()


async def test_a_desk_passkey_signs_in_to_the_chat_until_the_member_is_disabled(collector, context):
    cora = await collector.add_member("Cora Ordinator", Role.coordinator)  # no Telegram
    chat = await passkey_chat(collector)
    try:
        page = await context.new_page()
        await authenticator(context, page)
        await desk_sign_in(page, collector, cora)
        await page.goto(localhost(collector.url) + "/desk/account")
        await page.get_by_role("button", name="Register a passkey on this device").click()
        await expect(page.get_by_role("status").last).to_contain_text("Passkey saved")

        await page.goto(f"{chat.url}/chat/")
        await page.get_by_role("button", name="Sign in with a passkey").click()
        await sees(page, "Welcome back, Cora Ordinator")
        await page.get_by_role("link", name="Passkeys").click()
        await expect(page.get_by_text("You have 1 passkey.")).to_be_visible()

        async with collector.db.write() as session:
            await withdraw.set_disabled(
                session=session, actor=SYSTEM, member_id=cora, disabled=True
            )
        await page.get_by_role("button", name="Sign out").click()
        await page.goto(f"{chat.url}/chat/")
        await expect(page.get_by_role("heading", name="Sign in to the audit chat")).to_be_visible()
        await page.get_by_role("button", name="Sign in with a passkey").click()
        await expect(page.get_by_role("status")).to_contain_text("can no longer be used")
        assert "/chat/" in page.url and not [
            c for c in await context.cookies() if c["name"] == "maa_chat"
        ]
    finally:
        await chat.server.close()
