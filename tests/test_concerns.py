"""Concern alerts through the collector: written with the answer, claimed first, escalated,
acknowledged, listed. Both databases (SQLite: the writer thread's SQL; PostgreSQL: the ORM)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models.concerns import Concern
from models.enums import Role
from models.ops import AuditEvent, Reminder
from tests.conftest import SERVICE_TOKEN, small_round

PROCEDURE = "Ring the Police safeguarding hub on the duty line and log it in Niche."
COORD, COORD2, LEAD, OTHER_LEAD, AUDITOR, NO_PHONE = 1, 2, 3, 4, 5, None
QUESTION = "immediate_concern"


@pytest.fixture
async def people(collector: Any) -> dict[str, int]:
    """An open round (escalation after 5 minutes; police has its own procedure) and people."""
    agencies = [
        {"code": "csc", "name": "Children's Social Care"},
        {"code": "police", "name": "Police", "safeguarding_procedure": PROCEDURE},
        {"code": "gp", "name": "ICB/GPs"},
    ]
    round_ = small_round(agencies=agencies, concerns={"escalate_after_minutes": 5})
    await collector.create_round(round_)
    add = collector.add_member
    return {
        "coord": await add("Cora", Role.coordinator, telegram_id=COORD),
        "coord2": await add("Cole", Role.coordinator, telegram_id=COORD2),
        "offline": await add("Otto", Role.coordinator),  # no Telegram: cannot be alerted
        "lead": await add("Lee", Role.agency_lead, agency="police", telegram_id=LEAD),
        "csc_lead": await add("Cal", Role.agency_lead, agency="csc", telegram_id=OTHER_LEAD),
        "auditor": await add("Pat", Role.auditor, agency="police", telegram_id=AUDITOR),
    }


async def open_case(collector: Any, case: str = "C1", who: int = AUDITOR) -> int:
    _, ret = await collector.as_member(
        "POST", "/api/returns", who, json={"round": "r-2026", "case": case}
    )
    return ret["id"]


async def say_yes(collector: Any, rid: int, update_id: int | None = None) -> tuple[int, Any]:
    body: dict[str, Any] = {"value": True}
    if update_id is not None:
        body["update_id"] = update_id
    path = f"/api/returns/{rid}/answers/{QUESTION}"
    return await collector.as_member("PUT", path, AUDITOR, json=body)


async def outbox(collector: Any) -> list[Reminder]:
    async with collector.db.read() as session:
        query = select(Reminder).where(Reminder.kind == "concern").order_by(Reminder.id)
        return list((await session.execute(query)).scalars())


async def concerns(collector: Any) -> list[Concern]:
    async with collector.db.read() as session:
        return list((await session.execute(select(Concern).order_by(Concern.id))).scalars())


async def claim(collector: Any, at: datetime | None = None, limit: int = 50) -> list[dict]:
    body = {"limit": limit, "lease_seconds": 60, "at": at.isoformat() if at else None}
    status, out = await collector.call(
        "POST", "/api/reminders/claim", token=SERVICE_TOKEN, json=body
    )
    assert status == 200, out
    return out


async def ack(collector: Any, rid: int, outcome: str = "sent") -> None:
    status, body = await collector.call(
        "POST", f"/api/reminders/{rid}/ack", token=SERVICE_TOKEN, json={"outcome": outcome}
    )
    assert status == 200, body


async def send_all(collector: Any, at: datetime | None = None) -> list[dict]:
    """What a sender would do: claim, 'deliver', acknowledge; until nothing is due."""
    sent: list[dict] = []
    while batch := await claim(collector, at):
        for row in batch:
            await ack(collector, row["id"])
        sent += batch
    return sent


def to(rows: list[dict], member_id: int) -> list[str]:
    return [r["text"] for r in rows if r["recipient_id"] == member_id]


async def test_yes_queues_one_message_per_recipient_with_the_answer(collector, people):
    rid = await open_case(collector)
    status, body = await say_yes(collector, rid, update_id=777)
    assert status == 200
    alert = body["alert"]
    assert alert["deliverable"] is True
    assert alert["queued_to"] == ["Cora (coordinator)", "Cole (coordinator)", "Lee (agency lead)"]
    assert alert["message"].startswith("⚠️ Your concern about case C1 is queued to go now to")
    assert "not been delivered yet" in alert["message"]
    (concern,) = await concerns(collector)
    rows = await outbox(collector)
    # Every coordinator who can receive messages and the agency's own lead: not the CSC lead,
    # not the coordinator without Telegram, and never any narrative.
    assert sorted(r.recipient_id for r in rows) == sorted(
        [people["coord"], people["coord2"], people["lead"]]
    )
    assert {(r.stage, r.priority, r.concern_id) for r in rows} == {("alert", 10, concern.id)}
    text = rows[0].payload["text"]
    assert "Case: C1" in text and "Agency: Police" in text and "5 minutes" in text
    assert rows[0].payload["button"] == ["I'm dealing with this", f"cack:{concern.id}"]
    async with collector.db.read() as session:
        events = (await session.execute(select(AuditEvent.action))).scalars().all()
    assert events.count("concern.raised") == 1
    # The same update redelivered, or the same answer again: nothing more is raised.
    assert (await say_yes(collector, rid, update_id=777))[1]["repeat"] is True
    assert (await say_yes(collector, rid))[1]["alert"] is None
    assert len(await concerns(collector)) == 1 and len(await outbox(collector)) == 3


async def test_a_refused_write_queues_nothing(collector, people):
    rid = await open_case(collector)
    await collector.call(
        "POST", "/api/rounds/r-2026/close", token=await collector.token_for(people["coord"])
    )
    status, body = await say_yes(collector, rid)
    assert (status, body["error"]) == (409, "round_not_open")
    assert await concerns(collector) == [] and await outbox(collector) == []


async def test_nobody_reachable_says_so_with_the_agency_procedure(collector):
    agencies = [{"code": "police", "name": "Police", "safeguarding_procedure": PROCEDURE}]
    data = small_round(agencies=agencies, expectations=[{"agency": "police", "cases": "all"}])
    await collector.create_round(data)
    await collector.add_member("Otto", Role.coordinator)  # no Telegram
    await collector.add_member("Pat", Role.auditor, agency="police", telegram_id=AUDITOR)
    _, body = await say_yes(collector, await open_case(collector))
    alert = body["alert"]
    assert alert["deliverable"] is False and alert["queued_to"] == []
    assert alert["message"].startswith("⚠️ Nobody could be alerted about case C1 through MAA")
    assert alert["message"].endswith(f"own safeguarding procedure: {PROCEDURE}")
    assert await outbox(collector) == []


async def test_alerts_are_claimed_ahead_of_reminders(collector, people):
    plan = {"round": "r-2026", "at": "2026-02-06T10:00:00+00:00", "dry_run": False}
    status, out = await collector.call(
        "POST", "/api/reminders/plan", token=SERVICE_TOKEN, json=plan
    )
    assert status == 200 and out["queued"] >= 3  # due for days: older than any alert
    await say_yes(collector, await open_case(collector))
    first = await claim(collector, limit=3)
    assert [r["kind"] for r in first] == ["concern"] * 3


async def test_delivered_notes_to_the_auditor_then_acknowledged_once(collector, people):
    await say_yes(collector, await open_case(collector))
    sent = await send_all(collector)
    notes = to(sent, people["auditor"])
    assert len(notes) == 3 and all("was delivered to" in n for n in notes)
    assert any(n.startswith("✓ Your concern about case C1 was delivered to Lee") for n in notes)
    (c,) = await concerns(collector)
    path = f"/api/concerns/{c.id}/ack"
    status, first = await collector.as_member("POST", path, LEAD)
    assert status == 200 and first["first"] and first["yours"]
    status, second = await collector.as_member("POST", path, COORD)
    assert status == 200 and not second["first"] and not second["yours"]
    assert second["acknowledged_by"] == "Lee (agency lead)"
    status, again = await collector.as_member("POST", path, LEAD)  # a second press: harmless
    assert again["yours"] and not again["first"]
    status, body = await collector.as_member("POST", path, AUDITOR)
    assert (status, body["error"]) == (403, "forbidden")
    status, body = await collector.as_member("POST", path, OTHER_LEAD)  # another agency's lead
    assert (status, body["error"]) == (403, "forbidden")
    told = await send_all(collector)
    owner_notes = {r["recipient_id"] for r in told if "Lee (agency lead) is dealing" in r["text"]}
    assert owner_notes == {people["auditor"], people["coord"], people["coord2"]}
    async with collector.db.read() as session:
        query = select(AuditEvent).where(AuditEvent.action == "concern.acknowledged")
        assert len((await session.execute(query)).scalars().all()) == 1
    # Acknowledged: the escalation time passes and nothing more is sent.
    assert await send_all(collector, datetime.now(UTC) + timedelta(minutes=6)) == []


async def test_unacknowledged_is_sent_again_to_every_coordinator_after_the_delay(collector, people):
    await say_yes(collector, await open_case(collector))
    await send_all(collector)
    await collector.add_member("Nia", Role.coordinator, telegram_id=6)  # joined since
    assert await send_all(collector, datetime.now(UTC) + timedelta(minutes=4)) == []
    later = datetime.now(UTC) + timedelta(minutes=6)
    again = await send_all(collector, later)
    escalated = {r["recipient_id"] for r in again if r["stage"] == "escalated" and r["button"]}
    nia = people["auditor"] + 1
    assert escalated == {people["coord"], people["coord2"], people["lead"], nia}
    assert all("Not acknowledged in 5 minutes" in t for t in to(again, nia))
    note = [t for t in to(again, people["auditor"]) if "Nobody has said" in t]
    assert len(note) == 1 and "queued to go again to" in note[0]
    # Claimed again (another sender, a restart): escalated once only.
    assert await send_all(collector, later + timedelta(minutes=10)) == []
    (c,) = await concerns(collector)
    assert c.escalated_at is not None


async def test_escalation_queued_but_acknowledged_before_it_goes_is_cancelled(collector, people):
    await say_yes(collector, await open_case(collector))
    await send_all(collector)
    later = datetime.now(UTC) + timedelta(minutes=6)
    first = await claim(collector, later, limit=1)  # the escalation is queued at this claim
    await ack(collector, first[0]["id"])
    (c,) = await concerns(collector)
    await collector.as_member("POST", f"/api/concerns/{c.id}/ack", COORD)
    rest = await send_all(collector, later)
    assert not [r for r in rest if r["stage"] == "escalated" and r["button"]]
    assert {r["stage"] for r in rest} <= {"owner", "escalating", "delivered"}


async def test_undeliverable_after_every_recipient_blocked_the_bot(collector, people):
    await say_yes(collector, await open_case(collector))
    for row in await claim(collector):
        await ack(collector, row["id"], "unreachable")
    notes = to(await send_all(collector), people["auditor"])
    assert len(notes) == 1 and notes[0].startswith("⚠️ Nobody could be alerted about case C1")
    assert PROCEDURE in notes[0]


async def test_list_by_state_for_coordinators_and_the_agency_lead(collector, people):
    await say_yes(collector, await open_case(collector))
    coord = await collector.token_for(people["coord"])
    status, listed = await collector.call("GET", "/api/concerns?round=r-2026", token=coord)
    assert status == 200 and [(c["case"], c["state"]) for c in listed] == [("C1", "queued")]
    assert {r["status"] for r in listed[0]["recipients"]} == {"queued"}
    await send_all(collector)
    _, listed = await collector.as_member("GET", "/api/concerns?round=r-2026", LEAD)
    assert listed[0]["state"] == "sent"
    await collector.as_member("POST", f"/api/concerns/{listed[0]['id']}/ack", COORD2)
    _, listed = await collector.call("GET", "/api/concerns?round=r-2026", token=coord)
    assert (listed[0]["state"], listed[0]["acknowledged_by"]) == (
        "acknowledged",
        "Cole (coordinator)",
    )
    _, theirs = await collector.as_member("GET", "/api/concerns?round=r-2026", OTHER_LEAD)
    assert theirs == []  # the CSC lead sees CSC's concerns only
    status, body = await collector.as_member("GET", "/api/concerns?round=r-2026", AUDITOR)
    assert (status, body["error"]) == (403, "forbidden")
    status, body = await collector.call("GET", "/api/concerns", token=coord)
    assert (status, body["error"]) == (400, "invalid_request")
    status, body = await collector.call("GET", "/api/concerns?round=nope", token=coord)
    assert (status, body["error"]) == (404, "not_found")


async def test_round_file_concern_settings_are_checked(collector, people):
    coord = await collector.token_for(people["coord"])
    for bad in ({"escalate_after_minutes": 0}, {"escalate_after_minutes": 15, "quiet": True}):
        data = small_round(slug="r-bad", concerns=bad)
        status, body = await collector.call("POST", "/api/rounds", token=coord, json=data)
        assert status == 400 and "concerns" in body["message"], body
