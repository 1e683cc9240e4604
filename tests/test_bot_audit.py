"""Whole audits through the real bot: enrolment, the walk, back, skip, edit, review, submit."""

import logging

from models.enums import Role
from tests.bot_helpers import (
    COORD,
    CSC,
    POLICE,
    User,
    answer_buttons_until_text,
    finish_from_q5,
    is_question,
    labels,
    outbox_sender,
    rid_of,
    stored,
)

pytest_plugins = ["tests.bot_fixtures"]


async def test_enrol_with_invite_then_audit_a_case_to_submission_and_tally(
    bot, loopback, world, caplog
):
    caplog.set_level(logging.DEBUG)
    coord = User(loopback, COORD, "Cora")
    invite = await coord.cmd("/invite police auditor", expect="https://t.me/maa_test_bot?start=")
    code = invite["text"].rsplit("start=", 1)[1].strip()

    newbie = User(loopback, 4242, "Nia")
    await newbie.cmd("/audit", expect="I don't know you yet")
    await newbie.cmd(f"/start {code}", expect="you're now enrolled as auditor for Police")
    cases = await newbie.cmd("/audit", expect="Which case would you like to audit?")
    assert labels(cases) == [
        "C1 · 0 of 11 answered · due 13 Feb 2026",
        "C2 · 0 of 11 answered · due 13 Feb 2026",
    ]
    q1 = await newbie.press(cases, "C1", expect="Question 1 of 11 · Involvement")
    q5 = await answer_buttons_until_text(newbie, q1)
    assert "between 3 and 6,000 characters" in q5["text"]
    review = await finish_from_q5(newbie)

    text = review["text"]
    assert "2. Quality of practice: Good" in text
    assert "3. Joint working: Not graded – Too little involvement to grade" in text
    assert "5. Good practice: Prompt strategy meeting for C1. The school nurse" in text
    assert "7. Information sharing: Skipped" in text
    assert "9. Themes: Signposting to earlier support, Information sharing" in text
    assert "11. Current concern: No" in text
    rid = rid_of(review)
    saved = await stored(world, 4242, rid)
    assert saved["answers"]["good_practice"] == (
        "Prompt strategy meeting for C1.\n\nThe school nurse followed up the same week."
    )
    assert saved["answers"]["joint_working"] is None

    confirm = await newbie.press(review, "Submit", expect="Submit case C1 for Police?")
    await newbie.press(confirm, "Yes, submit", expect="Submitted – thank you!")
    assert (await stored(world, 4242, rid))["status"] == "submitted"
    cases = await newbie.cmd("/audit", expect="Which case")
    assert labels(cases) == ["C2 · 0 of 11 answered · due 13 Feb 2026"]
    status = await newbie.cmd("/status", expect="Done: C1")
    assert "Not started: C2" in status["text"]

    tally = await coord.cmd("/tally", expect="Police: 1 (of 2)")
    assert "Requires Improvement" in tally["text"]
    assert "Children's Social Care: 0 (of 4)" in tally["text"]
    # Nothing sensitive reached the log, at any level: narratives, the invite code, tokens.
    logged = caplog.text
    assert caplog.records
    for secret in ("Prompt strategy meeting", "school nurse", "Share the plan", code, "TEST-TOKEN"):
        assert secret not in logged, secret


async def test_keyboards_are_edited_in_place_once_answered(bot, loopback):
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C2", expect="Question 1 of 11")
    q2 = await user.press(q1, "Some involvement", expect="Question 2 of 11")
    # The answered question became the next one: the answer on top, the new keyboard under it.
    assert q2["message_id"] == q1["message_id"]
    assert q2["text"].startswith("✓ Involvement: Some involvement in the scope window\n\n")
    assert labels(q2)[:2] == ["Outstanding", "Good"]
    first = user.message(q1["message_id"])
    assert first["text"] == q2["text"] and labels(first) == labels(q2)
    # No message still offers the first question's buttons.
    shown = [label for m in user.u.messages() for label in labels(m)]
    assert not set(labels(q1)) & set(shown)


async def test_back_shows_the_current_answer_and_skip_only_for_optional(bot, loopback, world):
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C1", expect="Question 1 of 11")
    q2 = await user.press(q1, "Involved throughout", expect="Question 2 of 11")
    await user.cmd("/skip", expect="This question is needed")
    back = await user.cmd("/back", expect=is_question(1))
    assert "Current answer: Involved throughout the scope window" in back["text"]
    await user.cmd("/back", expect="This is the first question")
    q2 = await user.press(back, "Case transferred", expect="Question 2 of 11")
    rid = rid_of(q2)
    assert (await stored(world, POLICE, rid))["answers"]["involvement"] == "transferred"
    q5 = await answer_buttons_until_text(user, q1 := await user.cmd("/back", expect=is_question(1)))
    assert "Question 5 of 11" in q5["text"] and q1
    await user.say("Strategy meeting held promptly.", expect="or press Done")
    await user.cmd("/back", expect=is_question(4))
    await user.cmd("/resume", expect="Question 6 of 11")  # the next unanswered one
    await user.say("Earlier referral to early help.", expect="or press Done")
    await user.cmd("/skip", expect="This question is needed")
    await user.cmd("/cancel", expect="You've left case C1")
    q7 = await user.cmd("/resume", expect="Question 7 of 11")
    await user.cmd("/skip", expect="Question 8 of 11")
    assert q7 and (await stored(world, POLICE, rid))["answers"]["joint_working"] is None


async def test_edit_from_review_and_missing_answers_are_offered(bot, loopback, world):
    user = User(loopback, CSC)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C3", expect="Question 1 of 11")
    q5 = await answer_buttons_until_text(user, q1)
    review = await finish_from_q5(user)
    q2 = await user.press(review, "✎ 2. Quality of practice", expect="Current answer: Good")
    review = await user.press(q2, "Outstanding", expect="Review – case C3")
    assert "2. Quality of practice: Outstanding" in review["text"]
    q5 = await user.press(review, "✎ 5. Good practice", expect=is_question(5))
    done = await user.say("Replaced: clear plan shared with the family.", expect="or press Done")
    review = await user.press(done, "Done", expect="Review – case C3")
    assert "5. Good practice: Replaced: clear plan shared with the family." in review["text"]
    assert q5


async def test_immediate_concern_alerts_coordinators_without_narrative(bot, loopback, world):
    await world.add_member("Second Coord", Role.coordinator, telegram_id=COORD + 1)
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C1", expect="Question 1 of 11")
    await answer_buttons_until_text(user, q1)
    await finish_from_q5(user, concern="Yes")
    told = next(t for t in user.texts() if "Your concern about case C1" in t)
    assert "is queued to go now to Cora Coordinator (coordinator) and Second Coord" in told
    assert "has not been delivered yet" in told and "alerted" not in told
    async with outbox_sender(bot, world) as sender:
        await sender.drain()
    for uid in (COORD, COORD + 1):
        alert = await User(loopback, uid).expect("Immediate safeguarding concern")
        assert "Case: C1" in alert["text"] and "Agency: Police" in alert["text"]
        assert "Prompt strategy meeting" not in alert["text"]
        assert labels(alert) == ["I'm dealing with this"]
