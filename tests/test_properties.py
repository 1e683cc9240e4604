"""Property-based: whatever is sent, no route answers 5xx (both databases).

`hypothesis` drives the routes with raw requests (bytes in headers, odd path segments, any JSON
or none, any content type and encoding); `schemathesis` generates requests, valid and invalid,
from the collector's own OpenAPI document (/api/openapi.json). The generators are synchronous,
so they run in a worker thread while the collector serves on the test's event loop. Bounded by
example counts to stay within about a minute per database.
"""

import asyncio
import json
import re
import socket
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from collector.app import endpoints
from models.enums import Role
from tests.conftest import SERVICE_TOKEN, small_round

QUICK = settings(
    max_examples=250,
    deadline=None,
    database=None,  # no example database written into the worktree
    suppress_health_check=list(HealthCheck),
)
ROUTES = [(e.method, e.path) for e in endpoints().endpoints]


async def _world(c: Any) -> dict[str, str]:
    await c.create_round(small_round())
    coord = await c.add_member("Co", Role.coordinator, telegram_id=99)
    aud = await c.add_member("Aud", Role.auditor, agency="csc", telegram_id=11)
    status, _ = await c.as_member(
        "POST", "/api/returns", 11, json={"round": "r-2026", "case": "C1"}
    )
    assert status == 200  # return 1, and action 1 from the round file: ids the paths may hit
    return {"coordinator": await c.token_for(coord), "auditor": await c.token_for(aud)}


def _send(url: str, request: bytes) -> tuple[int, bytes, bytes]:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), head, body


segment = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(min_size=1, max_size=12),
    st.sampled_from(["1", "2", "r-2026", "C1", "learning", "²", "9223372036854775807", "\x00"]),
)
header_bytes = st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=8,
)


# A valid body per write route: the generator changes one of its values at a time, so the
# value reaches the rules behind the body's shape (NUL in a name, an id out of range...).
EXAMPLES: dict[str, Any] = {
    "/api/members": {"display_name": "Ann", "role": "viewer", "telegram_id": 5},
    "/api/invites": {"role": "auditor", "agency": "csc", "expires_in_days": 3},
    "/api/invites/redeem": {"code": "abc", "telegram_id": 77, "display_name": "Bo"},
    "/api/rounds": small_round("r-prop"),
    "/api/returns": {"round": "r-2026", "case": "C1"},
    "/api/returns/{return_id}/answers/{key}": {"value": "Share it.", "update_id": 5},
    "/api/returns/{return_id}/answers/{key}/parts": {"text": "More.", "update_id": 6},
    "/api/returns/{return_id}/reopen": {"reason": "Missing the GP view."},
    "/api/actions/{action_id}/progress": {"progress": "Held.", "status": "in_progress"},
    "/api/reminders/plan": {"round": "r-2026", "dry_run": True, "at": "2026-02-20T10:00:00Z"},
    "/api/reminders/claim": {"limit": 5, "lease_seconds": 30, "at": "2026-02-20T10:00:00Z"},
    "/api/reminders/{reminder_id}/ack": {"outcome": "failed", "error": "x", "retry_after": 3},
    "/api/members/{member_id}/tokens/revoke": {"token_id": 1},
}
EDGE_TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-02-30"]
odd_value = st.one_of(
    st.sampled_from(["a\x00b", 2**31, 2**63, 10**30, -1, "²", "", 0.5, None, *EDGE_TIMES]),
    st.text(max_size=12),
    st.integers(min_value=-(2**80), max_value=2**80),
    json_value,
)


def _leaves(value: Any, at: tuple = ()) -> list[tuple]:
    """The paths to every value in a JSON document (the first item of each list)."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*at, k))] or [at]
    if isinstance(value, list) and value:
        return [at, *_leaves(value[0], (*at, 0))]
    return [at]


def _with(body: Any, at: tuple, value: Any) -> bytes:
    body = json.loads(json.dumps(body))
    target = body
    for step in at[:-1]:
        target = target[step]
    target[at[-1]] = value
    return json.dumps(body).encode()


def _fields(url: str, tokens: dict[str, str]) -> None:
    """Every value of every write route's body, one at a time, from a sender allowed to write."""
    methods = {e.path: e.method for e in endpoints().endpoints if e.body is not None}
    coordinator = {"Authorization": f"Bearer {tokens['coordinator']}"}
    bot = {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-MAA-Telegram-Id": "11"}
    session = requests.Session()
    for template, example in EXAMPLES.items():
        path = re.sub(r"\{(\w+)\}", lambda m: "learning" if m[1] == "key" else "1", template)
        headers = bot if template.startswith(("/api/returns/", "/api/invites/r")) else coordinator
        for at in _leaves(example):
            if at:
                _one_field(session, methods[template], url + path, headers, example, at)


def _one_field(
    session: requests.Session, method: str, url: str, headers: dict, example: Any, at: tuple
) -> None:
    @settings(QUICK, max_examples=6)
    @given(value=odd_value)
    def no_5xx(value: Any) -> None:
        response = session.request(
            method,
            url,
            data=_with(example, at, value),
            headers={**headers, "Content-Type": "application/json"},
            timeout=30,
        )
        assert response.status_code < 500, (url, at, value, response.text[:300])

    no_5xx()


def _routes(url: str, tokens: dict[str, str]) -> None:
    auth = st.one_of(
        st.sampled_from([f"Bearer {t}".encode() for t in (*tokens.values(), SERVICE_TOKEN)]),
        header_bytes.map(lambda b: b"Bearer " + b),
        header_bytes,
    )
    body = st.one_of(
        st.none(),
        json_value.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=64),
    )

    @QUICK
    @given(
        route=st.sampled_from(ROUTES),
        segments=st.lists(segment, min_size=3, max_size=3),
        authorization=auth,
        telegram_id=st.one_of(
            st.none(), header_bytes, st.sampled_from([b"11", b"99", b"\xc2\xb2"])
        ),
        content=body,
        content_type=st.sampled_from([None, b"application/json", b"text/plain"]),
        encoding=st.sampled_from([None, None, b"gzip", b"deflate"]),
    )
    def no_5xx(route, segments, authorization, telegram_id, content, content_type, encoding):
        method, template = route
        path = template
        for seg in segments:
            if "{" not in path:
                break
            start, end = path.index("{"), path.index("}")
            path = path[:start] + quote(seg, safe="") + path[end + 1 :]
        headers = [b"Host: 127.0.0.1", b"Connection: close", b"Authorization: " + authorization]
        if telegram_id is not None:
            headers.append(b"X-MAA-Telegram-Id: " + telegram_id)
        if content_type is not None:
            headers.append(b"Content-Type: " + content_type)
        if encoding is not None:
            headers.append(b"Content-Encoding: " + encoding)
        payload = content or b""
        headers.append(b"Content-Length: " + str(len(payload)).encode())
        request = f"{method} {path} HTTP/1.1\r\n".encode() + b"\r\n".join(headers)
        status, head, answer = _send(url, request + b"\r\n\r\n" + payload)
        assert status < 500, (method, path, status, answer[:300])
        if status >= 400 and b"application/json" in head.lower():
            assert "error" in json.loads(answer), answer

    no_5xx()


def _openapi(url: str, tokens: dict[str, str]) -> None:
    document = requests.get(f"{url}/api/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(document)
    cases = st.one_of(
        schema.as_strategy(GenerationMode.POSITIVE), schema.as_strategy(GenerationMode.NEGATIVE)
    )
    as_whom = st.sampled_from(
        [
            {"Authorization": f"Bearer {tokens['coordinator']}"},
            {"Authorization": f"Bearer {tokens['auditor']}"},
            {"Authorization": f"Bearer {SERVICE_TOKEN}", "X-MAA-Telegram-Id": "11"},
            {"Authorization": f"Bearer {SERVICE_TOKEN}"},
        ]
    )
    session = requests.Session()

    @QUICK
    @given(case=cases, headers=as_whom)
    def no_5xx(case, headers):
        response = case.call(base_url=url, session=session, headers=headers, timeout=30)
        assert response.status_code < 500, (
            case.method,
            case.formatted_path,
            response.status_code,
            response.text[:300],
        )

    no_5xx()


async def test_hypothesis_raw_requests_never_get_a_5xx(collector):
    tokens = await _world(collector)
    await asyncio.to_thread(_routes, collector.url, tokens)


async def test_hypothesis_every_body_value_of_every_write_route(collector):
    tokens = await _world(collector)
    await asyncio.to_thread(_fields, collector.url, tokens)


async def test_schemathesis_from_the_openapi_document_never_gets_a_5xx(collector):
    tokens = await _world(collector)
    await asyncio.to_thread(_openapi, collector.url, tokens)
