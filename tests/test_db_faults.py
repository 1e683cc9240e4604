"""The database under strain, on both databases: many writers on one return, a database that
goes away and comes back, and a schema that only Alembic changes."""

import asyncio
import contextlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from collector.migrate import upgrade
from models.enums import Role
from models.ops import AuditEvent
from models.returns import Answer
from models.tables import metadata
from tests.conftest import POSTGRES, full_answers, small_round


async def _draft(collector, telegram_id: int, case: str = "C1") -> int:
    status, body = await collector.as_member(
        "POST", "/api/returns", telegram_id, json={"round": "r-2026", "case": case}
    )
    assert status == 200, body
    return body["id"]


async def _trail(collector, rid: int) -> list[str]:
    async with collector.db.read() as s:
        query = select(AuditEvent.action).where(AuditEvent.entity_id == rid).order_by(AuditEvent.id)
        return list((await s.execute(query)).scalars())


async def test_fifty_writers_on_one_return_then_a_racing_submit(collector):
    await collector.create_round(small_round())
    await collector.add_member("Aud", Role.auditor, agency="csc", telegram_id=7)
    rid = await _draft(collector, 7)
    path = f"/api/returns/{rid}/answers"
    narrative = [("good_practice", f"Note {n} on the plan.") for n in range(39)]
    writes = narrative + list(full_answers().items())  # the last one of them is a change too
    assert len(writes) == 50

    results = await asyncio.gather(
        *(collector.as_member("PUT", f"{path}/{k}", 7, json={"value": v}) for k, v in writes)
    )
    assert [s for s, _ in results] == [200] * 50, [b for s, b in results if s != 200]
    async with collector.db.read() as s:
        rows = (await s.execute(select(func.count()).where(Answer.return_id == rid))).scalar()
    assert rows == len(full_answers())  # one row per question, however many wrote at once
    # Each write changed the value (the narratives differ; the last writer of good_practice
    # may have restored an earlier value, which is a change too): one event each.
    assert (await _trail(collector, rid)).count("answer.put") == 50

    racing = [
        collector.as_member("PUT", f"{path}/learning", 7, json={"value": f"Lesson {n}."})
        for n in range(49)
    ]
    racing.insert(20, collector.as_member("POST", f"/api/returns/{rid}/submit", 7))
    results = await asyncio.gather(*racing)
    assert {s for s, _ in results} <= {200, 409}, [b for s, b in results if s not in (200, 409)]
    assert results[20][0] == 200
    trail = await _trail(collector, rid)
    assert trail.count("return.submit") == 1
    assert "answer.put" not in trail[trail.index("return.submit") :]
    accepted = sum(1 for i, (s, _) in enumerate(results) if s == 200 and i != 20)
    assert trail.count("answer.put") == 50 + accepted
    refused = {b["error"] for s, b in results if s == 409}
    assert refused <= {"return_submitted"}


async def test_models_and_migrations_agree(settings):
    """A model change without its migration (or the reverse) fails here, on both databases."""
    await upgrade(settings)
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:

            def compare(sync_conn):
                context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return compare_metadata(context, metadata)

            differences = await conn.run_sync(compare)
    finally:
        await engine.dispose()
    assert differences == []


class TcpProxy:
    """A TCP proxy to PostgreSQL that the test can cut and restore, as a network would."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for w in list(self._open):
            w.transport.abort()
        await self._server.wait_closed()
        self._open.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._open |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._open -= {writer, up_writer}


@pytest.mark.skipif(not POSTGRES, reason="a replica losing its PostgreSQL server")
async def test_a_replica_that_loses_the_database_answers_503_and_recovers(
    database_url, settings, tmp_path
):
    from aiohttp.test_utils import TestServer

    from collector.app import create_app
    from tests.conftest import Collector

    real = make_url(database_url)
    proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
    await proxy.start()
    via_proxy = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    conf = settings.model_copy(update={"database_url": via_proxy, "db_connect_timeout": 1.0})
    server = TestServer(create_app(conf), host="127.0.0.1")
    await server.start_server()
    import aiohttp

    from collector.db import Database

    db = Database(database_url)  # the test's own way in, around the proxy
    async with aiohttp.ClientSession() as http:
        collector = Collector(str(server.make_url("")).rstrip("/"), settings, db, http)
        try:
            await collector.create_round(small_round())
            await collector.add_member("Aud", Role.auditor, agency="csc", telegram_id=7)
            rid = await _draft(collector, 7)
            answer = f"/api/returns/{rid}/answers/learning"
            assert (await collector.call("GET", "/healthz"))[0] == 200

            await proxy.cut()
            status, body = await collector.call("GET", "/healthz")
            assert (status, body["error"]) == (503, "database_unavailable")
            status, body = await collector.as_member("PUT", answer, 7, json={"value": "Lost?"})
            assert (status, body["error"]) == (503, "unavailable"), body
            status, body = await collector.as_member("GET", f"/api/returns/{rid}", 7)
            assert status == 503, body

            await proxy.start()  # the same port: the network is back
            for _ in range(100):
                if (await collector.call("GET", "/healthz"))[0] == 200:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the collector did not recover")
            status, body = await collector.as_member("PUT", answer, 7, json={"value": "Back."})
            assert status == 200 and body["answers"]["learning"] == "Back.", body
            status, body = await collector.as_member("GET", f"/api/returns/{rid}", 7)
            assert status == 200 and body["answers"] == {"learning": "Back."}
        finally:
            await db.dispose()
            await server.close()
            with contextlib.suppress(AssertionError):
                await proxy.cut()
