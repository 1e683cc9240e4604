"""Grade descriptors and cross-checks as data: defaults, a tool's own, and each rule."""

import pytest

from models.cross_checks import findings, says_nothing
from models.descriptors import DEFAULT_DESCRIPTORS
from models.grades import SCALE
from models.tool import load_tool, parse_tool
from tests.conftest import full_answers

TOOL = load_tool("maa-audit-2")


def answers(**over):
    base = full_answers() | {"csc_status": "open"}
    base.update(over)
    return base


def keys(found):
    return [f.key for f in found]


def test_every_grade_has_a_default_descriptor_in_scale_order():
    got = TOOL.grade_descriptors
    assert [name for _, name, _ in got] == [g.name for g in SCALE]
    assert all(len(text.split()) > 15 for _, _, text in got)
    assert dict((k, t) for k, _, t in got) == DEFAULT_DESCRIPTORS


def test_a_tool_version_overrides_one_descriptor_and_keeps_the_rest():
    text = load_tool_text().replace(
        "version: maa-audit-2",
        "version: maa-audit-9\ndescriptors:\n  good: Effective help  that made   a difference.",
    )
    tool = parse_tool(text)
    got = {k: t for k, _, t in tool.grade_descriptors}
    assert got["good"] == "Effective help that made a difference."
    assert got["inadequate"] == DEFAULT_DESCRIPTORS["inadequate"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("descriptors:\n  excellent: Very good.", "not on the scale: excellent"),
        ("descriptors:\n  good: '  '", "empty descriptors: good"),
    ],
)
def test_a_tool_with_wrong_descriptors_is_refused(extra, message):
    text = load_tool_text().replace("version: maa-audit-2", f"version: maa-audit-9\n{extra}")
    with pytest.raises(ValueError, match=message):
        parse_tool(text)


def load_tool_text() -> str:
    from models.tool import TOOLS_DIR

    return (TOOLS_DIR / "maa-audit-2.yaml").read_text()


def test_consistent_answers_raise_no_cross_check():
    assert findings(TOOL, answers()) == []


def test_involved_throughout_but_not_graded_for_too_little_involvement():
    ng = {"grade": "not_graded", "reason": "too_little"}
    found = findings(TOOL, answers(joint_working_grade=ng))
    assert keys(found) == ["involved_but_not_graded"]
    assert found[0].questions == ["involvement", "joint_working_grade"]
    # Some involvement, or a case transferred, is no contradiction.
    assert findings(TOOL, answers(involvement="some", joint_working_grade=ng)) == []
    moved = {"grade": "not_graded", "reason": "transferred"}
    assert findings(TOOL, answers(impact=moved, practice=moved)) == []


@pytest.mark.parametrize("grade", ["outstanding", "good"])
@pytest.mark.parametrize("written", ["None", "n/a", " N/A. ", "nothing to add", "-"])
def test_outstanding_or_good_overall_with_no_good_practice_written(grade, written):
    found = findings(TOOL, answers(impact={"grade": grade}, good_practice=written))
    assert keys(found) == ["good_without_good_practice"]
    assert found[0].questions == ["impact", "good_practice"]
    lower = findings(TOOL, answers(impact={"grade": "requires_improvement"}, good_practice=written))
    assert lower == []


def test_inadequate_overall_with_no_area_for_development():
    found = findings(TOOL, answers(impact={"grade": "inadequate"}, development="None."))
    assert keys(found) == ["inadequate_without_development"]
    written = answers(impact={"grade": "inadequate"}, development="No strategy meeting held.")
    assert findings(TOOL, written) == []


def test_says_nothing_only_for_empty_words():
    assert says_nothing(None) and says_nothing("None identified.") and says_nothing("NIL")
    assert not says_nothing("No escalation when the child was missing.")


def test_a_tool_version_may_replace_the_rules():
    text = load_tool_text().replace(
        "version: maa-audit-2",
        "version: maa-audit-9\ncross_checks:\n"
        "  - key: good_needs_learning\n"
        "    message: Good overall, but no learning written.\n"
        "    when:\n"
        "      - {question: '@overall', any_of: [good]}\n"
        "      - {question: learning, says_nothing: true}\n",
    )
    tool = parse_tool(text)
    assert keys(findings(tool, answers(learning=None))) == ["good_needs_learning"]
    # The default rules are gone for that tool version.
    assert findings(tool, answers(impact={"grade": "good"}, good_practice="none")) == []
