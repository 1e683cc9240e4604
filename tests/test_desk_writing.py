"""The desk's writing pages in a real headless Chromium: write a section, insert a drafted
statement (with and without script), save, a conflict between two writers from the same base
(both texts shown, nothing lost), finalise, download the Word file and find the text in it."""

import asyncio

from docx import Document
from playwright.async_api import expect

from collector.auth import SYSTEM
from collector.services import rounds
from models.enums import Role, RoundStatus
from tests.conftest import full_answers, small_round
from tests.desk_helpers import axe_check, localhost, screenshot, sign_in
from tests.markers import needs_chromium

pytest_plugins = ["tests.desk_browser"]  # one Chromium per test session

pytestmark = needs_chromium

SECTION = "/desk/rounds/r-2026/writing/agency-csc"


async def _round(collector) -> int:
    """The small round with submitted returns from CSC (C1, C2) and Police (C1); closed.
    Returns the coordinator's member id."""
    coord = await collector.add_member("Cora Ordinator", Role.coordinator, telegram_id=1)
    await collector.create_round(small_round(), open_it=True)
    await collector.add_member("Cas Social", Role.auditor, agency="csc", telegram_id=2)
    await collector.add_member("Pat Police", Role.auditor, agency="police", telegram_id=3)
    for tid, case, grade in ((2, "C1", "good"), (2, "C2", "inadequate"), (3, "C1", "inadequate")):
        status, draft = await collector.as_member(
            "POST", "/api/returns", tid, json={"round": "r-2026", "case": case}
        )
        assert status == 200, draft
        for key, value in full_answers(grade).items():
            status, body = await collector.as_member(
                "PUT", f"/api/returns/{draft['id']}/answers/{key}", tid, json={"value": value}
            )
            assert status == 200, body
        status, body = await collector.as_member("POST", f"/api/returns/{draft['id']}/submit", tid)
        assert status == 200, body
    async with collector.db.write() as session:
        await rounds.set_round_status(
            session=session, actor=SYSTEM, slug="r-2026", status=RoundStatus.closed
        )
    return coord


async def test_write_insert_save_conflict_finalise_and_download_the_docx(collector, browser):
    coord = await _round(collector)
    base = localhost(collector.url)
    one = await browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    two = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await one.new_page()
        await sign_in(page, collector, coord)
        await page.goto(base + "/desk/rounds/r-2026/writing")
        await expect(page.locator("td[data-section=agency-csc]")).to_contain_text("Not written")
        await axe_check(page)
        await page.get_by_role("link", name="Findings: Children's Social Care").click()
        await page.wait_for_url("**" + SECTION)

        # The evidence beside the text: this agency's answers, filtered by grade, linked.
        evidence = page.get_by_role("region", name="Evidence")
        await expect(evidence).to_contain_text("Prompt strategy meeting and clear plan for C1.")
        await expect(evidence.get_by_role("link").first).to_have_attribute(
            "href", "/desk/returns/1"
        )
        await evidence.get_by_label("Overall grade").select_option("inadequate")
        await evidence.get_by_role("button", name="Show").click()
        evidence = page.get_by_role("region", name="Evidence")
        await expect(evidence).to_contain_text("C2 · csc · return #2")
        await expect(evidence).not_to_contain_text("return #1")

        # A drafted statement, inserted by script into the editor.
        statement = page.locator(".statement").first
        drafted = (await statement.locator("p.text").inner_text()).strip()
        assert "Children's Social Care" in drafted
        await statement.get_by_role("button", name="Insert").click()
        editor = page.get_by_label("Text (Markdown")
        assert (await editor.input_value()).strip() == drafted
        await expect(page.locator("#insert-status")).to_contain_text("not saved yet")

        # Keyboard alone: type into the editor, Tab to Save, Enter.
        editor = page.get_by_label("Text (Markdown")
        await editor.focus()
        await page.keyboard.press("Control+End")
        await page.keyboard.type("\n\n**Engagement** was the main theme. <b>kept as text</b>")
        await page.keyboard.press("Tab")
        await expect(page.locator(":focus")).to_have_text("Save")
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("status").first).to_have_text("Saved as version 1.")
        preview = page.get_by_role("region", name="Preview")
        await expect(preview.locator("strong")).to_have_text("Engagement")
        await expect(preview).to_contain_text("<b>kept as text</b>")
        await expect(page.get_by_role("region", name="Versions")).to_contain_text(
            "Version 1 · Cora Ordinator"
        )
        assert (await editor.input_value()).startswith(drafted + "\n\n**Engagement**")
        await axe_check(page)
        await screenshot(page, "writing-section")

        # Two writers from the same base (version 1): the second sees both texts.
        other = await two.new_page()
        await sign_in(other, collector, coord)
        await other.goto(base + SECTION)
        await page.get_by_label("Text (Markdown").fill("Theirs: the first writer's words.")
        await page.get_by_role("button", name="Save", exact=True).click()
        await expect(page.get_by_role("status").first).to_have_text("Saved as version 2.")
        await other.get_by_label("Text (Markdown").fill("Mine: the second writer's words.")
        await other.get_by_role("button", name="Save", exact=True).click()
        await expect(other.get_by_role("alert")).to_contain_text("Someone else saved")
        await expect(other.locator("pre.theirs")).to_have_text("Theirs: the first writer's words.")
        editor2 = other.get_by_label("Text (Markdown")
        assert await editor2.input_value() == "Mine: the second writer's words."
        await axe_check(other)
        await screenshot(other, "writing-conflict")
        await editor2.fill("Merged: the first writer's words and the second's.")
        await other.get_by_role("button", name="Save my text as version 3").click()
        await expect(other.get_by_role("status").first).to_have_text("Saved as version 3.")

        # The report page: finalise, then download the Word file without the annex.
        await page.goto(base + "/desk/rounds/r-2026/writing")
        await expect(page.locator("td[data-section=agency-csc]")).to_contain_text(
            "Written (version 3)"
        )
        await page.get_by_role("button", name="Finalise the report").click()
        await expect(page.get_by_role("status").first).to_contain_text("The report is final")
        await axe_check(page)
        await screenshot(page, "writing")
        await page.get_by_label("Format").select_option("docx")
        await page.get_by_label("Include the evidence annex").uncheck()
        async with page.expect_download() as info:
            await page.get_by_role("button", name="Download").click()
        download = await info.value
        doc = await asyncio.to_thread(Document, str(await download.path()))
        words = "\n".join(p.text for p in doc.paragraphs)
        assert "Merged: the first writer's words and the second's." in words
        assert "Evidence annex" not in words
        # Final: the editor is gone, the text frozen.
        await page.goto(base + SECTION)
        await expect(page.get_by_label("Text (Markdown")).to_have_count(0)
        await expect(page.get_by_text("The report is final: its text is frozen.")).to_be_visible()
    finally:
        await one.close()
        await two.close()


async def test_insert_without_script_returns_the_page_with_nothing_lost(collector, browser):
    coord = await _round(collector)
    ctx = await browser.new_context(java_script_enabled=False)
    try:
        page = await ctx.new_page()
        await sign_in(page, collector, coord)
        await page.goto(localhost(collector.url) + SECTION)
        editor = page.get_by_label("Text (Markdown")
        await editor.fill("My own opening words.")
        statement = page.locator(".statement").first
        drafted = (await statement.locator("p.text").inner_text()).strip()
        await statement.get_by_role("button", name="Insert").click()
        await expect(page.get_by_role("status").first).to_contain_text("not saved yet")
        value = await page.get_by_label("Text (Markdown").input_value()
        assert value == f"My own opening words.\n\n{drafted}"
        await expect(page.get_by_role("region", name="Versions")).to_contain_text(
            "No version saved yet."
        )
    finally:
        await ctx.close()


async def test_a_viewer_reads_but_cannot_write_and_sees_new_returns(collector, context):
    await _round(collector)
    viewer = await collector.add_member("Vi Ewer", Role.viewer, telegram_id=9)
    page = await context.new_page()
    await sign_in(page, collector, viewer)
    await page.goto(localhost(collector.url) + SECTION)
    await expect(page.get_by_role("region", name="Drafted from the returns")).to_be_visible()
    await expect(page.get_by_label("Text (Markdown")).to_have_count(0)
    await expect(page.get_by_role("button", name="Insert")).to_have_count(0)
    await axe_check(page)
    first = page.locator(".statement p.text").first
    await expect(first).to_contain_text("(1 of 2 graded)")
    # A return submitted since: the drafted figures move (nothing stale is shown).
    async with collector.db.write() as session:
        await rounds.set_round_status(
            session=session, actor=SYSTEM, slug="r-2026", status=RoundStatus.open
        )
    status, draft = await collector.as_member(
        "POST", "/api/returns", 2, json={"round": "r-2026", "case": "C3"}
    )
    assert status == 200, draft
    for key, value in full_answers("good").items():
        await collector.as_member(
            "PUT", f"/api/returns/{draft['id']}/answers/{key}", 2, json={"value": value}
        )
    status, _ = await collector.as_member("POST", f"/api/returns/{draft['id']}/submit", 2)
    assert status == 200
    await page.reload()
    await expect(first).to_contain_text("(2 of 3 graded)")
