"""A button answer costs one chat-bound Bot API call: the pressed question is edited into the
next screen, with the answer on top (Auditing.after_save). The real bot, the loopback Bot API
server and a running collector, as in the other bot tests."""

import asyncio
import copy
from typing import Any

from bot.state import STORE_KEY, state_of
from testing.loopback import LoopbackBotApi
from tests.bot_helpers import (
    COORD,
    POLICE,
    User,
    answer_buttons_until_text,
    answer_until_last,
    is_question,
    labels,
    outbox_sender,
    return_of,
    rid_of,
)

pytest_plugins = ["tests.bot_fixtures"]

GRADES = ["Outstanding", "Good", "Requires Improvement to be Good", "Inadequate", "Not graded"]


async def turn(loopback: LoopbackBotApi, user: User, msg: dict, label: str, expect: Any):
    """Press a button; returns the screen expected and the chat-bound calls of the whole turn
    (they are all made by the time the bot answers the callback query)."""
    mark, answered = len(loopback.sent_log), len(loopback.answered_callbacks)
    screen = await user.press(msg, label, expect=expect)
    for _ in range(200):
        if len(loopback.answered_callbacks) > answered:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the button was never answered")
    return screen, [c for c in loopback.sent_log[mark:] if c.chat_id is not None]


def edits_of(calls: list, message_id: int) -> bool:
    """The turn was one editMessageText of that message."""
    return [(c.method, int(c.params["message_id"])) for c in calls] == [
        ("editMessageText", message_id)
    ]


async def test_a_grade_press_is_one_edit_into_the_next_question(bot, loopback, world):
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C1", expect=is_question(1))
    q2 = await user.press(q1, "Involved throughout", expect=is_question(2))
    count = len(user.u.messages())

    q3, calls = await turn(loopback, user, q2, "Good", is_question(3))
    assert edits_of(calls, q2["message_id"]) and q3["message_id"] == q2["message_id"]
    assert calls[0].params["text"] == q3["text"]
    assert q3["text"].startswith(
        "✓ Quality of practice: Good\n\nCase C1 · Question 3 of 11 · Joint working\n\n"
    )
    assert labels(q3) == GRADES
    assert len(user.u.messages()) == count  # nothing new in the chat
    assert (await return_of(world, POLICE, "C1"))["answers"]["practice"] == {"grade": "good"}

    # The edited message is the current screen: its buttons work, and so does a reason.
    reasons, calls = await turn(loopback, user, q3, "Not graded", "Why can't this be graded?")
    assert edits_of(calls, q2["message_id"])
    q4, calls = await turn(loopback, user, reasons, "Too little involvement", is_question(4))
    assert edits_of(calls, q2["message_id"])
    assert q4["text"].startswith("✓ Joint working: Not graded – Too little involvement to grade\n")
    stored = (await return_of(world, POLICE, "C1"))["answers"]
    assert stored["joint_working_grade"] == {"grade": "not_graded", "reason": "too_little"}


async def test_the_last_answer_by_button_edits_the_question_into_the_review(bot, loopback, world):
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    await answer_buttons_until_text(user, await user.press(cases, "C1", expect=is_question(1)))
    q11 = await answer_until_last(user)

    review, calls = await turn(loopback, user, q11, "No", "Review – case C1")
    assert edits_of(calls, q11["message_id"]) and review["message_id"] == q11["message_id"]
    assert review["text"].startswith("✓ Current concern: No\n\nReview – case C1 (Police)\n")
    assert "11. Current concern: No" in review["text"] and labels(review)[-1] == "Submit"
    assert (await return_of(world, POLICE, "C1"))["answers"]["immediate_concern"] is False

    # From the review, an edited answer comes back into the review the same way.
    q2, _ = await turn(loopback, user, review, "✎ 2. Quality of practice", is_question(2))
    back, calls = await turn(loopback, user, q2, "Outstanding", "Review – case C1")
    assert edits_of(calls, q2["message_id"])
    assert back["text"].startswith("✓ Quality of practice: Outstanding\n\nReview – case C1")
    confirm, _ = await turn(loopback, user, back, "Submit", "Submit case C1 for Police?")
    await user.press(confirm, "Yes, submit", expect="Submitted – thank you!")


async def test_yes_to_an_immediate_concern_still_alerts_then_confirms(bot, loopback, world):
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    await answer_buttons_until_text(user, await user.press(cases, "C2", expect=is_question(1)))
    q11 = await answer_until_last(user)

    review, calls = await turn(loopback, user, q11, "Yes", "Review – case C2")
    # The answered question, what was stored with it (queued, not sent), then the review.
    assert [(c.method, c.chat_id) for c in calls] == [
        ("editMessageText", POLICE),
        ("sendMessage", POLICE),
        ("sendMessage", POLICE),
    ]
    answered = user.message(q11["message_id"])
    assert answered["text"].endswith("\n\n✓ Yes") and not labels(answered)
    assert calls[1].params["text"].startswith("⚠️ Your concern about case C2 is queued to go now")
    assert review["message_id"] != q11["message_id"] and labels(review)[-1] == "Submit"
    async with outbox_sender(bot, world) as sender:
        await sender.drain()
    alert = await User(loopback, COORD).expect("Immediate safeguarding concern")
    assert "Case: C2" in alert["text"]


async def test_a_button_press_after_a_restart_still_works(bots, world, loopback):
    await bots.start()
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C2", expect=is_question(1))
    q2 = await user.press(q1, "Some involvement", expect=is_question(2))
    await bots.stop()

    app = await bots.start()  # a new bot: nothing in memory about the screen
    assert STORE_KEY not in app.user_data.get(POLICE, {})
    q3, calls = await turn(loopback, user, q2, "Outstanding", is_question(3))
    assert edits_of(calls, q1["message_id"])
    assert q3["text"].startswith("✓ Quality of practice: Outstanding\n\n")
    # the edited message is the screen
    assert state_of(app.user_data[POLICE]).screen == q1["message_id"]
    _, calls = await turn(loopback, user, q3, "Good", is_question(4))
    assert edits_of(calls, q1["message_id"])
    answers = (await return_of(world, POLICE, "C2"))["answers"]
    assert answers["practice"] == {"grade": "outstanding"}
    assert answers["joint_working_grade"] == {"grade": "good"}
    # An older question's button on the same message is out of date, not a new answer.
    good = [b for row in q2["reply_markup"]["inline_keyboard"] for b in row if b["text"] == "Good"]
    user.u.press(q1["message_id"], good[0]["callback_data"], strict=False)
    await user.expect("That button is from an earlier message")
    assert (await return_of(world, POLICE, "C2"))["answers"]["practice"] == {"grade": "outstanding"}


async def test_a_typed_skip_sends_the_next_question_under_it(bot, loopback, world):
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q5 = await answer_buttons_until_text(user, await user.press(cases, "C1", expect="Question 1"))
    done = await user.say("Strategy meeting held promptly.", expect="or press Done")
    await user.press(done, "Done", expect="Question 6 of 11")
    done = await user.say("Earlier referral to early help.", expect="or press Done")
    q7 = await user.press(done, "Done", expect=is_question(7))
    q8 = await user.cmd("/skip", expect=is_question(8))
    assert q8["message_id"] != q7["message_id"] and not q8.get("edit_date")
    skipped = user.message(q7["message_id"])
    assert skipped["text"].endswith("\n\n✓ Skipped") and not labels(skipped)
    assert q5


async def test_a_question_that_cannot_be_edited_any_more_comes_as_a_new_message(
    bot, loopback, world
):
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C1", expect=is_question(1))
    # The message went (deleted in the chat) before the press was handled: nothing to edit.
    loopback.chat(POLICE).messages.pop(q1["message_id"])
    data = next(b["callback_data"] for b in q1["reply_markup"]["inline_keyboard"][0])
    loopback.push_update({"callback_query": {
        "id": "77", "from": dict(loopback.chat(POLICE).user), "message": q1,
        "chat_instance": str(-POLICE), "data": data,
    }})  # fmt: skip
    q2 = await user.expect(is_question(2))
    assert q2["message_id"] != q1["message_id"] and not q2.get("edit_date")
    assert q2["text"].startswith("✓ Involvement: Involved throughout the scope window\n\n")
    await user.press(q2, "Good", expect=is_question(3))  # and it is the screen now
    answers = (await return_of(world, POLICE, "C1"))["answers"]
    assert answers == {"involvement": "throughout", "practice": {"grade": "good"}}


async def test_a_button_answer_is_one_collector_call_and_a_redelivery_changes_nothing(
    bots, switch, world, loopback
):
    pushed: list[dict] = []
    push = loopback.updates.push

    def keep(update: dict) -> dict:  # the harness keeps a copy of each update, to send again
        queued = push(update)
        pushed.append(copy.deepcopy(queued))
        return queued

    loopback.updates.push = keep  # type: ignore[method-assign]
    await bots.start()
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C2", expect=is_question(1))
    rid = rid_of(q1)
    mark = len(switch.seen)
    q2, _ = await turn(loopback, user, q1, "Some involvement", is_question(2))
    # The press's de-duplication travels in the answer's own write: one call in all.
    assert switch.seen[mark:] == [("PUT", f"/api/returns/{rid}/answers/involvement")]
    press = pushed[-1]
    await bots.stop()

    await bots.start()  # a new bot, with nothing in memory, gets the same press again
    mark, calls = len(switch.seen), len(loopback.sent_log)
    loopback.push_update(press)
    for _ in range(100):
        if len(switch.seen) > mark:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    # It reads the return it no longer holds: the button is out of date, and before it says
    # so it asks whether this update was seen: it was, so nothing is said or stored.
    assert switch.seen[mark:] == [
        ("GET", f"/api/returns/{rid}"),
        ("POST", f"/api/updates/{press['update_id']}"),
    ]
    assert [c for c in loopback.sent_log[calls:] if c.chat_id is not None] == []
    saved = await return_of(world, POLICE, "C2")
    assert saved["answers"] == {"involvement": "some"} and q2
