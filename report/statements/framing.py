"""Statements that frame the report: the introduction, the method, the small-cohort caution, the
recommendations (from the action plan) and the comparison with the previous round."""

from models.enums import ExpectationStatus
from models.grades import BY_KEY
from report.overview import long_date
from report.statements.facts import LOW_GRADES, Facts, Statement, gather
from report.text import plural


def caution(f: Facts, section: str) -> list[Statement]:
    n, size = len(f.snapshot.cases), f.snapshot.writeup.caution_size
    if n >= size:
        return []
    return [
        Statement(
            f"{section}.caution",
            section,
            f"The cohort audited is small ({plural(n, 'child', 'children')}), so the themes "
            "cannot be considered statistically reliable for the wider population of children; "
            "they point to where practice can be strengthened.",
            {"cases": n, "caution_size": size},
        )
    ]


def introduction(f: Facts) -> list[Statement]:
    s = f.snapshot
    return [
        Statement(
            "introduction.purpose",
            "introduction",
            f"This report brings together the findings of a thematic multi-agency audit by "
            f"{s.partnership} on the theme of {s.theme.lower()}. Partner agencies audited their "
            f"own work with {plural(len(s.cases), 'child', 'children')}, each known only by a "
            f"case reference. The audit looked at practice in {s.scope}.",
            {"cases": len(s.cases)},
        ),
        *caution(f, "introduction"),
    ]


def method(f: Facts) -> list[Statement]:
    s = f.snapshot
    codes = {e.agency for e in s.expectations if e.status == ExpectationStatus.expected}
    asked = [a.name for a in s.agencies if a.code in codes]
    return [
        Statement(
            "method.tool",
            "method",
            f"An audit tool ({s.tool.title}, version {s.tool.version}) was circulated to "
            f"{plural(len(asked), 'partner agency', 'partner agencies')}. Partners graded their "
            "own agency's work against the ILACS grade descriptors (Outstanding, Good, Requires "
            "Improvement to be Good, Inadequate), or recorded why they could not grade. Audits "
            f"were open from {long_date(s.opens_at)} to {long_date(s.due_at)}.",
            {"agencies": len(asked)},
        )
    ]


def recommendations(f: Facts) -> list[Statement]:
    return [
        Statement(
            f"recommendations.{a.number}",
            "recommendations",
            f"{a.number}. {a.recommendation}" + (f" (Owner: {a.owner}.)" if a.owner else ""),
            {"number": a.number},
        )
        for a in sorted(f.snapshot.actions, key=lambda a: a.number)
    ]


def _low_share(f: Facts) -> tuple[int, int]:
    graded = [k for k in f.overall.values() if k in BY_KEY]
    return sum(1 for k in graded if k in LOW_GRADES), len(graded)


def comparison(f: Facts) -> list[Statement]:
    prev = f.snapshot.previous
    if prev is None:
        return []
    p = gather(prev)
    now_total, was_total = len(f.overall), len(p.overall)
    now_low, now_graded = _low_share(f)
    was_low, was_graded = _low_share(p)

    def pct(a: int, b: int) -> str:
        return f"{round(100 * a / b)}%" if b else "–"

    return [
        Statement(
            "comparison.returns",
            "comparison",
            f"Returns: {was_total} from {len(p.by_agency)} agencies in {prev.title}; "
            f"{now_total} from {len(f.by_agency)} agencies in this round.",
            {"previous": was_total, "current": now_total},
        ),
        Statement(
            "comparison.low_grades",
            "comparison",
            f"Share of graded returns at Requires Improvement or Inadequate: "
            f"{pct(was_low, was_graded)} ({was_low} of {was_graded}) previously, "
            f"{pct(now_low, now_graded)} ({now_low} of {now_graded}) now.",
            {"previous": was_low, "current": now_low},
        ),
    ]
