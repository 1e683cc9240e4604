"""No 5xx on any input: each of these gets a 4xx with the JSON error, before any work is done."""

import gzip

import pytest
from sqlalchemy import func, select

from models.enums import Role
from models.ops import AuditEvent
from tests.conftest import SERVICE_TOKEN, small_round
from tests.raw_http import http, raw_request

BIG = str(10**30)


@pytest.fixture
async def world(collector):
    await collector.create_round(small_round())
    await collector.add_member("CSC auditor", Role.auditor, agency="csc", telegram_id=11)
    coord = await collector.add_member("Co", Role.coordinator, telegram_id=99)
    collector.coord_token = await collector.token_for(coord)
    status, draft = await collector.as_member(
        "POST", "/api/returns", 11, json={"round": "r-2026", "case": "C1"}
    )
    assert status == 200
    collector.return_id = draft["id"]
    return collector


async def _events(c) -> int:
    async with c.db.read() as s:
        return (await s.execute(select(func.count()).select_from(AuditEvent))).scalar()


# One collector per test, many inputs each: a fresh PostgreSQL database per test is slow.


async def test_raw_bytes_in_authorization_are_refused_with_401(world):
    for authorization in [b"Bearer caf\xe9", b"Bearer \xff\xfex", "Bearer tök€n".encode()]:
        status, body = await raw_request(
            world.url, http("GET", "/api/me", {"Authorization": authorization})
        )
        assert (status, body["error"]) == (401, "unauthorized"), authorization


async def test_telegram_id_header_outside_64_bits_or_not_digits(world):
    for header in ["²", "١٢", BIG, str(-(2**63) - 1), "12a", ""]:
        headers = {
            "Authorization": f"Bearer {SERVICE_TOKEN}".encode(),
            "X-MAA-Telegram-Id": header.encode(),
        }
        status, body = await raw_request(world.url, http("GET", "/api/me", headers))
        assert (status, body["error"]) == (401, "unauthorized"), header


OUT_OF_RANGE = [
    ("GET", "/api/returns/%C2%B2"),
    ("GET", "/api/returns/9223372036854775807"),
    ("GET", "/api/returns/2147483648"),
    ("GET", "/api/returns/0"),
    ("GET", f"/api/returns/{BIG}/audit"),
    ("PUT", "/api/returns/%C2%B2/answers/impact"),
    ("POST", "/api/returns/2147483648/submit"),
    ("GET", "/api/actions/9223372036854775808"),
    ("POST", f"/api/reminders/{BIG}/ack"),
    ("POST", f"/api/updates/{BIG}"),
    ("POST", "/api/updates/%C2%B2"),
    ("GET", f"/api/rounds/r-2026/report?theme_threshold={BIG}"),
    ("GET", "/api/rounds/r-2026/report?theme_threshold=%C2%B2"),
]


async def test_numbers_outside_the_column_are_400(world):
    before = await _events(world)
    for method, path in OUT_OF_RANGE:
        body = b'{"value": {"grade": "good"}}' if method != "GET" else None
        status, got = await world.call(
            method,
            path,
            token=SERVICE_TOKEN,
            telegram_id=99,
            data=body,
            headers={"Content-Type": "application/json"},
        )
        assert (status, got["error"]) == (400, "invalid_request"), (path, got)
    assert await _events(world) == before


BODY_IDS = [
    ("/api/invites/redeem", {"code": "x", "telegram_id": 10**30, "display_name": "A"}),
    ("/api/members", {"display_name": "A", "role": "viewer", "telegram_id": 2**63}),
    ("/api/returns/{rid}/answers/impact", {"value": {"grade": "good"}, "update_id": 10**30}),
    ("/api/returns/{rid}/answers/learning/parts", {"text": "More.", "update_id": -1}),
]


async def test_ids_in_the_body_outside_their_range_are_400(world):
    before = await _events(world)
    for path, body in BODY_IDS:
        method = "PUT" if path.endswith("impact") else "POST"
        status, got = await world.call(
            method, path.format(rid=world.return_id), token=SERVICE_TOKEN, json=body
        )
        assert (status, got["error"]) == (400, "invalid_request"), (path, got)
    assert await _events(world) == before


NUL_TEXT = [
    ("POST", "/api/members", {"display_name": "Ann\x00", "role": "viewer"}),
    ("PUT", "/api/returns/{rid}/answers/learning", {"value": "Share\x00 it."}),
    ("PUT", "/api/returns/{rid}/answers/themes", {"value": ["signposting\x00"]}),
    ("POST", "/api/returns/{rid}/answers/learning/parts", {"text": "a\x00"}),
    ("POST", "/api/returns", {"round": "r-2026\x00", "case": "C1"}),
    ("POST", "/api/actions/1/progress", {"progress": "Held\x00"}),
    ("POST", "/api/rounds", {**small_round("x-1"), "title": "T\x00"}),
    ("POST", "/api/invites", {"role": "auditor", "agency": "c\x00sc"}),
    ("GET", "/api/rounds/r%00x", None),
    ("GET", "/api/rounds/r-2026/report?format=h%00tml", None),
]


async def test_nul_in_any_text_is_400(world):
    before = await _events(world)
    for method, path, body in NUL_TEXT:
        status, got = await world.call(
            method, path.format(rid=world.return_id), token=world.coord_token, json=body
        )
        assert (status, got["error"]) == (400, "invalid_text"), (path, got)
    assert await _events(world) == before


async def test_json_without_its_content_type_is_415_on_write_routes(world):
    for content_type in [None, "text/plain", "application/x-www-form-urlencoded"]:
        headers = {"Authorization": f"Bearer {world.coord_token}".encode()}
        if content_type:
            headers["Content-Type"] = content_type.encode()
        body = b'{"display_name": "Ann", "role": "viewer"}'
        status, got = await raw_request(world.url, http("POST", "/api/members", headers, body))
        assert (status, got["error"]) == (415, "unsupported_media_type"), content_type


async def test_broken_compressed_bodies_after_credentials(world):
    # mtime 672: these bytes, read as brotli, are no error but an unfinished stream (about one
    # gzip header time in nine is), which aiohttp decodes to an empty body without a word.
    broken = gzip.compress(b'{"value": "Share the plan."}', mtime=672)[:-9] + b"garbage"
    path = f"/api/returns/{world.return_id}/answers/learning"
    before = await _events(world)
    for encoding in ["gzip", "deflate", "br"]:

        def request(token: str, encoding: str = encoding) -> bytes:
            headers = {
                "Authorization": f"Bearer {token}".encode(),
                "X-MAA-Telegram-Id": b"11",
                "Content-Type": b"application/json",
                "Content-Encoding": encoding.encode(),
            }
            return http("PUT", path, headers, broken)

        # Credentials first: a wrong token is told so, whatever the body.
        status, got = await raw_request(world.url, request("not-a-token"))
        assert (status, got["error"]) == (401, "unauthorized"), encoding
        status, got = await raw_request(world.url, request(SERVICE_TOKEN))
        assert (status, got["error"]) == (400, "unreadable_body"), (encoding, got)
    assert await _events(world) == before
