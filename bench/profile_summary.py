"""Where the time goes in a py-spy profile of the server (`api_bench.py --profile out.txt`).

Run by hand:  .venv/bin/python bench/profile_summary.py out.txt [--top 40] [--only put_answer]

Reads py-spy's collapsed stacks (`--format raw`, which api_bench asks for when the file name ends
in .txt) and prints each function's own and inclusive share of the samples, split by thread: the
event loop (the process's main thread), the other threads (the SQLite writer) and "torn" stacks
(py-spy read them mid-change). Line numbers are dropped, so a function's samples add up across
its lines.
"""

import argparse
import re
from collections import Counter

LINE = re.compile(r":\d+\)")


def _thread(frames: list[str]) -> str:
    """Which thread a stack is from. With --nonblocking py-spy reads a stack while it changes,
    and now and then gets a torn one (its bottom frames missing): those are counted apart."""
    if frames[0].startswith("Thread._bootstrap"):
        return "thread"
    if frames[0].startswith(("<module>", "main (")):
        return "loop"
    return "torn"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--only", default="", help="keep only stacks through this function")
    args = parser.parse_args()
    own: Counter[tuple[str, str]] = Counter()
    inclusive: Counter[tuple[str, str]] = Counter()
    threads: Counter[str] = Counter()
    with open(args.path, encoding="utf-8") as lines:
        for line in lines:
            stack, _, count = line.rstrip().rpartition(" ")
            frames = [LINE.sub(")", f) for f in stack.split(";")]
            if args.only and not any(args.only in f for f in frames):
                continue
            n = int(count)
            thread = _thread(frames)
            threads[thread] += n
            own[(thread, frames[-1])] += n
            for frame in set(frames):
                inclusive[(thread, frame)] += n
    total = sum(threads.values()) or 1
    shares = ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in threads.items())
    print(f"{total} samples: {shares}")
    for title, counts in (("own time", own), ("inclusive", inclusive)):
        print(f"--- {title}")
        for (thread, frame), n in counts.most_common(args.top):
            print(f"{thread:6} {100 * n / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
