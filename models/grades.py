"""The Ofsted ILACS four-point scale, plus "not graded" with a reason."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Grade:
    key: str
    name: str  # the full name, as in the grade descriptors
    short: str  # the name overview reports write
    rank: int  # 1 = Outstanding ... 4 = Inadequate; used for "differ by two steps"


SCALE: tuple[Grade, ...] = (
    Grade("outstanding", "Outstanding", "Outstanding", 1),
    Grade("good", "Good", "Good", 2),
    Grade("requires_improvement", "Requires Improvement to be Good", "Requires Improvement", 3),
    Grade("inadequate", "Inadequate", "Inadequate", 4),
)
BY_KEY: dict[str, Grade] = {g.key: g for g in SCALE}
BY_NAME: dict[str, Grade] = {g.name: g for g in SCALE}
NOT_GRADED = "not_graded"
NOT_GRADED_LABEL = "Not graded"

# Why an agency could not grade: the reasons real overview reports give.
NOT_GRADED_REASONS: dict[str, str] = {
    "no_involvement": "No involvement in the scope window",
    "too_little": "Too little involvement to grade",
    "historical_only": "Historical involvement only (outside the scope window)",
    "transferred": "Case transferred to another area or service",
}


def grade_name(key: str) -> str:
    """The full name of a grade key, or "Not graded"."""
    return BY_KEY[key].name if key in BY_KEY else NOT_GRADED_LABEL
