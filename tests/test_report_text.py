"""The Markdown and HTML reports (and the print layout the PDF is made from)."""

import html
import re

from bench.synthetic import (
    CSC,
    POLICE,
    big_snapshot,
    empty_snapshot,
    reference_snapshot,
    ret,
    snapshot,
    ungraded_snapshot,
)
from models.enums import RoundStatus
from report.overview import build_report
from report.text import html_from, md_escape, render_html, render_markdown

SCRIPT = "<script>alert('x')</script> & more"


def _html_lines(body: str) -> list[str]:
    """The text of every <p>, <li> and heading, unescaped, as a reader sees it."""
    found = re.findall(r"<(p|li|h\d)[^>]*>(.*?)</\1>", body, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", inner)).strip() for _, inner in found]


def test_markdown_has_the_overview_lines() -> None:
    lines = render_markdown(reference_snapshot()).splitlines()
    assert "Children's Social Care – 7 (of 8)" in lines
    assert "Metropolitan Police – 8" in lines
    assert "Children's Social Care – Good 4, Requires Improvement 3" in lines
    assert "Bromley Y – Good 1, Requires Improvement 2, Inadequate 2" in lines
    assert "A total of 27 completed audits were received from across 5 agencies." in lines


def test_markdown_sections_in_report_order() -> None:
    heads = [x for x in render_markdown(reference_snapshot()).splitlines() if x.startswith("## ")]
    assert heads == [
        "## 1. Introduction and purpose",
        "## 2. Method",
        "## 3. Returns",
        "## 4. Outcomes",
        "## 5. Findings by agency",
        "## 6. Cross-cutting themes",
        "## 7. Conclusions",
        "## 8. Recommendations and action plan",
        "## 9. Evidence annex",
    ]


def test_markdown_matrix_flags_and_tables() -> None:
    text = render_markdown(reference_snapshot())
    assert "| C4 | Good | Good | Inadequate |  | Not graded | Good | Yes |" in text
    assert "| C2 | Good | Good | Requires Improvement |  |  | Good |  |" in text
    assert "| Overall impact for the child | 0 | 19 | 5 | 2 | 1 |" in text
    assert (
        "| 2 | Hold an audit standards workshop. | Business unit |  | Booked | In progress |"
        in text
    )
    assert "| Information sharing | 5 | 27 |" in text  # cross-cutting theme


def test_markdown_neutralises_html_and_markup_in_narratives() -> None:
    rets = [ret(1, "csc", "C1", good=SCRIPT, development="# not a heading\n\n- nor | a list")]
    text = render_markdown(snapshot([CSC], 1, [("csc", "C1")], rets))
    assert "<script>" not in text
    assert "&lt;script&gt;alert('x')&lt;/script&gt; & more" in text
    assert "- **C1**: \\# not a heading\n\n  \\- nor \\| a list" in text


def test_md_escape_keeps_prose_readable() -> None:
    assert md_escape("Children's Social Care – 7 (of 8)") == "Children's Social Care – 7 (of 8)"
    assert md_escape("A & B") == "A & B"
    assert md_escape("&amp;") == "&amp;amp;"
    assert md_escape("1. first\n> quote") == "1\\. first\n&gt; quote"
    assert md_escape("## big\n---\n+ item") == "\\## big\n\\---\n\\+ item"
    assert md_escape("-2 degrees, #3 on the list") == "-2 degrees, #3 on the list"
    assert md_escape("[link](http://x) *b* `c`") == "\\[link\\](http://x) \\*b\\* \\`c\\`"


def test_html_has_the_overview_lines() -> None:
    lines = _html_lines(render_html(reference_snapshot()))
    assert "Children's Social Care – 7 (of 8)" in lines
    assert "Metropolitan Police – 8" in lines
    assert "Children's Social Care – Good 4, Requires Improvement 3" in lines
    assert "Probation – Not graded 1" in lines


def test_html_escapes_script_in_narratives_and_names() -> None:
    rets = [ret(1, "evil", "C1", good=SCRIPT)]
    body = render_html(snapshot([("evil", "<b>Agency</b>")], 1, [("evil", "C1")], rets))
    assert "<script>" not in body and "<b>" not in body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in body
    assert "&lt;b&gt;Agency&lt;/b&gt; – 1" in body
    assert "<title>&lt;b&gt;Agency&lt;/b&gt;: Good 1</title>" in body  # inside the SVG too


def test_html_is_self_contained_with_inline_charts() -> None:
    body = render_html(reference_snapshot())
    assert body.count("<svg") == 2
    assert "<style>" in body and "<link" not in body and "<script" not in body
    assert not re.search(r"(src|href)=", body)
    # One stacked segment per non-zero grade: CSC has Good and Requires Improvement.
    assert "<title>Children&#39;s Social Care: Good 4</title>" in body
    assert "<title>Children&#39;s Social Care: Requires Improvement 3</title>" in body
    assert "<title>Children&#39;s Social Care: 7 of 8</title>" in body  # returns chart


def test_html_matrix_highlights_flagged_cases() -> None:
    body = render_html(reference_snapshot())
    flagged = re.findall(r'<tr class="flag"><th>(C\d+)</th>', body)
    assert flagged == ["C4", "C5"]


def test_interim_note_only_while_open() -> None:
    assert "interim report" in render_markdown(reference_snapshot(status=RoundStatus.open))
    assert "interim report" not in render_markdown(reference_snapshot())


def test_previous_round_side_by_side() -> None:
    before = snapshot(
        [CSC, POLICE], 1, [("csc", "C1")], [ret(1, "csc", "C1")], title="Audit 2023", slug="a23"
    )
    text = render_markdown(reference_snapshot(previous=before))
    assert "## 9. Comparison with the previous round" in text
    assert "| Measure | Audit 2023 | Multi-agency audit 2024 |" in text
    assert "| Return rate | 100% (1 of 1) | 87% (27 of 31) |" in text
    assert "Comparison with the previous round" not in render_markdown(reference_snapshot())


def test_edge_rounds_read_kindly() -> None:
    empty = render_markdown(empty_snapshot())
    assert "No completed audits have been received yet." in empty
    assert "There are no returned audits to grade yet." in empty
    assert (
        "No completed audits have yet been received from Children's Social Care and Housing."
        in (empty)
    )
    ungraded = render_markdown(ungraded_snapshot())
    assert "Children's Social Care – Not graded 2" in ungraded.splitlines()
    assert "3 returns were not graded: No involvement in the scope window – 2;" in ungraded
    assert "<svg" in render_html(ungraded_snapshot())


def test_wide_matrix_is_summarised_in_print_but_not_on_screen() -> None:
    report = build_report(big_snapshot(13, 4))
    screen, paper = html_from(report), html_from(report, for_print=True)
    assert 'class="matrix"' in screen and "too wide to print" not in screen
    assert 'class="matrix"' not in paper and "With 13 agencies the full case grid" in paper
    narrow = html_from(build_report(big_snapshot(12, 4)), for_print=True)
    assert 'class="matrix"' in narrow
