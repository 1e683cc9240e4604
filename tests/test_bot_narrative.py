"""Narratives across several messages: one Bot API message per later part, the Done buttons left
on earlier acks, and button answers that need no read of the return first."""

import asyncio
import io

from bot import texts
from bot.console import run_console
from testing.loopback import LoopbackBotApi
from tests.bot_fixtures import bot_settings
from tests.bot_helpers import (
    POLICE,
    User,
    answer_buttons_until_text,
    labels,
    return_of,
    rid_of,
    stored,
)

pytest_plugins = ["tests.bot_fixtures"]

PARTS = (
    "Strategy meeting held promptly.",
    "The school nurse followed up the same week.",
    "Earlier referral to early help would have helped.",
)
JOINED = "\n\n".join(PARTS)


async def to_first_narrative(user: User) -> dict:
    """Into case C1 and through questions 1-4 by buttons: question 5, the first narrative."""
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C1", expect="Question 1 of 11")
    return await answer_buttons_until_text(user, q1)


async def three_parts(user: User, loopback: LoopbackBotApi) -> tuple[dict, list[dict], list[int]]:
    """Into case C1, questions 1-4 by buttons, then question 5 in three parts.

    Returns question 5, the three acks and where the Bot API log stood before each part."""
    q5 = await to_first_narrative(user)
    acks, marks = [], []
    for part in PARTS:
        marks.append(len(loopback.sent_log))
        acks.append(await user.say(part, expect="or press Done"))
    return q5, acks, marks


def chat_calls(loopback: LoopbackBotApi, chat_id: int, start: int, end: int | None = None):
    """The chat-bound Bot API calls (the ones AIORateLimiter counts) made to this chat."""
    return [c.method for c in loopback.sent_log[start:end] if c.chat_id == chat_id]


def message(user: User, message_id: int) -> dict:
    """A bot message as it is now, edits applied."""
    return next(m for m in user.u.messages() if m["message_id"] == message_id)


async def toast(loopback: LoopbackBotApi, seen: int) -> str | None:
    """The text of the first callback answer after the first `seen` ones."""
    for _ in range(100):
        if len(loopback.answered_callbacks) > seen:
            return loopback.answered_callbacks[seen].get("text")
        await asyncio.sleep(0.05)
    raise AssertionError("the button was never answered")


async def test_later_parts_of_a_narrative_send_only_their_ack(bot, loopback, world):
    user = User(loopback, POLICE)
    q5, acks, marks = await three_parts(user, loopback)
    await asyncio.sleep(0.3)  # anything the last part still did would be in the log by now

    # A required question has no buttons to take off: it stays as asked, every part one call.
    assert chat_calls(loopback, POLICE, marks[0], marks[1]) == ["sendMessage"]
    assert chat_calls(loopback, POLICE, marks[1], marks[2]) == ["sendMessage"]
    assert chat_calls(loopback, POLICE, marks[2]) == ["sendMessage"]
    assert message(user, q5["message_id"]) == q5 and not labels(q5)
    for ack in acks:  # earlier acks are left as they were sent, Done and all
        assert message(user, ack["message_id"]) == ack and labels(ack) == ["Done"]
    saved = await stored(world, POLICE, rid_of(acks[0]))
    assert saved["answers"]["good_practice"] == JOINED


async def test_an_optional_question_loses_its_skip_button_with_the_first_part(bot, loopback, world):
    user = User(loopback, POLICE)
    _, acks, _ = await three_parts(user, loopback)
    q6 = await user.press(acks[-1], "Done", expect="Question 6 of 11")
    ack = await user.say("Earlier referral would have helped.", expect="or press Done")
    q7 = await user.press(ack, "Done", expect="Question 7 of 11")
    assert "Skip" in labels(q7)
    mark = len(loopback.sent_log)
    await user.say("Shared with the school within a day.", expect="or press Done")
    await asyncio.sleep(0.3)
    assert chat_calls(loopback, POLICE, mark) == ["editMessageText", "sendMessage"]
    question = message(user, q7["message_id"])
    assert not labels(question) and question["text"].endswith(
        "✓ Shared with the school within a day."
    )
    assert q6


async def test_done_on_an_earlier_ack_finishes_the_narrative(bot, loopback, world):
    user = User(loopback, POLICE)
    _, acks, _ = await three_parts(user, loopback)

    q6 = await user.press(acks[0], "Done", expect="Question 6 of 11")
    pressed = message(user, acks[0]["message_id"])
    assert pressed["text"] == f"✓ Saved ({len(JOINED)} characters)." and not labels(pressed)
    assert not labels(message(user, acks[2]["message_id"]))  # the newest Done is taken off
    await user.say("Earlier referral to early help.", expect="or press Done")
    saved = await stored(world, POLICE, rid_of(acks[0]))
    assert saved["answers"]["good_practice"] == JOINED
    assert saved["answers"]["development"] == "Earlier referral to early help."
    assert q6


async def test_done_from_a_finished_narrative_is_out_of_date_and_changes_nothing(
    bot, loopback, world
):
    user = User(loopback, POLICE)
    _, acks, _ = await three_parts(user, loopback)
    await user.press(acks[2], "Done", expect="Question 6 of 11")
    await asyncio.sleep(0.3)

    mark, answered = len(loopback.sent_log), len(loopback.answered_callbacks)
    await user.press(acks[0], "Done")
    assert await toast(loopback, answered) == texts.STALE_BUTTON_TOAST
    closed = message(user, acks[0]["message_id"])
    assert closed["text"] == f"✓ Saved ({len(PARTS[0])} characters)." and not labels(closed)
    assert chat_calls(loopback, POLICE, mark) == ["editMessageText"]  # nothing sent, no re-run

    # Still on question 6: the next text is its answer, and question 5 is as it was.
    await user.say("Earlier referral to early help.", expect="or press Done")
    saved = await stored(world, POLICE, rid_of(acks[0]))
    assert saved["answers"]["good_practice"] == JOINED
    assert saved["answers"]["development"] == "Earlier referral to early help."


async def test_button_answers_read_the_return_only_when_the_bot_has_none(
    bots, switch, world, loopback
):
    await bots.start()
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C1", expect="Question 1 of 11")
    rid = rid_of(q1)
    mark = len(switch.seen)
    q2 = await user.press(q1, "Involved throughout", expect="Question 2 of 11")
    q3 = await user.press(q2, "Good", expect="Question 3 of 11")
    reasons = await user.press(q3, "Not graded", expect="Why can't this be graded?")
    q4 = await user.press(reasons, "Too little involvement", expect="Question 4 of 11")
    assert ("GET", f"/api/returns/{rid}") not in switch.seen[mark:]
    puts = [p for m, p in switch.seen[mark:] if m == "PUT"]
    assert len(puts) == 3, puts
    await bots.stop()  # the bot forgets the return it held

    await bots.start()
    mark = len(switch.seen)
    await user.press(q4, "Outstanding", expect="Question 5 of 11")
    assert switch.seen[mark:].count(("GET", f"/api/returns/{rid}")) == 1
    saved = await stored(world, POLICE, rid)
    assert saved["answers"]["impact"] == {"grade": "outstanding"}
    assert saved["answers"]["joint_working_grade"]["grade"] == "not_graded"


async def test_console_narrative_in_parts_then_done(world, loopback):
    lines = ["/audit", "1", "1", "1", "1", "1", "Part one.", "Part two.", "1", "quit"]
    out = io.StringIO()
    await run_console(
        bot_settings(world, loopback), POLICE, io.StringIO("\n".join(lines) + "\n"), out
    )
    text = out.getvalue()
    assert "(updated) Case C1 · Question 5 of 11" not in text  # asked, then left as asked
    assert text.count("or press Done") == 2
    assert text.count("(updated) ✓ Saved") == 1  # only Done edits an ack
    assert "(updated) ✓ Saved (20 characters)." in text
    assert "Case C1 · Question 6 of 11" in text
    saved = await return_of(world, POLICE, "C1")
    assert saved["answers"]["good_practice"] == "Part one.\n\nPart two."


async def test_each_narrative_part_is_one_collector_call(bots, switch, world, loopback):
    await bots.start()
    user = User(loopback, POLICE)
    await to_first_narrative(user)
    for part in PARTS:
        mark = len(switch.seen)
        ack = await user.say(part, expect="or press Done")
        # The part, with the update's de-duplication, in one write: no read, no extra call.
        parts = f"/api/returns/{rid_of(ack)}/answers/good_practice/parts"
        assert switch.seen[mark:] == [("POST", parts)]
    saved = await stored(world, POLICE, rid_of(ack))
    assert saved["answers"]["good_practice"] == JOINED


async def test_a_redelivered_part_is_stored_once(bot, world, loopback):
    user = User(loopback, POLICE)
    await to_first_narrative(user)
    await user.say(PARTS[0], expect="or press Done")
    update = user.u.send_text(PARTS[1])
    ack = await user.expect(f"{len(PARTS[0]) + 2 + len(PARTS[1]):,} of")
    loopback.push_update(update)  # Telegram delivers the second part again (same update_id)
    await user.cmd("/status", expect="In progress: C1")
    saved = await stored(world, POLICE, rid_of(ack))
    assert saved["answers"]["good_practice"] == "\n\n".join(PARTS[:2])
    assert sum("or press Done" in t for t in user.texts()) == 2


async def test_parts_typed_while_the_collector_is_away_are_kept_in_order(
    bots, switch, world, loopback
):
    await bots.start()
    user = User(loopback, POLICE)
    await to_first_narrative(user)
    await user.say(PARTS[0], expect="or press Done")
    switch.down = True
    await user.say(PARTS[1], expect="NOT saved yet")
    await user.say(PARTS[2], expect="Still no connection")
    rid = (await return_of(world, POLICE, "C1"))["id"]
    assert (await stored(world, POLICE, rid))["answers"]["good_practice"] == PARTS[0]
    switch.down = False
    await user.expect("your answer is saved", timeout=15)
    saved = await stored(world, POLICE, rid)
    assert saved["answers"]["good_practice"] == JOINED


async def test_a_part_with_an_identifier_never_reaches_the_collector(bots, switch, world, loopback):
    await bots.start()
    user = User(loopback, POLICE)
    await to_first_narrative(user)
    await user.say(PARTS[0], expect="or press Done")
    mark = len(switch.seen)
    await user.say("Seen at home, SW1A 1AA, by the nurse.", expect="postcode")
    assert all("/parts" not in path for _, path in switch.seen[mark:])
    rid = (await return_of(world, POLICE, "C1"))["id"]
    assert (await stored(world, POLICE, rid))["answers"]["good_practice"] == PARTS[0]
