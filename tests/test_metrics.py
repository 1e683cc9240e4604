"""/metrics: off unless a token is set; requests by route pattern, answers, submissions, outbox."""

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from collector.app import create_app
from collector.db import Database
from models.enums import Role
from models.settings import Settings
from tests.conftest import SERVICE_TOKEN, Collector, full_answers, small_round

METRICS_TOKEN = "metrics-secret-0123456789"
FRI_06 = datetime(2026, 2, 6, 10, 0, tzinfo=UTC)  # reminders fall due for the small round


@pytest.fixture
async def watched(settings: Settings) -> AsyncIterator[Collector]:
    """A collector with metrics on."""
    conf = settings.model_copy(update={"metrics_token": SecretStr(METRICS_TOKEN)})
    server = TestServer(create_app(conf), host="127.0.0.1")
    await server.start_server()
    db = Database(conf.database_url)
    async with aiohttp.ClientSession() as http:
        yield Collector(str(server.make_url("")).rstrip("/"), conf, db, http)
    await db.dispose()
    await server.close()


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in the Prometheus text format, or None when it is absent."""
    for line in text.splitlines():
        if not line.startswith(name + ("{" if labels else " ")):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


async def scrape(c: Collector) -> str:
    status, body = await c.call(
        "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert status == 200, body
    return body.decode()


async def test_metrics_are_off_without_a_token(collector):
    status, body = await collector.call("GET", "/metrics")
    assert status == 404 and body["error"] == "not_found"
    assert "MAA_METRICS_TOKEN" in body["message"]


async def test_metrics_need_the_token(watched):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": METRICS_TOKEN}):
        status, body = await watched.call("GET", "/metrics", headers=headers)
        assert status == 401 and body["error"] == "unauthorized", headers
    status, body = await watched.call("GET", "/metrics", token=SERVICE_TOKEN)
    assert status == 401  # the service token is not the metrics token


async def test_metrics_count_what_happened(watched):
    c = watched
    await c.create_round(small_round())
    await c.add_member("Cora", Role.coordinator, telegram_id=1)
    await c.add_member("Cass", Role.auditor, agency="csc", telegram_id=101)
    _, draft = await c.as_member(
        "POST", "/api/returns", 101, json={"round": "r-2026", "case": "C1"}
    )
    for key, value in full_answers().items():
        status, _ = await c.as_member(
            "PUT", f"/api/returns/{draft['id']}/answers/{key}", 101, json={"value": value}
        )
        assert status == 200
    status, _ = await c.as_member("POST", f"/api/returns/{draft['id']}/submit", 101)
    assert status == 200
    refused, _ = await c.call("GET", "/api/returns/999999", token=SERVICE_TOKEN, telegram_id=101)
    assert refused in (403, 404)
    assert (await c.call("POST", "/api/updates/77", token=SERVICE_TOKEN))[0] == 200
    status, planned = await c.call(
        "POST", "/api/reminders/plan", token=SERVICE_TOKEN,
        json={"round": "r-2026", "at": FRI_06.isoformat()},
    )  # fmt: skip
    assert status == 200 and planned["queued"] > 0
    status, claimed = await c.call(
        "POST", "/api/reminders/claim", token=SERVICE_TOKEN, json={"limit": 1}
    )
    assert status == 200 and len(claimed) == 1
    status, _ = await c.call(
        "POST", f"/api/reminders/{claimed[0]['id']}/ack", token=SERVICE_TOKEN,
        json={"outcome": "failed", "error": "timeout"},
    )  # fmt: skip
    assert status == 200

    text = await scrape(c)
    put = {"method": "PUT", "route": "/api/returns/{return_id}/answers/{key}", "status": "200"}
    assert sample(text, "maa_http_requests_total", **put) == 11
    missing = {"method": "GET", "route": "/api/returns/{return_id}", "status": str(refused)}
    assert sample(text, "maa_http_requests_total", **missing) == 1
    assert "999999" not in text and f"/api/returns/{draft['id']}" not in text  # no raw ids
    assert (
        sample(text, "maa_http_request_duration_seconds_count", method="PUT", route=put["route"])
        == 11
    )
    assert sample(text, "maa_answers_written_total") == 11
    assert sample(text, "maa_submissions_total") == 1
    assert sample(text, "maa_bot_updates_handled") == 1
    kind = claimed[0]["kind"]
    # The failed one went back to the queue, due in 2 minutes; the others are due since 09:00.
    assert sample(text, "maa_outbox_depth", kind=kind) >= 1
    assert sample(text, "maa_outbox_retried", kind=kind) == 0  # tried once so far
    assert sample(text, "maa_outbox_messages", kind=kind, status="queued") >= 1
    assert sample(text, "maa_outbox_oldest_age_seconds") > 0
    assert METRICS_TOKEN not in text and SERVICE_TOKEN not in text
