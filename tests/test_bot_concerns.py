"""Concern alerts in the chat: the real bot on the loopback Bot API, the real outbox sender.

What the auditor is told is checked at each step: queued (to whom), then delivered (to whom,
when), then who is dealing with it; or, when nobody can be reached, what to do instead.
"""

import asyncio
import io
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from bot.app import build_application, running
from bot.console import run_console
from models.base import utcnow
from models.concerns import Concern
from models.enums import Role
from models.people import Member
from report.concern_text import DEFAULT_PROCEDURE
from tests.bot_fixtures import bot_settings
from tests.bot_helpers import COORD, CSC, POLICE, User, is_question, labels, outbox_sender
from tests.conftest import full_answers

pytest_plugins = ["tests.bot_fixtures"]

LEAD = 4001


async def at_last_question(world: Any, uid: int = POLICE, case: str = "C1") -> int:
    """A return with every answer but the last (the current-concern question)."""
    _, ret = await world.as_member(
        "POST", "/api/returns", uid, json={"round": "r-2026", "case": case}
    )
    answers = full_answers()
    answers.pop("immediate_concern")
    for key, value in answers.items():
        path = f"/api/returns/{ret['id']}/answers/{key}"
        status, body = await world.as_member("PUT", path, uid, json={"value": value})
        assert status == 200, body
    return ret["id"]


async def deliver_all(sender: Any) -> None:
    """Drain until nothing is due: an acknowledgement may queue a note to send next."""
    while await sender.drain():
        pass


async def say_yes(user: User, expect: str) -> dict:
    q11 = await user.cmd("/resume", expect=is_question(11))
    return await user.press(q11, "Yes", expect=expect)


async def test_queued_then_delivered_then_taken_on_and_listed(bot, loopback, world):
    await world.add_member("Lee Lead", Role.agency_lead, agency="police", telegram_id=LEAD)
    await at_last_question(world)
    auditor, coord, lead = User(loopback, POLICE), User(loopback, COORD), User(loopback, LEAD)
    told = await say_yes(auditor, "Your concern about case C1 is queued to go now to")
    assert "Cora Coordinator (coordinator) and Lee Lead (agency lead)" in told["text"]
    assert "has not been delivered yet" in told["text"]
    # Nothing has gone yet (this bot runs no sender): nobody is told it went.
    assert not any("Immediate safeguarding concern" in t for t in coord.texts() + lead.texts())
    async with outbox_sender(bot, world) as sender:
        await deliver_all(sender)
        alert = await lead.expect("Immediate safeguarding concern")
        assert "Case: C1" in alert["text"] and "Agency: Police" in alert["text"]
        assert "Prompt strategy meeting" not in alert["text"]  # never any narrative
        assert labels(alert) == ["I'm dealing with this"]
        coord_alert = await coord.expect("Immediate safeguarding concern")
        notes = [t for t in auditor.texts() if "✓ Your concern about case C1 was delivered" in t]
        assert len(notes) == 2
        assert any("to Cora Coordinator (coordinator) at " in n for n in notes)
        assert any("to Lee Lead (agency lead) at " in n for n in notes)
        await lead.press(alert, "I'm dealing with this", expect="You are dealing with the concern")
        await deliver_all(sender)
        await coord.expect("✓ Lee Lead (agency lead) is dealing with the concern about case C1")
        await auditor.expect("✓ Lee Lead (agency lead) is dealing with the concern about case C1")
        await coord.press(coord_alert, "I'm dealing", expect="Lee Lead (agency lead) is already")
        await deliver_all(sender)
    listed = await coord.cmd("/concerns", expect="Concern alerts in Test audit (1)")
    assert "C1 (Police)" in listed["text"]
    assert "Lee Lead (agency lead) is dealing with it" in listed["text"]
    mine = await lead.cmd("/concerns", expect="Concern alerts in Test audit (1)")
    assert "C1 (Police)" in mine["text"]
    await auditor.cmd("/concerns", expect="/concerns is for coordinators and agency leads")


async def test_not_taken_on_in_time_is_sent_again_to_every_coordinator(bot, loopback, world):
    await at_last_question(world)
    auditor, coord = User(loopback, POLICE), User(loopback, COORD)
    await say_yes(auditor, "is queued to go now to Cora Coordinator (coordinator)")
    async with outbox_sender(bot, world) as sender:
        await deliver_all(sender)
        await coord.expect("Immediate safeguarding concern")
        await world.add_member("Nia New", Role.coordinator, telegram_id=COORD + 5)
        # The stored deadline passes (as 15 minutes would): the next claim escalates.
        async with world.db.write() as session:
            past = utcnow() - timedelta(seconds=1)
            await session.execute(update(Concern).values(escalate_at=past))
        await deliver_all(sender)
        for uid in (COORD, COORD + 5):
            again = await User(loopback, uid).expect("Not acknowledged in 15 minutes")
            assert labels(again) == ["I'm dealing with this"]
        await auditor.expect("so it is queued to go again to Cora Coordinator (coordinator)")
    listed = await coord.cmd("/concerns", expect="Concern alerts in Test audit")
    assert "sent again to every coordinator" in listed["text"]


async def test_nobody_reachable_is_said_plainly_in_telegram_and_the_terminal(bot, loopback, world):
    async with world.db.write() as session:  # the only coordinator has blocked the bot
        await session.execute(
            update(Member).where(Member.telegram_id == COORD).values(reachable=False)
        )
    await at_last_question(world)
    told = await say_yes(User(loopback, POLICE), "Nobody could be alerted about case C1")
    assert told["text"].endswith(DEFAULT_PROCEDURE) and "queued" not in told["text"]
    await at_last_question(world, CSC, "C3")
    out = io.StringIO()
    lines = ["/resume", "1", "quit"]  # [1] is Yes
    await run_console(bot_settings(world, loopback), CSC, io.StringIO("\n".join(lines) + "\n"), out)
    text = out.getvalue()
    assert "Nobody could be alerted about case C3 through MAA" in text
    assert DEFAULT_PROCEDURE in text and "alerted in Telegram" not in text


async def test_the_terminal_says_queued_and_the_bot_delivers_it(bots, loopback, world):
    await at_last_question(world, CSC, "C3")
    out = io.StringIO()
    settings = bot_settings(world, loopback)
    await run_console(settings, CSC, io.StringIO("/resume\n1\nquit\n"), out)
    assert "Your concern about case C3 is queued to go now to Cora Coordinator" in out.getvalue()
    # A bot running its outbox (as `maa serve` does) delivers it within its poll interval.
    app = build_application(settings.model_copy(update={"reminders": True}))
    async with running(app, poll_timeout=0.5):
        alert = await User(loopback, COORD).expect("Case: C3", timeout=10)
        assert "Immediate safeguarding concern" in alert["text"]
        await User(loopback, CSC).expect("was delivered to Cora Coordinator", timeout=10)


async def test_the_bots_own_sender_is_woken_by_the_answer(bots, loopback, world):
    settings = bot_settings(world, loopback).model_copy(update={"reminders": True})
    app = build_application(settings)
    app.bot_data["sender"].poll_seconds = 60  # only the wake-up can make it quick
    await at_last_question(world)
    async with running(app, poll_timeout=0.5):
        await asyncio.sleep(0.5)  # the sender's first round (plan, drain) is over
        auditor = User(loopback, POLICE)
        started = asyncio.get_running_loop().time()
        await say_yes(auditor, "is queued to go now to")
        await User(loopback, COORD).expect("Immediate safeguarding concern", timeout=10)
        assert asyncio.get_running_loop().time() - started < 5
