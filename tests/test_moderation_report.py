"""Moderated grades and extensions in the reports: the moderated grade in its own column where
it differs (the agency's kept), the case grid on either grade, "extended to …" in the tally
and the report. Real collector and the real renderers, both databases."""

from typing import Any

import pytest

from models.enums import Role
from tests.conftest import full_answers, small_round

COORD, CSC, POLICE = 1, 101, 102


async def submit(collector: Any, tid: int, case: str, grade: str) -> int:
    _, ret = await collector.as_member(
        "POST", "/api/returns", tid, json={"round": "r-2026", "case": case}
    )
    for key, value in full_answers(grade).items():
        path = f"/api/returns/{ret['id']}/answers/{key}"
        assert (await collector.as_member("PUT", path, tid, json={"value": value}))[0] == 200
    assert (await collector.as_member("POST", f"/api/returns/{ret['id']}/submit", tid))[0] == 200
    return ret["id"]


@pytest.fixture
async def moderated(collector: Any) -> Any:
    """C1 graded Good by both agencies; the moderator puts the Police's at Inadequate."""
    await collector.create_round(small_round())
    await collector.add_member("Cora", Role.coordinator, telegram_id=COORD)
    await collector.add_member("Cass", Role.auditor, agency="csc", telegram_id=CSC)
    await collector.add_member("Pat", Role.auditor, agency="police", telegram_id=POLICE)
    await submit(collector, CSC, "C1", "good")
    police = await submit(collector, POLICE, "C1", "good")
    body = {"question": "impact", "grade": "inadequate", "reason": "No change for the child."}
    path = f"/api/returns/{police}/moderated-grade"
    assert (await collector.as_member("PUT", path, COORD, json=body))[0] == 200
    return collector


async def report(collector: Any, query: str = "") -> str:
    status, body = await collector.as_member(
        "GET", f"/api/rounds/r-2026/report?format=md{query}", COORD
    )
    assert status == 200, body
    return body.decode()


async def test_the_moderated_grade_has_its_own_column_and_the_grid_can_use_it(moderated):
    text = await report(moderated)
    assert "### Moderated grades" in text
    assert "| C1 | Police | Impact | Good | Inadequate |" in text
    assert "No case has agencies' grades 2 steps or more apart." in text  # agency grades
    assert "The case grid above uses the moderated grades" not in text
    text = await report(moderated, "&grades=moderated")
    assert "Agencies' grades differ by 2 steps or more for 1 case" in text
    assert "**C1** (2 steps): Good: Children's Social Care; Inadequate: Police" in text
    assert "The case grid above uses the moderated grades" in text
    # The agency's grade is what the tally counts, untouched.
    _, tally = await moderated.as_member("GET", "/api/rounds/r-2026/tally", COORD)
    police = next(a for a in tally["agencies"] if a["code"] == "police")
    assert police["overall_grades"] == {"Good": 1}
    status, body = await moderated.as_member(
        "GET", "/api/rounds/r-2026/report?format=md&grades=mine", COORD
    )
    assert (status, body["error"]) == (400, "invalid_request")
    docx = await moderated.as_member("GET", "/api/rounds/r-2026/report?format=docx", COORD)
    assert docx[0] == 200


async def test_an_approved_extension_shows_in_the_tally_and_report(moderated):
    ask = {"round": "r-2026", "case": "C2", "until": "2026-02-27", "reason": "Records archived."}
    _, ext = await moderated.as_member("POST", "/api/extensions", POLICE, json=ask)
    decide = f"/api/extensions/{ext['id']}/decide"
    assert (await moderated.as_member("POST", decide, COORD, json={"approve": True}))[0] == 200
    _, tally = await moderated.as_member("GET", "/api/rounds/r-2026/tally", COORD)
    police = next(a for a in tally["agencies"] if a["code"] == "police")
    assert police["extended_to"] == "2026-02-27"
    assert "Police – 1 (of 2), extended to 27 February 2026" in await report(moderated)
