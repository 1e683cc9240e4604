"""Answer writes per second through the MAA API, against a bare aiohttp JSON endpoint.

Run by hand:  .venv/bin/python bench/api_bench.py [--seconds 10] [--concurrency 50]
PostgreSQL:   .venv/bin/python bench/api_bench.py --database-url postgresql+asyncpg://maa:maa@127.0.0.1/maa_bench
              (the database is dropped and made anew first; the role needs CREATEDB)
Where the time goes: add `--profile out.svg` (py-spy on the MAA server process while it is loaded;
              `out.txt`: collapsed stacks), and `--profile-gil` to sample only the thread that holds
              the GIL (CPU spent in Python, without the time a thread waits for the GIL).
Replicas:     add `--replicas 2` (two MAA servers on one database, requests spread over both; it
              checks afterwards that every acknowledged write left exactly one audit event).
Each server runs in its own process pinned to one core (the last), the load comes from this one,
on the other cores (`--no-pin`: let the OS place them; replicas are never pinned).
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

from bench.procs import cpu_seconds, free_port, pin, profile, thread_cpu
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


def bare_server(port: int, cores: set[int] | None = None) -> None:
    pin(cores)

    async def put(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"ok": True, "value": body.get("value")})

    app = web.Application()
    app.router.add_put("/answers/{key}", put)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def maa_server(port: int, url: str, cores: set[int] | None = None) -> None:
    pin(cores)
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


async def fresh_database(url: str) -> None:
    """Drop and make the bench's PostgreSQL database, from the server's `postgres` database."""
    import asyncpg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{target.database}"')
    finally:
        await conn.close()


async def count_events(url: str) -> int:
    from sqlalchemy import func, select

    from models.ops import AuditEvent

    db = Database(url)
    try:
        async with db.read() as s:
            query = select(func.count()).where(AuditEvent.action == "answer.put")
            return (await s.execute(query)).scalar_one()
    finally:
        await db.dispose()


async def server_backends(url: str) -> list[int]:
    """The PostgreSQL server processes serving the MAA collector (none for SQLite)."""
    if not url.startswith("postgresql"):
        return []
    import asyncpg

    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(plain)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE application_name = 'maa-collector'"
            " AND datname = current_database()"
        )
    finally:
        await conn.close()
    return [r["pid"] for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=AUDITORS)
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL database (made anew) instead of SQLite"
    )
    parser.add_argument("--profile", default="", help="write a py-spy flame graph of the server")
    parser.add_argument(
        "--profile-gil", action="store_true", help="--profile samples only the GIL's holder"
    )
    parser.add_argument(
        "--replicas", type=int, default=1, help="MAA servers on one database (PostgreSQL)"
    )
    parser.add_argument(
        "--no-pin", action="store_true", help="let the OS move the servers and the load over cores"
    )
    args = parser.parse_args()
    # One core for the server under test, the others for the load, as the docstring says.
    # Unpinned, the OS moves a server's event loop and its writer thread between cores, and
    # the two hand the GIL to each other across them (~7% more CPU per write, measured).
    server_cores = client_cores = None
    if not args.no_pin and args.replicas == 1 and len(os.sched_getaffinity(0)) >= 2:
        cores = sorted(os.sched_getaffinity(0))
        server_cores, client_cores = {cores[-1]}, set(cores[:-1])
        pin(client_cores)
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    if url.startswith("postgresql"):
        asyncio.run(fresh_database(url))
    pairs = asyncio.run(seed(url))
    ctx = multiprocessing.get_context("spawn")
    bare_port = free_port()  # other benches may run on this machine
    maa_ports = [free_port() for _ in range(args.replicas)]
    bare = ctx.Process(target=bare_server, args=(bare_port, server_cores), daemon=True)
    replicas = [
        ctx.Process(target=maa_server, args=(p, url, server_cores), daemon=True) for p in maa_ports
    ]
    bare.start()
    for maa in replicas:
        maa.start()
    try:
        for port in maa_ports:
            asyncio.run(wait_up(f"http://127.0.0.1:{port}/healthz", 1200))
        asyncio.run(wait_up(f"http://127.0.0.1:{bare_port}/", 1200))

        def bare_req(w: int, n: int):
            return (
                "PUT",
                f"http://127.0.0.1:{bare_port}/answers/good_practice",
                {},
                {"value": f"Good practice note {w}-{n}."},
            )

        def maa_req(w: int, n: int):
            tid, rid = pairs[(w + n * args.concurrency) % len(pairs)]
            headers = {"Authorization": f"Bearer {TOKEN}", "X-MAA-Telegram-Id": str(tid)}
            return (
                "PUT",
                f"http://127.0.0.1:{maa_ports[w % len(maa_ports)]}/api/returns/{rid}"
                "/answers/good_practice",
                headers,
                {"value": f"Good practice note {w}-{n}."},
            )

        b_cpu = cpu_seconds([bare.pid])
        b_done, b_err = asyncio.run(load(bare_req, args.seconds, args.concurrency))
        b_cpu = cpu_seconds([bare.pid]) - b_cpu
        pids = [maa.pid for maa in replicas]
        spy = None
        if args.profile:
            spy = profile(pids[0], args.profile, args.seconds, args.profile_gil)
        backends = asyncio.run(server_backends(url))
        m_cpu = cpu_seconds(pids), cpu_seconds(backends)
        threads = thread_cpu(pids[0])
        m_done, m_err = asyncio.run(load(maa_req, args.seconds, args.concurrency))
        backends2 = asyncio.run(server_backends(url))
        threads = {k: v - threads.get(k, 0) for k, v in thread_cpu(pids[0]).items()}
        m_cpu = cpu_seconds(pids) - m_cpu[0], cpu_seconds(backends2) - m_cpu[1]
        if spy is not None:
            spy.wait()
    finally:
        bare.terminate()
        for maa in replicas:
            maa.terminate()
    b_rate, m_rate = b_done / args.seconds, m_done / args.seconds
    placed = "unpinned" if server_cores is None else f"server on core {min(server_cores)}"
    print(
        f"cpu: {os.cpu_count()} cores ({placed}); {args.seconds:.0f} s each,"
        f" concurrency {args.concurrency}"
    )
    print(f"bare aiohttp JSON endpoint: {b_rate:8.0f} req/s  ({b_err} errors)")
    kind = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    print(f"MAA answer writes ({kind}): {m_rate:8.0f} req/s  ({m_err} errors)")
    target = 0.40 if kind == "SQLite" else 0.25
    print(f"ratio: {m_rate / b_rate:.2f}  (target >= {target:.2f})")
    # Under load from other processes throughput swings; CPU per request does not, much.
    b_us, m_us = 1e6 * b_cpu / max(b_done, 1), 1e6 * m_cpu[0] / max(m_done, 1)
    print(f"CPU per request: bare {b_us:.0f} µs, MAA server {m_us:.0f} µs", end="")
    if kind == "PostgreSQL":
        print(f" + PostgreSQL backends {1e6 * m_cpu[1] / max(m_done, 1):.0f} µs", end="")
    print(f"; CPU ratio (bare/MAA server): {b_us / m_us:.2f}")
    busy = {k: v for k, v in threads.items() if v > 0}
    per_thread = ", ".join(f"{k} {1e6 * v / max(m_done, 1):.0f} µs" for k, v in busy.items())
    print(f"  by thread (first server): {per_thread}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.replicas > 1:
        events = asyncio.run(count_events(url))
        # Every acknowledged write was a change (each value is new): one event each, no more.
        verdict = "yes" if events == m_done else f"NO ({events} events)"
        print(f"{args.replicas} replicas: {m_done} acknowledged writes, one event each: {verdict}")


if __name__ == "__main__":
    main()
