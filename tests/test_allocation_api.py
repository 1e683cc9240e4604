"""Allocation and extensions over the API, and what they do to the reminders: the allocated
auditor is chased about their own cases (and the lead about all); an approved extension moves
the agency's schedule. Real collector, both databases."""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from models.enums import Role
from models.ops import AuditEvent, Reminder
from tests.conftest import SERVICE_TOKEN, small_round

COORD, CASS, CARL, CLEO, PAT, LEE = 1, 101, 105, 106, 102, 103
FRI_06 = datetime(2026, 2, 6, 10, 0, tzinfo=UTC)  # due 13 Feb: before-7d
FRI_13 = datetime(2026, 2, 13, 10, 0, tzinfo=UTC)  # due
FRI_27 = datetime(2026, 2, 27, 10, 0, tzinfo=UTC)  # the Police's extended due date


@pytest.fixture
async def ids(collector: Any) -> dict[str, int]:
    await collector.create_round(small_round())
    return {
        "coord": await collector.add_member("Cora", Role.coordinator, telegram_id=COORD),
        "cass": await collector.add_member("Cass", Role.auditor, agency="csc", telegram_id=CASS),
        "carl": await collector.add_member("Carl", Role.auditor, agency="csc", telegram_id=CARL),
        "cleo": await collector.add_member(
            "Cleo", Role.agency_lead, agency="csc", telegram_id=CLEO
        ),
        "pat": await collector.add_member("Pat", Role.auditor, agency="police", telegram_id=PAT),
        "lee": await collector.add_member(
            "Lee", Role.agency_lead, agency="police", telegram_id=LEE
        ),
    }


async def allocate(collector: Any, tid: int, case: str, auditor: int, **more: Any):
    body = {"round": "r-2026", "case": case, "auditor": auditor, **more}
    return await collector.as_member("POST", "/api/allocations", tid, json=body)


async def plan(collector: Any, at: datetime) -> dict[str, Any]:
    status, out = await collector.call(
        "POST",
        "/api/reminders/plan",
        token=SERVICE_TOKEN,
        json={"round": "r-2026", "at": at.isoformat(), "dry_run": True},
    )
    assert status == 200, out
    return out


def by_recipient(decisions: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {d["recipient_id"]: d for d in decisions if d["kind"] == "expectation"}


async def test_lead_allocates_and_reminders_go_to_the_allocated_auditor(collector, ids):
    status, rows = await collector.as_member("GET", "/api/allocations?round=r-2026", CLEO)
    assert status == 200
    assert [(r["case"], r["auditor"]) for r in rows] == [(f"C{i}", None) for i in range(1, 5)]
    for case, who in (("C1", "cass"), ("C2", "carl"), ("C3", "carl"), ("C4", "carl")):
        status, body = await allocate(collector, CLEO, case, ids[who])
        assert status == 200, body
    assert (await allocate(collector, CLEO, "C1", ids["cass"]))[0] == 200  # again: no change
    status, body = await allocate(collector, CLEO, "C2", ids["cass"])  # reallocated
    assert (status, body["auditor"]) == (200, "Cass")
    async with collector.db.read() as session:
        trail = (await session.execute(select(AuditEvent.action, AuditEvent.before))).all()
    assert [a for a, _ in trail if a.startswith("case.")] == ["case.allocate"] * 4 + [
        "case.reallocate"
    ]
    assert (await collector.as_member("GET", "/api/allocations?round=r-2026", CLEO))[1][1][
        "auditor"
    ] == "Cass"

    sent = by_recipient((await plan(collector, FRI_06))["decisions"])
    assert "C1" in sent[ids["cass"]]["text"] and "C2" in sent[ids["cass"]]["text"]
    assert "C3" not in sent[ids["cass"]]["text"]
    carl = sent[ids["carl"]]["text"]
    assert "C3" in carl and "C4" in carl and "C1 " not in carl
    assert all(f"C{i}" in sent[ids["cleo"]]["text"] for i in range(1, 5))  # the lead: all
    assert ids["pat"] in sent  # the Police allocated nothing: as before


async def test_allocation_bad_input(collector, ids):
    status, body = await allocate(collector, CLEO, "C1", ids["pat"])  # the Police's auditor
    assert (status, body["error"]) == (422, "not_agency_auditor")
    status, body = await allocate(collector, CLEO, "C9", ids["cass"])
    assert (status, body["error"]) == (404, "not_found")
    status, body = await allocate(collector, LEE, "C3", ids["pat"])  # the Police have no C3
    assert status == 404 and "not expected" in body["message"]
    assert (await allocate(collector, CASS, "C1", ids["cass"]))[0] == 403  # auditors do not
    status, body = await allocate(collector, LEE, "C1", ids["cass"], agency="csc")
    assert status == 403
    status, body = await allocate(collector, COORD, "C1", ids["cass"])
    assert (status, body["error"]) == (422, "agency")
    assert (await allocate(collector, COORD, "C1", ids["cass"], agency="csc"))[0] == 200
    assert (await collector.as_member("GET", "/api/allocations", CLEO))[0] == 400


async def test_an_approved_extension_moves_the_agencys_reminders(collector, ids):
    ask = {"round": "r-2026", "case": "C1", "until": "2026-02-27", "reason": "Records archived."}
    status, ext = await collector.as_member("POST", "/api/extensions", PAT, json=ask)
    assert status == 200, ext
    assert (ext["status"], ext["queued_to"]) == ("pending", ["Cora (coordinator)"])
    assert (await collector.as_member("POST", "/api/extensions", PAT, json=ask))[1]["id"] == ext[
        "id"
    ]
    async with collector.db.read() as session:
        rows = await session.execute(select(Reminder).where(Reminder.kind == "extension"))
        [message] = rows.scalars()
    assert "until Friday 27 February" in message.payload["text"]
    assert [b[0] for b in message.payload["button"]] == ["Approve", "Decline"]

    # Before it is decided, the Police are chased on the round's due date like everyone.
    assert ids["pat"] in by_recipient((await plan(collector, FRI_13))["decisions"])
    decide = f"/api/extensions/{ext['id']}/decide"
    assert (await collector.as_member("POST", decide, PAT, json={"approve": True}))[0] == 403
    status, body = await collector.as_member("POST", decide, COORD, json={"approve": True})
    assert (status, body["status"]) == (200, "approved")
    assert (await collector.as_member("POST", decide, COORD, json={"approve": True}))[0] == 200
    status, body = await collector.as_member("POST", decide, COORD, json={"approve": False})
    assert (status, body["error"]) == (409, "extension_decided")

    on_due = by_recipient((await plan(collector, FRI_13))["decisions"])
    assert ids["pat"] not in on_due and ids["cass"] in on_due  # the Police's date has moved
    police = by_recipient((await plan(collector, FRI_27))["decisions"])[ids["pat"]]
    assert police["stage"] == "due" and police["key"].endswith(":x2026-02-27")
    assert "due today, Friday 27 February" in police["text"]
    _, rows = await collector.as_member("GET", "/api/allocations?round=r-2026", LEE)
    assert rows[0]["extended_to"] == "2026-02-27"


async def test_extension_bad_input(collector, ids):
    base = {"round": "r-2026", "case": "C1", "reason": "Records archived."}
    status, body = await collector.as_member(
        "POST", "/api/extensions", PAT, json=base | {"until": "2026-02-10"}
    )
    assert (status, body["error"]) == (422, "not_later")
    status, body = await collector.as_member(
        "POST", "/api/extensions", PAT, json=base | {"until": "9999-12-31"}
    )
    assert (status, body["error"]) == (422, "too_far")
    status, body = await collector.as_member(
        "POST", "/api/extensions", PAT, json=base | {"until": "2026-02-27", "case": "C3"}
    )
    assert status == 404  # the Police do not audit C3
    status, body = await collector.as_member(
        "POST", "/api/extensions", COORD, json=base | {"until": "2026-02-27"}
    )
    assert status == 403
    status, body = await collector.as_member(
        "POST", "/api/extensions/777/decide", COORD, json={"approve": True}
    )
    assert (status, body["error"]) == (404, "not_found")
