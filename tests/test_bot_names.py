"""The name warning in the chat: the real bot on the loopback Bot API, and the terminal chat.

A possible name is not refused: the author sees it and chooses "Send as it is" or "Rewrite".
Nothing is stored until they choose to send; sending is recorded without the text."""

import io

from bot.console import run_console
from tests.bot_fixtures import bot_settings
from tests.bot_helpers import (
    POLICE,
    User,
    answer_buttons_until_text,
    labels,
    return_of,
    rid_of,
)

pytest_plugins = ["tests.bot_fixtures"]

NAMED = "Her brother Tyrese was seen alone at school."


async def to_first_narrative(user: User) -> dict:
    """Into case C1 and through questions 1-4 by buttons: question 5, the first narrative."""
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C1", expect="Question 1 of 11")
    return await answer_buttons_until_text(user, q1)


async def _trail(world, rid: int) -> list[dict]:
    status, trail = await world.as_member("GET", f"/api/returns/{rid}/audit", POLICE)
    assert status == 200, trail
    return trail


async def test_send_as_it_is_stores_the_narrative_and_records_the_choice(bot, loopback, world):
    user = User(loopback, POLICE)
    await to_first_narrative(user)
    warning = await user.say(NAMED, expect="This may contain a name")
    assert "Tyrese" in warning["text"] and "Send as it is, or rewrite?" in warning["text"]
    assert labels(warning) == ["Send as it is", "Rewrite"]
    assert "good_practice" not in (await return_of(world, POLICE, "C1"))["answers"]
    ack = await user.press(warning, "Send as it is", expect="or press Done")
    assert user.message(warning["message_id"])["text"] == "You chose to send it as it is."
    saved = await return_of(world, POLICE, "C1")
    assert saved["answers"]["good_practice"] == NAMED
    sent = [e for e in await _trail(world, rid_of(ack)) if e["action"] == "names.sent"]
    assert len(sent) == 1 and "Tyrese" not in str(sent[0])
    # Pressed again (a second tap, or an old message): nothing more is sent.
    user.u.press(warning["message_id"], "b|s", strict=False)
    await user.expect("no longer waiting")
    assert (await return_of(world, POLICE, "C1"))["answers"]["good_practice"] == NAMED


async def test_rewrite_stores_nothing_and_the_next_message_is_the_answer(bot, loopback, world):
    user = User(loopback, POLICE)
    await to_first_narrative(user)
    warning = await user.say(NAMED, expect="This may contain a name")
    await user.press(warning, "Rewrite", expect="send it again without the name")
    assert "good_practice" not in (await return_of(world, POLICE, "C1"))["answers"]
    await user.say("Her brother was seen alone at school.", expect="or press Done")
    saved = await return_of(world, POLICE, "C1")
    assert saved["answers"]["good_practice"] == "Her brother was seen alone at school."
    assert not [e for e in await _trail(world, saved["id"]) if e["action"] == "names.sent"]


async def test_a_later_part_with_a_name_is_warned_and_the_earlier_parts_are_kept(
    bot, loopback, world
):
    user = User(loopback, POLICE)
    await to_first_narrative(user)
    await user.say("Strategy meeting held promptly.", expect="or press Done")
    warning = await user.say("Mum Kelly was not invited.", expect="This may contain a name")
    await user.press(warning, "Send as it is", expect="or press Done")
    saved = await return_of(world, POLICE, "C1")
    assert saved["answers"]["good_practice"] == (
        "Strategy meeting held promptly.\n\nMum Kelly was not invited."
    )


async def test_console_shows_the_warning_with_both_choices(world, loopback):
    lines = ["/audit", "1", "1", "1", "1", "1", NAMED, "1", "1", "quit"]
    out = io.StringIO()
    await run_console(
        bot_settings(world, loopback), POLICE, io.StringIO("\n".join(lines) + "\n"), out
    )
    text = out.getvalue()
    assert "This may contain a name: Tyrese" in text
    assert "Send as it is" in text and "Rewrite" in text
    assert "You chose to send it as it is." in text
    assert "Case C1 · Question 6 of 11" in text  # Done on the ack moved on
    saved = await return_of(world, POLICE, "C1")
    assert saved["answers"]["good_practice"] == NAMED


async def test_moving_on_from_a_warning_sends_nothing(bot, loopback, world):
    user = User(loopback, POLICE)
    await to_first_narrative(user)
    warning = await user.say(NAMED, expect="This may contain a name")
    await user.cmd("/status", expect="C1")
    user.u.press(warning["message_id"], "b|s")
    await user.expect("no longer waiting")
    assert "good_practice" not in (await return_of(world, POLICE, "C1"))["answers"]
