"""The Word and PDF reports, read back with python-docx and pypdf."""

import io

import docx
import pytest
from pypdf import PdfReader

from bench.synthetic import (
    CSC,
    big_snapshot,
    empty_snapshot,
    reference_snapshot,
    ret,
    snapshot,
    ungraded_snapshot,
)
from report.formats import render, render_pdf


def _docx(snap) -> docx.document.Document:
    return docx.Document(io.BytesIO(render(snap, "docx")))


def _table(doc, first_header: str, second: str | None = None) -> list[list[str]]:
    for t in doc.tables:
        rows = [[c.text for c in row.cells] for row in t.rows]
        if rows and rows[0][0] == first_header and second in (None, rows[0][1]):
            return rows
    raise AssertionError(f"no table headed {first_header!r}")


def test_docx_uses_real_headings() -> None:
    doc = _docx(reference_snapshot())
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert h1 == [
        "1. Introduction and purpose",
        "2. Method",
        "3. Returns",
        "4. Outcomes",
        "5. Findings by agency",
        "6. Cross-cutting themes",
        "7. Conclusions",
        "8. Recommendations and action plan",
        "9. Evidence annex",
    ]
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert "Grades by domain" in h2 and "Children's Social Care" in h2 and "Bromley Y" in h2


def test_docx_has_the_overview_lines() -> None:
    texts = [p.text for p in _docx(reference_snapshot()).paragraphs]
    assert "Children's Social Care – 7 (of 8)" in texts
    assert "Children's Social Care – Good 4, Requires Improvement 3" in texts


def test_docx_tables_are_real_tables() -> None:
    doc = _docx(reference_snapshot())
    grades = _table(doc, "Agency", "Outstanding")  # not the method's audit-standards table
    assert grades[0] == [
        "Agency",
        "Outstanding",
        "Good",
        "Requires Improvement",
        "Inadequate",
        "Not graded",
        "Returns",
    ]
    assert ["Children's Social Care", "0", "4", "3", "0", "0", "7"] in grades
    matrix = _table(doc, "Case")
    assert matrix[0][-1] == "Grades differ"
    assert matrix[4] == ["C4", "Good", "Good", "Inadequate", "", "Not graded", "Good", "Yes"]
    actions = _table(doc, "No.")
    assert actions[1][:3] == [
        "1",
        "Health partners review the impact of the iSPA.",
        "Health partners",
    ]
    assert doc.tables[0].style.name == "Table Grid"


def test_docx_findings_are_bulleted_with_case_references() -> None:
    rets = [ret(1, "csc", "C1", good="First line.\nSecond line.")]
    doc = _docx(snapshot([CSC], 1, [("csc", "C1")], rets))
    bullets = [p for p in doc.paragraphs if p.style.name == "List Bullet"]
    first = bullets[0]
    assert first.runs[0].text == "C1: " and first.runs[0].bold
    assert first.text == "C1: First line.\nSecond line."  # the break survives


def test_docx_summarises_a_very_wide_matrix() -> None:
    doc = _docx(big_snapshot(13, 3))
    texts = " ".join(p.text for p in doc.paragraphs)
    assert "With 13 agencies the full case grid is too wide for this document" in texts
    headers = [t.rows[0].cells[0].text for t in doc.tables]
    assert "Case" in headers  # the list of cases whose grades differ...
    wide = [t for t in doc.tables if t.rows[0].cells[0].text == "Case"]
    assert all(len(t.columns) == 3 for t in wide)  # ...not the 15-column grid


def test_docx_drops_control_characters() -> None:
    rets = [ret(1, "csc", "C1", good="Bell\x07 and null\x00 gone")]
    texts = [p.text for p in _docx(snapshot([CSC], 1, [], rets)).paragraphs]
    assert "C1: Bell and null gone" in texts


@pytest.mark.parametrize("make", [empty_snapshot, ungraded_snapshot])
def test_docx_edge_rounds(make) -> None:
    texts = [p.text for p in _docx(make()).paragraphs]
    assert any(t.startswith("Children's Social Care – ") for t in texts)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_text() -> None:
    data = render_pdf(reference_snapshot())
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert "Children's Social Care – 7 (of 8)" in text
    assert "Children's Social Care – Good 4, Requires Improvement 3" in text
    assert "Page 1 of" in text


def test_pdf_of_an_empty_round() -> None:
    text = _pdf_text(render(empty_snapshot(), "pdf"))
    assert "No completed audits have been received yet." in text


def test_pdf_shows_script_as_text() -> None:
    rets = [ret(1, "csc", "C1", good="<script>alert(1)</script>")]
    text = _pdf_text(render_pdf(snapshot([CSC], 1, [], rets)))
    assert "<script>alert(1)</script>" in text
