"""XLSX writers compared on the report bench's 20,000-return round (run by hand):

    .venv/bin/python bench/xlsx_bench.py

The export (`report.exports.render_xlsx`: openpyxl lays out the workbook, rows streamed into the
sheet XML) against XlsxWriter in `constant_memory` mode writing the same cells (bold header,
frozen panes, column widths, every cell a string, never a formula). Each writer runs in a fresh
process so its peak memory (ru_maxrss, snapshot included) is its own. The report bench's target
is all formats but PDF in <= 3 s and <= 300 MB, so the XLSX share of it has to stay well under 3 s.
"""

import io
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 3
WRITERS = ("streamed", "xlsxwriter")


def render_xlsxwriter(snapshot) -> bytes:  # type: ignore[no-untyped-def]
    """The same sheet written cell by cell through XlsxWriter's constant_memory mode."""
    import xlsxwriter

    from report.exports import FIXED, headers, return_rows

    head = headers(snapshot)
    out = io.BytesIO()
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    wb = xlsxwriter.Workbook(out, options)
    ws = wb.add_worksheet("Returns")
    for i, title in enumerate(head):
        ws.set_column(i, i, 24 if title in FIXED else 40)
    ws.freeze_panes(1, 2)
    ws.write_row(0, 0, head, wb.add_format({"bold": True}))
    for n, row in enumerate(return_rows(snapshot), start=1):
        for col, text in enumerate(row):
            if text:
                ws.write_string(n, col, text)
    wb.close()
    return out.getvalue()


def child(writer: str) -> None:
    sys.path.insert(0, str(ROOT))
    import openpyxl

    from bench.synthetic import big_snapshot
    from report.exports import render_xlsx

    snap = big_snapshot(100, 200)
    render = render_xlsx if writer == "streamed" else render_xlsxwriter
    best = float("inf")
    for _ in range(REPEAT):
        start = time.perf_counter()
        body = render(snap)
        best = min(best, time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = openpyxl.load_workbook(io.BytesIO(body), read_only=True)["Returns"].max_row
    print(json.dumps({"writer": writer, "seconds": best, "bytes": len(body), "peak_mb": peak_mb,
                      "rows": rows, "returns": len(snap.submitted)}))  # fmt: skip


def main() -> None:
    if len(sys.argv) > 1:
        child(sys.argv[1])
        return
    print(f"{'writer':<12} {'returns':>8} {'seconds':>8} {'MB file':>8} {'peak MB':>8}")
    for writer in WRITERS:
        line = (
            subprocess.run(
                [sys.executable, __file__, writer], check=True, capture_output=True, text=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        r = json.loads(line)
        assert r["rows"] == r["returns"] + 1, r
        print(f"{writer:<12} {r['returns']:>8,} {r['seconds']:>8.3f} "
              f"{r['bytes'] / 1e6:>8.1f} {r['peak_mb']:>8.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
