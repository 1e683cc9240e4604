"""Theme statements: an agency's findings (its grades, its most frequent themes, its narrative
length) and the themes raised by several agencies."""

from collections import defaultdict
from statistics import median

from models.tool import MultichoiceQuestion
from report.sections import agency_key
from report.snapshot import ReturnRow
from report.statements.facts import Facts, Statement, grade_statement, ids, possessive
from report.text import listing, plural

TOP_THEMES = 3  # per agency


def _themes_by_agency(f: Facts, code: str, section: str) -> list[Statement]:
    rows = f.by_agency.get(code, [])
    out = []
    for q in f.snapshot.tool.questions:
        if not isinstance(q, MultichoiceQuestion):
            continue
        chose: dict[str, list[ReturnRow]] = defaultdict(list)
        for r in rows:
            value = r.answers.get(q.key)
            for option in value if isinstance(value, list) else []:
                chose[option].append(r)
        ranked = sorted(
            (o for o in q.options if chose.get(o.key)), key=lambda o: -len(chose[o.key])
        )
        for o in ranked[:TOP_THEMES]:
            n = len(chose[o.key])
            out.append(
                Statement(
                    f"{section}.theme.{o.key}",
                    section,
                    f"{o.label}: {n} of {len(rows)} {f.names[code]} returns.",
                    {"returns": n, "of": len(rows)},
                    ids(chose[o.key]),
                )
            )
    return out


def agency_statements(f: Facts, code: str) -> list[Statement]:
    section = agency_key(code)
    rows = f.by_agency.get(code, [])
    name = f.names[code]
    out = [grade_statement(f"{section}.grades", section, name, rows, f)]
    out += _themes_by_agency(f, code, section)
    words = [f.words[r.id] for r in rows]
    out.append(
        Statement(
            f"{section}.style",
            section,
            f"{possessive(name)} returns had a median of {round(median(words))} words of "
            "narrative.",
            {"median_words": round(median(words))},
            ids(rows),
        )
    )
    return out


def cross_cutting(f: Facts, threshold: int) -> list[Statement]:
    out = []
    for q in f.snapshot.tool.questions:
        if not isinstance(q, MultichoiceQuestion):
            continue
        raised: dict[str, list[ReturnRow]] = defaultdict(list)
        for rows in f.by_agency.values():
            for r in rows:
                value = r.answers.get(q.key)
                for option in value if isinstance(value, list) else []:
                    raised[option].append(r)
        for o in q.options:
            rows = raised.get(o.key, [])
            codes = {r.agency for r in rows}
            agencies = [a.name for a in f.snapshot.agencies if a.code in codes]
            if len(agencies) < threshold:
                continue
            out.append(
                Statement(
                    f"themes.{o.key}",
                    "themes",
                    f"{o.label} was raised by {len(agencies)} agencies ({listing(agencies)}) in "
                    f"{plural(len(rows), 'return')}.",
                    {"agencies": len(agencies), "returns": len(rows)},
                    ids(rows),
                )
            )
    out.sort(key=lambda s: (-int(s.figures["agencies"]), -int(s.figures["returns"])))
    if not out:
        out.append(
            Statement(
                "themes.none",
                "themes",
                f"No theme was raised by {threshold} or more agencies.",
                {"threshold": threshold},
            )
        )
    return out
