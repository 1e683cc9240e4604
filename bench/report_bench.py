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
    from report.formats import render
    from tests.report_factory import big_snapshot

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


def bench_tally_query() -> None:
    # ===== HOOK for the lead: time the SQL tally of a 20,000-return round here. =====
    print("tally query: see collector")


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
    bench_tally_query()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(main())
