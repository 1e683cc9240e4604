"""Outcome statements: grades per sector, the sector grading lowest most often, the cases whose
grades diverge between agencies, the cases agencies could not grade, closure to Children's Social
Care, and audit style (narrative length)."""

from collections import Counter, defaultdict
from statistics import median

from models.enums import Sector
from models.grades import BY_KEY, NOT_GRADED, SCALE
from models.tool import ChoiceQuestion
from report.figures import MATRIX_MIN_STEPS
from report.grade_values import grade_of
from report.overview import reason_label
from report.snapshot import ReturnRow
from report.statements.facts import (
    LOW_GRADES,
    Facts,
    Statement,
    grade_statement,
    ids,
    possessive,
)
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
# The maa-audit-2 question on the child's status with Children's Social Care at the time of audit.
CSC_STATUS = "csc_status"
CSC_CLOSED = "closed"


def sectors(f: Facts) -> list[Statement]:
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
        out.append(grade_statement(f"outcomes.sector.{sector.name}", "outcomes", label, rows, f))
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
                ids(rows),
            )
        )
    return out


def divergent(f: Facts) -> list[Statement]:
    if f.divergent is None:
        f.divergent = _find_divergent(f)
    return f.divergent


def _find_divergent(f: Facts) -> list[Statement]:
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
                ids(rows),
            )
        )
    return out


def involvement(f: Facts) -> list[Statement]:
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
                ids(rows),
            )
        )
    question = f.snapshot.tool.question(CSC_STATUS)
    if isinstance(question, ChoiceQuestion):
        out.extend(_closed_to_csc(f))
    return out


def _closed_to_csc(f: Facts) -> list[Statement]:
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
            ids(behind),
        )
    ]


def style(f: Facts) -> list[Statement]:
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


def divergent_summary(f: Facts) -> list[Statement]:
    cases = divergent(f)
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


def outcome_statements(f: Facts) -> list[Statement]:
    return sectors(f) + divergent(f) + involvement(f) + style(f)
