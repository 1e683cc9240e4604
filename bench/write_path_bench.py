"""The answer write procedure alone (no HTTP): writes/s and CPU per write, SQLite and PostgreSQL.

Run by hand:  .venv/bin/python bench/write_path_bench.py [--writes 5000] [--concurrency 50]
              [--database-url postgresql+asyncpg://maa:maa@127.0.0.1/maa_bench]  (made anew)
              [--profile]  (cProfile of the run: the top functions by own time)

The same seed as bench/api_bench.py (50 auditors, each with a draft); each write is a real
change (`answers.put_answer` through `Database.run`, who is asking included). CPU is this
process's (for PostgreSQL the server's own work is not in it: see api_bench for that). CPU per
write does not depend much on what else the machine runs, so it is the figure to compare.
"""

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.api_bench import fresh_database, seed
from collector.auth import Credentials
from collector.db import Database
from collector.services import answers


async def run(url: str, writes: int, concurrency: int) -> tuple[float, float]:
    pairs = await seed(url)
    db = Database(url)
    try:
        await db.run(partial(answers.mark_seen, credentials=Credentials(service=True), update_id=1))
        counter = iter(range(writes))

        async def worker(w: int) -> None:
            for n in counter:
                tid, rid = pairs[(w + n) % len(pairs)]
                write = partial(
                    answers.put_answer,
                    who=Credentials(service=True, telegram_id=tid),
                    return_id=rid,
                    key="good_practice",
                    value=f"Good practice note {w}-{n}.",
                )
                await db.run(write)

        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        return time.perf_counter() - wall, time.process_time() - cpu
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db"
    if url.startswith("postgresql"):
        asyncio.run(fresh_database(url))
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    wall, cpu = asyncio.run(run(url, args.writes, args.concurrency))
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    kind = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    print(f"{kind}: {args.writes} writes, concurrency {args.concurrency}")
    print(f"  {args.writes / wall:8.0f} writes/s, {1e6 * cpu / args.writes:6.0f} µs CPU per write")


if __name__ == "__main__":
    main()
