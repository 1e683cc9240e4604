"""The tally: returns against expectations and overall grades, per agency."""

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from models.enums import ExpectationStatus
from models.grades import BY_KEY, NOT_GRADED, SCALE
from report.snapshot import RoundSnapshot


@dataclass
class AgencyTally:
    code: str
    name: str
    returned: int
    expected: int
    overall_grades: dict[str, int]  # full grade names in scale order, zero counts left out
    not_graded: int
    not_graded_reasons: dict[str, int] = field(default_factory=dict)
    extended_to: str = ""  # the agency's latest approved extension (ISO date), "" when none

    @property
    def breakdown(self) -> str:
        """As overview reports write it: "7 (of 8)", or "7" when all expected came back;
        ", extended to 27 February 2026" while an approved extension runs."""
        if self.returned < self.expected:
            line = f"{self.returned} (of {self.expected})"
            if self.extended_to:
                day = date.fromisoformat(self.extended_to)
                line += f", extended to {day.day} {day:%B %Y}"
            return line
        return str(self.returned)


@dataclass
class Tally:
    round: str
    total_returns: int
    agencies_returning: int
    agencies: list[AgencyTally]

    def as_json(self) -> dict[str, Any]:
        """The documented JSON shape of `maa tally --json` and `GET /api/rounds/{slug}/tally`."""
        return {
            "round": self.round,
            "total_returns": self.total_returns,
            "agencies_returning": self.agencies_returning,
            "agencies": [
                {k: v for k, v in asdict(a).items() if k != "not_graded_reasons"}
                | {"not_graded_reasons": a.not_graded_reasons}
                for a in self.agencies
            ],
        }


def tally(snapshot: RoundSnapshot) -> Tally:
    """Count submitted returns and their overall grades per agency."""
    overall_key = snapshot.tool.overall.key
    expected = Counter(
        e.agency for e in snapshot.expectations if e.status == ExpectationStatus.expected
    )
    returned: Counter[str] = Counter()
    grades: dict[str, Counter[str]] = {}
    reasons: dict[str, Counter[str]] = {}
    for r in snapshot.submitted:
        returned[r.agency] += 1
        value = r.answers.get(overall_key) or {}
        grade = value.get("grade") if isinstance(value, dict) else None
        if grade in BY_KEY:
            grades.setdefault(r.agency, Counter())[grade] += 1
        else:
            reasons.setdefault(r.agency, Counter())[value.get("reason") or NOT_GRADED] += 1
    agencies = [
        AgencyTally(
            code=a.code,
            name=a.name,
            returned=returned[a.code],
            expected=expected[a.code],
            overall_grades={
                g.name: grades[a.code][g.key]
                for g in SCALE
                if a.code in grades and grades[a.code][g.key]
            },
            not_graded=sum(reasons.get(a.code, Counter()).values()),
            not_graded_reasons=dict(reasons.get(a.code, Counter())),
            extended_to=max(
                (e.extended_to for e in snapshot.expectations if e.agency == a.code), default=""
            ),
        )
        for a in snapshot.agencies
    ]
    return tally_of(snapshot.slug, agencies)


def tally_of(slug: str, agencies: list[AgencyTally]) -> Tally:
    """The round's tally from its agencies' own (each counted by `tally` of that agency)."""
    return Tally(
        round=slug,
        total_returns=sum(a.returned for a in agencies),
        agencies_returning=sum(1 for a in agencies if a.returned),
        agencies=agencies,
    )
