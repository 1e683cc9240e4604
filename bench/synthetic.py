"""Synthetic round snapshots for the benchmarks and the report tests (synthetic data only)."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from models.enums import ActionStatus, ReturnStatus, RoundStatus
from models.tool import load_tool
from report.snapshot import (
    ActionRow,
    AgencyRow,
    CaseRow,
    ExpectationRow,
    ReturnRow,
    RoundSnapshot,
)

TOOL = load_tool("maa-audit-1")
CSC = ("csc", "Children's Social Care")
POLICE = ("police", "Metropolitan Police")
BROMLEY_Y = ("bromley_y", "Bromley Y")
HOUSING = ("housing", "Housing")
PROBATION = ("probation", "Probation")
EDUCATION = ("education", "LA Education Dept/Education Welfare")


def answers(
    overall: str = "good",
    *,
    reason: str | None = None,
    practice: str | None = None,
    good: str = "Timely strategy meeting and clear plan for C.",
    development: str = "Referral to early help could have been made sooner.",
    themes: Sequence[str] = ("information_sharing",),
    **extra: Any,
) -> dict[str, Any]:
    """A complete set of answers to maa-audit-1; `overall` is a grade key or "not_graded"."""
    grade = (
        {"grade": overall, "reason": reason or "too_little"}
        if overall == "not_graded"
        else {"grade": overall}
    )
    return {
        "involvement": "some",
        "practice": {"grade": practice} if practice else grade,
        "joint_working_grade": grade,
        "impact": grade,
        "good_practice": good,
        "development": development,
        "themes": list(themes),
        "immediate_concern": False,
        **extra,
    }


def ret(
    id: int,
    agency: str,
    case: str,
    overall: str = "good",
    status: ReturnStatus = ReturnStatus.submitted,
    **kw: Any,
) -> ReturnRow:
    at = datetime(2024, 4, 1, 9, 30, tzinfo=UTC) if status == ReturnStatus.submitted else None
    return ReturnRow(id, agency, case, status, answers(overall, **kw), submitted_at=at)


def snapshot(
    agencies: Iterable[tuple[str, str]],
    cases: int,
    expectations: Iterable[tuple[str, str]],
    returns: list[ReturnRow],
    **kw: Any,
) -> RoundSnapshot:
    fields: dict[str, Any] = {
        "slug": "cne-2024",
        "title": "Multi-agency audit 2024",
        "theme": "Children not in receipt of full-time education",
        "partnership": "Northshire Safeguarding Children Partnership",
        "scope": "the six months leading up to the audit",
        "opens_at": datetime(2024, 3, 1, tzinfo=UTC),
        "due_at": datetime(2024, 4, 12, 22, 59, tzinfo=UTC),
        "status": RoundStatus.closed,
        "tool": TOOL,
        "taken_at": datetime(2024, 4, 20, tzinfo=UTC),
    }
    fields.update(kw)
    return RoundSnapshot(
        agencies=[AgencyRow(c, n) for c, n in agencies],
        cases=[CaseRow(f"C{i}") for i in range(1, cases + 1)],
        expectations=[ExpectationRow(a, c) for a, c in expectations],
        returns=returns,
        **fields,
    )


def grid(agency: str, grades: Sequence[str], start: int = 1, first_id: int = 1) -> list[ReturnRow]:
    """Submitted returns of one agency for cases C{start}, C{start+1}, ... with these grades."""
    return [ret(first_id + i, agency, f"C{start + i}", g) for i, g in enumerate(grades)]


def reference_snapshot(**kw: Any) -> RoundSnapshot:
    """A round shaped like the 2024 overview: CSC 7 (of 8) graded Good 4, Requires Improvement 3."""
    agencies = [CSC, POLICE, BROMLEY_Y, HOUSING, PROBATION, EDUCATION]
    exp = [(a, f"C{i}") for a in ("csc", "police", "education") for i in range(1, 9)]
    exp += [("bromley_y", f"C{i}") for i in range(1, 6)] + [("housing", "C3"), ("probation", "C4")]
    rets = grid("csc", ["good"] * 4 + ["requires_improvement"] * 3, first_id=1)
    rets.append(ret(8, "csc", "C8", "good", ReturnStatus.draft))  # a draft never counts
    rets += grid("police", ["good"] * 8, first_id=10)
    rets += grid("education", ["good"] * 6, first_id=20)
    # Bromley Y grades C4 and C5 Inadequate where Police says Good: two steps apart.
    by = ["good", "requires_improvement", "requires_improvement", "inadequate", "inadequate"]
    rets += grid("bromley_y", by, first_id=30)
    rets.append(ret(40, "probation", "C4", "not_graded", reason="historical_only"))
    actions = [
        ActionRow(
            1,
            "Health partners review the impact of the iSPA.",
            "Health partners",
            datetime(2024, 9, 30, tzinfo=UTC),
        ),
        ActionRow(
            2,
            "Hold an audit standards workshop.",
            "Business unit",
            None,
            "Booked",
            ActionStatus.in_progress,
        ),
    ]
    return snapshot(agencies, 8, exp, rets, actions=actions, **kw)


def empty_snapshot(**kw: Any) -> RoundSnapshot:
    """An open round: agencies asked, nothing submitted yet (one draft)."""
    exp = [("csc", f"C{i}") for i in range(1, 4)] + [("housing", "C1")]
    drafts = [ret(1, "csc", "C1", status=ReturnStatus.draft)]
    return snapshot([CSC, HOUSING], 3, exp, drafts, status=RoundStatus.open, **kw)


def ungraded_snapshot() -> RoundSnapshot:
    """Every return came back "not graded"."""
    exp = [("csc", "C1"), ("csc", "C2"), ("housing", "C1")]
    rets = [
        ret(1, "csc", "C1", "not_graded", reason="no_involvement"),
        ret(2, "csc", "C2", "not_graded", reason="transferred"),
        ret(3, "housing", "C1", "not_graded", reason="no_involvement"),
    ]
    return snapshot([CSC, HOUSING], 2, exp, rets)


def big_snapshot(agencies: int, cases: int, seed: int = 7) -> RoundSnapshot:
    """Every agency audits every case, with narratives of realistic, varied length (the bench)."""
    import random

    rnd = random.Random(seed)
    words = (  # noqa: SIM905
        "the social worker visited promptly and shared the plan with school health and police "
        "partners although the referral to early help was delayed and the voice of the child "
        "was not always recorded strategy meeting information sharing escalation timely"
    ).split()
    themes = [o.key for o in TOOL.question("themes").options]  # type: ignore[union-attr]
    grades = ["outstanding", "good", "good", "requires_improvement", "inadequate", "not_graded"]

    def text(mean: int) -> str:
        n = max(3, int(rnd.gauss(mean, mean / 3)) // 7)
        return " ".join(rnd.choice(words) for _ in range(n)).capitalize() + "."

    codes = [(f"a{i}", f"Agency {i}") for i in range(1, agencies + 1)]
    exp, rets = [], []
    for code, _ in codes:
        for c in range(1, cases + 1):
            exp.append((code, f"C{c}"))
            extra = {"learning": text(300)} if rnd.random() < 0.5 else {}
            rets.append(
                ret(
                    len(rets) + 1,
                    code,
                    f"C{c}",
                    rnd.choice(grades),
                    good=text(700),
                    development=text(500),
                    themes=rnd.sample(themes, 2),
                    **extra,
                )
            )
    return snapshot(codes, cases, exp, rets)
