"""CSV, XLSX and JSON exports, the format registry, and agreement across formats."""

import csv
import io
import json
import threading

import openpyxl
import pytest

from bench.synthetic import (
    CSC,
    TOOL,
    empty_snapshot,
    reference_snapshot,
    ret,
    snapshot,
    ungraded_snapshot,
)
from report.formats import FORMATS, Format, UnknownFormat, render, render_async
from report.tally import tally

HEADER = ["Agency", "Case", "Status", "Submitted at"] + [q.title for q in TOOL.questions]


def _csv(snap) -> list[list[str]]:
    return list(csv.reader(io.StringIO(render(snap, "csv").decode("utf-8-sig"))))


def _xlsx(snap) -> list[tuple]:
    wb = openpyxl.load_workbook(io.BytesIO(render(snap, "xlsx")))
    return list(wb["Returns"].iter_rows(values_only=True))


def _tricky():
    rets = [
        ret(
            1,
            "csc",
            "C2",
            "requires_improvement",
            good='=HYPERLINK("http://x")',
            themes=["signposting", "mental_health_send"],
            immediate_concern=True,
        ),
        ret(2, "csc", "C1", "not_graded", reason="transferred", good="Ok <b>&</b>"),
    ]
    return snapshot([CSC], 2, [], rets)


def test_csv_one_row_per_submitted_return_in_tool_order() -> None:
    rows = _csv(reference_snapshot())
    assert rows[0] == HEADER
    assert len(rows) - 1 == 27  # the CSC draft is left out
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Agency"] == "Children's Social Care" and first["Case"] == "C1"
    assert first["Status"] == "submitted" and first["Submitted at"].startswith("2024-04-01T09:30")
    assert first["Impact"] == "Good"
    by_case = {(r[0], r[1]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_case[("Children's Social Care", "C5")]["Impact"] == "Requires Improvement to be Good"


def test_csv_cells_read_well_and_formulas_are_defused() -> None:
    rows = _csv(_tricky())
    c1, c2 = (dict(zip(rows[0], r, strict=True)) for r in rows[1:])
    assert c1["Case"] == "C1"  # case order, not id order
    assert c1["Impact"] == "Not graded – Case transferred to another area or service"
    assert c1["Good practice"] == "Ok <b>&</b>"
    assert c2["Themes"] == "Signposting to earlier support; Mental health and SEND"
    assert c2["Current concern"] == "Yes" and c1["Current concern"] == "No"
    assert c2["Good practice"] == '\'=HYPERLINK("http://x")'
    assert c2["Involvement"] == "Some involvement in the scope window"
    assert c2["Voice of the child"] == ""


def test_xlsx_cells() -> None:
    rows = _xlsx(_tricky())
    assert list(rows[0]) == HEADER
    c1, c2 = (dict(zip(rows[0], r, strict=True)) for r in rows[1:])
    assert c2["Impact"] == "Requires Improvement to be Good"
    assert c1["Impact"] == "Not graded – Case transferred to another area or service"
    assert c2["Themes"] == "Signposting to earlier support; Mental health and SEND"
    assert c2["Good practice"] == '=HYPERLINK("http://x")'  # as text, never a formula
    assert c1["Good practice"] == "Ok <b>&</b>"
    assert c2["Learning"] is None


def test_xlsx_keeps_text_as_text() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render(_tricky(), "xlsx")))
    ws = wb["Returns"]
    assert ws.freeze_panes == "C2" and ws["A1"].font.b
    formula_like = ws.cell(row=3, column=HEADER.index("Good practice") + 1)
    assert formula_like.data_type == "s"
    assert ws.max_row == 3 and ws.max_column == len(HEADER)


def test_json_holds_report_and_tally() -> None:
    snap = reference_snapshot()
    body = json.loads(render(snap, "json"))
    assert body["tally"] == json.loads(json.dumps(tally(snap).as_json()))
    report = body["report"]
    assert "Children's Social Care – 7 (of 8)" in [r["line"] for r in report["returns"]]
    assert report["matrix"]["flagged"] == ["C4", "C5"]
    assert [t["label"] for t in report["cross_cutting"]] == ["Information sharing"]
    assert report["actions"][0]["due"] == "30 September 2024"


@pytest.mark.parametrize("make", [reference_snapshot, empty_snapshot, ungraded_snapshot])
def test_every_format_agrees_on_the_count(make) -> None:
    snap = make()
    n = len(snap.submitted)
    assert len(_csv(snap)) - 1 == n
    assert len(_xlsx(snap)) - 1 == n
    assert json.loads(render(snap, "json"))["report"]["total_returns"] == n
    assert tally(snap).total_returns == n
    md = render(snap, "md").decode()
    assert (f"A total of {n} completed audits" in md) if n else ("No completed audits" in md)


@pytest.mark.parametrize("make", [empty_snapshot, ungraded_snapshot])
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_edge_rounds_render_in_every_format(make, fmt) -> None:
    assert len(render(make(), fmt)) > 100


def test_registry_describes_each_format() -> None:
    assert set(FORMATS) == {
        *("md", "html", "pdf", "docx", "csv", "xlsx", "json"),
        *("workshop", "workshop-pdf"),
    }
    assert FORMATS["workshop"].filename("cne-2024") == "cne-2024-workshop.docx"
    assert FORMATS["pdf"].content_type == "application/pdf"
    assert FORMATS["docx"].extension == "docx"
    assert FORMATS["xlsx"].filename("cne-2024") == "cne-2024-overview.xlsx"
    assert render(reference_snapshot(), "HTML").startswith(b"<!DOCTYPE html>")
    with pytest.raises(UnknownFormat, match="use one of: md, html"):
        render(reference_snapshot(), "rtf")


async def test_render_async_runs_in_a_worker_thread(monkeypatch) -> None:
    seen: list[int] = []

    def spy(snap) -> bytes:
        seen.append(threading.get_ident())
        return b"ok"

    monkeypatch.setitem(FORMATS, "md", Format("md", "text/markdown", "md", spy))
    assert await render_async(reference_snapshot(), "md") == b"ok"
    assert seen and seen[0] != threading.get_ident()


async def test_render_async_pdf() -> None:
    data = await render_async(reference_snapshot(), "pdf")
    assert data.startswith(b"%PDF")
    with pytest.raises(UnknownFormat):
        await render_async(reference_snapshot(), "odt")
