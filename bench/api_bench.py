"""Answer writes per second through the MAA API on SQLite, against a bare aiohttp JSON endpoint.

Run by hand:  .venv/bin/python bench/api_bench.py [--seconds 10] [--concurrency 50]
Each server runs in its own process (one core), the load comes from this one (the other core).
Every MAA request is a real change: a new answer value, stored with its audit event.
Concurrency defaults to one connection per seeded auditor (50), enough to keep either server
busy: at 16 the client and the server take turns and both idle part of the time.
"""

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collector.app import create_app
from collector.auth import SYSTEM
from collector.db import Database
from collector.migrate import upgrade
from collector.services import members, returns, rounds
from models.enums import Role, RoundStatus
from models.people import MemberCreate
from models.returns import ReturnOpen
from models.roundfile import RoundFile
from models.settings import Settings

TOKEN = "bench-service-token"
AUDITORS = 50


def bare_server(port: int) -> None:
    async def put(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"ok": True, "value": body.get("value")})

    app = web.Application()
    app.router.add_put("/answers/{key}", put)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def maa_server(port: int, url: str) -> None:
    settings = Settings(database_url=url, service_token=TOKEN, port=port, _env_file=None)
    web.run_app(create_app(settings), host="127.0.0.1", port=port, print=None, access_log=None)


async def seed(url: str) -> list[tuple[int, int]]:
    """A round with 50 auditors, each with an open draft: (telegram id, return id)."""
    await upgrade(Settings(database_url=url, _env_file=None))
    db = Database(url)
    cases = [{"reference": f"C{i}"} for i in range(1, AUDITORS + 1)]
    data = RoundFile.model_validate(
        {
            "slug": "bench",
            "title": "Bench",
            "theme": "Bench",
            "partnership": "Bench",
            "opens_at": "2026-01-01",
            "due_at": "2026-12-31",
            "tool_version": "maa-audit-1",
            "agencies": [{"code": "a", "name": "Agency A"}],
            "cases": cases,
            "expectations": [{"agency": "a", "cases": "all"}],
        }
    )
    pairs = []
    async with db.write() as s:
        await rounds.create_round(session=s, actor=SYSTEM, data=data)
        await rounds.set_round_status(
            session=s, actor=SYSTEM, slug="bench", status=RoundStatus.open
        )
    for i in range(AUDITORS):
        async with db.write() as s:
            m = await members.add_member(
                session=s,
                actor=SYSTEM,
                data=MemberCreate(
                    display_name=f"A{i}", role=Role.auditor, agency="a", telegram_id=10_000 + i
                ),
            )
        from collector.auth import Actor

        actor = Actor(m.id, Role.auditor, 1, "a", m.telegram_id)
        async with db.write() as s:
            r = await returns.open_return(
                session=s, actor=actor, data=ReturnOpen(round="bench", case=f"C{i + 1}")
            )
        pairs.append((10_000 + i, r.id))
    await db.dispose()
    return pairs


async def wait_up(url: str, tries: int = 200) -> None:
    """Until a server just started in another process answers (50 ms between tries)."""
    async with aiohttp.ClientSession() as http:
        for _ in range(tries):
            try:
                async with http.get(url):
                    return
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not start")


async def load(make_request, seconds: float, concurrency: int) -> tuple[int, int]:
    done = errors = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def worker(w: int) -> None:
            nonlocal done, errors
            n = 0
            while time.perf_counter() < deadline:
                method, url, headers, body = make_request(w, n)
                async with http.request(method, url, json=body, headers=headers) as r:
                    await r.read()
                    if r.status == 200:
                        done += 1
                    else:
                        errors += 1
                n += 1

        await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return done, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=AUDITORS)
    parser.add_argument(
        "--database-url", default="", help="an empty PostgreSQL database instead of SQLite"
    )
    args = parser.parse_args()
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    pairs = asyncio.run(seed(url))
    ctx = multiprocessing.get_context("spawn")
    bare = ctx.Process(target=bare_server, args=(18081,), daemon=True)
    maa = ctx.Process(target=maa_server, args=(18082, url), daemon=True)
    bare.start()
    maa.start()
    try:
        asyncio.run(wait_up("http://127.0.0.1:18082/healthz"))
        asyncio.run(wait_up("http://127.0.0.1:18081/"))

        def bare_req(w: int, n: int):
            return (
                "PUT",
                "http://127.0.0.1:18081/answers/good_practice",
                {},
                {"value": f"Good practice note {w}-{n}."},
            )

        def maa_req(w: int, n: int):
            tid, rid = pairs[(w + n * args.concurrency) % len(pairs)]
            headers = {"Authorization": f"Bearer {TOKEN}", "X-MAA-Telegram-Id": str(tid)}
            return (
                "PUT",
                f"http://127.0.0.1:18082/api/returns/{rid}/answers/good_practice",
                headers,
                {"value": f"Good practice note {w}-{n}."},
            )

        b_done, b_err = asyncio.run(load(bare_req, args.seconds, args.concurrency))
        m_done, m_err = asyncio.run(load(maa_req, args.seconds, args.concurrency))
    finally:
        bare.terminate()
        maa.terminate()
    b_rate, m_rate = b_done / args.seconds, m_done / args.seconds
    print(f"cpu: {os.cpu_count()} cores; {args.seconds:.0f} s each, concurrency {args.concurrency}")
    print(f"bare aiohttp JSON endpoint: {b_rate:8.0f} req/s  ({b_err} errors)")
    kind = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    print(f"MAA answer writes ({kind}): {m_rate:8.0f} req/s  ({m_err} errors)")
    print(f"ratio: {m_rate / b_rate:.2f}  (target >= 0.40)")


if __name__ == "__main__":
    main()
