"""The drafted statements, the section plan, the frozen snapshot and section Markdown, as pure
functions of synthetic snapshots."""

from dataclasses import replace

from bench.synthetic import CSC, POLICE, empty_snapshot, reference_snapshot, ret, snapshot
from report.frozen import from_json, to_json
from report.markdown_text import to_blocks, to_html
from report.sections import plan_sections
from report.snapshot import Writeup
from report.statements import draft_statements


def _ids(snap):
    return {s.id: s for sts in draft_statements(snap).values() for s in sts}


def test_previous_round_is_drafted_side_by_side() -> None:
    before = snapshot(
        [CSC, POLICE], 1, [("csc", "C1")], [ret(1, "csc", "C1", "inadequate")], title="Audit 2023"
    )
    now = reference_snapshot(previous=before)
    assert [s.key for s in plan_sections(now)][-2:] == ["comparison", "annex"]
    found = _ids(now)
    assert found["comparison.returns"].text == (
        "Returns: 1 from 1 agencies in Audit 2023; 27 from 5 agencies in this round."
    )
    low = found["comparison.low_grades"]
    assert "100% (1 of 1) previously" in low.text and (
        low.figures["previous"],
        low.figures["current"],
    ) == (1, 7)
    assert "comparison" not in [s.key for s in plan_sections(reference_snapshot())]


def test_caution_follows_the_coordinators_cohort_size() -> None:
    small = reference_snapshot()  # 8 cases, default size 20
    assert "introduction.caution" in _ids(small)
    relaxed = replace(small, writeup=Writeup(caution_size=8))
    assert "introduction.caution" not in _ids(relaxed)


def test_missing_agencies_and_an_empty_round() -> None:
    found = _ids(empty_snapshot())
    assert found["returns.total"].text == "No completed audits have been received yet."
    assert "Children's Social Care and Housing" in found["returns.missing"].text
    assert [s.key for s in plan_sections(empty_snapshot())] == [
        "introduction",
        "method",
        "returns",
        "outcomes",
        "themes",
        "conclusions",
        "recommendations",
        "annex",
    ]


def test_frozen_snapshot_round_trips() -> None:
    before = snapshot([CSC], 1, [("csc", "C1")], [ret(1, "csc", "C1")], title="Audit 2023")
    snap = reference_snapshot(
        previous=before, writeup=Writeup(texts={"conclusions": "Done."}, final=True)
    )
    assert from_json(to_json(snap)) == snap


def test_section_markdown_shows_raw_html_as_text_and_nests_headings() -> None:
    html = to_html("# Heading\n\n<img src=x onerror=alert(1)> **bold**")
    assert "<h3>Heading</h3>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    blocks = to_blocks("- one **two**\n\n1. first")
    assert [b.kind for b in blocks] == ["bullet", "number"]
    assert [(r.text, r.bold) for r in blocks[0].runs] == [("one ", False), ("two", True)]


def test_word_count_is_exactly_split_on_every_kind_of_whitespace():
    from report.statements.facts import word_count

    samples = [
        "",
        " ",
        "one",
        "two words",
        " leading",
        "trailing ",
        "double  space",
        "line\nbreak",
        "tab\there",
        "unit\x1fseparator",
        "non\xa0breaking space",
        "café au lait",
        "\u2003em space",
        "a b c d e f",
    ]
    for text in samples:
        assert word_count(text) == len(text.split()), repr(text)
