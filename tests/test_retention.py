"""Retention: a closed round's answers go after its retention period; its report, tally and
action plan stay; audit events keep who/what/when. The daily job runs inside the collector."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from collector.app import create_app
from collector.auth import SYSTEM
from collector.cli import app as cli_app
from collector.db import Database
from collector.services import retention, rounds
from models.base import utcnow
from models.enums import Role, RoundStatus
from models.ops import AuditEvent
from models.retention import RoundArchive
from models.returns import Answer
from models.rounds import Round
from tests.conftest import Collector, full_answers, small_round

NARRATIVE = "Strategy meeting held within a day; school nurse attended."


async def submitted_round(c: Collector, months: int = 3) -> tuple[str, list[int]]:
    """The small round with two submitted returns and a draft, then closed. Coordinator token."""
    await c.create_round(small_round(retention_months=months))
    token = await c.token_for(await c.add_member("Cora", Role.coordinator, telegram_id=1))
    await c.add_member("Cass", Role.auditor, agency="csc", telegram_id=101)
    ids = []
    for case in ("C1", "C2", "C3"):
        _, draft = await c.as_member(
            "POST", "/api/returns", 101, json={"round": "r-2026", "case": case}
        )
        answers = full_answers() | {"good_practice": f"{NARRATIVE} ({case})"}
        for key, value in answers.items():
            status, _ = await c.as_member(
                "PUT", f"/api/returns/{draft['id']}/answers/{key}", 101, json={"value": value}
            )
            assert status == 200
        if case != "C3":
            assert (await c.as_member("POST", f"/api/returns/{draft['id']}/submit", 101))[0] == 200
        ids.append(draft["id"])
    async with c.db.write() as session:
        await rounds.set_round_status(
            session=session, actor=SYSTEM, slug="r-2026", status=RoundStatus.closed
        )
    return token, ids


async def seen(c: Collector, token: str, *formats: str) -> dict[str, object]:
    out: dict[str, object] = {}
    status, out["tally"] = await c.call("GET", "/api/rounds/r-2026/tally", token=token)
    assert status == 200
    for fmt in formats:
        status, body = await c.call("GET", f"/api/rounds/r-2026/report?format={fmt}", token=token)
        assert status == 200, body
        out[fmt] = body  # JSON arrives parsed, Markdown as bytes
    status, out["actions"] = await c.call("GET", "/api/rounds/r-2026/actions", token=token)
    assert status == 200
    return out


async def test_retention_removes_answers_and_keeps_report_tally_and_actions(collector):
    c = collector
    token, ids = await submitted_round(c, months=3)
    before = await seen(c, token, "json", "md")
    _, trail_before = await c.call("GET", f"/api/returns/{ids[0]}/audit", token=token)
    assert before["tally"]["total_returns"] == 2

    now = utcnow()
    async with c.db.read() as session:
        [item] = await retention.plan(session=session, now=now)
    assert (item.slug, item.months, item.due, item.answers) == ("r-2026", 3, False, 33)
    assert await retention.apply_due(c.db, SYSTEM, now) == []  # not yet due

    later = now + timedelta(days=93)
    # Two collectors run the daily job at the same moment: the round is removed once.
    other = Database(c.settings.database_url)
    try:
        results = await asyncio.gather(
            retention.apply_due(c.db, SYSTEM, later), retention.apply_due(other, SYSTEM, later)
        )
    finally:
        await other.dispose()
    assert sorted(map(len, results)) == [0, 1]

    async with c.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Answer)) == 0
        assert await session.scalar(select(func.count()).select_from(RoundArchive)) == 1
        events = (await session.execute(select(AuditEvent))).scalars().all()
        assert [e.action for e in events].count("round.retention") == 1
    # No narrative is left anywhere in the database (the audit trail held them too).
    assert not [e for e in events if NARRATIVE in json.dumps([e.before, e.after])]

    after = await seen(c, token, "json", "md")
    assert after == before  # the same tally, report text and figures, action plan
    status, body = await c.call("GET", "/api/rounds/r-2026/report?format=pdf", token=token)
    assert status == 410 and body["error"] == "removed_under_retention"
    assert "kept as md and json" in body["message"]
    _, trail = await c.call("GET", f"/api/returns/{ids[0]}/audit", token=token)
    assert [(e["action"], e["actor"], e["at"]) for e in trail] == [
        (e["action"], e["actor"], e["at"]) for e in trail_before
    ]
    assert all(e["before"] is None and e["after"] is None for e in trail)
    status, ret = await c.as_member("GET", f"/api/returns/{ids[0]}", 101)
    assert status == 200 and ret["answers"] == {} and ret["status"] == "submitted"
    assert await retention.apply_due(c.db, SYSTEM, later) == []  # done once


@pytest.fixture
async def job_collector(settings) -> AsyncIterator[Collector]:
    """A collector whose retention job runs every 0.5 s."""
    conf = settings.model_copy(update={"retention_check_hours": 0.5 / 3600})
    server = TestServer(create_app(conf), host="127.0.0.1")
    await server.start_server()
    db = Database(conf.database_url)
    async with aiohttp.ClientSession() as http:
        yield Collector(str(server.make_url("")).rstrip("/"), conf, db, http)
    await db.dispose()
    await server.close()


async def test_the_daily_job_runs_inside_the_collector(job_collector):
    c = job_collector
    token, _ = await submitted_round(c, months=1)
    before = await seen(c, token, "json")
    async with c.db.write() as session:  # the round closed two months ago
        await session.execute(
            update(AuditEvent)
            .where(AuditEvent.action == "round.close")
            .values(at=utcnow() - timedelta(days=62))
        )
    for _ in range(100):
        async with c.db.read() as session:
            purged = await session.scalar(select(Round.purged_at))
        if purged is not None:
            break
        await asyncio.sleep(0.1)
    assert purged is not None, "the job did not remove the round in 10 s"
    assert await seen(c, token, "json") == before


def test_retention_command_is_a_dry_run_unless_applied(database_url, tmp_path, monkeypatch):
    import yaml

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAA_DATABASE_URL", database_url)
    (tmp_path / "round.yaml").write_text(yaml.safe_dump(small_round(retention_months=6)))

    def maa(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(cli_app, list(args), catch_exceptions=False)
        return result.exit_code, result.output

    assert maa("round", "create", "round.yaml", "--open")[0] == 0
    assert maa("retention") == (0, "No closed round holds answers.\n")
    assert maa("round", "close", "r-2026")[0] == 0
    code, said = maa("retention")
    assert code == 0 and "r-2026: closed" in said and "kept until" in said
    code, said = maa("retention", "--at", "2099-01-01")
    assert code == 0 and "due since" in said and "Dry run: nothing was removed" in said
    code, said = maa("retention", "--apply", "--at", "2099-01-01")
    assert code == 0 and "removed 0 answers (report, tally and action plan kept)" in said
    assert maa("retention", "--at", "2099-01-01") == (0, "No closed round holds answers.\n")
    code, said = maa("retention", "--at", "soon")
    assert code == 1 and said.strip().startswith("error: --at:")
