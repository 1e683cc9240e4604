"""The overview report model: the figures every format renders."""

from datetime import UTC, datetime

import pytest

from bench.synthetic import (
    BROMLEY_Y,
    CSC,
    HOUSING,
    POLICE,
    empty_snapshot,
    ret,
    snapshot,
    ungraded_snapshot,
)
from bench.synthetic import (
    reference_snapshot as reference,
)
from models.enums import ReturnStatus
from report.overview import build_report


def test_returns_lines_show_of_m_only_when_short() -> None:
    r = build_report(reference())
    lines = [x.line for x in r.returns]
    assert "Children's Social Care – 7 (of 8)" in lines
    assert "Metropolitan Police – 8" in lines
    assert "Housing – 0 (of 1)" in lines
    assert r.total_returns == 27  # the CSC draft is not counted
    assert r.agencies_returning == 5
    assert r.missing_agencies == ["Housing"]


def test_outcome_lines_in_scale_order_with_short_names() -> None:
    lines = [o.line for o in build_report(reference()).outcomes]
    assert "Children's Social Care – Good 4, Requires Improvement 3" in lines
    assert "Bromley Y – Good 1, Requires Improvement 2, Inadequate 2" in lines
    assert "Probation – Not graded 1" in lines
    assert not any(line.startswith("Housing") for line in lines)  # nothing returned


def test_not_graded_reasons_use_labels() -> None:
    r = build_report(reference())
    assert r.not_graded_total == 1
    assert [(c.label, c.count) for c in r.not_graded_reasons] == [
        ("Historical involvement only (outside the scope window)", 1)
    ]


def test_only_submitted_returns_count() -> None:
    rets = [
        ret(1, "csc", "C1", "good"),
        ret(2, "csc", "C2", "inadequate", ReturnStatus.draft),
        ret(3, "csc", "C3", "inadequate", ReturnStatus.reopened),
    ]
    exp = [("csc", f"C{i}") for i in (1, 2, 3)]
    r = build_report(snapshot([CSC], 3, exp, rets))
    assert r.total_returns == 1
    assert r.outcomes[0].line == "Children's Social Care – Good 1"
    assert r.domains[-1].grades == [0, 1, 0, 0]
    assert [x.line for x in r.returns] == ["Children's Social Care – 1 (of 3)"]


def test_grades_per_domain_cover_every_grade_question() -> None:
    rets = [ret(1, "csc", "C1", "good", practice="outstanding"), ret(2, "csc", "C2", "inadequate")]
    r = build_report(snapshot([CSC], 2, [("csc", "C1"), ("csc", "C2")], rets))
    by_domain = {d.domain: d for d in r.domains}
    assert list(by_domain) == [
        "Quality of practice",
        "Information sharing and joint working",
        "Overall impact for the child",
    ]
    assert by_domain["Quality of practice"].grades == [1, 0, 0, 1]
    assert by_domain["Overall impact for the child"].grades == [0, 1, 0, 1]
    assert by_domain["Overall impact for the child"].overall


def _pair(grades: dict[str, tuple[str, str]]) -> list:
    rets, n = [], 0
    for case, (csc, police) in grades.items():
        rets += [ret(n + 1, "csc", case, csc), ret(n + 2, "police", case, police)]
        n += 2
    return rets


def test_matrix_flags_two_steps_not_one() -> None:
    grades = {
        "C1": ("good", "inadequate"),  # 2 steps
        "C2": ("good", "requires_improvement"),  # 1 step
        "C3": ("outstanding", "inadequate"),  # 3 steps
        "C4": ("outstanding", "not_graded"),  # not graded is not a step
    }
    exp = [(a, c) for a in ("csc", "police") for c in grades]
    r = build_report(snapshot([CSC, POLICE], 4, exp, _pair(grades)))
    rows = {m.case: m for m in r.matrix.rows}
    assert rows["C1"].flagged and rows["C1"].spread == 2
    assert not rows["C2"].flagged and rows["C2"].spread == 1
    assert rows["C3"].flagged and rows["C3"].spread == 3
    assert not rows["C4"].flagged
    assert rows["C1"].cells == ["Good", "Inadequate"]
    assert rows["C4"].cells == ["Outstanding", "Not graded"]
    assert rows["C1"].detail == "Good: Children's Social Care; Inadequate: Metropolitan Police"
    assert [m.case for m in r.matrix.flagged] == ["C1", "C3"]
    # The threshold is a parameter.
    strict = build_report(snapshot([CSC, POLICE], 4, exp, _pair(grades)), min_steps=3)
    assert [m.case for m in strict.matrix.flagged] == ["C3"]


def test_matrix_marks_missing_and_not_asked() -> None:
    exp = [("csc", "C1"), ("csc", "C2"), ("police", "C1")]
    r = build_report(snapshot([CSC, POLICE], 2, exp, [ret(1, "csc", "C1")]))
    assert [m.cells for m in r.matrix.rows] == [["Good", "–"], ["–", ""]]


def _themed(spec: dict[str, list[list[str]]]) -> list:
    rets, n = [], 0
    for agency, per_return in spec.items():
        for i, themes in enumerate(per_return, start=1):
            n += 1
            rets.append(ret(n, agency, f"C{i}", themes=themes))
    return rets


def test_cross_cutting_threshold() -> None:
    rets = _themed(
        {
            "csc": [["signposting", "asd_waiting"], ["signposting"]],
            "police": [["signposting"]],
            "bromley_y": [["signposting", "asd_waiting"]],
            "housing": [["safety_planning"]],
        }
    )
    snap = snapshot([CSC, POLICE, BROMLEY_Y, HOUSING], 2, [], rets)
    r = build_report(snap)
    assert [t.label for t in r.cross_cutting] == ["Signposting to earlier support"]
    top = r.cross_cutting[0]
    assert top.agencies == ["Children's Social Care", "Metropolitan Police", "Bromley Y"]
    assert top.returns == 4  # two CSC returns, but CSC counts once among the agencies
    two = build_report(snap, theme_threshold=2)
    assert [t.label for t in two.cross_cutting] == [
        "Signposting to earlier support",
        "Waiting times for ASD assessment",
    ]
    four = build_report(snap, theme_threshold=4)
    assert four.cross_cutting == []
    assert {t.label for t in four.themes} == {
        "Signposting to earlier support",
        "Waiting times for ASD assessment",
        "Safety planning",
    }


def test_findings_come_from_the_tools_text_questions() -> None:
    rets = [
        ret(1, "csc", "C2", good="Strong visits.", learning="Escalate sooner."),
        ret(2, "csc", "C1", good="Clear plan.", development="  "),
    ]
    r = build_report(snapshot([CSC], 2, [], rets))
    (f,) = r.findings
    groups = {g.question: [(e.case, e.text) for e in g.excerpts] for g in f.groups}
    assert groups["Good practice"] == [("C1", "Clear plan."), ("C2", "Strong visits.")]
    assert groups["Learning"] == [("C2", "Escalate sooner.")]
    assert groups["Areas for development"] == [
        ("C2", "Referral to early help could have been made sooner.")
    ]  # a blank answer is left out
    assert "Voice of the child" not in groups


def test_findings_cap_excerpts_and_say_how_many_more() -> None:
    rets = [ret(i, "csc", f"C{i}", good=f"Good {i}.") for i in range(1, 6)]
    r = build_report(snapshot([CSC], 5, [], rets), max_excerpts=2)
    good = r.findings[0].groups[0]
    assert [e.text for e in good.excerpts] == ["Good 1.", "Good 2."]
    assert good.more == 3


def test_narrative_length_is_mean_characters_per_return() -> None:
    rets = [
        ret(1, "csc", "C1", good="a" * 100, development="b" * 50),
        ret(2, "csc", "C2", good="a" * 300, development="b" * 50, learning="c" * 100),
        ret(3, "police", "C1", good="abc", development="de"),
    ]
    r = build_report(snapshot([CSC, POLICE, HOUSING], 2, [], rets))
    assert [(n.agency, n.returns, n.mean_chars) for n in r.narrative] == [
        ("Children's Social Care", 2, 300),
        ("Metropolitan Police", 1, 5),
    ]


def test_comparison_with_previous_round() -> None:
    before = snapshot(
        [CSC, POLICE],
        2,
        [("csc", "C1"), ("csc", "C2"), ("police", "C1"), ("police", "C2")],
        [ret(1, "csc", "C1", "inadequate")],
        slug="cne-2023",
        title="Multi-agency audit 2023",
    )
    now = reference(previous=before)
    c = build_report(now).comparison
    assert c is not None and c.previous_title == "Multi-agency audit 2023"
    rows = {row.measure: (row.previous, row.current) for row in c.rows}
    assert rows["Returns received"] == ("1", "27")
    assert rows["Agencies returning"] == ("1", "5")
    assert rows["Return rate"] == ("25% (1 of 4)", "87% (27 of 31)")
    assert rows["Inadequate (share of graded returns)"] == ("100% (1)", "8% (2)")
    assert rows["Good (share of graded returns)"] == ("0% (0)", "73% (19)")
    assert rows["Not graded"] == ("0", "1")
    assert build_report(reference()).comparison is None


def test_actions_in_number_order_with_readable_status() -> None:
    r = build_report(reference())
    assert [(a.number, a.due, a.status) for a in r.actions] == [
        (1, "30 September 2024", "Open"),
        (2, "", "In progress"),
    ]


@pytest.mark.parametrize("make", [empty_snapshot, ungraded_snapshot])
def test_edge_rounds_build(make) -> None:
    r = build_report(make())
    assert all(not m.flagged for m in r.matrix.rows)
    assert r.cross_cutting == []


def test_empty_round() -> None:
    r = build_report(empty_snapshot())
    assert r.total_returns == 0 and r.outcomes == [] and r.findings == [] and r.narrative == []
    assert r.interim
    assert [x.line for x in r.returns] == [
        "Children's Social Care – 0 (of 3)",
        "Housing – 0 (of 1)",
    ]


def test_only_ungraded_round() -> None:
    r = build_report(ungraded_snapshot())
    assert [o.line for o in r.outcomes] == [
        "Children's Social Care – Not graded 2",
        "Housing – Not graded 1",
    ]
    assert r.not_graded_total == 3
    assert r.domains[-1].grades == [0, 0, 0, 0] and r.domains[-1].not_graded == 3
    assert r.matrix.rows[0].cells == ["Not graded", "Not graded"]


def test_dates_are_written_out() -> None:
    r = build_report(reference(taken_at=datetime(2024, 5, 2, tzinfo=UTC)))
    assert (r.opens, r.due, r.generated) == ("1 March 2024", "12 April 2024", "2 May 2024")
