"""The bot holds no state that matters: restarts, redelivered updates, an unreachable collector,
and webhook mode."""

import asyncio
import socket

import aiohttp
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from bot.app import SECRET_HEADER, build_application, run_webhook, webhook_app
from tests.bot_fixtures import bot_settings
from tests.bot_helpers import (
    COORD,
    POLICE,
    User,
    answer_buttons_until_text,
    finish_from_q5,
    return_of,
    rid_of,
    stored,
)

pytest_plugins = ["tests.bot_fixtures"]


async def test_stop_the_bot_mid_case_and_a_new_one_carries_on(bots, world, loopback):
    await bots.start()
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C1", expect="Question 1 of 11")
    # Some involvement: "throughout" with a grade "historical only" would be cross-checked.
    q2 = await user.press(q1, "Some involvement", expect="Question 2 of 11")
    q3 = await user.press(q2, "Inadequate", expect="Question 3 of 11")
    await bots.stop()  # everything in memory is gone

    await bots.start()
    # A button from before the restart still works when it is for where the case stands.
    reasons = await user.press(q3, "Not graded", expect="Why can't this be graded?")
    q4 = await user.press(reasons, "Historical", expect="Question 4 of 11")
    await user.press(q4, "Good", expect="Question 5 of 11")
    await user.say("Joint visit with the school nurse.", expect="or press Done")
    await bots.stop()

    await bots.start()
    # ...and one for a question already answered does not overwrite it.
    old = q2["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    user.u.press(q2["message_id"], old, strict=False)
    await user.expect("That button is from an earlier message")
    await user.expect("Question 6 of 11")
    saved = await return_of(world, POLICE, "C1")
    rid = saved["id"]
    assert saved["answers"]["practice"] == {"grade": "inadequate"}
    assert saved["answers"]["good_practice"] == "Joint visit with the school nurse."
    await user.cmd("/back", expect="Question 5 of 11")
    q5 = await user.cmd("/back", expect="Question 4 of 11")
    q5 = await user.press(q5, "Keep it as it is", expect="Question 6 of 11")
    await user.cmd("/back", expect="Question 5 of 11")
    review = await finish_from_q5(user)
    confirm = await user.press(review, "Submit", expect="Submit case C1")
    await user.press(confirm, "Yes, submit", expect="Submitted")
    saved = await stored(world, POLICE, rid)
    assert saved["status"] == "submitted"
    assert saved["answers"]["joint_working_grade"] == {
        "grade": "not_graded",
        "reason": "historical_only",
    }


async def test_an_update_delivered_twice_has_one_effect(bot, world, loopback):
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C2", expect="Question 1 of 11")
    await answer_buttons_until_text(user, q1)
    update = user.u.send_text("Clear plan agreed at the strategy meeting.")
    done = await user.expect("or press Done")
    loopback.push_update(update)  # Telegram redelivers it (same update_id)
    await user.cmd("/status", expect="In progress: C2")
    saved = await stored(world, POLICE, rid_of(done))
    assert saved["answers"]["good_practice"] == "Clear plan agreed at the strategy meeting."
    assert sum("or press Done" in t for t in user.texts()) == 1


async def test_unreachable_collector_keeps_the_answer_and_never_claims_it_saved(
    bots, switch, world, loopback
):
    await bots.start()
    user = User(loopback, POLICE)
    cases = await user.cmd("/audit", expect="Which case")
    q1 = await user.press(cases, "C1", expect="Question 1 of 11")
    q5 = await answer_buttons_until_text(user, q1)
    switch.down = True
    await user.say("Information was shared within a day.", expect="NOT saved yet")
    assert not any("✓" in t and "Information was shared" in t for t in user.texts())
    assert "good_practice" not in (await return_of(world, POLICE, "C1"))["answers"]
    await asyncio.sleep(0.5)
    switch.down = False
    await user.expect("your answer is saved", timeout=15)
    await user.expect("or press Done")
    saved = await return_of(world, POLICE, "C1")
    assert saved["answers"]["good_practice"] == "Information was shared within a day."
    assert q5

    switch.down = True
    await user.cmd("/status", expect="I can't reach the audit service")


async def test_webhook_checks_the_secret_then_handles_the_update(world, loopback):
    settings = bot_settings(world, loopback)
    application = build_application(settings)
    await application.initialize()
    await application.start()
    server = TestServer(webhook_app(application, "s3cret-Value", "/hook"), host="127.0.0.1")
    await server.start_server()
    try:
        update = loopback.send_command(COORD, "/help")
        async with aiohttp.ClientSession() as http:
            url = str(server.make_url("/hook"))
            for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: "s3cret-Valu"}):
                async with http.post(url, json=update, headers=headers) as resp:
                    assert resp.status == 403
            async with http.post(url, json=update, headers={SECRET_HEADER: "s3cret-Value"}) as r:
                assert r.status == 200
        await User(loopback, COORD).expect("Coordinator commands")
    finally:
        await server.close()
        await application.stop()
        await application.shutdown()
        await application.bot_data["client"].close()


async def test_webhook_mode_registers_with_the_secret_and_listens(world, loopback):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = bot_settings(world, loopback).model_copy(
        update={
            "webhook_url": "https://bot.example.org/telegram",
            "webhook_secret": SecretStr("another-s3cret"),
            "webhook_listen": f"127.0.0.1:{port}",
        }
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_webhook(settings, stop))
    try:
        for _ in range(100):
            if loopback.webhook.get("url"):
                break
            await asyncio.sleep(0.05)
        assert loopback.webhook["url"] == "https://bot.example.org/telegram"
        assert loopback.webhook["secret_token"] == "another-s3cret"
        update = loopback.send_command(COORD, "/tally")
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/telegram"
            async with http.post(url, json=update, headers={SECRET_HEADER: "nope"}) as r:
                assert r.status == 403
            async with http.post(url, json=update, headers={SECRET_HEADER: "another-s3cret"}) as r:
                assert r.status == 200
        await User(loopback, COORD).expect("Police: 0 (of 2)")
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
