"""The demo round (collector/demo/) reproduces the figures of the 2024 overview report.

No database: the round file and the returns are read as YAML, turned into a `RoundSnapshot` by
hand (every return submitted) and tallied by `report.tally`. The figures are the project's own
copy in tests/data/.
"""

import json
import re
from collections import defaultdict
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from models.enums import ExpectationStatus, ReturnStatus, RoundStatus
from models.grades import BY_KEY, BY_NAME, NOT_GRADED, NOT_GRADED_REASONS
from models.screening import screen
from models.tool import AuditTool, GradeQuestion, TextQuestion, load_tool
from report.snapshot import (
    ActionRow,
    AgencyRow,
    CaseRow,
    ExpectationRow,
    ReturnRow,
    RoundSnapshot,
)
from report.tally import Tally, tally

ROOT = Path(__file__).resolve().parent.parent
ROUND_FILE = ROOT / "collector" / "demo" / "cne-2024.yaml"
RETURNS_FILE = ROOT / "collector" / "demo" / "cne-2024-returns.yaml"
FIGURES_FILE = Path(__file__).resolve().parent / "data" / "figures-2024.json"

CLOSED_NOTE = "Closed to Children's Social Care at the time of audit"
# The report's cross-cutting themes, as option keys of the tool's `themes` question.
CROSS_CUTTING = {
    "signposting of children and families to earlier support": "signposting",
    "child mental health and SEND as vulnerability factors": "mental_health_send",
    "engagement of families with support offered": "family_engagement",
    "inter-agency communication and information sharing": "information_sharing",
    "waiting times for ASD assessment": "asd_waiting",
    "elective home education (EHE) oversight": "ehe_oversight",
}
# A not-graded reason and the involvement answer that goes with it.
INVOLVEMENT_FOR_REASON = {
    "too_little": "too_little",
    "historical_only": "historical",
    "transferred": "transferred",
}
GRADED_INVOLVEMENT = {"throughout", "some"}
CASE_REF = re.compile(r"\bC\d+\b")
LONDON = ZoneInfo("Europe/London")


def _when(value: date | datetime, *, end_of_day: bool = False) -> datetime:
    """A round-file date as docs/round-file.md reads it (bare `due_at`: end of day, London)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if end_of_day:
        return datetime.combine(value, time(23, 59, 59), LONDON)
    return datetime.combine(value, time(0, 0), UTC)


def build_snapshot(
    round_file: dict[str, Any], returns: list[dict[str, Any]], tool: AuditTool
) -> RoundSnapshot:
    cases = [CaseRow(c["reference"], c.get("note", "")) for c in round_file["cases"]]
    every_case = [c.reference for c in cases]
    expectations = [
        ExpectationRow(
            e["agency"],
            ref,
            ExpectationStatus(e.get("status", ExpectationStatus.expected)),
        )
        for e in round_file["expectations"]
        for ref in (every_case if e["cases"] == "all" else e["cases"])
    ]
    return RoundSnapshot(
        slug=round_file["slug"],
        title=round_file["title"],
        theme=round_file["theme"],
        partnership=round_file["partnership"],
        scope=round_file["scope"],
        opens_at=_when(round_file["opens_at"]),
        due_at=_when(round_file["due_at"], end_of_day=True),
        status=RoundStatus.closed,
        tool=tool,
        agencies=[AgencyRow(a["code"], a["name"]) for a in round_file["agencies"]],
        cases=cases,
        expectations=expectations,
        returns=[
            ReturnRow(
                id=i,
                agency=r["agency"],
                case=r["case"],
                status=ReturnStatus.submitted,
                answers=r["answers"],
            )
            for i, r in enumerate(returns, start=1)
        ],
        actions=[
            ActionRow(
                number=n,
                recommendation=a["recommendation"],
                owner=a.get("owner", ""),
                due_at=_when(a["due_at"], end_of_day=True) if a.get("due_at") else None,
            )
            for n, a in enumerate(round_file.get("actions", []), start=1)
        ],
    )


@pytest.fixture(scope="module")
def round_file() -> dict[str, Any]:
    return yaml.safe_load(ROUND_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def returns() -> list[dict[str, Any]]:
    data = yaml.safe_load(RETURNS_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    return json.loads(FIGURES_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tool(round_file: dict[str, Any]) -> AuditTool:
    return load_tool(round_file["tool_version"])


@pytest.fixture(scope="module")
def snapshot(round_file, returns, tool) -> RoundSnapshot:
    return build_snapshot(round_file, returns, tool)


@pytest.fixture(scope="module")
def result(snapshot: RoundSnapshot) -> Tally:
    return tally(snapshot)


def _overall(ret: dict[str, Any], tool: AuditTool) -> dict[str, str]:
    return ret["answers"][tool.overall.key]


# --- the round file ---------------------------------------------------------------------------


def test_round_file_describes_the_2024_round(round_file, figures, snapshot):
    assert round_file["slug"] == "cne-2024"
    assert round_file["tool_version"] == "maa-audit-2"
    assert snapshot.theme == figures["theme"]
    assert snapshot.partnership == figures["partnership"]
    assert snapshot.scope == figures["scope"]
    assert date(2024, 1, 1) <= round_file["opens_at"] < round_file["due_at"] <= date(2024, 4, 30)
    assert snapshot.opens_at < snapshot.due_at


def test_agencies_are_the_reports_in_its_order(snapshot, figures):
    assert [a.name for a in snapshot.agencies] == [a["name"] for a in figures["agencies"]]
    codes = [a.code for a in snapshot.agencies]
    assert len(set(codes)) == len(codes) == figures["agencies_returning"]
    assert all(re.fullmatch(r"[a-z][a-z_]{1,31}", c) for c in codes), codes


def test_cohort(snapshot, figures):
    refs = [c.reference for c in snapshot.cases]
    assert refs == [f"C{n}" for n in range(1, figures["cases_in_cohort"] + 1)]
    closed = [c for c in snapshot.cases if c.note == CLOSED_NOTE]
    assert len(closed) == figures["cases_closed_to_csc_at_audit"]
    assert all(c.note in ("", CLOSED_NOTE) for c in snapshot.cases)


def test_actions_are_the_reports_recommendations(snapshot, figures):
    assert [a.recommendation for a in snapshot.actions] == figures["recommendations"]
    for action in snapshot.actions:
        assert action.owner.strip()
        assert action.due_at is not None and action.due_at > snapshot.due_at


# --- the tally reproduces the figures ---------------------------------------------------------


def test_totals(result, figures, returns):
    assert len(returns) == figures["total_returns"] == 60
    assert result.total_returns == figures["total_returns"]
    assert result.agencies_returning == figures["agencies_returning"] == 12


def test_each_agency_matches_the_figures(result, figures):
    by_name = {a.name: a for a in result.agencies}
    assert set(by_name) == {f["name"] for f in figures["agencies"]}
    for fig in figures["agencies"]:
        row = by_name[fig["name"]]
        assert row.returned == fig["returned"], fig["name"]
        # only CSC has an "(of N)": every other agency was expected for what it returned
        assert row.expected == fig.get("expected", fig["returned"]), fig["name"]
        assert row.overall_grades == fig["overall_grades"], fig["name"]
        graded = sum(fig["overall_grades"].values())
        assert row.not_graded == fig["returned"] - graded, fig["name"]


def test_breakdown_reads_like_the_report(result):
    lines = {a.code: a.breakdown for a in result.agencies}
    assert lines["csc"] == "7 (of 8)"
    assert lines["police"] == "7"


def test_figures_grade_names_are_on_the_scale(figures):
    for fig in figures["agencies"]:
        assert set(fig["overall_grades"]) <= set(BY_NAME), fig["name"]


# --- every return is a valid, complete, submitted answer set ----------------------------------


def test_returns_are_expected_and_unique(returns, snapshot):
    pairs = [(r["agency"], r["case"]) for r in returns]
    assert len(set(pairs)) == len(pairs)
    expected = {(e.agency, e.case) for e in snapshot.expectations}
    assert set(pairs) <= expected
    assert expected - set(pairs) == {("csc", "C8")}


def test_every_answer_is_valid_and_canonical(returns, tool):
    for ret in returns:
        where = f"{ret['agency']} {ret['case']}"
        assert set(ret) == {"agency", "case", "answers"}, where
        for key, value in ret["answers"].items():
            question = tool.question(key)
            assert question is not None, f"{where}: unknown question {key}"
            assert question.check(value) == value, f"{where}: {key}"


def test_every_required_question_is_answered(returns, tool):
    for ret in returns:
        assert tool.missing(set(ret["answers"])) == [], f"{ret['agency']} {ret['case']}"


def test_no_immediate_concern(returns):
    assert all(r["answers"]["immediate_concern"] is False for r in returns)


def test_not_graded_has_a_reason_that_fits_the_involvement(returns, tool):
    for ret in returns:
        where = f"{ret['agency']} {ret['case']}"
        overall = _overall(ret, tool)
        involvement = ret["answers"]["involvement"]
        if overall["grade"] == NOT_GRADED:
            assert overall["reason"] in NOT_GRADED_REASONS, where
            assert involvement == INVOLVEMENT_FOR_REASON[overall["reason"]], where
        else:
            assert involvement in GRADED_INVOLVEMENT, where


def test_not_graded_reasons_are_those_the_report_gives(returns, tool, figures):
    # "too little involvement to grade, or only historical involvement outside the scope window"
    assert "too little involvement" in figures["note"]
    assert "historical involvement" in figures["note"]
    reasons = {
        _overall(r, tool)["reason"] for r in returns if _overall(r, tool)["grade"] == NOT_GRADED
    }
    assert reasons == {"too_little", "historical_only"}


def test_other_grades_sit_near_the_overall_grade(returns, tool):
    others = [q for q in tool.grade_questions if not q.overall]
    assert others
    for ret in returns:
        where = f"{ret['agency']} {ret['case']}"
        overall = _overall(ret, tool)
        for q in others:
            value = ret["answers"][q.key]
            if overall["grade"] == NOT_GRADED:
                assert value == overall, f"{where}: {q.key}"
            else:
                assert value["grade"] in BY_KEY, f"{where}: {q.key}"
                step = abs(BY_KEY[value["grade"]].rank - BY_KEY[overall["grade"]].rank)
                assert step <= 1, f"{where}: {q.key}"


# --- narratives -------------------------------------------------------------------------------


def _narratives(returns, tool):
    text_keys = [q.key for q in tool.questions if isinstance(q, TextQuestion)]
    assert text_keys
    for ret in returns:
        for key in text_keys:
            if key in ret["answers"]:
                yield ret, key, ret["answers"][key]


def test_screening_finds_nothing_in_any_narrative(returns, tool):
    for ret, key, text in _narratives(returns, tool):
        assert screen(text) == [], f"{ret['agency']} {ret['case']} {key}"


def test_narratives_name_only_their_own_case(returns, tool):
    for ret, key, text in _narratives(returns, tool):
        assert set(CASE_REF.findall(text)) <= {ret["case"]}, f"{ret['agency']} {ret['case']} {key}"


def test_narratives_are_short_and_vary_per_case(returns, tool):
    seen: dict[tuple[str, str], str] = {}
    for ret, key, text in _narratives(returns, tool):
        where = f"{ret['agency']} {ret['case']} {key}"
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
        assert 1 <= len(sentences) <= 4, where
        assert (key, text) not in seen, f"{where} repeats {seen.get((key, text))}"
        seen[(key, text)] = where


# --- themes -----------------------------------------------------------------------------------


def test_cross_cutting_themes_are_raised_by_at_least_three_agencies(returns, tool, figures):
    assert list(CROSS_CUTTING) == figures["cross_cutting_themes"]
    options = {o.key for o in tool.question("themes").options}
    assert set(CROSS_CUTTING.values()) <= options
    raised_by: dict[str, set[str]] = defaultdict(set)
    for ret in returns:
        for theme in ret["answers"]["themes"]:
            raised_by[theme].add(ret["agency"])
    for theme in CROSS_CUTTING.values():
        assert len(raised_by[theme]) >= 3, (theme, sorted(raised_by[theme]))
    # a theme the report does not call cross-cutting stays narrower
    assert 0 < len(raised_by["safety_planning"]) < 3, sorted(raised_by["safety_planning"])


def test_the_overall_question_is_impact(tool):
    assert isinstance(tool.overall, GradeQuestion)
    assert tool.overall.key == "impact"
