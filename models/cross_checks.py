"""The one implementation of the cross-checks before submit (rules: models/cross_check_rules.py).

`findings(tool, answers)` feeds the review in every chat channel (through `ReturnPublic`) and
the API's submit, which refuses with 422 `cross_check` until the auditor fixes the answers or
confirms them with a reason.
"""

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from models.cross_check_rules import ANY_GRADE, OVERALL, Condition, Rule
from models.grades import NOT_GRADED
from models.tool import AuditTool, GradeQuestion, Question

# What a narrative that says nothing looks like, once lower-cased and stripped of punctuation.
NOTHING = frozenset(
    {
        "",
        "none",
        "na",
        "n a",
        "nil",
        "nothing",
        "no",
        "not applicable",
        "none identified",
        "none noted",
        "none found",
        "nothing noted",
        "nothing to add",
        "nothing identified",
        "not known",
        "unknown",
        "tbc",
    }
)


class CrossCheckFinding(BaseModel):
    """One rule that holds for a return: what it is and which questions to look at again."""

    key: str
    message: str
    questions: list[str]  # question keys, in tool order


def says_nothing(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    flat = " ".join(re.sub(r"[^\w\s]", " ", value.lower()).split())
    return flat in NOTHING


def _targets(tool: AuditTool, condition: Condition) -> Sequence[Question]:
    if condition.question == OVERALL:
        return (tool.overall,)
    if condition.question == ANY_GRADE:
        return tool.grade_questions
    q = tool.question(condition.question)
    return (q,) if q is not None else ()


def _holds(question: Question, condition: Condition, answers: dict[str, Any]) -> bool:
    present = question.key in answers
    value = answers.get(question.key)
    if condition.says_nothing:
        return says_nothing(value)
    if not present or value is None:
        return False
    grade = value.get("grade") if isinstance(value, dict) else None
    if condition.not_graded_for:
        reason = value.get("reason") if isinstance(value, dict) else None
        if grade != NOT_GRADED or reason not in condition.not_graded_for:
            return False
    if condition.any_of:
        plain = grade if isinstance(question, GradeQuestion) else value
        if plain not in condition.any_of:
            return False
    return True


def _matches(tool: AuditTool, rule: Rule, answers: dict[str, Any]) -> list[str] | None:
    """The question keys behind the rule when it holds, else None (or when the tool lacks a
    question it names: a rule never holds on a question the auditor was not asked)."""
    keys: list[str] = []
    for condition in rule.when:
        targets = _targets(tool, condition)
        hit = [q.key for q in targets if _holds(q, condition, answers)]
        if not hit:
            return None
        keys += hit
    return sorted(set(keys), key=tool.position.__getitem__)


def findings(tool: AuditTool, answers: dict[str, Any]) -> list[CrossCheckFinding]:
    """The cross-checks that hold for these answers, in the tool's rule order."""
    out = []
    for rule in tool.rules:
        keys = _matches(tool, rule, answers)
        if keys is not None:
            out.append(CrossCheckFinding(key=rule.key, message=rule.message, questions=keys))
    return out
