"""Bad input, access between agencies, idempotency, concurrency and auth."""

import asyncio
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from models.base import utcnow
from models.enums import Role
from models.ops import AuditEvent
from models.people import Invite
from models.returns import Answer
from tests.conftest import SERVICE_TOKEN, full_answers, small_round


async def _draft(collector, telegram_id, case="C1"):
    status, body = await collector.as_member(
        "POST", "/api/returns", telegram_id, json={"round": "r-2026", "case": case}
    )
    assert status == 200, body
    return body["id"]


async def _row_counts(collector):
    async with collector.db.read() as s:
        answers = (await s.execute(select(func.count()).select_from(Answer))).scalar()
        events = (await s.execute(select(func.count()).select_from(AuditEvent))).scalar()
    return answers, events


@pytest.fixture
async def round_with_auditors(collector):
    await collector.create_round(small_round())
    await collector.add_member("CSC auditor", Role.auditor, agency="csc", telegram_id=11)
    await collector.add_member("Police auditor", Role.auditor, agency="police", telegram_id=22)
    return collector


BAD_ANSWERS = [
    ("impact", {"grade": "excellent"}, 422, "invalid_grade"),
    ("impact", {"grade": "not_graded"}, 422, "reason_required"),
    ("impact", "good-ish", 422, "invalid_grade"),
    ("impact", 5, 422, "invalid_answer"),
    ("involvement", "sometimes", 422, "invalid_choice"),
    ("themes", ["signposting", "astrology"], 422, "invalid_choice"),
    ("immediate_concern", "yes", 422, "invalid_answer"),
    ("good_practice", 42, 422, "invalid_answer"),
    ("good_practice", "x" * 20_001, 422, "too_long"),
    ("good_practice", "  ", 422, "too_short"),
    ("favourite_colour", "blue", 422, "unknown_question"),
    ("good_practice", "Seen at BR1 3AB by the GP", 422, "identifiers_found"),
    ("good_practice", "NHS no 943 476 5919 checked", 422, "identifiers_found"),
]


@pytest.mark.parametrize(("key", "value", "status", "code"), BAD_ANSWERS)
async def test_bad_answers_get_a_clear_4xx_and_change_nothing(
    round_with_auditors, key, value, status, code
):
    c = round_with_auditors
    rid = await _draft(c, 11)
    before = await _row_counts(c)
    got, body = await c.as_member(
        "PUT", f"/api/returns/{rid}/answers/{key}", 11, json={"value": value}
    )
    assert (got, body["error"]) == (status, code), body
    assert isinstance(body["message"], str) and len(body["message"]) > 10
    assert await _row_counts(c) == before


async def test_identifier_findings_are_listed_for_the_auditor(round_with_auditors):
    c = round_with_auditors
    rid = await _draft(c, 11)
    _, body = await c.as_member(
        "PUT",
        f"/api/returns/{rid}/answers/development",
        11,
        json={"value": "Mum's email is mum@example.org, phone 07700 900123"},
    )
    assert [f["kind"] for f in body["findings"]] == ["email", "phone"]
    assert "Nothing has been saved" in body["message"]


@pytest.mark.parametrize(
    ("method", "path", "raw", "status", "code"),
    [
        ("PUT", "/api/returns/{rid}/answers/impact", b"{not json", 400, "invalid_json"),
        ("PUT", "/api/returns/{rid}/answers/impact", b'{"valu": 1}', 400, "invalid_request"),
        (
            "PUT",
            "/api/returns/999999/answers/impact",
            b'{"value": {"grade": "good"}}',
            403,
            "forbidden",
        ),
        ("PUT", "/api/returns/abc/answers/impact", b'{"value": 1}', 400, "invalid_request"),
        ("POST", "/api/returns", b'{"round": "nope", "case": "C1"}', 404, "not_found"),
        ("POST", "/api/returns", b'{"round": "r-2026", "case": "C99"}', 404, "not_found"),
        ("POST", "/api/returns", b'{"round": "r-2026"}', 400, "invalid_request"),
        ("GET", "/api/nothing-here", b"", 404, "not_found"),
        ("DELETE", "/api/rounds", b"", 405, "method_not_allowed"),
    ],
)
async def test_malformed_requests(round_with_auditors, method, path, raw, status, code):
    c = round_with_auditors
    rid = await _draft(c, 11)
    got, body = await c.as_member(
        method, path.format(rid=rid), 11, data=raw, headers={"Content-Type": "application/json"}
    )
    assert (got, body["error"]) == (status, code), body


async def test_expired_and_used_invites(collector):
    coord = await collector.token_for(await collector.add_member("Co", Role.coordinator))
    await collector.create_round(small_round())
    _, inv = await collector.call(
        "POST", "/api/invites", token=coord, json={"role": "auditor", "agency": "csc"}
    )
    redeem = {"code": inv["code"], "telegram_id": 31, "display_name": "First"}
    assert (await collector.call("POST", "/api/invites/redeem", token=SERVICE_TOKEN, json=redeem))[
        0
    ] == 200
    status, body = await collector.call(
        "POST", "/api/invites/redeem", token=SERVICE_TOKEN, json=redeem | {"telegram_id": 32}
    )
    assert (status, body["error"]) == (410, "invite_used")

    _, inv2 = await collector.call(
        "POST", "/api/invites", token=coord, json={"role": "auditor", "agency": "csc"}
    )
    async with collector.db.write() as s:
        await s.execute(
            update(Invite)
            .where(Invite.id == inv2["id"])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    status, body = await collector.call(
        "POST",
        "/api/invites/redeem",
        token=SERVICE_TOKEN,
        json={"code": inv2["code"], "telegram_id": 33, "display_name": "X"},
    )
    assert (status, body["error"]) == (410, "invite_expired")
    status, body = await collector.call(
        "POST",
        "/api/invites/redeem",
        token=SERVICE_TOKEN,
        json={"code": "wrong-code", "telegram_id": 34, "display_name": "X"},
    )
    assert (status, body["error"]) == (404, "invite_invalid")
    status, _ = await collector.as_member("GET", "/api/me", 33)
    assert status == 404


async def test_an_auditor_cannot_read_or_write_another_agencys_return(round_with_auditors):
    c = round_with_auditors
    csc_return = await _draft(c, 11, "C1")
    for method, path, payload in [
        ("GET", f"/api/returns/{csc_return}", None),
        ("PUT", f"/api/returns/{csc_return}/answers/impact", {"value": {"grade": "good"}}),
        ("POST", f"/api/returns/{csc_return}/submit", None),
        ("GET", f"/api/returns/{csc_return}/audit", None),
    ]:
        status, other = await c.as_member(method, path, 22, json=payload)
        status_missing, missing = await c.as_member(
            method, path.replace(str(csc_return), "987654"), 22, json=payload
        )
        # Same answer whether or not the other return exists: nothing is revealed.
        assert (status, other) == (status_missing, missing) == (403, missing)
    # Police are not expected on C3, nor may they open a draft for another agency.
    status, body = await c.as_member(
        "POST", "/api/returns", 22, json={"round": "r-2026", "case": "C3"}
    )
    assert (status, body["error"]) == (403, "forbidden")
    status, body = await c.as_member(
        "POST", "/api/returns", 22, json={"round": "r-2026", "case": "C1", "agency": "csc"}
    )
    assert (status, body["error"]) == (403, "forbidden")
    status, _ = await c.as_member("GET", "/api/rounds/r-2026/tally", 22)
    assert status == 403


async def test_viewer_reads_tallies_only(collector):
    await collector.create_round(small_round())
    await collector.add_member("V", Role.viewer, telegram_id=44)
    assert (await collector.as_member("GET", "/api/rounds/r-2026/tally", 44))[0] == 200
    assert (await collector.as_member("GET", "/api/rounds/r-2026/overdue", 44))[0] == 403
    assert (
        await collector.as_member(
            "POST", "/api/returns", 44, json={"round": "r-2026", "case": "C1"}
        )
    )[0] == 403
    assert (await collector.as_member("POST", "/api/rounds", 44, json=small_round("x")))[0] == 403


async def test_same_put_twice_leaves_one_answer_and_one_event(round_with_auditors):
    c = round_with_auditors
    rid = await _draft(c, 11)
    path = f"/api/returns/{rid}/answers/good_practice"
    for _ in range(2):
        status, _ = await c.as_member("PUT", path, 11, json={"value": "Timely strategy meeting."})
        assert status == 200
    async with c.db.read() as s:
        answers = (await s.execute(select(func.count()).select_from(Answer))).scalar()
        events = (
            await s.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "answer.put")
            )
        ).scalar()
    assert (answers, events) == (1, 1)


async def test_fifty_concurrent_answer_writes_lose_nothing(collector):
    cases = [{"reference": f"C{i}"} for i in range(1, 51)]
    await collector.create_round(
        small_round(
            cases=cases,
            expectations=[{"agency": "csc", "cases": "all"}, {"agency": "police", "cases": "all"}],
        )
    )
    ids = []
    for i in range(50):
        tid = 1000 + i
        await collector.add_member(
            f"A{i}", Role.auditor, agency="csc" if i % 2 else "police", telegram_id=tid
        )
        ids.append((tid, await _draft(collector, tid, f"C{i + 1}")))

    async def write(tid, rid, n):
        return await collector.as_member(
            "PUT",
            f"/api/returns/{rid}/answers/good_practice",
            tid,
            json={"value": f"Good practice note number {n}."},
        )

    results = await asyncio.gather(*(write(tid, rid, n) for n, (tid, rid) in enumerate(ids)))
    assert [s for s, _ in results] == [200] * 50
    async with collector.db.read() as s:
        stored = dict((await s.execute(select(Answer.return_id, Answer.value))).all())
    assert stored == {rid: f"Good practice note number {n}." for n, (_, rid) in enumerate(ids)}


async def test_every_route_without_a_token_gets_401(collector):
    _, doc = await collector.call("GET", "/api/openapi.json")
    checked = 0
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if not op["security"]:
                continue
            url = re.sub(r"{\w+}", "1", path)  # auth comes before any lookup
            for headers in ({}, {"Authorization": "Bearer not-a-real-token"}):
                status, body = await collector.call(method.upper(), url, headers=headers, json={})
                assert (status, body["error"]) == (401, "unauthorized"), (method, path)
            checked += 1
    assert checked >= 20


async def test_openapi_lists_every_route(collector):
    status, doc = await collector.call("GET", "/api/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.")
    app = collector_app_routes(collector)
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert app == documented
    put = doc["paths"]["/api/returns/{return_id}/answers/{key}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("AnswerPut")


def collector_app_routes(collector):
    from collector.app import create_app

    app = create_app(collector.settings)
    return {
        (r.method, r.resource.canonical)
        for r in app.router.routes()
        if r.method != "HEAD" and not r.resource.canonical.startswith("/desk")  # pages, not API
    }


async def test_full_return_then_tally_counts_submitted_only(round_with_auditors):
    c = round_with_auditors
    rid = await _draft(c, 22, "C1")
    for key, value in full_answers("requires_improvement").items():
        await c.as_member("PUT", f"/api/returns/{rid}/answers/{key}", 22, json={"value": value})
    coord = await c.token_for(await c.add_member("Co", Role.coordinator))
    _, before = await c.call("GET", "/api/rounds/r-2026/tally", token=coord)
    assert before["total_returns"] == 0
    await c.as_member("POST", f"/api/returns/{rid}/submit", 22)
    _, after = await c.call("GET", "/api/rounds/r-2026/tally", token=coord)
    police = next(a for a in after["agencies"] if a["code"] == "police")
    assert police["overall_grades"] == {"Requires Improvement to be Good": 1}
    gp = next(a for a in after["agencies"] if a["code"] == "gp")
    assert gp["expected"] == 1  # C4 is not required


async def test_update_ids_are_first_once_and_only_for_the_bot(collector):
    await collector.add_member("Viewer", Role.viewer, telegram_id=55)
    first = await collector.call("POST", "/api/updates/123456789", token=SERVICE_TOKEN)
    again = await collector.call("POST", "/api/updates/123456789", token=SERVICE_TOKEN)
    assert (first, again) == ((200, {"first": True}), (200, {"first": False}))
    status, body = await collector.as_member("POST", "/api/updates/5", 55)
    assert (status, body["error"]) == (403, "forbidden")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"tool_version": "no-such-tool"}, "unknown_tool"),
        ({"reminders": {"before_days": "soon"}}, "invalid_policy"),
        ({"reminders": {"quiet_hourz": None}}, "invalid_policy"),
    ],
)
async def test_round_files_with_mistakes_are_refused_whole(collector, change, code):
    coord = await collector.token_for(await collector.add_member("Co", Role.coordinator))
    status, body = await collector.call(
        "POST", "/api/rounds", token=coord, json=small_round(**change)
    )
    assert (status, body["error"]) == (422, code), body
    status, rounds = await collector.call("GET", "/api/rounds", token=coord)
    assert (status, rounds) == (200, [])


async def test_round_file_that_does_not_fit_names_the_field(collector):
    coord = await collector.token_for(await collector.add_member("Co", Role.coordinator))
    bad = small_round(expectations=[{"agency": "nobody", "cases": "all"}])
    status, body = await collector.call("POST", "/api/rounds", token=coord, json=bad)
    assert (status, body["error"]) == (400, "invalid_request")
    assert "nobody" in body["message"]
    status, body = await collector.call("POST", "/api/rounds", token=coord, json=small_round())
    assert status == 201
    status, body = await collector.call("POST", "/api/rounds", token=coord, json=small_round())
    assert (status, body["error"]) == (409, "round_exists")


async def test_database_errors_never_carry_answer_text(collector):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    await collector.create_round(small_round())
    with pytest.raises(IntegrityError) as caught:
        async with collector.db.write() as s:
            await s.execute(
                text(
                    "INSERT INTO answer (return_id, question_key, value, answered_at) "
                    "VALUES (424242, 'good_practice', :v, CURRENT_TIMESTAMP)"
                ),
                {"v": '"a narrative that must not be logged"'},
            )
    assert "must not be logged" not in str(caught.value)
