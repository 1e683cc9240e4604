"""Identifier guard speed (run by hand, not in the tests):

    .venv/bin/python bench/screen_bench.py

Times `screen` (the refusals) plus `find_names` (the warning) on every narrative of the labelled
set (tests/screening_set.py), on 1,500-character narratives (clean sentences with one
identifier or name among them) and, for the worst case, on 4,000 characters dense with
identifiers. Target: ≤ 1 ms per narrative (mean). Timed in this thread's CPU time (screening
is pure CPU work), best of five passes, so other processes on a busy machine do not count.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.screen_names import first_names
from models.screening import find_names, screen
from tests.screening_set import HELD_OUT, build

TARGET_MS = 1.0
PASSES = 5


def per_narrative_ms(texts: list[str]) -> tuple[float, float]:
    """(mean, p99) milliseconds per narrative over the best pass."""
    best: list[float] | None = None
    for _ in range(PASSES):
        times = []
        for text in texts:
            t = time.thread_time()
            screen(text)
            find_names(text)
            times.append((time.thread_time() - t) * 1000)
        if best is None or sum(times) < sum(best):
            best = times
    assert best is not None
    return statistics.fmean(best), statistics.quantiles(best, n=100)[98]


def main() -> None:
    t = time.thread_time()
    first_names()
    load_ms = (time.thread_time() - t) * 1000
    every = build() + HELD_OUT
    samples = [s.text for s in every]
    clean = [s.text for s in every if not s.kinds and not s.name]
    marked = [s.text for s in every if s.kinds or s.name]
    # A written answer as auditors send them: about 1,500 characters of clean sentences with one
    # identifier or name among them.
    realistic = []
    for i in range(200):
        parts = [clean[(i * 9 + j) % len(clean)] for j in range(14)]
        parts.insert(i % 14, marked[i % len(marked)])
        realistic.append(" ".join(parts)[:1500])
    # The worst case: 4,000 characters (a full answer) of the set's sentences, an identifier in
    # almost every one. Reported, not a target: no narrative is written like this.
    dense = [" ".join(samples[i : i + 80])[:4000] for i in range(0, len(samples), 40)]
    print(f"lexicon load (once per process): {load_ms:.0f} ms, {len(first_names())} names")
    rows = (
        ("set sentences", samples, True),
        ("1,500-char narratives", realistic, True),
        ("4,000-char, dense", dense, False),
    )
    for label, texts, target in rows:
        mean, p99 = per_narrative_ms(texts)
        verdict = ("PASS" if mean <= TARGET_MS else "FAIL") if target else "(no target)"
        print(
            f"{label:24} n={len(texts):5}  mean {mean:.3f} ms  p99 {p99:.3f} ms  "
            f"{verdict} (target mean ≤ {TARGET_MS} ms)"
        )


if __name__ == "__main__":
    main()
