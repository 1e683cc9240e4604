"""A chasing reminder delivered by the real outbox opens the first unfinished case in the chat."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.client import CollectorClient
from bot.outbox import OutboxSender
from tests.bot_helpers import POLICE, User, labels
from tests.conftest import SERVICE_TOKEN

pytest_plugins = ["tests.bot_fixtures"]

SEVEN_DAYS_BEFORE = "2026-02-06T10:00:00+00:00"  # r-2026 is due Friday 13 February 2026


@pytest.fixture
async def sender(bot: Any, world: Any) -> AsyncIterator[OutboxSender]:
    client = CollectorClient(world.url, SERVICE_TOKEN)
    yield OutboxSender(bot.bot, client)
    await client.close()


async def test_open_button_on_a_reminder_starts_the_case_where_it_stands(world, loopback, sender):
    police = User(loopback, POLICE)
    # Answer C1's first question so the reminder shows progress and the case resumes at Q2.
    _, ret = await world.as_member(
        "POST", "/api/returns", POLICE, json={"round": "r-2026", "case": "C1"}
    )
    await world.as_member(
        "PUT", f"/api/returns/{ret['id']}/answers/involvement", POLICE, json={"value": "some"}
    )
    body = {"round": "r-2026", "at": SEVEN_DAYS_BEFORE, "dry_run": False}
    status, plan = await world.call("POST", "/api/reminders/plan", token=SERVICE_TOKEN, json=body)
    assert status == 200 and plan["queued"] >= 1, plan
    assert await sender.run_once() >= 1
    reminder = await police.expect("C1 — 1 of 11 answered")
    assert "C2 — not started" in reminder["text"]
    assert labels(reminder) == ["Open C1"]
    question = await police.press(reminder, "Open C1", expect="Question 2 of 11")
    assert "Case C1" in question["text"]
