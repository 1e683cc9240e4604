"""Everything the bot can't use gets a short, friendly reply, and nothing is stored."""

import asyncio

from bot import texts
from tests.bot_helpers import (
    COORD,
    CSC,
    POLICE,
    STRANGER,
    User,
    answer_buttons_until_text,
    return_of,
)
from tests.conftest import SERVICE_TOKEN

pytest_plugins = ["tests.bot_fixtures"]


async def test_someone_not_enrolled_is_told_how_to_join(bot, loopback):
    stranger = User(loopback, STRANGER)
    await stranger.cmd("/start", expect="please open the invite link")
    await stranger.cmd("/audit", expect=texts.NOT_ENROLLED)
    await stranger.say("hello?", expect=texts.NOT_ENROLLED)
    stranger.u.server.send_sticker(STRANGER)
    await stranger.expect(texts.NOT_ENROLLED)
    await stranger.cmd("/tally", expect=texts.NOT_ENROLLED)


async def test_invite_codes_used_expired_mistyped_and_slowed_down(bot, loopback, world):
    coord = User(loopback, COORD)
    invite = await coord.cmd("/invite csc auditor", expect="start=")
    code = invite["text"].rsplit("start=", 1)[1].strip()
    await User(loopback, 5001, "First").cmd(f"/start {code}", expect="you're now enrolled")
    late = User(loopback, 5002, "Late")
    await late.cmd(f"/start {code}", expect=texts.INVITE_USED)

    status, quick = await world.call(
        "POST",
        "/api/invites",
        token=await world.token_for(1),
        json={"role": "auditor", "agency": "gp", "expires_in_days": 0.00001},
    )
    assert status == 201, quick
    await asyncio.sleep(1.2)
    await late.cmd(f"/start {quick['code']}", expect=texts.INVITE_EXPIRED)
    await late.cmd("/start not-a-real-code", expect=texts.INVITE_INVALID)
    await late.cmd("/start still-wrong", expect="please wait about a minute")
    fresh = await coord.cmd("/invite gp auditor", expect="start=")
    good = fresh["text"].rsplit("start=", 1)[1].strip()
    await late.cmd(f"/start {good}", expect="please wait")  # even a good code waits its turn
    status, _ = await world.call("GET", "/api/me", token=SERVICE_TOKEN, telegram_id=5002)
    assert status == 404


async def test_media_unknown_commands_and_typing_at_buttons(bot, loopback, world):
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C1", expect="Question 1 of 11")
    loopback.send_sticker(POLICE)
    await user.expect(texts.UNSUPPORTED_MEDIA)
    loopback.send_photo(POLICE, caption="the chronology")
    await user.expect(texts.UNSUPPORTED_MEDIA)
    loopback.send_voice(POLICE)
    await user.expect(texts.UNSUPPORTED_MEDIA)
    user.u.send_document("chronology.docx", b"PK..")
    await user.expect(texts.UNSUPPORTED_MEDIA)
    await user.cmd("/frobnicate", expect=texts.UNKNOWN_COMMAND)
    await user.say("throughout", expect=texts.USE_BUTTONS)
    assert (await return_of(world, POLICE, "C1"))["answers"] == {}
    await user.press(q1, "Some involvement", expect="Question 2 of 11")


async def test_a_button_from_an_old_message_changes_nothing(bot, loopback, world):
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C1", expect="Question 1 of 11")
    old = q1["reply_markup"]["inline_keyboard"][4][0]["callback_data"]
    await user.press(q1, "Some involvement", expect="Question 2 of 11")
    user.u.press(q1["message_id"], old, strict=False)
    await user.expect("That button is from an earlier message")
    await user.expect("Question 2 of 11")
    for _ in range(50):  # the button is answered (with a toast) once the replies are out
        if loopback.answered_callbacks[-1].get("text"):
            break
        await asyncio.sleep(0.05)
    assert loopback.answered_callbacks[-1].get("text") == texts.STALE_BUTTON_TOAST
    assert (await return_of(world, POLICE, "C1"))["answers"] == {"involvement": "some"}


async def test_identifiers_are_caught_before_anything_is_stored(bot, loopback, world):
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    await answer_buttons_until_text(user, await user.press(cases, "C2", expect="Question 1"))
    found = await user.say("Seen with mum at BR1 3AA on 3 May.", expect="seems to contain")
    assert "a postcode (BR1 3AA)" in found["text"] and "Nothing has been saved" in found["text"]
    assert "good_practice" not in (await return_of(world, POLICE, "C2"))["answers"]
    await user.say("Seen with mum at home on 3 May.", expect="or press Done")
    await user.say("Call her on 07700 900123 if needed.", expect="a phone number")
    await user.say("x" * 4000, expect="or press Done")
    await user.say("y" * 2500, expect="the limit here is 6,000")
    saved = (await return_of(world, POLICE, "C2"))["answers"]["good_practice"]
    assert saved == "Seen with mum at home on 3 May.\n\n" + "x" * 4000
    await user.say("ok", expect="or press Done")  # short parts are fine once there is text


async def test_another_agency_cannot_reach_the_case(bot, loopback, world):
    csc = User(loopback, CSC)
    cases = await csc.cmd("/audit", expect="Which case")
    q1 = await csc.press(cases, "C3", expect="Question 1 of 11")
    csc_return = await return_of(world, CSC, "C3")
    police = User(loopback, POLICE)
    mine = await police.cmd("/audit", expect="Which case")
    assert "C3" not in str(mine["reply_markup"])
    police.u.press(mine["message_id"], "k|1|C3", strict=False)
    await police.expect(texts.NOT_YOUR_CASE)
    police.u.press(mine["message_id"], f"a|{csc_return['id']}|involvement|0", strict=False)
    await police.expect(texts.NOT_YOUR_CASE)
    assert (await return_of(world, CSC, "C3"))["answers"] == {}
    await csc.press(q1, "Involved throughout", expect="Question 2 of 11")


async def test_coordinator_commands_politely_refuse_auditors(bot, loopback):
    user = User(loopback, POLICE)
    await user.cmd("/tally", expect=texts.COORDINATORS_ONLY)
    await user.cmd("/overdue", expect=texts.COORDINATORS_ONLY)
    await user.cmd("/invite police auditor", expect=texts.COORDINATORS_ONLY)
    await user.cmd("/round", expect=texts.COORDINATORS_ONLY)
    await user.cmd("/round close r-2026", expect=texts.COORDINATORS_ONLY)
