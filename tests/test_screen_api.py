"""The identifier guard through the API, on both write paths (SQLite's writer thread and the ORM
on PostgreSQL): hard refusals, the name warning and its confirmation, the round's allowlist."""

from models.enums import Role
from tests.conftest import small_round

NARRATIVE = "voice_of_child"


async def _case(collector, **round_over):
    await collector.create_round(small_round(**round_over))
    await collector.add_member("Aud", Role.auditor, agency="csc", telegram_id=7)
    status, body = await collector.as_member(
        "POST", "/api/returns", 7, json={"round": "r-2026", "case": "C1"}
    )
    assert status == 200, body
    return body["id"]


async def _stored(collector, rid):
    status, ret = await collector.as_member("GET", f"/api/returns/{rid}", 7)
    assert status == 200
    return ret["answers"]


async def test_every_hard_kind_is_refused_and_nothing_is_stored(collector):
    rid = await _case(collector)
    path = f"/api/returns/{rid}/answers/{NARRATIVE}"
    for text, kind in (
        ("NHS no 943 4765 919 on the letter.", "nhs_number"),
        ("Mum's mobile is 07700 900 461.", "phone"),
        ("Write to k.smith at nhs dot net please.", "email"),
        ("Her NI number is AB 12 34 56 C.", "ni_number"),
        ("UPN B801200005001 on the census.", "upn"),
        ("The child was born on the 4th of May 2016.", "date_of_birth"),
        ("Police attended Flat 3, 22 High Street.", "address"),
    ):
        status, body = await collector.as_member("PUT", path, 7, json={"value": text})
        assert (status, body["error"]) == (422, "identifiers_found"), (text, body)
        assert [f["kind"] for f in body["findings"]] == [kind]
        assert "Nothing has been saved" in body["message"]
    assert await _stored(collector, rid) == {}
    status, trail = await collector.as_member("GET", f"/api/returns/{rid}/audit", 7)
    assert [e["action"] for e in trail if e["action"] != "return.open"] == []


async def test_a_possible_name_is_warned_and_sent_when_the_author_confirms(collector):
    rid = await _case(collector)
    path = f"/api/returns/{rid}/answers/{NARRATIVE}"
    text = "Her brother Tyrese said he felt safe at school."
    status, body = await collector.as_member("PUT", path, 7, json={"value": text})
    assert (status, body["error"]) == (422, "names_found")
    assert "This may contain a name: Tyrese" in body["message"]
    assert [f["text"] for f in body["findings"]] == ["Tyrese"]
    assert await _stored(collector, rid) == {}
    # A confirmation does not get past a hard refusal.
    status, body = await collector.as_member(
        "PUT", path, 7, json={"value": text + " Mum: 07700 900461", "names_ok": True}
    )
    assert (status, body["error"]) == (422, "identifiers_found")
    status, body = await collector.as_member("PUT", path, 7, json={"value": text, "names_ok": True})
    assert status == 200, body
    assert body["answers"][NARRATIVE] == text
    status, trail = await collector.as_member("GET", f"/api/returns/{rid}/audit", 7)
    sent = [e for e in trail if e["action"] == "names.sent"]
    assert len(sent) == 1
    assert sent[0]["after"]["possible_names"] == 1 and sent[0]["after"]["question"] == NARRATIVE
    assert "Tyrese" not in str(sent[0]["after"]) and sent[0]["before"] is None


async def test_parts_are_warned_about_their_own_names_only(collector):
    rid = await _case(collector)
    path = f"/api/returns/{rid}/answers/{NARRATIVE}/parts"
    status, body = await collector.as_member("POST", path, 7, json={"text": "Mum Kelly came."})
    assert (status, body["error"]) == (422, "names_found")
    status, body = await collector.as_member(
        "POST", path, 7, json={"text": "Mum Kelly came.", "names_ok": True}
    )
    assert status == 200, body
    # The next part has no name: Kelly, already confirmed, is not asked about again.
    status, body = await collector.as_member("POST", path, 7, json={"text": "School agreed."})
    assert status == 200, body
    assert body["answers"][NARRATIVE] == "Mum Kelly came.\n\nSchool agreed."
    status, body = await collector.as_member("POST", path, 7, json={"text": "Uncle Dean too."})
    assert (status, body["error"], body["findings"][0]["text"]) == (422, "names_found", "Dean")


async def test_the_round_file_allowlist_silences_its_own_places(collector):
    rid = await _case(collector, screening={"allow": ["Hollybrook", "Jubilee Ward"]})
    path = f"/api/returns/{rid}/answers/{NARRATIVE}"
    text = "Seen at Hollybrook, then admitted to Jubilee Ward with her mum."
    status, body = await collector.as_member("PUT", path, 7, json={"value": text})
    assert status == 200, body
    status, body = await collector.as_member(
        "PUT", path, 7, json={"value": "Her friend Jaylen was there."}
    )
    assert (status, body["error"]) == (422, "names_found")


async def test_a_bad_allowlist_is_refused_with_a_clear_message(collector):
    data = small_round(screening={"allow": [""]})
    await collector.add_member("Coord", Role.coordinator, telegram_id=1)
    status, body = await collector.as_member("POST", "/api/rounds", 1, json=data)
    assert status in (400, 422) and "allowed word" in body["message"], body
