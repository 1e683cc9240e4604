"""Audit-standards figures per agency: how each agency audits, so style differences are seen.

Pure functions of a round snapshot (submitted returns only), for `maa tally --standards`, the
report's method section and the workshop pack. "Not graded" comes from the tally, so the
figures here and there never disagree.
"""

from dataclasses import asdict, dataclass, field
from statistics import median
from typing import Any

from models.grades import NOT_GRADED_REASONS
from models.tool import TextQuestion
from report.snapshot import ReturnRow, RoundSnapshot
from report.tally import tally


@dataclass(frozen=True)
class AgencyStandards:
    code: str
    name: str
    returns: int  # submitted
    median_words: int | None  # median words of a written answer (None: nothing written)
    words_by_question: dict[str, int]  # question title -> median words, answered ones only
    optional_answered: int  # optional questions answered, over all its returns
    optional_asked: int  # optional questions asked, over all its returns
    not_graded: int  # returns whose overall grade is "not graded"
    not_graded_reasons: dict[str, int] = field(default_factory=dict)  # reason label -> returns
    median_minutes: float | None = None  # first answer to submission (None: not known)
    confirmed_checks: int = 0  # submitted despite the cross-checks, with a reason

    @property
    def optional_share(self) -> float | None:
        return self.optional_answered / self.optional_asked if self.optional_asked else None

    @property
    def not_graded_share(self) -> float | None:
        return self.not_graded / self.returns if self.returns else None

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {
            "optional_share": self.optional_share,
            "not_graded_share": self.not_graded_share,
        }


def _label(reason: str) -> str:
    """A reason's label without its gloss: "Historical involvement only" (tables are narrow)."""
    return NOT_GRADED_REASONS.get(reason, reason).split(" (")[0]


def words(text: str) -> int:
    return len(text.split())


def _minutes(r: ReturnRow) -> float | None:
    if r.first_answer_at is None or r.submitted_at is None:
        return None
    return max((r.submitted_at - r.first_answer_at).total_seconds(), 0.0) / 60


def standards(snapshot: RoundSnapshot) -> list[AgencyStandards]:
    """One row per agency with submitted returns, in the round file's order."""
    tool = snapshot.tool
    texts = [q for q in tool.questions if isinstance(q, TextQuestion)]
    optional = [q.key for q in tool.questions if not q.required]
    counts = {a.code: a for a in tally(snapshot).agencies}
    by_agency: dict[str, list[ReturnRow]] = {}
    for r in snapshot.submitted:
        by_agency.setdefault(r.agency, []).append(r)
    rows = []
    for a in snapshot.agencies:
        rets = by_agency.get(a.code)
        if not rets:
            continue
        per_q = {
            q.title: [words(v) for r in rets if isinstance(v := r.answers.get(q.key), str)]
            for q in texts
        }
        every = [n for ns in per_q.values() for n in ns]
        times = [m for r in rets if (m := _minutes(r)) is not None]
        t = counts[a.code]
        rows.append(
            AgencyStandards(
                code=a.code,
                name=a.name,
                returns=len(rets),
                median_words=round(median(every)) if every else None,
                words_by_question={k: round(median(v)) for k, v in per_q.items() if v},
                optional_answered=sum(
                    1 for r in rets for k in optional if r.answers.get(k) is not None
                ),
                optional_asked=len(optional) * len(rets),
                not_graded=t.not_graded,
                not_graded_reasons={_label(k): n for k, n in t.not_graded_reasons.items()},
                median_minutes=round(median(times), 1) if times else None,
                confirmed_checks=sum(1 for r in rets if r.cross_check_reason),
            )
        )
    return rows


def share(value: float | None) -> str:
    return "–" if value is None else f"{round(value * 100)}%"


def duration(minutes: float | None) -> str:
    """A median time as people say it: "under a minute", "35 min", "5.5 hours", "3.0 days"."""
    if minutes is None:
        return "–"
    if minutes < 1:
        return "under a minute"
    if minutes < 90:
        return f"{round(minutes)} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} hours"
    return f"{minutes / 1440:.1f} days"


def not_graded_text(row: AgencyStandards) -> str:
    if not row.not_graded:
        return "0%"
    why = ", ".join(f"{label.lower()} {n}" for label, n in row.not_graded_reasons.items())
    return f"{share(row.not_graded_share)} ({why})"


HEADERS = [
    "Agency",
    "Returns",
    "Median words per answer",
    "Optional questions answered",
    "Not graded (why)",
    "First answer to submission (median)",
    "Confirmed despite cross-checks",
]


def table(rows: list[AgencyStandards]) -> list[list[str]]:
    """The figures as table cells, in HEADERS order: every format prints these same words."""
    return [
        [
            r.name,
            str(r.returns),
            "–" if r.median_words is None else str(r.median_words),
            share(r.optional_share),
            not_graded_text(r),
            duration(r.median_minutes),
            str(r.confirmed_checks),
        ]
        for r in rows
    ]
