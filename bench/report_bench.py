"""Report rendering bench (run by hand, not in the tests):

    .venv/bin/python bench/report_bench.py

Each size runs in a fresh process so peak memory (ru_maxrss) belongs to that size alone. Targets:
HTML + Markdown + DOCX + XLSX of 100 agencies × 200 cases (20,000 submitted returns) in ≤ 3 s
with peak memory ≤ 300 MB, and 10× the returns costing ≤ 12× the time.
"""

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("html", "md", "docx", "xlsx")
SIZES = ((100, 20), (100, 200))  # agencies × cases: 2,000 and 20,000 returns
TIME_LIMIT, MEMORY_LIMIT_MB, SCALING_LIMIT = 3.0, 300, 12.0
REPEAT = 3  # best of three: the machine's noise is not the code's cost


def child(agencies: int, cases: int) -> None:
    """Measure in this (fresh) process and print one JSON line."""
    sys.path.insert(0, str(ROOT))
    from bench.synthetic import big_snapshot
    from report.formats import render

    snap = big_snapshot(agencies, cases)
    chars = sum(len(v) for r in snap.returns for v in r.answers.values() if isinstance(v, str))
    times = {}
    sizes = {}
    for fmt in FORMATS:
        best = float("inf")
        for _ in range(REPEAT):
            start = time.perf_counter()
            body = render(snap, fmt)
            best = min(best, time.perf_counter() - start)
        times[fmt], sizes[fmt] = best, len(body)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(
        json.dumps(
            {
                "returns": len(snap.submitted),
                "agencies": agencies,
                "cases": cases,
                "narrative_mb": chars / 1e6,
                "times": times,
                "sizes": sizes,
                "peak_mb": peak_mb,
            }
        )
    )


TALLY_LIMIT_MS = 50.0


def bench_tally_query(agencies: int = 100, cases: int = 200) -> bool:
    """Time the collector's SQL tally of a 20,000-return round on SQLite (seeded in bulk)."""
    import asyncio
    import tempfile

    sys.path.insert(0, str(ROOT))
    from sqlalchemy import insert

    from collector.auth import SYSTEM
    from collector.db import Database
    from collector.migrate import upgrade
    from collector.services.progress import round_tally
    from models.base import utcnow
    from models.enums import ReturnStatus, RoundStatus
    from models.people import Agency
    from models.returns import Answer, AuditReturn
    from models.rounds import Case, Expectation, Round
    from models.settings import Settings

    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/tally.db"
    grades = ["good", "requires_improvement", "inadequate", "outstanding", "good"]

    async def run() -> list[float]:
        await upgrade(Settings(database_url=url, _env_file=None))
        db = Database(url)
        now = utcnow()
        async with db.write() as s:
            await s.execute(
                insert(Round),
                [
                    dict(
                        id=1,
                        slug="bench",
                        title="Bench",
                        theme="t",
                        partnership="p",
                        scope="",
                        opens_at=now,
                        due_at=now,
                        tool_version="maa-audit-1",
                        status=RoundStatus.open,
                        created_at=now,
                    )
                ],
            )
            await s.execute(
                insert(Agency),
                [dict(id=a, code=f"a{a}", name=f"Agency {a}") for a in range(1, agencies + 1)],
            )
            await s.execute(
                insert(Case),
                [dict(id=c, round_id=1, reference=f"C{c}", note="") for c in range(1, cases + 1)],
            )
            pairs = [(a, c) for a in range(1, agencies + 1) for c in range(1, cases + 1)]
            await s.execute(
                insert(Expectation),
                [dict(round_id=1, agency_id=a, case_id=c, status="expected") for a, c in pairs],
            )
            await s.execute(
                insert(AuditReturn),
                [
                    dict(
                        id=i,
                        round_id=1,
                        agency_id=a,
                        case_id=c,
                        status=ReturnStatus.submitted,
                        created_at=now,
                        updated_at=now,
                    )
                    for i, (a, c) in enumerate(pairs, 1)
                ],
            )
            rows = []
            for i in range(1, len(pairs) + 1):
                grade = grades[i % len(grades)]
                for key in ("involvement", "practice", "impact", "good_practice", "themes"):
                    value = {"grade": grade} if key in ("practice", "impact") else "some text"
                    rows.append(dict(return_id=i, question_key=key, value=value, answered_at=now))
            await s.execute(insert(Answer), rows)
        times = []
        for _ in range(7):
            async with db.read() as s:
                start = time.perf_counter()
                result = await round_tally(session=s, actor=SYSTEM, slug="bench")
                times.append((time.perf_counter() - start) * 1000)
        assert result.total_returns == len(pairs)
        await db.dispose()
        return times

    times = asyncio.run(run())
    best, median = min(times), sorted(times)[len(times) // 2]
    ok = median <= TALLY_LIMIT_MS
    print(
        f"tally query, {agencies * cases:,} returns on SQLite: best {best:.1f} ms, "
        f"median {median:.1f} ms"
    )
    print(f"{'PASS' if ok else 'FAIL'}  tally query ≤ {TALLY_LIMIT_MS:.0f} ms (median)")
    return ok


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{model}, nproc {nproc}, Python {sys.version.split()[0]}"


def main() -> int:
    print(f"machine: {machine()}")
    results = []
    for agencies, cases in SIZES:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(agencies), str(cases)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    head = f"{'returns':>8} {'text MB':>8} " + " ".join(f"{f:>7}" for f in FORMATS)
    print(f"{head} {'total s':>8} {'peak MB':>8}")
    for r in results:
        cells = " ".join(f"{r['times'][f]:7.3f}" for f in FORMATS)
        total = sum(r["times"].values())
        print(
            f"{r['returns']:>8,} {r['narrative_mb']:8.1f} {cells} {total:8.3f} {r['peak_mb']:8.0f}"
        )
    small, big = (sum(r["times"].values()) for r in results)
    ratio = big / small
    big_total, big_peak = big, results[-1]["peak_mb"]
    print(
        f"scaling: {ratio:.1f}× the time for {results[1]['returns'] / results[0]['returns']:.0f}× "
        "the returns"
    )
    checks = {
        f"20,000 returns in ≤ {TIME_LIMIT} s": big_total <= TIME_LIMIT,
        f"peak memory ≤ {MEMORY_LIMIT_MB} MB": big_peak <= MEMORY_LIMIT_MB,
        f"scaling ≤ {SCALING_LIMIT}×": ratio <= SCALING_LIMIT,
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    tally_ok = bench_tally_query()
    return 0 if all(checks.values()) and tally_ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(main())
