"""`maa backup` of a running collector with writes going on, `maa restore` into a fresh database:
the same tally, report JSON and audit trail. Restores refuse a database that is not empty."""

import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from typer.testing import CliRunner

from collector.app import create_app
from collector.cli import app
from collector.db import Database
from models.enums import Role
from tests.conftest import POSTGRES, Collector, _admin, full_answers, small_round

MAA = [sys.executable, "-c", "from collector.cli import main; main()"]


async def maa(*args: str, url: str, cwd: Path) -> tuple[int, str, str]:
    """The real `maa` command in its own process, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAA_")}
    env |= {"MAA_DATABASE_URL": url, "PYTHONPATH": str(Path(__file__).parent.parent)}
    proc = await asyncio.create_subprocess_exec(
        *MAA, *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


@pytest.fixture
async def fresh_url(tmp_path: Path) -> AsyncIterator[str]:
    """A second, empty database to restore into."""
    if not POSTGRES:
        yield f"sqlite+aiosqlite:///{tmp_path}/restored/maa.db"
        return
    name = f"maa_r_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    yield f"{POSTGRES.rpartition('/')[0]}/{name}"
    with contextlib.suppress(Exception):
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def answer(c: Collector, tid: int, case: str, answers: dict[str, Any]) -> int:
    status, draft = await c.as_member(
        "POST", "/api/returns", tid, json={"round": "r-2026", "case": case}
    )
    assert status == 200, draft
    for key, value in answers.items():
        status, body = await c.as_member(
            "PUT", f"/api/returns/{draft['id']}/answers/{key}", tid, json={"value": value}
        )
        assert status == 200, body
    return draft["id"]


async def view(c: Collector, token: str, return_ids: list[int]) -> dict[str, Any]:
    """What a coordinator sees: tally, report JSON and each return's audit trail."""
    seen: dict[str, Any] = {}
    for path in ("/api/rounds/r-2026/tally", "/api/rounds/r-2026/report?format=json"):
        status, body = await c.call("GET", path, token=token)
        assert status == 200, body
        seen[path] = body
    for rid in return_ids:
        status, seen[f"audit {rid}"] = await c.call("GET", f"/api/returns/{rid}/audit", token=token)
        assert status == 200
    return seen


async def test_backup_while_writing_then_restore_shows_the_same(collector, fresh_url, tmp_path):
    c = collector
    await c.create_round(small_round())
    token = await c.token_for(await c.add_member("Cora", Role.coordinator, telegram_id=1))
    await c.add_member("Cass", Role.auditor, agency="csc", telegram_id=101)
    await c.add_member("Pat", Role.auditor, agency="police", telegram_id=102)
    submitted = []
    for tid, case, grade in ((101, "C1", "good"), (101, "C2", "inadequate"), (102, "C1", "good")):
        rid = await answer(c, tid, case, full_answers(grade))
        assert (await c.as_member("POST", f"/api/returns/{rid}/submit", tid))[0] == 200
        submitted.append(rid)
    draft = await answer(c, 101, "C3", {"involvement": "throughout"})

    writes = 0
    stop = asyncio.Event()

    async def keep_writing() -> None:
        nonlocal writes
        while not stop.is_set():
            text = f"Strategy meeting held promptly, note {writes}."
            status, _ = await c.as_member(
                "PUT", f"/api/returns/{draft}/answers/good_practice", 101, json={"value": text}
            )
            assert status == 200
            writes += 1

    writer = asyncio.create_task(keep_writing())
    await asyncio.sleep(0.2)
    before = writes
    code, out, err = await maa(
        "backup", str(tmp_path / "maa.backup"), url=c.settings.database_url, cwd=tmp_path
    )
    during = writes - before
    stop.set()
    await writer
    assert code == 0, err
    assert "Backed up to" in out
    assert during > 0  # the collector kept taking answers while the backup ran

    code, out, err = await maa("restore", str(tmp_path / "maa.backup"), url=fresh_url, cwd=tmp_path)
    assert code == 0, err
    source = await view(c, token, submitted)

    conf = c.settings.model_copy(update={"database_url": fresh_url})
    server = TestServer(create_app(conf), host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            restored = Collector(
                str(server.make_url("")).rstrip("/"), conf, Database(fresh_url), http
            )
            assert await view(restored, token, submitted) == source
            assert source["/api/rounds/r-2026/tally"]["total_returns"] == 3
            # The draft was being written during the backup: the restored copy is one moment of
            # it, so its trail is the start of the live one and its answer the last one there.
            _, live = await c.call("GET", f"/api/returns/{draft}/audit", token=token)
            _, trail = await restored.call("GET", f"/api/returns/{draft}/audit", token=token)
            assert trail == live[: len(trail)] and len(trail) < len(live)
            _, kept = await restored.as_member("GET", f"/api/returns/{draft}", 101)
            assert kept["answers"]["good_practice"] == trail[-1]["after"]["good_practice"]
            await restored.db.dispose()
    finally:
        await server.close()


def test_restore_refuses_a_database_that_is_not_empty(database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAA_DATABASE_URL", database_url)

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, list(args), catch_exceptions=False)
        return result.exit_code, result.output

    assert run("member", "add", "--name", "Cora", "--role", "coordinator")[0] == 0
    assert run("backup", "b")[0] == 0
    code, said = run("restore", "b")
    assert code == 1 and "Traceback" not in said
    assert said.strip() == (
        "error: the database is not empty; restore only into a new, empty database"
    )
    code, said = run("backup", "b")
    assert code == 1 and said.strip() == "error: b already exists; choose a new file name"
    (tmp_path / "junk").write_bytes(b"not a backup at all")
    code, said = run("restore", "junk")
    assert code == 1 and "junk is not a" in said and len(said.strip().splitlines()) == 1
