"""Audit standards in the real bot (loopback Bot API): grade descriptors beside every grade
question without losing the place, and the cross-checks in the review: go back and fix, or
confirm with a reason."""

import io

from bot.console import run_console
from models.descriptors import DEFAULT_DESCRIPTORS
from tests.bot_fixtures import bot_settings
from tests.bot_helpers import CSC, POLICE, User, is_question, labels, return_of, stored
from tests.conftest import full_answers

pytest_plugins = ["tests.bot_fixtures"]

DESCRIPTORS = "ℹ️ What do the grades mean?"
NG_LITTLE = {"grade": "not_graded", "reason": "too_little"}


async def test_grade_descriptors_beside_every_grade_question_keep_the_place(bot, loopback, world):
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C1", expect=is_question(1))
    assert DESCRIPTORS not in labels(q1)  # a choice question: no descriptors
    q2 = await user.press(q1, "Some involvement", expect=is_question(2))
    assert labels(q2)[-1] == DESCRIPTORS

    shown = await user.press(q2, DESCRIPTORS, expect="What the grades mean")
    text = shown["text"]
    for name in ("Outstanding:", "Good:", "Requires Improvement to be Good:", "Inadequate:"):
        assert name in text
    assert DEFAULT_DESCRIPTORS["inadequate"] in text
    assert "Not graded" in text and "still above" in text
    assert shown["message_id"] != q2["message_id"]  # a message of its own
    # The question is untouched and still answers: the place is not lost.
    assert user.message(q2["message_id"])["text"] == q2["text"]
    q3 = await user.press(q2, "Good", expect=is_question(3))
    assert q3["message_id"] == q2["message_id"]
    assert labels(q3)[-1] == DESCRIPTORS
    # Asked again on a later grade question, and nothing was stored by asking.
    await user.press(q3, DESCRIPTORS, expect=lambda m: m["message_id"] > shown["message_id"]
                     and "What the grades mean" in m.get("text", ""))  # fmt: skip
    ret = await stored(world, POLICE, int(q3["reply_markup"]["inline_keyboard"][0][0]
                                          ["callback_data"].split("|")[1]))  # fmt: skip
    assert ret["answers"] == {"involvement": "some", "practice": {"grade": "good"}}
    await user.press(q3, "Outstanding", expect=is_question(4))


async def answered(world, uid: int, case: str, **over) -> dict:
    ret = await return_of(world, uid, case)
    for key, value in (full_answers() | over).items():
        status, body = await world.as_member(
            "PUT", f"/api/returns/{ret['id']}/answers/{key}", uid, json={"value": value}
        )
        assert status == 200, body
    return ret


async def open_review(user: User, case: str) -> dict:
    cases = await user.cmd("/audit", expect="Which case")
    return await user.press(cases, case, expect="Review – case")


async def test_cross_check_in_the_review_go_back_and_fix(bot, loopback, world):
    ret = await answered(world, CSC, "C2", good_practice="None")
    user = User(loopback, CSC)
    review = await open_review(user, "C2")
    text = review["text"]
    assert "⚠️ Before you submit, please check:" in text
    assert "The overall grade is Outstanding or Good, but no good practice is written." in text
    assert "(4. Impact, 5. Good practice)" in text
    confirm = await user.press(review, "Submit", expect="These answers were questioned")
    assert labels(confirm) == ["Confirm with a reason", "Not yet"]
    review = await user.press(confirm, "Not yet", expect="Review – case C2")
    q5 = await user.press(review, "✎ 5. Good practice", expect=is_question(5))
    done = await user.say("Daily contact with the school kept C2 safe.", expect="press Done")
    review = await user.press(done, "Done", expect="Review – case C2")
    assert "Before you submit" not in review["text"]
    assert "Everything is answered" in review["text"]
    confirm = await user.press(review, "Submit", expect="Submit case C2")
    await user.press(confirm, "Yes, submit", expect="Submitted – thank you!")
    saved = await stored(world, CSC, ret["id"])
    assert (saved["status"], saved["cross_check_reason"]) == ("submitted", None)
    assert q5  # the question was asked again, from the review


async def test_cross_check_confirmed_with_a_reason_typed_in_the_chat(bot, loopback, world):
    ret = await answered(world, POLICE, "C1", joint_working_grade=NG_LITTLE)
    user = User(loopback, POLICE)
    review = await open_review(user, "C1")
    assert "Involvement is “throughout the scope window”" in review["text"]
    assert "(1. Involvement, 3. Joint working)" in review["text"]
    confirm = await user.press(review, "Submit", expect="These answers were questioned")
    await user.press(confirm, "Confirm with a reason", expect="Type in one message why")
    await user.say("ok", expect="at least a few words")
    await user.say("Ring 07700 900123 for the details.", expect="phone number")
    assert (await stored(world, POLICE, ret["id"]))["status"] == "draft"
    reason = "Police attended once; the rest was handled by the neighbouring force."
    await user.say(reason, expect="with your reason kept on the return")
    saved = await stored(world, POLICE, ret["id"])
    assert (saved["status"], saved["cross_check_reason"]) == ("submitted", reason)


async def test_inadequate_without_development_is_shown_and_a_command_ends_the_wait(
    bot, loopback, world
):
    ret = await answered(world, CSC, "C3", impact={"grade": "inadequate"}, development="n/a")
    user = User(loopback, CSC)
    review = await open_review(user, "C3")
    assert (
        "The overall grade is Inadequate, but no area for development is written."
        in (review["text"])
    )
    confirm = await user.press(review, "Submit", expect="These answers were questioned")
    await user.press(confirm, "Confirm with a reason", expect="Type in one message why")
    await user.cmd("/status", expect="In progress")
    # The wait is over: a message now is not taken as the reason, and nothing was submitted.
    await user.say("This is not a reason.")
    await user.expect(lambda m: m.get("text", "") != "" and "Submitted" not in m["text"])
    assert (await stored(world, CSC, ret["id"]))["status"] == "draft"


async def test_the_terminal_chat_shows_the_descriptors_and_keeps_the_question(world, loopback):
    # /audit, case C1, "Some involvement", then [6] on the grade question: the descriptors.
    lines = ["/audit", "1", "2", "6", "2", "quit"]
    out = io.StringIO()
    await run_console(
        bot_settings(world, loopback), POLICE, io.StringIO("\n".join(lines) + "\n"), out
    )
    text = out.getvalue()
    assert "[6] ℹ️ What do the grades mean?" in text
    assert "What the grades mean (Multi-agency case audit tool)" in text
    assert DEFAULT_DESCRIPTORS["outstanding"] in text
    # [2] after the descriptors still answers the question they were asked from: Good.
    assert "Case C1 · Question 3 of 11" in text
    saved = await return_of(world, POLICE, "C1")
    assert saved["answers"]["practice"] == {"grade": "good"}
