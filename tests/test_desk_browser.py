"""The desk in a real headless Chromium: signing in, live pages, roles, forms, accessibility."""

from playwright.async_api import expect

from models.enums import Role
from tests.conftest import full_answers, small_round
from tests.desk_helpers import axe_check, localhost, new_link, screenshot, sign_in
from tests.markers import needs_chromium

pytest_plugins = ["tests.desk_browser"]  # one Chromium per test session

pytestmark = needs_chromium


async def _answered_return(collector, telegram_id: int, case: str, grade: str = "good") -> int:
    status, draft = await collector.as_member(
        "POST", "/api/returns", telegram_id, json={"round": "r-2026", "case": case}
    )
    assert status == 200, draft
    for key, value in full_answers(grade).items():
        status, body = await collector.as_member(
            "PUT", f"/api/returns/{draft['id']}/answers/{key}", telegram_id, json={"value": value}
        )
        assert status == 200, body
    return draft["id"]


async def test_sign_in_by_link_once_then_every_page_is_accessible(collector, context):
    coord = await collector.add_member("Cora Ordinator", Role.coordinator, telegram_id=1)
    await collector.create_round(
        small_round(theme="Neglect <script>alert(1)</script>"), open_it=True
    )
    await collector.add_member("Pat Police", Role.auditor, agency="police", telegram_id=2)
    rid = await _answered_return(collector, 2, "C1", "inadequate")
    await collector.as_member("POST", f"/api/returns/{rid}/submit", 2)
    page = await context.new_page()

    link = await new_link(collector, coord)
    response = await page.goto(link)
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    await axe_check(page)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/desk/rounds")
    cookie = next(c for c in await context.cookies() if c["name"] == "maa_desk")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]
    await expect(page.get_by_role("link", name="Test audit")).to_be_visible()
    await axe_check(page)

    # Every page a coordinator has, each checked by axe; markup in text shows as text.
    await page.get_by_role("link", name="Test audit").click()
    await expect(page.get_by_text("Neglect <script>alert(1)</script>")).to_be_visible()
    await expect(page.locator("td[data-agency=police]")).to_have_text("1 (of 2)")
    await axe_check(page)
    await screenshot(page, "dashboard")
    for path in (
        "/desk/rounds/r-2026/agencies/police",
        f"/desk/returns/{rid}",
        "/desk/rounds/r-2026/reminders",
        "/desk/rounds/r-2026/actions",
        "/desk/rounds/r-2026/downloads",
        "/desk/invites",
        "/desk/members",
        "/desk/account",
        "/desk/returns/99999",
    ):
        await page.goto(localhost(collector.url) + path)
        await axe_check(page)
        if path == f"/desk/returns/{rid}":
            await expect(page.get_by_text("Inadequate").first).to_be_visible()
            await screenshot(page, "return")

    # The same link a second time: a clear page, and no session.
    other = await context.browser.new_context()
    second = await other.new_page()
    await second.goto(link)
    await second.get_by_role("button", name="Sign in").click()
    await expect(second.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    assert not [c for c in await other.cookies() if c["name"] == "maa_desk"]
    await axe_check(second)
    await second.goto(localhost(collector.url) + "/desk")
    await axe_check(second)
    await other.close()


async def test_dashboard_changes_live_after_an_answer_through_the_api(collector, context):
    coord = await collector.add_member("Cora Ordinator", Role.coordinator, telegram_id=1)
    await collector.create_round(small_round(), open_it=True)
    await collector.add_member("Pat Police", Role.auditor, agency="police", telegram_id=2)
    page = await context.new_page()
    await sign_in(page, collector, coord)
    await page.goto(localhost(collector.url) + "/desk/rounds/r-2026")
    await expect(page.get_by_text("Live: this page updates itself.")).to_be_visible()
    cell = page.locator("td[data-agency=police]")
    await expect(cell).to_have_text("0 (of 2)")

    rid = await _answered_return(collector, 2, "C1")
    status, _ = await collector.as_member("POST", f"/api/returns/{rid}/submit", 2)
    assert status == 200
    await expect(cell).to_have_text("1 (of 2)", timeout=2000)
    # A concern raised lands too, without a reload.
    status, draft = await collector.as_member(
        "POST", "/api/returns", 2, json={"round": "r-2026", "case": "C2"}
    )
    status, _ = await collector.as_member(
        "PUT", f"/api/returns/{draft['id']}/answers/immediate_concern", 2, json={"value": True}
    )
    assert status == 200
    concerns = page.get_by_role("region", name="Immediate concerns raised")
    await expect(concerns).to_contain_text("Case C2", timeout=2000)
    await expect(page.locator("td[data-agency=police] + td")).to_have_text("1")  # a draft


async def test_agency_lead_sees_only_their_agency_and_gets_a_403_page(collector, context):
    await collector.create_round(small_round(), open_it=True)
    lead = await collector.add_member("Lee Lead", Role.agency_lead, agency="police", telegram_id=3)
    await collector.add_member("Cas Social", Role.auditor, agency="csc", telegram_id=4)
    csc_return = await _answered_return(collector, 4, "C2")
    page = await context.new_page()
    await sign_in(page, collector, lead)
    await page.goto(localhost(collector.url) + "/desk/rounds/r-2026")
    await expect(page.locator("td[data-agency=police]")).to_have_text("0 (of 2)")
    body = await page.locator("main").inner_text()
    assert "Children's Social Care" not in body and "ICB/GPs" not in body
    response = await page.goto(localhost(collector.url) + f"/desk/returns/{csc_return}")
    assert response.status == 403
    await expect(page.get_by_role("heading", name="Not for you")).to_be_visible()
    response = await page.goto(localhost(collector.url) + "/desk/rounds/r-2026/agencies/csc")
    assert response.status == 403


async def test_upload_with_errors_shows_them_beside_the_lines_and_creates_nothing(
    collector, context
):
    coord = await collector.add_member("Cora Ordinator", Role.coordinator, telegram_id=1)
    page = await context.new_page()
    await sign_in(page, collector, coord)
    bad = b"slug: r-bad\ntitle: Bad\nagencies:\n  - code: csc\n"
    await page.get_by_label("Round file (.yaml)").set_input_files(
        {"name": "bad.yaml", "mimeType": "text/yaml", "buffer": bad}
    )
    await page.get_by_role("button", name="Create the round").click()
    errors = page.locator("#upload-errors")
    await expect(errors).to_contain_text("bad.yaml was not used")
    await expect(errors).to_contain_text("Line 4")
    await expect(errors).to_contain_text("agencies.0.name")
    await axe_check(page)
    assert "There are no rounds yet." in await page.locator("main").inner_text()


async def test_keyboard_alone_reaches_and_uses_the_round_controls(collector, context):
    coord = await collector.add_member("Cora Ordinator", Role.coordinator, telegram_id=1)
    await collector.create_round(small_round(), open_it=True)
    page = await context.new_page()
    await sign_in(page, collector, coord)
    await page.keyboard.press("Tab")
    focused = page.locator(":focus")
    await expect(focused).to_have_text("Skip to content")
    for _ in range(12):  # along the top navigation to the round's link
        await page.keyboard.press("Tab")
        if await focused.inner_text() == "Test audit":
            break
    await expect(focused).to_have_text("Test audit")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/desk/rounds/r-2026")
    for _ in range(12):
        await page.keyboard.press("Tab")
        if await focused.inner_text() == "Close the round":
            break
    await expect(focused).to_have_text("Close the round")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("button", name="Open the round")).to_be_visible()


async def test_passkey_register_then_sign_in_with_it(collector, context):
    coord = await collector.add_member("Cora Ordinator", Role.coordinator)  # no Telegram
    page = await context.new_page()
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
    await sign_in(page, collector, coord)
    await page.goto(localhost(collector.url) + "/desk/account")
    await page.get_by_role("button", name="Register a passkey on this device").click()
    await expect(page.get_by_role("status").last).to_contain_text("Passkey saved")
    await expect(page.get_by_text("You have 1 passkey.")).to_be_visible()
    await page.get_by_role("button", name="Sign out", exact=True).click()
    await expect(page.get_by_role("heading", name="Signed out")).to_be_visible()

    await page.goto(localhost(collector.url) + "/desk")
    await page.get_by_role("button", name="Sign in with a passkey").click()
    await page.wait_for_url("**/desk/rounds")
    await expect(page.get_by_text("Cora Ordinator")).to_be_visible()
