"""The whole flow through the HTTP API, as the bot and scripts use it."""

from models.enums import Role
from tests.conftest import SERVICE_TOKEN, full_answers, small_round


async def test_whole_flow_create_invite_redeem_answer_submit_tally(collector):
    coord = await collector.add_member("Coordinator", Role.coordinator, telegram_id=1)
    token = await collector.token_for(coord)

    status, body = await collector.call("POST", "/api/rounds", token=token, json=small_round())
    assert status == 201, body
    assert body["status"] == "draft"
    status, body = await collector.call("POST", "/api/rounds/r-2026/open", token=token)
    assert (status, body["status"]) == (200, "open")

    status, invite = await collector.call(
        "POST", "/api/invites", token=token, json={"role": "auditor", "agency": "police"}
    )
    assert status == 201, invite
    assert invite["link"] == f"https://t.me/maa_test_bot?start={invite['code']}"

    status, member = await collector.call(
        "POST",
        "/api/invites/redeem",
        token=SERVICE_TOKEN,
        json={"code": invite["code"], "telegram_id": 500, "display_name": "A. Auditor"},
    )
    assert status == 200, member
    assert (member["role"], member["agency"]) == ("auditor", "police")

    status, me = await collector.as_member("GET", "/api/me", 500)
    assert (status, me["agency_name"]) == (200, "Police")

    status, draft = await collector.as_member(
        "POST", "/api/returns", 500, json={"round": "r-2026", "case": "C1"}
    )
    assert status == 200, draft
    assert (draft["status"], draft["answered"], draft["next_question"]) == (
        "draft",
        0,
        "involvement",
    )

    for key, value in full_answers().items():
        status, ret = await collector.as_member(
            "PUT", f"/api/returns/{draft['id']}/answers/{key}", 500, json={"value": value}
        )
        assert status == 200, (key, ret)
    assert ret["answered"] == ret["total_questions"] == 11
    assert ret["next_question"] is None and ret["missing"] == []

    status, done = await collector.as_member("POST", f"/api/returns/{draft['id']}/submit", 500)
    assert (status, done["status"]) == (200, "submitted")

    status, tally = await collector.call("GET", "/api/rounds/r-2026/tally", token=token)
    assert status == 200
    police = next(a for a in tally["agencies"] if a["code"] == "police")
    assert police == {
        "code": "police",
        "name": "Police",
        "returned": 1,
        "expected": 2,
        "overall_grades": {"Good": 1},
        "not_graded": 0,
        "not_graded_reasons": {},
        "extended_to": "",  # no approved extension (collector.services.allocation)
    }
    assert tally["total_returns"] == 1 and tally["agencies_returning"] == 1

    status, trail = await collector.call("GET", f"/api/returns/{draft['id']}/audit", token=token)
    actions = [e["action"] for e in trail]
    assert actions[0] == "return.open" and actions[-1] == "return.submit"
    assert actions.count("answer.put") == 11


async def test_submit_lists_missing_questions_and_reopen_needs_a_coordinator(collector):
    await collector.create_round(small_round())
    await collector.add_member("Aud", Role.auditor, agency="csc", telegram_id=7)
    coord = await collector.token_for(await collector.add_member("Co", Role.coordinator))
    _, draft = await collector.as_member(
        "POST", "/api/returns", 7, json={"round": "r-2026", "case": "C2"}
    )
    rid = draft["id"]
    await collector.as_member(
        "PUT", f"/api/returns/{rid}/answers/involvement", 7, json={"value": "some"}
    )
    status, body = await collector.as_member("POST", f"/api/returns/{rid}/submit", 7)
    assert status == 422 and body["error"] == "incomplete"
    assert body["missing"] == [
        "practice",
        "joint_working_grade",
        "impact",
        "good_practice",
        "development",
        "themes",
        "immediate_concern",
    ]
    assert "Quality of practice" in body["message"]

    for key, value in full_answers().items():
        await collector.as_member(
            "PUT", f"/api/returns/{rid}/answers/{key}", 7, json={"value": value}
        )
    assert (await collector.as_member("POST", f"/api/returns/{rid}/submit", 7))[0] == 200

    status, body = await collector.as_member(
        "PUT", f"/api/returns/{rid}/answers/learning", 7, json={"value": "Changed my mind"}
    )
    assert (status, body["error"]) == (409, "return_submitted")

    status, body = await collector.as_member(
        "POST", f"/api/returns/{rid}/reopen", 7, json={"reason": "typo"}
    )
    assert (status, body["error"]) == (403, "forbidden")
    status, body = await collector.call(
        "POST", f"/api/returns/{rid}/reopen", token=coord, json={"reason": "Grade needs checking"}
    )
    assert (status, body["status"]) == (200, "reopened")
    status, body = await collector.as_member(
        "PUT", f"/api/returns/{rid}/answers/learning", 7, json={"value": "Changed my mind"}
    )
    assert status == 200 and body["answers"]["learning"] == "Changed my mind"


async def test_concern_yes_alerts_coordinators_once(collector):
    await collector.create_round(small_round())
    await collector.add_member("Co", Role.coordinator, telegram_id=900)
    await collector.add_member("Aud", Role.auditor, agency="gp", telegram_id=8)
    _, draft = await collector.as_member(
        "POST", "/api/returns", 8, json={"round": "r-2026", "case": "C3"}
    )
    path = f"/api/returns/{draft['id']}/answers/immediate_concern"
    status, body = await collector.as_member("PUT", path, 8, json={"value": True})
    assert status == 200
    alert = body["alert"]
    assert (alert["round"], alert["case"], alert["agency"]) == ("r-2026", "C3", "gp")
    assert alert["queued_to"] == ["Co (coordinator)"] and alert["deliverable"] is True
    assert "queued" in alert["message"] and "not been delivered yet" in alert["message"]
    _, again = await collector.as_member("PUT", path, 8, json={"value": True})
    assert again["alert"] is None


async def test_skip_only_optional_questions(collector):
    await collector.create_round(small_round())
    await collector.add_member("Aud", Role.auditor, agency="csc", telegram_id=9)
    _, draft = await collector.as_member(
        "POST", "/api/returns", 9, json={"round": "r-2026", "case": "C1"}
    )
    rid = draft["id"]
    status, body = await collector.as_member(
        "PUT", f"/api/returns/{rid}/answers/learning", 9, json={"value": None}
    )
    assert status == 200 and body["answers"]["learning"] is None and body["answered"] == 1
    status, body = await collector.as_member(
        "PUT", f"/api/returns/{rid}/answers/impact", 9, json={"value": None}
    )
    assert (status, body["error"]) == (422, "required")


async def test_cases_and_expectations_as_coordinator_and_auditor(collector):
    await collector.create_round(small_round())
    coord = await collector.token_for(await collector.add_member("Co", Role.coordinator))
    await collector.add_member("Aud", Role.auditor, agency="gp", telegram_id=61)
    status, cases = await collector.call("GET", "/api/rounds/r-2026/cases", token=coord)
    assert (status, [c["reference"] for c in cases]) == (200, ["C1", "C2", "C3", "C4"])
    _, every = await collector.call("GET", "/api/rounds/r-2026/expectations", token=coord)
    assert len(every) == 8  # csc 4, police 2, gp 2 (one of them not required)
    _, mine = await collector.as_member("GET", "/api/rounds/r-2026/expectations", 61)
    assert [(e["case"], e["status"]) for e in mine] == [("C3", "expected"), ("C4", "not_required")]
    _, assigned = await collector.as_member("GET", "/api/rounds/r-2026/assignments", 61)
    assert [(a["case"], a["status"], a["answered"]) for a in assigned] == [("C3", "not_started", 0)]
