"""Fixtures: a real database (SQLite, or PostgreSQL when MAA_TEST_POSTGRES_URL is set) and a
running collector on 127.0.0.1."""

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg
import pytest
from aiohttp.test_utils import TestServer

from collector.app import create_app
from collector.auth import SYSTEM
from collector.db import Database
from collector.services import members, rounds
from models.enums import Role, RoundStatus
from models.people import MemberCreate
from models.roundfile import RoundFile
from models.settings import Settings

SERVICE_TOKEN = "test-service-token-0123456789"
POSTGRES = os.environ.get("MAA_TEST_POSTGRES_URL", "")  # postgresql+asyncpg://user:pw@host/db


def pytest_report_header() -> str:
    return f"maa database: {'PostgreSQL ' + POSTGRES.split('@')[-1] if POSTGRES else 'SQLite'}"


@pytest.fixture
async def database_url(tmp_path: Any) -> AsyncIterator[str]:
    """A fresh, empty database for one test."""
    if not POSTGRES:
        yield f"sqlite+aiosqlite:///{tmp_path}/maa.db"
        return
    base = POSTGRES.rpartition("/")[0]
    name = f"maa_t_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    yield f"{base}/{name}"
    # An autovacuum worker may still be in the new database: FORCE cannot end it without
    # superuser rights, so try a few times, and leave the database behind rather than fail.
    with contextlib.suppress(asyncpg.PostgresError):
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _admin(sql: str, attempts: int = 10) -> None:
    """Run one statement on the admin database, retrying while another session is in the way."""
    plain = POSTGRES.replace("postgresql+asyncpg://", "postgresql://")
    for attempt in range(attempts):
        conn = await asyncpg.connect(plain)
        try:
            await conn.execute(sql)
            return
        except (asyncpg.ObjectInUseError, asyncpg.InsufficientPrivilegeError):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.2)
        finally:
            await conn.close()


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    return Settings(
        database_url=database_url,
        service_token=SERVICE_TOKEN,
        telegram_bot_username="maa_test_bot",
        out_dir=tmp_path / "out",
        _env_file=None,
    )


@dataclass
class Collector:
    """A running collector and ways to call it as different people."""

    url: str
    settings: Settings
    db: Database
    http: aiohttp.ClientSession

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        telegram_id: int | None = None,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        if telegram_id is not None:
            h["X-MAA-Telegram-Id"] = str(telegram_id)
        async with self.http.request(method, self.url + path, json=json, data=data, headers=h) as r:
            body = await r.json() if r.content_type == "application/json" else await r.read()
            return r.status, body

    async def as_member(
        self, method: str, path: str, telegram_id: int, **kw: Any
    ) -> tuple[int, Any]:
        return await self.call(method, path, token=SERVICE_TOKEN, telegram_id=telegram_id, **kw)

    async def add_member(
        self, name: str, role: Role, *, agency: str | None = None, telegram_id: int | None = None
    ) -> int:
        async with self.db.write() as session:
            m = await members.add_member(
                session=session,
                actor=SYSTEM,
                data=MemberCreate(
                    display_name=name, role=role, agency=agency, telegram_id=telegram_id
                ),
            )
        return m.id

    async def token_for(self, member_id: int) -> str:
        async with self.db.write() as session:
            return await members.create_token(session=session, actor=SYSTEM, member_id=member_id)

    async def create_round(self, data: dict[str, Any], *, open_it: bool = True) -> None:
        async with self.db.write() as session:
            await rounds.create_round(
                session=session, actor=SYSTEM, data=RoundFile.model_validate(data)
            )
            if open_it:
                await rounds.set_round_status(
                    session=session, actor=SYSTEM, slug=data["slug"], status=RoundStatus.open
                )


@pytest.fixture
async def collector(settings: Settings) -> AsyncIterator[Collector]:
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    db = Database(settings.database_url)
    async with aiohttp.ClientSession() as http:
        yield Collector(str(server.make_url("")).rstrip("/"), settings, db, http)
    await db.dispose()
    await server.close()


def small_round(slug: str = "r-2026", **over: Any) -> dict[str, Any]:
    """A synthetic round: three agencies, four cases."""
    data = {
        "slug": slug,
        "title": "Test audit",
        "theme": "Children missing education",
        "partnership": "Testshire Safeguarding Children Partnership",
        "scope": "the six months before the audit",
        "opens_at": "2026-01-05",
        "due_at": "2026-02-13",
        "tool_version": "maa-audit-1",
        "agencies": [
            {"code": "csc", "name": "Children's Social Care"},
            {"code": "police", "name": "Police"},
            {"code": "gp", "name": "ICB/GPs"},
        ],
        "cases": [{"reference": f"C{i}"} for i in range(1, 5)],
        "expectations": [
            {"agency": "csc", "cases": "all"},
            {"agency": "police", "cases": ["C1", "C2"]},
            {"agency": "gp", "cases": ["C3"]},
            {"agency": "gp", "cases": ["C4"], "status": "not_required"},
        ],
        "actions": [{"recommendation": "Hold a workshop.", "owner": "Business unit"}],
    }
    data.update(over)
    return data


def full_answers(grade: str = "good") -> dict[str, Any]:
    """Valid answers to every question of maa-audit-1."""
    return {
        "involvement": "throughout",
        "practice": {"grade": grade},
        "joint_working_grade": {"grade": grade},
        "impact": {"grade": grade},
        "good_practice": "Prompt strategy meeting and clear plan for C1.",
        "development": "Earlier referral to early help would have helped.",
        "joint_working": "Information shared promptly with school.",
        "voice_of_child": "The child's views were recorded at each visit.",
        "themes": ["signposting", "information_sharing"],
        "learning": "Share the plan with the GP.",
        "immediate_concern": False,
    }
