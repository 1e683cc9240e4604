"""Cross-checks at the API's submit: refused with the findings, fixed, or confirmed with a
reason that is stored, audited, shown on the return and cleared when it is reopened."""

import pytest

from models.enums import Role
from tests.conftest import full_answers, small_round

NG_LITTLE = {"grade": "not_graded", "reason": "too_little"}


async def draft_with(collector, tid: int, case: str, **over) -> int:
    _, draft = await collector.as_member(
        "POST", "/api/returns", tid, json={"round": "r-2026", "case": case}
    )
    for key, value in (full_answers() | over).items():
        status, body = await collector.as_member(
            "PUT", f"/api/returns/{draft['id']}/answers/{key}", tid, json={"value": value}
        )
        assert status == 200, body
    return draft["id"]


@pytest.fixture
async def auditor(collector):
    await collector.create_round(small_round())
    await collector.add_member("Aud", Role.auditor, agency="csc", telegram_id=7)
    return collector


@pytest.mark.parametrize(
    ("over", "check", "questions"),
    [
        (
            {"joint_working_grade": NG_LITTLE},
            "involved_but_not_graded",
            ["involvement", "joint_working_grade"],
        ),
        ({"good_practice": "None."}, "good_without_good_practice", ["impact", "good_practice"]),
        (
            {"impact": {"grade": "inadequate"}, "development": "n/a"},
            "inadequate_without_development",
            ["impact", "development"],
        ),
    ],
)
async def test_each_cross_check_refuses_submit_until_confirmed_with_a_reason(
    auditor, over, check, questions
):
    c = auditor
    rid = await draft_with(c, 7, "C1", **over)
    status, ret = await c.as_member("GET", f"/api/returns/{rid}", 7)
    assert [f["key"] for f in ret["cross_checks"]] == [check]  # shown before submitting

    status, body = await c.as_member("POST", f"/api/returns/{rid}/submit", 7)
    assert (status, body["error"]) == (422, "cross_check")
    assert [(f["key"], f["questions"]) for f in body["findings"]] == [(check, questions)]
    assert "confirm them with a reason" in body["message"]
    status, ret = await c.as_member("GET", f"/api/returns/{rid}", 7)
    assert ret["status"] == "draft"

    reason = "Checked with the team manager: the record is right as it stands."
    status, done = await c.as_member(
        "POST", f"/api/returns/{rid}/submit", 7, json={"confirm_reason": reason}
    )
    assert status == 200, done
    assert (done["status"], done["cross_check_reason"]) == ("submitted", reason)
    # Submitting again changes nothing, and the reason stays with the return.
    status, again = await c.as_member("POST", f"/api/returns/{rid}/submit", 7)
    assert (status, again["cross_check_reason"]) == (200, reason)

    coord = await c.token_for(await c.add_member("Co", Role.coordinator))
    status, trail = await c.call("GET", f"/api/returns/{rid}/audit", token=coord)
    confirm = [e for e in trail if e["action"] == "return.cross_check_confirm"]
    assert len(confirm) == 1
    assert confirm[0]["after"] == {"checks": [check], "reason": reason}


async def test_fixing_the_answer_lets_the_return_submit_without_a_reason(auditor):
    c = auditor
    rid = await draft_with(c, 7, "C2", good_practice="nothing to add")
    assert (await c.as_member("POST", f"/api/returns/{rid}/submit", 7))[0] == 422
    status, ret = await c.as_member(
        "PUT",
        f"/api/returns/{rid}/answers/good_practice",
        7,
        json={"value": "Strategy meeting held within a day."},
    )
    assert ret["cross_checks"] == []
    status, done = await c.as_member("POST", f"/api/returns/{rid}/submit", 7)
    assert (status, done["status"], done["cross_check_reason"]) == (200, "submitted", None)


async def test_a_reason_is_screened_and_must_say_something(auditor):
    c = auditor
    rid = await draft_with(c, 7, "C3", joint_working_grade=NG_LITTLE)
    status, body = await c.as_member(
        "POST", f"/api/returns/{rid}/submit", 7, json={"confirm_reason": "  ok "}
    )
    assert (status, body["error"]) == (422, "cross_check")
    status, body = await c.as_member(
        "POST",
        f"/api/returns/{rid}/submit",
        7,
        json={"confirm_reason": "Call the mother on 07700 900123 to confirm."},
    )
    assert (status, body["error"]) == (422, "identifiers_found")
    status, body = await c.as_member(
        "POST", f"/api/returns/{rid}/submit", 7, json={"confirm_reason": 42}
    )
    assert status == 400 and body["error"]
    status, ret = await c.as_member("GET", f"/api/returns/{rid}", 7)
    assert (ret["status"], ret["cross_check_reason"]) == ("draft", None)


async def test_reopening_clears_the_reason_and_the_checks_apply_again(auditor):
    c = auditor
    rid = await draft_with(c, 7, "C4", joint_working_grade=NG_LITTLE)
    reason = "Agreed at the audit panel: involvement was brief."
    await c.as_member("POST", f"/api/returns/{rid}/submit", 7, json={"confirm_reason": reason})
    coord = await c.token_for(await c.add_member("Co", Role.coordinator))
    status, ret = await c.call(
        "POST", f"/api/returns/{rid}/reopen", token=coord, json={"reason": "Check grade 3"}
    )
    assert (status, ret["status"], ret["cross_check_reason"]) == (200, "reopened", None)
    status, body = await c.as_member("POST", f"/api/returns/{rid}/submit", 7)
    assert (status, body["error"]) == (422, "cross_check")


async def test_another_agencys_auditor_cannot_confirm(auditor):
    c = auditor
    rid = await draft_with(c, 7, "C1", good_practice="none")
    await c.add_member("Pol", Role.auditor, agency="police", telegram_id=8)
    status, body = await c.as_member(
        "POST", f"/api/returns/{rid}/submit", 8, json={"confirm_reason": "It is fine really."}
    )
    assert (status, body["error"]) == (403, "forbidden")
