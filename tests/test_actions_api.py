"""The action plan over HTTP: who may list and update actions, screening, the audit trail; and
a member who had blocked the bot becomes reachable again when they next use it."""

from typing import Any

import pytest
from sqlalchemy import select, update

from models.enums import Role
from models.ops import AuditEvent
from models.people import Member
from models.rounds import Action
from tests.conftest import SERVICE_TOKEN, small_round

OWNER, OTHER, COORD, VIEWER = 501, 502, 503, 504
ACTIONS = [
    {"recommendation": "Refresh the escalation policy.", "owner": "Police", "due_at": "2027-06-30",
     "owner_telegram_id": OWNER},
    {"recommendation": "Hold a joint workshop on information sharing.", "owner": "Police lead",
     "due_at": "2026-01-20", "owner_telegram_id": OWNER},
    {"recommendation": "Audit the audit.", "owner": "Someone new", "owner_telegram_id": 777},
]  # fmt: skip


@pytest.fixture
async def acts(collector: Any) -> dict[str, Any]:
    """Members first (owners resolve at creation), then a round whose action 2 is overdue."""
    ids = {}
    await collector.create_round(small_round(actions=[]))  # makes the agencies
    ids["owner"] = await collector.add_member(
        "Olu Owner", Role.agency_lead, agency="police", telegram_id=OWNER
    )
    ids["other"] = await collector.add_member(
        "Ola Other", Role.auditor, agency="police", telegram_id=OTHER
    )
    ids["coord"] = await collector.add_member("Cora", Role.coordinator, telegram_id=COORD)
    ids["viewer"] = await collector.add_member("Vic", Role.viewer, telegram_id=VIEWER)
    await collector.create_round(small_round("r-act", actions=ACTIONS))
    async with collector.db.read() as session:
        rows = await session.execute(select(Action).order_by(Action.id))
        ids["actions"] = {a.number: a.id for a in rows.scalars()}
    return ids


async def events(collector: Any, action: str) -> list[AuditEvent]:
    async with collector.db.read() as session:
        rows = await session.execute(select(AuditEvent).where(AuditEvent.action == action))
        return list(rows.scalars())


async def test_coordinators_and_viewers_see_the_plan_overdue_first(collector, acts):
    status, rows = await collector.as_member("GET", "/api/rounds/r-act/actions", COORD)
    assert status == 200, rows
    assert [(a["number"], a["overdue"]) for a in rows] == [(2, True), (1, False), (3, False)]
    assert rows[0]["owner_member_id"] == acts["owner"] and rows[0]["owner_name"] == "Olu Owner"
    assert rows[2]["owner_member_id"] is None  # telegram id 777 is nobody's
    status, _ = await collector.as_member("GET", "/api/rounds/r-act/actions", VIEWER)
    assert status == 200
    for who in (OWNER, OTHER):
        status, body = await collector.as_member("GET", "/api/rounds/r-act/actions", who)
        assert (status, body["error"]) == (403, "forbidden")
    status, body = await collector.call("GET", "/api/rounds/r-act/actions", token=SERVICE_TOKEN)
    assert (status, body["error"]) == (403, "forbidden")
    status, body = await collector.as_member("GET", "/api/rounds/nope/actions", COORD)
    assert (status, body["error"]) == (404, "not_found")
    (created,) = [e for e in await events(collector, "round.create") if e.after["slug"] == "r-act"]
    assert created.after["action_owners_not_members"] == [3]


async def test_the_owner_and_coordinators_record_progress_others_may_not(collector, acts):
    a2 = acts["actions"][2]
    path = f"/api/actions/{a2}/progress"
    status, body = await collector.as_member("POST", path, OTHER, json={"progress": "Mine now"})
    assert (status, body["error"]) == (403, "forbidden")
    status, body = await collector.as_member("GET", f"/api/actions/{a2}", OTHER)
    assert (status, body["error"]) == (403, "forbidden")
    update_ = {"progress": "Workshop booked for March.", "status": "in_progress"}
    status, body = await collector.as_member("POST", path, OWNER, json=update_)
    assert status == 200, body
    assert (body["progress"], body["status"], body["overdue"]) == (
        "Workshop booked for March.",
        "in_progress",
        True,
    )
    (event,) = await events(collector, "action.progress")
    assert (event.actor_id, event.entity_id) == (acts["owner"], a2)
    assert event.before == {"progress": "", "status": "open"}
    assert event.after == {"progress": "Workshop booked for March.", "status": "in_progress"}
    # The same update again changes nothing and records nothing.
    await collector.as_member("POST", path, OWNER, json={"progress": "Workshop booked for March."})
    assert len(await events(collector, "action.progress")) == 1
    status, body = await collector.as_member("POST", path, COORD, json={"status": "done"})
    assert (status, body["status"], body["overdue"]) == (200, "done", False)
    assert len(await events(collector, "action.progress")) == 2


async def test_progress_is_screened_and_checked(collector, acts):
    path = f"/api/actions/{acts['actions'][1]}/progress"
    status, body = await collector.as_member(
        "POST", path, OWNER, json={"progress": "Spoke to mum on 07700 900123 about it."}
    )
    assert (status, body["error"]) == (422, "identifiers_found")
    assert body["findings"][0]["kind"] == "phone"
    status, body = await collector.as_member("POST", path, OWNER, json={"progress": "x" * 4001})
    assert (status, body["error"]) == (400, "invalid_request")
    status, body = await collector.as_member("POST", path, OWNER, json={})
    assert (status, body["error"]) == (400, "invalid_request")
    status, body = await collector.as_member("POST", path, OWNER, json={"status": "finished"})
    assert (status, body["error"]) == (400, "invalid_request")
    status, body = await collector.as_member("POST", "/api/actions/99999/progress", COORD,
                                             json={"status": "done"})  # fmt: skip
    assert (status, body["error"]) == (404, "not_found")
    status, body = await collector.as_member("POST", "/api/actions/abc/progress", COORD,
                                             json={"status": "done"})  # fmt: skip
    assert (status, body["error"]) == (400, "invalid_request")
    assert await events(collector, "action.progress") == []


async def test_the_overdue_reminder_carries_a_post_progress_button(collector, acts):
    body = {"round": "r-act", "at": "2026-01-21T10:00:00+00:00", "dry_run": True}
    status, plan = await collector.as_member("POST", "/api/reminders/plan", COORD, json=body)
    assert status == 200, plan
    (reminder,) = [d for d in plan["decisions"] if d["kind"] == "action"]
    assert reminder["recipient_id"] == acts["owner"]
    assert reminder["button"] == ["Post progress", f"actp:{acts['actions'][2]}"]


async def test_a_member_who_unblocked_the_bot_is_reachable_again_once(collector, acts):
    async with collector.db.write() as session:
        await session.execute(
            update(Member).where(Member.id == acts["other"]).values(reachable=False)
        )
    status, me = await collector.as_member("GET", "/api/me", OTHER)
    assert (status, me["reachable"]) == (200, True)
    await collector.as_member("GET", "/api/rounds", OTHER)
    (event,) = await events(collector, "member.reachable")
    assert (event.entity_id, event.actor_id) == (acts["other"], acts["other"])
    assert (event.before, event.after) == ({"reachable": False}, {"reachable": True})
    # A personal API token is a script, not the person in the chat: it changes nothing.
    async with collector.db.write() as session:
        await session.execute(
            update(Member).where(Member.id == acts["coord"]).values(reachable=False)
        )
    token = await collector.token_for(acts["coord"])
    status, me = await collector.call("GET", "/api/me", token=token)
    assert (status, me["reachable"]) == (200, False)
