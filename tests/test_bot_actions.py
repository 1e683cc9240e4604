"""Reminders and the action plan in the chat, with the real bot, collector and outbox sender:
/remind (dry run, then queue), /actions, "Post progress" on a delivered reminder, replies,
refusals for other roles, and a member who blocked the bot coming back."""

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.client import CollectorClient
from bot.outbox import OutboxSender
from models.enums import Role
from models.ops import Reminder
from models.people import Member
from models.rounds import Action, Round
from tests.bot_helpers import COORD, POLICE, STRANGER, User, labels
from tests.conftest import SERVICE_TOKEN, small_round

pytest_plugins = ["tests.bot_fixtures"]

ACTIONS = [
    {"recommendation": "Refresh the escalation policy.", "owner": "Police", "due_at": "2027-06-30",
     "owner_telegram_id": POLICE},
    {"recommendation": "Hold a joint workshop on information sharing.", "owner": "Police lead",
     "due_at": "2026-01-20", "owner_telegram_id": POLICE},
]  # fmt: skip
WEDNESDAY = "2026-01-21T10:00:00+00:00"  # the morning after action 2 was due; a working day


@pytest.fixture
async def plan_round(world: Any) -> Any:
    """A second open round whose action plan has an overdue action owned by the police auditor."""
    await world.create_round(small_round("r-act", title="Action plan audit", actions=ACTIONS))
    return world


@pytest.fixture
async def sender(bot: Any, plan_round: Any) -> AsyncIterator[OutboxSender]:
    """The real outbox sender, sending through the running bot's own Bot."""
    client = CollectorClient(plan_round.url, SERVICE_TOKEN)
    yield OutboxSender(bot.bot, client)
    await client.close()


async def action_id(collector: Any, number: int, slug: str = "r-act") -> int:
    async with collector.db.read() as session:
        query = select(Action.id).join(Round).where(Round.slug == slug, Action.number == number)
        return (await session.execute(query)).scalar_one()


async def deliver_action_reminders(collector: Any, sender: OutboxSender) -> int:
    """Queue what the policy says on the morning after action 2 was due; send it for real."""
    body = {"round": "r-act", "at": WEDNESDAY, "dry_run": False}
    status, plan = await collector.call(
        "POST", "/api/reminders/plan", token=SERVICE_TOKEN, json=body
    )
    assert status == 200 and plan["queued"] > 0, plan
    return await sender.run_once()


async def test_remind_shows_the_dry_run_then_queues_it(bot, loopback, plan_round):
    coord = User(loopback, COORD)
    shown = await coord.cmd("/remind r-2026", expect="Reminders for Test audit if they were sent")
    assert "Pat Police" in shown["text"] and "[exp:" not in shown["text"]
    assert labels(shown) == ["Send these now"]
    assert len(shown["text"]) <= 4096
    async with plan_round.db.read() as session:
        assert (await session.execute(select(Reminder))).scalars().all() == []
    done = await coord.press(shown, "Send these now", expect="queued for Test audit")
    queued = int(re.search(r"(\d+) reminders? queued", done["text"]).group(1))
    async with plan_round.db.read() as session:
        rows = (await session.execute(select(Reminder))).scalars().all()
    assert queued > 0 and len(rows) == queued
    assert {r.round_id for r in rows} == {(await round_id(plan_round, "r-2026"))}
    assert labels(done) == []  # the list is replaced by the outcome: no second press
    shown = await coord.cmd("/remind r-2026", expect="Reminders for Test audit if they were sent")
    again = await coord.press(shown, "Send these now", expect="queued for Test audit")
    assert "0 reminders queued" in again["text"] and "won't be sent twice" in again["text"]


async def round_id(collector: Any, slug: str) -> int:
    async with collector.db.read() as session:
        return (await session.execute(select(Round.id).where(Round.slug == slug))).scalar_one()


async def test_actions_lists_the_overdue_action_first(bot, loopback, plan_round):
    coord = User(loopback, COORD)
    msg = await coord.cmd("/actions r-act", expect="Action plan for Action plan audit")
    text = msg["text"]
    assert "2 actions, 1 overdue" in text
    assert text.index("⚠️ OVERDUE · 2. Hold a joint workshop") < text.index("1. Refresh")
    assert "Owner: Police lead (Pat Police) · due 20 Jan 2026 · open" in text
    assert "No progress recorded yet." in text


async def test_an_owner_posts_progress_from_the_reminder(bot, loopback, plan_round, sender):
    assert await deliver_action_reminders(plan_round, sender) >= 1
    police = User(loopback, POLICE)
    reminder = await police.expect("Action 2 of the action plan from “Action plan audit”")
    assert labels(reminder) == ["Post progress"]
    await police.press(reminder, "Post progress", expect="Please type a short update")
    await police.say("Rang the family on 07700 900123.", expect="seems to contain")
    saved = await police.say("Workshop booked for 3 March.", expect="update on action 2 is saved")
    await police.press(saved, "Done", expect="Action 2 is now marked done")
    status, action = await plan_round.as_member(
        "GET", f"/api/actions/{await action_id(plan_round, 2)}", COORD
    )
    assert status == 200, action
    assert (action["progress"], action["status"]) == ("Workshop booked for 3 March.", "done")
    # A reply to the reminder is an update on the same action, without pressing anything.
    loopback._user_message(POLICE, text="Minutes shared with partners.", reply_to_message=reminder)
    await police.expect("update on action 2 is saved")
    _, action = await plan_round.as_member(
        "GET", f"/api/actions/{await action_id(plan_round, 2)}", COORD
    )
    assert action["progress"] == "Minutes shared with partners."


async def test_only_the_owner_may_post_progress(bot, loopback, plan_round, sender):
    await deliver_action_reminders(plan_round, sender)
    reminder = await User(loopback, POLICE).expect("Action 2 of the action plan")
    await plan_round.add_member("Cas Two", Role.auditor, agency="csc", telegram_id=STRANGER)
    other = User(loopback, STRANGER)
    hello = await other.cmd("/help", expect="What you can do")
    # Someone else presses the owner's button (a forwarded copy, say): refused, nothing stored.
    data = reminder["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    loopback.press(STRANGER, hello["message_id"], data, strict=False)
    await other.expect("Only the action's owner or a coordinator")
    _, action = await plan_round.as_member(
        "GET", f"/api/actions/{await action_id(plan_round, 2)}", COORD
    )
    assert (action["progress"], action["status"]) == ("", "open")


async def test_an_auditor_gets_the_refusal_for_remind_and_actions(bot, loopback):
    police = User(loopback, POLICE)
    await police.cmd("/remind", expect="Sorry, that's only for coordinators")
    await police.cmd("/actions r-2026", expect="Sorry, that's only for coordinators")


async def test_a_member_who_blocked_the_bot_is_reachable_again_when_back(
    bot, loopback, plan_round, sender
):
    loopback.block(POLICE)
    await deliver_action_reminders(plan_round, sender)
    assert await reachable(plan_round, POLICE) is False
    loopback.unblock(POLICE)
    await User(loopback, POLICE).say("hello again", expect="I'm not expecting a message")
    assert await reachable(plan_round, POLICE) is True


async def reachable(collector: Any, telegram_id: int) -> bool:
    async with collector.db.read() as session:
        query = select(Member.reachable).where(Member.telegram_id == telegram_id)
        return (await session.execute(query)).scalar_one()
