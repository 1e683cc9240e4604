"""Narratives in parts and answers that name their Telegram update, through the API (both
databases), and the joining rule itself."""

import pytest

from collector.errors import Unprocessable
from collector.services.return_rules import with_part
from models.enums import Role
from models.tool import load_tool
from tests.conftest import SERVICE_TOKEN, small_round


async def _draft(collector, telegram_id, case):
    status, body = await collector.as_member(
        "POST", "/api/returns", telegram_id, json={"round": "r-2026", "case": case}
    )
    assert status == 200, body
    return body["id"]


async def _parts_case(collector):
    await collector.create_round(small_round())
    await collector.add_member("Aud", Role.auditor, agency="csc", telegram_id=7)
    await collector.add_member("Other", Role.auditor, agency="police", telegram_id=8)
    return await _draft(collector, 7, "C1")


async def test_a_narrative_in_parts_is_joined_and_a_redelivered_part_changes_nothing(collector):
    rid = await _parts_case(collector)
    path = f"/api/returns/{rid}/answers/good_practice/parts"
    texts = ["Strategy meeting held promptly.", "  Plan shared with school.  ", "GP informed."]
    for n, text in enumerate(texts):
        status, body = await collector.as_member(
            "POST", path, 7, json={"text": text, "update_id": 500 + n}
        )
        assert status == 200 and body["repeat"] is False, body
    joined = "Strategy meeting held promptly.\n\nPlan shared with school.\n\nGP informed."
    assert body["answers"]["good_practice"] == joined
    status, again = await collector.as_member(
        "POST", path, 7, json={"text": "GP informed.", "update_id": 502}
    )
    assert (status, again["repeat"], again["answers"]["good_practice"]) == (200, True, joined)
    status, trail = await collector.as_member("GET", f"/api/returns/{rid}/audit", 7)
    assert [e["action"] for e in trail].count("answer.put") == 3
    # A fresh first part (the question asked again, e.g. from the review) replaces the answer.
    status, body = await collector.as_member(
        "POST", path, 7, json={"text": "Rewritten.", "update_id": 510, "fresh": True}
    )
    assert (status, body["answers"]["good_practice"]) == (200, "Rewritten.")
    # The update is now known to the bot's own de-duplication as well.
    status, seen = await collector.call("POST", "/api/updates/502", token=SERVICE_TOKEN)
    assert seen == {"first": False}


async def test_a_refused_part_leaves_the_narrative_as_it_was(collector):
    rid = await _parts_case(collector)
    path = f"/api/returns/{rid}/answers/voice_of_child/parts"
    status, _ = await collector.as_member("POST", path, 7, json={"text": "A" * 3000})
    assert status == 200
    refusals = [
        (7, {"text": "Lives at SW1A 1AA."}, 422, "identifiers_found"),
        (7, {"text": "B" * 1500}, 422, "too_long"),  # 3000 + 2 + 1500 > 4000
        (7, {"text": ""}, 400, "invalid_request"),
        (7, {"text": "x" * 20_001}, 400, "invalid_request"),
        (8, {"text": "Not my agency."}, 403, "forbidden"),
    ]
    for who, body, code, error in refusals:
        status, answer = await collector.as_member("POST", path, who, json=body)
        assert (status, answer["error"]) == (code, error), (body, answer)
        if error == "too_long":
            assert (answer["length"], answer["max"]) == (4502, 4000)
    status, answer = await collector.as_member(
        "POST", f"/api/returns/{rid}/answers/practice/parts", 7, json={"text": "Good"}
    )
    assert (status, answer["error"]) == (422, "not_text")
    status, ret = await collector.as_member("GET", f"/api/returns/{rid}", 7)
    assert ret["answers"] == {"voice_of_child": "A" * 3000}


async def test_only_the_bot_may_name_a_telegram_update(collector):
    rid = await _parts_case(collector)
    token = await collector.token_for(
        await collector.add_member("Lead", Role.agency_lead, agency="csc")
    )
    status, body = await collector.call(
        "POST",
        f"/api/returns/{rid}/answers/good_practice/parts",
        token=token,
        json={"text": "A part.", "update_id": 9},
    )
    assert (status, body["error"]) == (403, "forbidden")
    status, body = await collector.call(
        "POST",
        f"/api/returns/{rid}/answers/good_practice/parts",
        token=token,
        json={"text": "A part."},
    )
    assert status == 200 and body["answers"]["good_practice"] == "A part."


async def test_an_answer_naming_its_update_is_stored_once(collector):
    rid = await _parts_case(collector)
    path = f"/api/returns/{rid}/answers/practice"
    status, body = await collector.as_member(
        "PUT", path, 7, json={"value": "good", "update_id": 700}
    )
    assert (status, body["repeat"], body["answers"]["practice"]) == (200, False, {"grade": "good"})
    status, again = await collector.as_member(
        "PUT", path, 7, json={"value": "inadequate", "update_id": 700}
    )
    assert (status, again["repeat"], again["answers"]["practice"]) == (
        200,
        True,
        {"grade": "good"},
    )
    token = await collector.token_for(
        await collector.add_member("Lead", Role.agency_lead, agency="csc")
    )
    status, body = await collector.call(
        "PUT", path, token=token, json={"value": "good", "update_id": 701}
    )
    assert (status, body["error"]) == (403, "forbidden")


def test_a_part_is_joined_then_checked_as_a_whole():
    q = load_tool("maa-audit-1").question("good_practice")
    first = with_part(q, None, "  Prompt referral to early help.  ")
    assert first == "Prompt referral to early help."
    both = with_part(q, first, "The GP shared concerns quickly.")
    assert both == "Prompt referral to early help.\n\nThe GP shared concerns quickly."
    with pytest.raises(Unprocessable) as too_short:
        with_part(q, None, "ok")
    assert too_short.value.code == "too_short"
    with pytest.raises(Unprocessable) as too_long:
        with_part(q, "a" * 5000, "b" * 1500)
    assert (too_long.value.code, too_long.value.extra) == (
        "too_long",
        {"length": 6502, "max": 6000},
    )


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Mum's email is jane.doe@example.com", "email"),
        ("Seen at home, BR1 3AA, by the school nurse", "postcode"),
        ("Child (DOB 03/04/2012) was seen", "date_of_birth"),
        ("NHS number 943 476 5919 on the referral", "nhs_number"),
    ],
)
def test_a_part_with_identifiers_is_refused_before_anything_is_stored(text, kind):
    q = load_tool("maa-audit-1").question("good_practice")
    with pytest.raises(Unprocessable) as found:
        with_part(q, "Earlier part.", text)
    assert found.value.code == "identifiers_found"
    assert [f["kind"] for f in found.value.extra["findings"]] == [kind]
    assert text not in found.value.message  # what was found is named, the narrative is not
