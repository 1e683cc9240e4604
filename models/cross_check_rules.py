"""Cross-checks as data: pairs of answers in one return that contradict each other.

A rule holds when all its conditions hold. The defaults below suit MAA's own tools; a tool
version may replace them (`cross_checks:` in models/tools/*.yaml). They are checked by one
function (models/cross_checks.py) for the chat's review and the API's submit alike.
"""

from pydantic import BaseModel, Field

OVERALL = "@overall"  # the tool's overall grade question
ANY_GRADE = "@grade"  # any grade question of the tool


class Condition(BaseModel):
    question: str = Field(min_length=1, max_length=40)  # a key, OVERALL or ANY_GRADE
    # The answer (a choice key, or a grade key, "not_graded" included) is one of these.
    any_of: list[str] = Field(default_factory=list)
    # Not graded, for one of these reasons (models.grades.NOT_GRADED_REASONS).
    not_graded_for: list[str] = Field(default_factory=list)
    # A narrative that is missing, skipped or says nothing ("none", "n/a", "-").
    says_nothing: bool = False


class Rule(BaseModel):
    key: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    when: list[Condition] = Field(min_length=1)
    message: str = Field(min_length=3, max_length=500)  # said to the auditor, as it is


DEFAULT_RULES: list[Rule] = [
    Rule(
        key="involved_but_not_graded",
        when=[
            Condition(question="involvement", any_of=["throughout"]),
            Condition(
                question=ANY_GRADE,
                not_graded_for=["no_involvement", "too_little", "historical_only"],
            ),
        ],
        message=(
            "Involvement is “throughout the scope window”, but a grade says there was no, too "
            "little or only historical involvement."
        ),
    ),
    Rule(
        key="good_without_good_practice",
        when=[
            Condition(question=OVERALL, any_of=["outstanding", "good"]),
            Condition(question="good_practice", says_nothing=True),
        ],
        message="The overall grade is Outstanding or Good, but no good practice is written.",
    ),
    Rule(
        key="inadequate_without_development",
        when=[
            Condition(question=OVERALL, any_of=["inadequate"]),
            Condition(question="development", says_nothing=True),
        ],
        message="The overall grade is Inadequate, but no area for development is written.",
    ),
]
