"""Statements MAA drafts from the returns, section by section, for the coordinator to insert.

Each statement is a sentence with the figures in it and the ids of the returns behind it. They are
pure functions of the snapshot (deterministic: same returns, same words), computed in one pass
over the submitted returns, so a round of 20,000 returns is drafted well within a second.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median

from models.enums import ExpectationStatus, Sector
from models.grades import BY_KEY, NOT_GRADED, SCALE
from models.tool import ChoiceQuestion, MultichoiceQuestion, TextQuestion
from report.overview import MATRIX_MIN_STEPS, grade_of, long_date, reason_label
from report.sections import SectionKind, agency_key, plan_sections
from report.snapshot import ReturnRow, RoundSnapshot
from report.text import listing, plural

SECTOR_LABELS = {
    Sector.health: "Health partners",
    Sector.education: "Education",
    Sector.police: "Police",
    Sector.social_care: "Social care",
    Sector.early_help: "Early help",
    Sector.housing: "Housing",
    Sector.probation: "Probation",
    Sector.voluntary: "Voluntary sector partners",
}
LOW_GRADES = ("requires_improvement", "inadequate")
# The maa-audit-2 question on the child's status with Children's Social Care at the time of audit.
CSC_STATUS = "csc_status"
CSC_CLOSED = "closed"
TOP_THEMES = 3  # per agency


@dataclass(frozen=True)
class Statement:
    id: str  # stable: "returns.agency.csc"
    section: str
    text: str
    figures: dict[str, int | str] = field(default_factory=dict)
    return_ids: list[int] = field(default_factory=list)


@dataclass
class _Facts:
    """Everything the statements need, gathered in one pass over the submitted returns."""

    snapshot: RoundSnapshot
    names: dict[str, str]
    by_agency: dict[str, list[ReturnRow]]
    overall: dict[int, str]  # return id -> grade key or "not_graded"
    words: dict[int, int]  # return id -> narrative words
    divergent: list[Statement] | None = None  # drafted once, used by two sections


def _gather(snapshot: RoundSnapshot) -> _Facts:
    key = snapshot.tool.overall.key
    texts = [q.key for q in snapshot.tool.questions if isinstance(q, TextQuestion)]
    by_agency: dict[str, list[ReturnRow]] = defaultdict(list)
    overall, words = {}, {}
    for r in snapshot.submitted:
        by_agency[r.agency].append(r)
        overall[r.id] = grade_of(r.answers.get(key))[0]
        words[r.id] = sum(len(v.split()) for k in texts if isinstance(v := r.answers.get(k), str))
    names = {a.code: a.name for a in snapshot.agencies}
    return _Facts(snapshot, names, by_agency, overall, words)


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _ids(rows: list[ReturnRow]) -> list[int]:
    return sorted(r.id for r in rows)


def _grade_name(key: str) -> str:
    return BY_KEY[key].short if key in BY_KEY else "Not graded"


def _most_least(counts: Counter[str]) -> tuple[str, str] | None:
    """Most and least frequent grades given (scale order breaks ties), or None if none."""
    given = [(g.key, counts[g.key]) for g in SCALE if counts[g.key]]
    if not given:
        return None
    most = max(given, key=lambda kv: kv[1])[0]
    least = min(given, key=lambda kv: kv[1])[0]
    return most, least


def _grade_statement(sid: str, section: str, who: str, rows: list[ReturnRow], f: _Facts):
    counts = Counter(f.overall[r.id] for r in rows)
    found = _most_least(counts)
    graded = sum(n for k, n in counts.items() if k in BY_KEY)
    if found is None:
        text = f"{who} gave no overall grade in {plural(len(rows), 'return')}."
        return Statement(sid, section, text, {"returns": len(rows), "graded": 0}, _ids(rows))
    most, least = found
    mix = ", ".join(f"{g.short} {counts[g.key]}" for g in SCALE if counts[g.key])
    text = f"{who} most often graded {_grade_name(most)} ({counts[most]} of {graded} graded)"
    if least != most:
        text += f" and least often {_grade_name(least)} ({counts[least]})"
    text += f": {mix}."
    figures: dict[str, int | str] = {"graded": graded, "most": most, "least": least}
    figures.update({g.key: counts[g.key] for g in SCALE})
    return Statement(sid, section, text, figures, _ids(rows))


def _returns(f: _Facts) -> list[Statement]:
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


def _sectors(f: _Facts) -> list[Statement]:
    by_sector: dict[str, list[ReturnRow]] = defaultdict(list)
    for a in f.snapshot.agencies:
        if a.sector:
            by_sector[a.sector].extend(f.by_agency.get(a.code, []))
    out = []
    shares = []
    for sector in Sector:
        rows = by_sector.get(sector.value, [])
        if not rows:
            continue
        label = SECTOR_LABELS[sector]
        out.append(_grade_statement(f"outcomes.sector.{sector.name}", "outcomes", label, rows, f))
        graded = [r for r in rows if f.overall[r.id] in BY_KEY]
        low = [r for r in graded if f.overall[r.id] in LOW_GRADES]
        if graded:
            shares.append((len(low) / len(graded), len(low), len(graded), label, low))
    if shares and max(s[1] for s in shares):
        share, low, graded, label, rows = max(shares, key=lambda s: (s[0], s[1]))
        out.append(
            Statement(
                "outcomes.sector.lowest",
                "outcomes",
                f"{label} were the most likely to grade Requires Improvement or Inadequate: "
                f"{low} of {graded} graded returns ({round(100 * share)}%).",
                {"low": low, "graded": graded, "percent": round(100 * share)},
                _ids(rows),
            )
        )
    return out


def _divergent(f: _Facts) -> list[Statement]:
    if f.divergent is None:
        f.divergent = _find_divergent(f)
    return f.divergent


def _find_divergent(f: _Facts) -> list[Statement]:
    by_case: dict[str, list[ReturnRow]] = defaultdict(list)
    for rows in f.by_agency.values():
        for r in rows:
            if f.overall[r.id] in BY_KEY:
                by_case[r.case].append(r)
    out = []
    for c in f.snapshot.cases:
        rows = by_case.get(c.reference, [])
        if len(rows) < 2:
            continue
        ranks = [BY_KEY[f.overall[r.id]].rank for r in rows]
        spread = max(ranks) - min(ranks)
        if spread < MATRIX_MIN_STEPS:
            continue
        hi = [f.names[r.agency] for r in rows if BY_KEY[f.overall[r.id]].rank == min(ranks)]
        lo = [f.names[r.agency] for r in rows if BY_KEY[f.overall[r.id]].rank == max(ranks)]
        best, worst = SCALE[min(ranks) - 1].short, SCALE[max(ranks) - 1].short
        out.append(
            Statement(
                f"outcomes.divergent.{c.reference}",
                "outcomes",
                f"Grades for {c.reference} differ by {spread} steps: {listing(hi)} graded "
                f"{best}, {listing(lo)} graded {worst}.",
                {"case": c.reference, "steps": spread, "highest": best, "lowest": worst},
                _ids(rows),
            )
        )
    return out


def _involvement(f: _Facts) -> list[Statement]:
    key = f.snapshot.tool.overall.key
    out = []
    for a in f.snapshot.agencies:
        rows = [r for r in f.by_agency.get(a.code, []) if f.overall[r.id] == NOT_GRADED]
        if not rows:
            continue
        why = Counter(reason_label(grade_of(r.answers.get(key))[1]) for r in rows)
        reasons = "; ".join(f"{label.lower()} {n}" for label, n in why.most_common())
        out.append(
            Statement(
                f"outcomes.not_graded.{a.code}",
                "outcomes",
                f"{a.name} could not grade {plural(len(rows), 'case')}: {reasons}.",
                {"not_graded": len(rows)},
                _ids(rows),
            )
        )
    question = f.snapshot.tool.question(CSC_STATUS)
    if isinstance(question, ChoiceQuestion):
        out.extend(_closed_to_csc(f))
    return out


def _closed_to_csc(f: _Facts) -> list[Statement]:
    """Cases closed to Children's Social Care at the time of audit. A social care agency's own
    answer settles a case; otherwise the case counts as closed when every other return that
    answered says so."""
    social = {a.code for a in f.snapshot.agencies if a.sector == Sector.social_care}
    answers: dict[str, list[tuple[bool, ReturnRow]]] = defaultdict(list)
    for rows in f.by_agency.values():
        for r in rows:
            value = r.answers.get(CSC_STATUS)
            if isinstance(value, str):
                answers[r.case].append((r.agency in social, r))
    closed: list[str] = []
    behind: list[ReturnRow] = []
    for c in f.snapshot.cases:
        given = answers.get(c.reference, [])
        own = [r for is_social, r in given if is_social]
        deciding = own or [r for _, r in given]
        if deciding and all(r.answers[CSC_STATUS] == CSC_CLOSED for r in deciding):
            closed.append(c.reference)
            behind.extend(deciding)
    if not answers:
        return []
    audited = len({r.case for rows in f.by_agency.values() for r in rows})
    return [
        Statement(
            "outcomes.closed_to_csc",
            "outcomes",
            f"{len(closed)} of the {audited} cases audited were closed to Children's Social Care "
            f"at the time of audit" + (f" ({', '.join(closed)})." if closed else "."),
            {"closed": len(closed), "cases": audited},
            _ids(behind),
        )
    ]


def _style(f: _Facts) -> list[Statement]:
    medians = {
        a.code: median(f.words[r.id] for r in f.by_agency[a.code])
        for a in f.snapshot.agencies
        if f.by_agency.get(a.code)
    }
    if len(medians) < 2:
        return []
    longest = max(medians, key=lambda c: medians[c])
    shortest = min(medians, key=lambda c: medians[c])
    all_words = sorted(medians.values())
    middle = median(all_words)
    most, least = possessive(f.names[longest]), possessive(f.names[shortest])
    text = (
        f"Audit styles differ: {most} returns were the most detailed (median "
        f"{round(medians[longest])} words of narrative per return), {least} the briefest "
        f"(median {round(medians[shortest])}); the median across agencies was {round(middle)}."
    )
    figures: dict[str, int | str] = {c: round(m) for c, m in medians.items()}
    return [Statement("outcomes.audit_style", "outcomes", text, figures)]


def _themes_by_agency(f: _Facts, code: str, section: str) -> list[Statement]:
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
                    _ids(chose[o.key]),
                )
            )
    return out


def _agency(f: _Facts, code: str) -> list[Statement]:
    section = agency_key(code)
    rows = f.by_agency.get(code, [])
    name = f.names[code]
    out = [_grade_statement(f"{section}.grades", section, name, rows, f)]
    out += _themes_by_agency(f, code, section)
    words = [f.words[r.id] for r in rows]
    out.append(
        Statement(
            f"{section}.style",
            section,
            f"{possessive(name)} returns had a median of {round(median(words))} words of "
            "narrative.",
            {"median_words": round(median(words))},
            _ids(rows),
        )
    )
    return out


def _cross_cutting(f: _Facts, threshold: int) -> list[Statement]:
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
                    _ids(rows),
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


def _caution(f: _Facts, section: str) -> list[Statement]:
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


def _intro(f: _Facts) -> list[Statement]:
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
        *_caution(f, "introduction"),
    ]


def _method(f: _Facts) -> list[Statement]:
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


def _recommendations(f: _Facts) -> list[Statement]:
    return [
        Statement(
            f"recommendations.{a.number}",
            "recommendations",
            f"{a.number}. {a.recommendation}" + (f" (Owner: {a.owner}.)" if a.owner else ""),
            {"number": a.number},
        )
        for a in sorted(f.snapshot.actions, key=lambda a: a.number)
    ]


def _low_share(f: _Facts) -> tuple[int, int]:
    graded = [k for k in f.overall.values() if k in BY_KEY]
    return sum(1 for k in graded if k in LOW_GRADES), len(graded)


def _comparison(f: _Facts) -> list[Statement]:
    prev = f.snapshot.previous
    if prev is None:
        return []
    p = _gather(prev)
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


def draft_statements(
    snapshot: RoundSnapshot, *, theme_threshold: int | None = None
) -> dict[str, list[Statement]]:
    """Every section's drafted statements, keyed by section key, in report order."""
    f = _gather(snapshot)
    threshold = theme_threshold or snapshot.theme_threshold
    out: dict[str, list[Statement]] = {}
    for sec in plan_sections(snapshot):
        match sec.kind:
            case SectionKind.introduction:
                out[sec.key] = _intro(f)
            case SectionKind.method:
                out[sec.key] = _method(f)
            case SectionKind.returns:
                out[sec.key] = _returns(f)
            case SectionKind.outcomes:
                found = _sectors(f) + _divergent(f) + _involvement(f) + _style(f)
                out[sec.key] = found
            case SectionKind.agency:
                out[sec.key] = _agency(f, sec.agency or "")
            case SectionKind.themes:
                out[sec.key] = _cross_cutting(f, threshold)
            case SectionKind.conclusions:
                out[sec.key] = _caution(f, "conclusions") + _divergent_summary(f)
            case SectionKind.recommendations:
                out[sec.key] = _recommendations(f)
            case SectionKind.comparison:
                out[sec.key] = _comparison(f)
            case SectionKind.annex:
                out[sec.key] = []
    return out


def _divergent_summary(f: _Facts) -> list[Statement]:
    cases = _divergent(f)
    if not cases:
        return []
    refs = [str(s.figures["case"]) for s in cases]
    return [
        Statement(
            "conclusions.divergent",
            "conclusions",
            f"Agencies' grades differed by {MATRIX_MIN_STEPS} or more steps for "
            f"{plural(len(refs), 'case')} ({', '.join(refs)}): a multi-agency discussion of these "
            "cases would test the grading.",
            {"cases": len(refs)},
            sorted({i for s in cases for i in s.return_ids}),
        )
    ]
