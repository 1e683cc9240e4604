"""Narratives encrypted at rest with MAA_DATA_KEY: the API, reports and screening work as
before; the database, a backup and a collector without the key show no narrative; rotate-key."""

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from pydantic import SecretStr
from sqlalchemy import text
from typer.testing import CliRunner

from collector import sealing
from collector.app import create_app
from collector.auth import SYSTEM
from collector.backup import backup
from collector.cli import app as cli_app
from collector.db import Database
from collector.services import datakeys
from models.enums import Role
from models.settings import Settings
from tests.conftest import Collector, full_answers, small_round

K1 = sealing.new_key("k1")
K2 = sealing.new_key("k2")
PART_1 = "Strategy meeting within a day."
PART_2 = "School nurse attended and shared the plan."
WORDS = ("Strategy meeting", "School nurse", "Share the plan", "Information shared")


@pytest.fixture(autouse=True)
def no_key_afterwards() -> Iterator[None]:
    yield
    sealing.configure("")  # the keyring is process-wide: leave none for the next test


async def start(conf: Settings) -> tuple[TestServer, aiohttp.ClientSession, Collector]:
    server = TestServer(create_app(conf), host="127.0.0.1")
    await server.start_server()
    http = aiohttp.ClientSession()
    return (
        server,
        http,
        Collector(str(server.make_url("")).rstrip("/"), conf, Database(conf.database_url), http),
    )


async def stop(server: TestServer, http: aiohttp.ClientSession, c: Collector) -> None:
    await c.db.dispose()
    await http.close()
    await server.close()


@pytest.fixture
async def sealed(settings: Settings) -> AsyncIterator[Collector]:
    conf = settings.model_copy(update={"data_key": SecretStr(K1)})
    server, http, c = await start(conf)
    yield c
    await stop(server, http, c)


async def stored_text(db: Database) -> str:
    """Everything the answer and audit tables hold, as the database has it."""
    async with db.read() as session:
        rows = await session.execute(text("SELECT value FROM answer"))
        events = await session.execute(text('SELECT "before", "after" FROM audit_event'))
        return json.dumps([list(map(str, r)) for r in [*rows.all(), *events.all()]])


async def test_narratives_are_sealed_at_rest_and_open_through_the_api(sealed, tmp_path):
    c = sealed
    await c.create_round(small_round())
    token = await c.token_for(await c.add_member("Cora", Role.coordinator, telegram_id=1))
    await c.add_member("Cass", Role.auditor, agency="csc", telegram_id=101)
    _, draft = await c.as_member(
        "POST", "/api/returns", 101, json={"round": "r-2026", "case": "C1"}
    )
    rid = draft["id"]
    for key, value in full_answers().items():
        status, _ = await c.as_member(
            "PUT", f"/api/returns/{rid}/answers/{key}", 101, json={"value": value}
        )
        assert status == 200
    # A narrative in two parts: the second is joined to the (sealed) first.
    path = f"/api/returns/{rid}/answers/good_practice/parts"
    assert (await c.as_member("POST", path, 101, json={"text": PART_1, "fresh": True}))[0] == 200
    status, ret = await c.as_member("POST", path, 101, json={"text": PART_2})
    assert status == 200
    joined = ret["answers"]["good_practice"]
    assert PART_1 in joined and PART_2 in joined
    # Screening reads the plain text as before.
    status, body = await c.as_member(
        "PUT", f"/api/returns/{rid}/answers/learning", 101, json={"value": "Lives at SW1A 1AA."}
    )
    assert (status, body["error"]) == (422, "identifiers_found")
    assert (await c.as_member("POST", f"/api/returns/{rid}/submit", 101))[0] == 200

    status, report = await c.call("GET", "/api/rounds/r-2026/report?format=md", token=token)
    assert status == 200 and PART_2.encode() in report
    _, trail = await c.call("GET", f"/api/returns/{rid}/audit", token=token)
    assert any(PART_2 in str(e["after"]) for e in trail)
    _, tally = await c.call("GET", "/api/rounds/r-2026/tally", token=token)
    assert tally["total_returns"] == 1

    # At rest: sealed under k1, no narrative in the answers or the audit trail.
    at_rest = await stored_text(c.db)
    assert "maa-sealed:v1:k1:" in at_rest
    assert not [w for w in WORDS if w in at_rest], at_rest[:500]
    if c.settings.is_sqlite:  # a backup file holds no narrative either
        await backup(c.settings.database_url, tmp_path / "copy.db")
        raw = (tmp_path / "copy.db").read_bytes()
        assert b"maa-sealed" in raw and not [w for w in WORDS if w.encode() in raw]

    # A collector without the key refuses to show them, with one clear error, not a 500.
    server, http, bare = await start(c.settings.model_copy(update={"data_key": SecretStr("")}))
    try:
        status, body = await bare.as_member("GET", f"/api/returns/{rid}", 101)
        assert (status, body["error"]) == (503, "data_key_missing") and "k1" in body["message"]
        status, body = await bare.call("GET", "/api/rounds/r-2026/report?format=md", token=token)
        assert status == 503
        _, tally_bare = await bare.call("GET", "/api/rounds/r-2026/tally", token=token)
        assert tally_bare == tally  # grades are not narrative: the tally still works
    finally:
        await stop(server, http, bare)

    # Rotation: k2 first, k1 kept to open; afterwards k2 alone opens everything.
    sealing.configure(f"{K2},{K1}")
    done = await datakeys.rotate(db=c.db, actor=SYSTEM, current="k2")
    assert done.answers >= 5 and done.events >= 5
    at_rest = await stored_text(c.db)
    assert "maa-sealed:v1:k1:" not in at_rest and "maa-sealed:v1:k2:" in at_rest
    sealing.configure(K2)
    status, ret = await c.as_member("GET", f"/api/returns/{rid}", 101)
    assert status == 200 and ret["answers"]["good_practice"] == joined
    again = await datakeys.rotate(db=c.db, actor=SYSTEM, current="k2")
    assert (again.answers, again.events) == (0, 0)  # nothing left to do


def test_rotate_key_command(database_url, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAA_DATABASE_URL", database_url)
    runner = CliRunner()
    result = runner.invoke(cli_app, ["rotate-key"])
    assert result.exit_code == 1 and "setting MAA_DATA_KEY: set a key first" in result.output
    result = runner.invoke(cli_app, ["rotate-key", "--generate"])
    assert result.exit_code == 0
    key = result.stdout.strip()
    monkeypatch.setenv("MAA_DATA_KEY", key)
    result = runner.invoke(cli_app, ["rotate-key"])
    assert result.exit_code == 0 and "Sealed under key" in result.output
    monkeypatch.setenv("MAA_DATA_KEY", "k1:tooshort")
    result = runner.invoke(cli_app, ["rotate-key"])
    assert result.exit_code == 1 and result.output.startswith("error: setting MAA_DATA_KEY:")


async def test_a_final_report_is_sealed_at_rest_and_downloads_the_same(sealed):
    c = sealed
    await c.create_round(small_round())
    token = await c.token_for(await c.add_member("Cora", Role.coordinator, telegram_id=1))
    await c.add_member("Cass", Role.auditor, agency="csc", telegram_id=101)
    _, draft = await c.as_member(
        "POST", "/api/returns", 101, json={"round": "r-2026", "case": "C1"}
    )
    rid = draft["id"]
    for key, value in full_answers().items():
        await c.as_member("PUT", f"/api/returns/{rid}/answers/{key}", 101, json={"value": value})
    assert (await c.as_member("POST", f"/api/returns/{rid}/submit", 101))[0] == 200
    assert (await c.call("POST", "/api/rounds/r-2026/close", token=token))[0] == 200
    status, info = await c.call("POST", "/api/rounds/r-2026/report/finalise", token=token, json={})
    assert status == 200 and info["status"] == "final"

    async with c.db.read() as session:
        frozen = str((await session.execute(text("SELECT frozen FROM report_doc"))).scalar())
    assert "maa-sealed:v1:k1:" in frozen and not [w for w in WORDS if w in frozen]
    _, first = await c.call("GET", "/api/rounds/r-2026/report?format=md", token=token)
    _, second = await c.call("GET", "/api/rounds/r-2026/report?format=md", token=token)
    assert first == second and b"Information shared" in first

    sealing.configure(f"{K2},{K1}")
    done = await datakeys.rotate(db=c.db, actor=SYSTEM, current="k2")
    assert done.final_reports == 1
    sealing.configure(K2)
    assert (await c.call("GET", "/api/rounds/r-2026/report?format=md", token=token))[1] == first
