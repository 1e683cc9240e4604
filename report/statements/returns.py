"""Returns statements: how many audits came in, per agency against those expected, late or
missing."""

from collections import Counter

from models.enums import ExpectationStatus
from report.overview import long_date
from report.statements.facts import Facts, Statement
from report.text import listing, plural


def returns_statements(f: Facts) -> list[Statement]:
    s = f.snapshot
    expected = Counter(e.agency for e in s.expectations if e.status == ExpectationStatus.expected)
    total = sum(len(v) for v in f.by_agency.values())
    if total:
        verb = "was" if total == 1 else "were"
        text = (
            f"A total of {plural(total, 'completed audit')} {verb} received from across "
            f"{plural(len(f.by_agency), 'agency', 'agencies')}."
        )
    else:
        text = "No completed audits have been received yet."
    out = [
        Statement(
            "returns.total",
            "returns",
            text,
            {"returns": total, "agencies": len(f.by_agency), "expected": sum(expected.values())},
            sorted(f.overall),
        )
    ]
    late = s.taken_at is not None and s.taken_at > s.due_at
    short, missing, parts = [], [], []
    figures: dict[str, int | str] = {}
    for a in s.agencies:
        rows = f.by_agency.get(a.code, [])
        want = expected[a.code]
        if not want and not rows:
            continue
        parts.append(f"{a.name} {len(rows)} of {want}")
        figures[a.code] = len(rows)
        figures[f"{a.code}_expected"] = want
        if not rows and want:
            missing.append(a.name)
        elif len(rows) < want:
            short.append(f"{a.name} ({len(rows)} of {want})")
    if parts:
        out.append(
            Statement(
                "returns.by_agency",
                "returns",
                f"Returns against those expected, by agency: {'; '.join(parts)}.",
                figures,
                sorted(f.overall),
            )
        )
    word = "late" if late else "not yet received"
    if short:
        out.append(
            Statement(
                "returns.short",
                "returns",
                f"Some expected audits are {word}: {listing(short)}."
                + (f" The due date was {long_date(s.due_at)}." if late else ""),
                {"agencies": len(short)},
            )
        )
    if missing:
        out.append(
            Statement(
                "returns.missing",
                "returns",
                f"No audit has been received from {listing(missing)}.",
                {"agencies": len(missing)},
            )
        )
    return out
