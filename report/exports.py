"""Exports of the returns (CSV, XLSX) and of the whole report (JSON), from the same snapshot.

Exports hold the submitted returns only, like the report, so every figure can be traced back to
rows in the export.
"""

import csv
import dataclasses
import io
import json
import re
from collections.abc import Iterator
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from models.grades import NOT_GRADED, NOT_GRADED_LABEL, NOT_GRADED_REASONS, grade_name
from models.tool import ChoiceQuestion, GradeQuestion, MultichoiceQuestion, Question, YesNoQuestion
from report.grade_values import grade_of
from report.snapshot import RoundSnapshot
from report.tally import tally

FIXED = ["Agency", "Case", "Status", "Submitted at"]
SHEET = "xl/worksheets/sheet1.xml"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(q: Question, value: Any) -> str:
    """One answer as a reader expects it: full grade names, option labels, "Yes"/"No"."""
    if value is None:
        return ""
    if isinstance(q, GradeQuestion):
        grade, reason = grade_of(value)
        if grade != NOT_GRADED:
            return grade_name(grade)
        label = NOT_GRADED_REASONS.get(reason)
        return f"{NOT_GRADED_LABEL} – {label}" if label else NOT_GRADED_LABEL
    if isinstance(q, ChoiceQuestion | MultichoiceQuestion):
        labels = {o.key: o.label for o in q.options}
        keys = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(str(k), str(k)) for k in keys)
    if isinstance(q, YesNoQuestion):
        return "Yes" if value else "No"
    return str(value)


def headers(snapshot: RoundSnapshot) -> list[str]:
    return FIXED + [q.title for q in snapshot.tool.questions]


def return_rows(snapshot: RoundSnapshot) -> Iterator[list[str]]:
    """One row per submitted return, one column per question in tool order."""
    names = {a.code: a.name for a in snapshot.agencies}
    order = {c.reference: i for i, c in enumerate(snapshot.cases)}
    agency_order = {a.code: i for i, a in enumerate(snapshot.agencies)}
    questions = snapshot.tool.questions
    rows = sorted(
        snapshot.submitted,
        key=lambda r: (agency_order.get(r.agency, len(agency_order)), order.get(r.case, 0), r.id),
    )
    for r in rows:
        fixed = [
            names.get(r.agency, r.agency),
            r.case,
            str(r.status),
            r.submitted_at.isoformat() if r.submitted_at else "",
        ]
        yield fixed + [cell_text(q, r.answers.get(q.key)) for q in questions]


def _defuse(text: str) -> str:
    # A spreadsheet would run a narrative starting with "=" or "-" as a formula (CSV injection).
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(snapshot: RoundSnapshot) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(snapshot))
    writer.writerows([_defuse(c) for c in row] for row in return_rows(snapshot))
    # A byte-order mark makes Excel read the file as UTF-8 (en dashes, accents).
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_rows(rows: Iterator[list[str]], columns: list[str]) -> Iterator[str]:
    """The <row> elements of the returns, as inline strings (never formulas, whatever the text),
    yielded in batches so the sheet streams into the zip instead of sitting in memory."""
    batch: list[str] = []
    for n, row in enumerate(rows, start=2):
        batch.append(f'<row r="{n}">')
        for col, text in zip(columns, row, strict=True):
            if text:
                text = ILLEGAL_CHARACTERS_RE.sub("", text)
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                batch.append(
                    f'<c r="{col}{n}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
                )
        batch.append("</row>")
        if len(batch) > 5_000:
            yield "".join(batch)
            batch = []
    yield "".join(batch)


def render_xlsx(snapshot: RoundSnapshot) -> bytes:
    """openpyxl lays out the workbook (styles, header, frozen panes, widths); the data rows are
    then streamed straight into the sheet XML, because openpyxl's per-cell objects cost about
    2.7 s and 300 MB for 20,000 returns. The result reads back in openpyxl and Excel."""
    head = headers(snapshot)
    wb = Workbook()
    ws = wb.active
    ws.title = "Returns"
    ws.append(head)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "C2"
    columns = [get_column_letter(i) for i in range(1, len(head) + 1)]
    for col, title in zip(columns, head, strict=True):
        ws.column_dimensions[col].width = 40 if title not in FIXED else 24
    scaffold = io.BytesIO()
    wb.save(scaffold)
    last = len(snapshot.submitted) + 1
    out = io.BytesIO()
    # Level 1: the sheet is most of the file, and the fastest setting halves the time.
    with ZipFile(scaffold) as src, ZipFile(out, "w", ZIP_DEFLATED, compresslevel=1) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename != SHEET:
                dst.writestr(item, data)
                continue
            xml = data.decode("utf-8")
            dim = f'<dimension ref="A1:{columns[-1]}{last}"/>'
            xml = re.sub(r'<dimension ref="[^"]*"/>', dim, xml)
            before, after = xml.split("</sheetData>", 1)
            with dst.open(SHEET, "w", force_zip64=True) as sheet:
                sheet.write(before.encode())
                for chunk in _sheet_rows(return_rows(snapshot), columns):
                    sheet.write(chunk.encode())
                sheet.write(("</sheetData>" + after).encode())
    return out.getvalue()


def report_json(snapshot: RoundSnapshot) -> dict[str, Any]:
    report = snapshot.overview
    body = dataclasses.asdict(report)
    body["cross_cutting"] = [dataclasses.asdict(t) for t in report.cross_cutting]
    body["matrix"]["flagged"] = [m.case for m in report.matrix.flagged]
    return {"report": body, "tally": tally(snapshot).as_json()}


def render_json(snapshot: RoundSnapshot) -> bytes:
    return json.dumps(report_json(snapshot), ensure_ascii=False, indent=2, default=str).encode()
