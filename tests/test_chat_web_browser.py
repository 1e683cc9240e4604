"""The browser chat (/chat/) in a real headless Chromium, against a really running collector."""

import asyncio

from playwright.async_api import expect

from models.enums import Role
from tests.bot_helpers import POLICE, User
from tests.chat_web_helpers import press, say, sees, sign_in, start_chat_web
from tests.conftest import full_answers, small_round
from tests.desk_helpers import axe_check, screenshot
from tests.markers import needs_chromium
from tests.replicas import free_port, start_replica, wait_healthy

pytest_plugins = ["tests.desk_browser", "tests.chat_web_fixtures", "tests.bot_fixtures"]

pytestmark = needs_chromium


async def stored(collector, token: str, case: str) -> dict:
    """The member's return for a case, as the collector holds it."""
    status, body = await collector.call(
        "POST", "/api/returns", token=token, json={"round": "r-2026", "case": case}
    )
    assert status == 200, body
    return body


async def answer_to_review(page) -> None:
    """Every question of maa-audit-1 from the first, by buttons and typed narratives."""
    await press(page, "Some involvement", expect="Question 2 of 11")
    await press(page, "Good", expect="Question 3 of 11")
    await press(page, "Not graded", expect="Why can't this be graded?")
    await press(page, "Too little involvement", expect="Question 4 of 11")
    await press(page, "Requires Improvement", expect="Question 5 of 11")
    await say(page, "Prompt strategy meeting for C1.", expect="or press Done")
    await say(page, "The school nurse followed up the same week.", expect="or press Done")
    await press(page, "Done", expect="Question 6 of 11")
    await say(page, "Earlier referral to early help.", expect="or press Done")
    await press(page, "Done", expect="Question 7 of 11")
    await press(page, "Skip", expect="Question 8 of 11")
    await press(page, "Skip", expect="Question 9 of 11")
    await press(page, "☐ Signposting")
    await press(page, "☐ Information sharing")
    await press(page, "Done", expect="Question 10 of 11")
    await say(page, "Share the plan with the GP.", expect="or press Done")
    await press(page, "Done", expect="Question 11 of 11")
    await press(page, "No", expect="Review – case")


async def test_a_web_only_auditor_completes_a_case_in_the_browser(collector, chatweb, context):
    await collector.create_round(small_round())
    nia = await collector.add_member("Nia Web", Role.auditor, agency="police")  # no Telegram
    token = await collector.token_for(nia)
    page = await context.new_page()

    response = await page.goto(chatweb.url + "/chat/")
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    await expect(page.get_by_role("heading", name="Sign in to the audit chat")).to_be_visible()
    await axe_check(page)
    await screenshot(page, "chat-signin")

    await sign_in(page, collector, chatweb, nia)
    cookie = next(c for c in await context.cookies() if c["name"] == "maa_chat")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/chat"
    await axe_check(page)

    await say(page, "/audit", expect="Which case would you like to audit?")
    await press(page, "C1", expect="Question 1 of 11 · Involvement")
    await axe_check(page)
    await screenshot(page, "chat-question")
    await answer_to_review(page)
    review = page.locator("li.line.bot.now", has_text="Review – case").first
    await expect(review).to_contain_text("2. Quality of practice: Good")
    await expect(review).to_contain_text(
        "3. Joint working: Not graded – Too little involvement to grade"
    )
    await expect(review).to_contain_text("9. Themes: Signposting to earlier support")
    await axe_check(page)
    await screenshot(page, "chat-review")

    saved = await stored(collector, token, "C1")
    assert saved["answers"]["good_practice"] == (
        "Prompt strategy meeting for C1.\n\nThe school nurse followed up the same week."
    )
    assert saved["answers"]["joint_working"] is None
    await press(page, "Submit", expect="Submit case C1 for Police?")
    await press(page, "Yes, submit", expect="Submitted – thank you!")
    assert (await stored(collector, token, "C1"))["status"] == "submitted"

    # Keyboard alone: the answer box is labelled and reachable, and sends with its button.
    await page.get_by_label("Type your answer").focus()
    await page.keyboard.type("/status")
    await page.keyboard.press("Tab")  # the hint is text, not a stop: Send is next
    await page.keyboard.press("Enter")
    await sees(page, "Done: C1")


async def test_identifiers_are_refused_and_names_warned_in_the_browser(collector, chatweb, context):
    await collector.create_round(small_round())
    pat = await collector.add_member("Pat Police", Role.auditor, agency="police")
    token = await collector.token_for(pat)
    page = await context.new_page()
    await sign_in(page, collector, chatweb, pat)
    await say(page, "/audit", expect="Which case")
    await press(page, "C2", expect="Question 1 of 11")
    await press(page, "Some involvement", expect="Question 2 of 11")
    await press(page, "Good", expect="Question 3 of 11")
    await press(page, "Good", expect="Question 4 of 11")
    await press(page, "Good", expect="Question 5 of 11")

    await say(page, "Seen by the GP, NHS no 943 476 5919, on 3 May.", expect="seems to contain")
    await sees(page, "Nothing has been saved yet")
    await axe_check(page)
    assert "good_practice" not in (await stored(collector, token, "C2"))["answers"]

    await say(page, "Mum Kelly was not invited to the meeting.", expect="This may contain a name")
    await axe_check(page)
    await press(page, "Rewrite", expect="without the name")
    assert "good_practice" not in (await stored(collector, token, "C2"))["answers"]
    await say(page, "The parent was not invited to the meeting.", expect="or press Done")
    await press(page, "Done", expect="Question 6 of 11")
    saved = (await stored(collector, token, "C2"))["answers"]["good_practice"]
    assert saved == "The parent was not invited to the meeting."

    # /back and /skip work as in the chat; markup typed is shown as text, never run.
    await say(page, "/back", expect="Question 5 of 11")
    await sees(page, "Current answer: The parent was not invited")
    await say(page, "/skip", expect="This question is needed")
    await say(page, "<script>alert(1)</script> was typed", expect="or press Done")
    await expect(page.locator("li.line.mine").last).to_have_text(
        "You: <script>alert(1)</script> was typed"
    )


async def test_a_second_tab_and_telegram_see_the_same_return(bot, loopback, world, context):
    """One return, three windows on it: two browser tabs and a Telegram chat."""
    chatweb = await start_chat_web(world)
    try:
        status, me = await world.as_member("GET", "/api/me", POLICE)
        assert status == 200
        first = await context.new_page()
        await sign_in(first, world, chatweb, me["id"])
        await say(first, "/audit", expect="Which case")
        await press(first, "C1", expect="Question 1 of 11")
        await press(first, "Involved throughout", expect="Question 2 of 11")
        await press(first, "Good", expect="Question 3 of 11")

        second = await context.new_page()  # the same browser: the same signed-in chat
        await second.goto(chatweb.url + "/chat/")
        await expect(second.locator("li.line.bot", has_text="Question 3 of 11")).to_be_visible()
        await press(second, "Outstanding", expect="Question 4 of 11")

        telegram = User(loopback, POLICE)
        q4 = await telegram.cmd("/resume", expect="Question 4 of 11")
        await telegram.press(q4, "Good", expect="Question 5 of 11")

        await first.reload()
        await say(first, "/resume", expect="Question 5 of 11")
        await say(first, "/back", expect="Question 4 of 11")
        await sees(first, "Current answer: Good")
        await say(first, "/back", expect="Question 3 of 11")
        await sees(first, "Current answer: Outstanding")
        status, ret = await world.as_member(
            "POST", "/api/returns", POLICE, json={"round": "r-2026", "case": "C1"}
        )
        assert ret["answers"] == {
            "involvement": "throughout",
            "practice": {"grade": "good"},
            "joint_working_grade": {"grade": "outstanding"},
            "impact": {"grade": "good"},
        }
    finally:
        await chatweb.server.close()


async def test_killing_the_collector_mid_case_loses_nothing(collector, context, tmp_path):
    """SIGKILL the collector (a real `maa serve` process) with an answer in flight: the chat
    says it is not saved, keeps it, and stores it once the collector is back; a restart of the
    chat's own process then resumes at the same question."""
    await collector.create_round(small_round())
    pat = await collector.add_member("Pat Police", Role.auditor, agency="police")
    token = await collector.token_for(pat)
    port = free_port()
    replica = start_replica(collector.settings.database_url, tmp_path, port=port)
    chatweb = None
    try:
        await wait_healthy(collector.http, replica)
        chatweb = await start_chat_web(collector, replica.url)
        page = await context.new_page()
        await sign_in(page, collector, chatweb, pat)
        await say(page, "/audit", expect="Which case")
        await press(page, "C1", expect="Question 1 of 11")
        await press(page, "Involved throughout", expect="Question 2 of 11")
        await press(page, "Good", expect="Question 3 of 11")

        replica.kill()
        await press(page, "Outstanding", expect="NOT saved yet")
        await axe_check(page)
        replica = start_replica(collector.settings.database_url, tmp_path, port=port)
        await wait_healthy(collector.http, replica)
        # The chat keeps trying by itself; a reload shows where it got to.
        for _ in range(60):
            await page.reload()
            if await page.locator("li.line.bot", has_text="Question 4 of 11").count():
                break
            await asyncio.sleep(1)
        await expect(page.locator("li.line.bot", has_text="Question 4 of 11").last).to_be_visible()
        answers = (await stored(collector, token, "C1"))["answers"]
        assert answers["joint_working_grade"] == {"grade": "outstanding"}

        # The chat's own process restarted: its memory is gone, the collector's answers are not.
        await chatweb.server.close()
        chatweb = await start_chat_web(collector, replica.url)
        await page.goto(chatweb.url + "/chat/")  # the same session cookie (any port)
        await sees(page, "Question 4 of 11")
        await press(page, "Good", expect="Question 5 of 11")
        answers = (await stored(collector, token, "C1"))["answers"]
        assert list(answers) == ["involvement", "practice", "joint_working_grade", "impact"]
    finally:
        if chatweb is not None:
            await chatweb.server.close()
        replica.stop()


async def test_a_concern_raised_in_the_browser_says_what_is_true(collector, chatweb, context):
    """The concern alert's words are the engine's: queued, not yet delivered."""
    await collector.create_round(small_round())
    await collector.add_member("Cora Coordinator", Role.coordinator, telegram_id=1001)
    nia = await collector.add_member("Nia Web", Role.auditor, agency="police")
    token = await collector.token_for(nia)
    ret = await stored(collector, token, "C1")
    answers = full_answers()
    answers.pop("immediate_concern")
    for key, value in answers.items():
        status, body = await collector.call(
            "PUT", f"/api/returns/{ret['id']}/answers/{key}", token=token, json={"value": value}
        )
        assert status == 200, body
    page = await context.new_page()
    await sign_in(page, collector, chatweb, nia)
    await sees(page, "Question 11 of 11")  # a new page resumes where the return stands
    await press(page, "Yes", expect="Your concern about case C1 is queued to go now to")
    await sees(page, "Cora Coordinator (coordinator)")
    await axe_check(page)
    await screenshot(page, "chat-concern")
