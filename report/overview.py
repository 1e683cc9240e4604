"""Build the overview report model from a round snapshot: every figure is computed once, here
or in report/figures.py (the tally, the domain grades and the case grid)."""

from collections import Counter, defaultdict
from datetime import datetime

from models.enums import RoundStatus
from models.grades import BY_NAME, NOT_GRADED_LABEL, NOT_GRADED_REASONS, SCALE
from models.tool import MultichoiceQuestion, TextQuestion
from report.figures import MATRIX_MIN_STEPS, Figures, report_figures
from report.model import (
    ActionLine,
    AgencyFindings,
    Comparison,
    ComparisonRow,
    Count,
    Descriptor,
    Excerpt,
    FindingGroup,
    NarrativeRow,
    OutcomeLine,
    OverviewReport,
    ReturnsLine,
    SectionView,
    ThemeRow,
)
from report.moderated import AGENCY, MODERATED, moderated_lines
from report.snapshot import ReturnRow, RoundSnapshot
from report.standards import standards
from report.standards import table as standards_table
from report.tally import Tally, tally

MAX_EXCERPTS = 10  # narratives per agency per question; the exports hold every one
NO_REASON = "No reason given"


def long_date(value: datetime | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def reason_label(key: str) -> str:
    return NOT_GRADED_REASONS.get(key, NO_REASON)


def outcome_line(name: str, grades: list[int], not_graded: int) -> str:
    parts = [f"{g.short} {n}" for g, n in zip(SCALE, grades, strict=True) if n]
    if not_graded:
        parts.append(f"{NOT_GRADED_LABEL} {not_graded}")
    return f"{name} – {', '.join(parts)}"


def _outcomes(t: Tally) -> list[OutcomeLine]:
    lines = []
    for a in t.agencies:
        if not a.returned:
            continue
        counts = {BY_NAME[name].key: n for name, n in a.overall_grades.items()}
        grades = [counts.get(g.key, 0) for g in SCALE]
        reasons = [Count(reason_label(k), n) for k, n in a.not_graded_reasons.items()]
        line = outcome_line(a.name, grades, a.not_graded)
        lines.append(OutcomeLine(a.code, a.name, a.returned, grades, a.not_graded, reasons, line))
    return lines


def _findings(
    snapshot: RoundSnapshot, by_agency: dict[str, list[ReturnRow]], max_excerpts: int
) -> list[AgencyFindings]:
    # Every text question of the tool feeds the findings, so a new tool version needs no code.
    texts = [q for q in snapshot.tool.questions if isinstance(q, TextQuestion)]
    order = {c.reference: i for i, c in enumerate(snapshot.cases)}
    found = []
    for a in snapshot.agencies:
        rets = sorted(by_agency.get(a.code, []), key=lambda r: order.get(r.case, len(order)))
        groups = []
        for q in texts:
            answers = [(r.case, r.answers.get(q.key)) for r in rets]
            excerpts = [
                Excerpt(c, v.strip()) for c, v in answers if isinstance(v, str) and v.strip()
            ]
            if excerpts:
                kept = excerpts[:max_excerpts]
                groups.append(FindingGroup(q.title, kept, len(excerpts) - len(kept)))
        if groups:
            found.append(AgencyFindings(a.name, groups))
    return found


def _themes(snapshot: RoundSnapshot, returns: list[ReturnRow]) -> list[ThemeRow]:
    names = {a.code: a.name for a in snapshot.agencies}
    rows = []
    for q in snapshot.tool.questions:
        if not isinstance(q, MultichoiceQuestion):
            continue
        raised: dict[str, set[str]] = defaultdict(set)
        counts: Counter[str] = Counter()
        for r in returns:
            value = r.answers.get(q.key)
            for option in value if isinstance(value, list) else []:
                raised[option].add(r.agency)
                counts[option] += 1
        for o in q.options:
            if counts[o.key]:
                agencies = [names[c] for c in names if c in raised[o.key]]
                rows.append(ThemeRow(o.label, q.title, agencies, counts[o.key]))
    # Stable sort: ties keep the tool's order, which the partnership chose deliberately.
    return sorted(rows, key=lambda t: (-len(t.agencies), -t.returns))


def _narrative(
    snapshot: RoundSnapshot, by_agency: dict[str, list[ReturnRow]]
) -> list[NarrativeRow]:
    keys = [q.key for q in snapshot.tool.questions if isinstance(q, TextQuestion)]
    rows = []
    for a in snapshot.agencies:
        rets = by_agency.get(a.code, [])
        if not rets:
            continue
        chars = sum(len(v) for r in rets for k in keys if isinstance(v := r.answers.get(k), str))
        rows.append(NarrativeRow(a.name, len(rets), round(chars / len(rets))))
    return rows


def _actions(snapshot: RoundSnapshot) -> list[ActionLine]:
    return [
        ActionLine(
            number=a.number,
            recommendation=a.recommendation,
            owner=a.owner,
            due=long_date(a.due_at),
            progress=a.progress,
            status=str(a.status).replace("_", " ").capitalize(),
        )
        for a in sorted(snapshot.actions, key=lambda a: a.number)
    ]


def _rate(t: Tally) -> tuple[int, int]:
    """Returns that answer an expectation, and expectations: extra returns do not lift the rate."""
    return sum(min(a.returned, a.expected) for a in t.agencies), sum(a.expected for a in t.agencies)


def _mix(t: Tally) -> list[str]:
    graded = Counter[str]()
    for a in t.agencies:
        graded.update(a.overall_grades)
    total = sum(graded.values())
    mix = [
        f"{round(100 * graded[g.name] / total)}% ({graded[g.name]})" if total else "–"
        for g in SCALE
    ]
    not_graded = sum(a.not_graded for a in t.agencies)
    return [*mix, str(not_graded)]


def _comparison(current: Tally, snapshot: RoundSnapshot) -> Comparison | None:
    if snapshot.previous is None:
        return None
    before = tally(snapshot.previous)

    def rate(t: Tally) -> str:
        met, expected = _rate(t)
        return f"{round(100 * met / expected)}% ({met} of {expected})" if expected else "–"

    rows = [
        ComparisonRow("Returns received", str(before.total_returns), str(current.total_returns)),
        ComparisonRow(
            "Agencies returning", str(before.agencies_returning), str(current.agencies_returning)
        ),
        ComparisonRow("Return rate", rate(before), rate(current)),
    ]
    labels = [f"{g.short} (share of graded returns)" for g in SCALE] + [NOT_GRADED_LABEL]
    for label, was, now in zip(labels, _mix(before), _mix(current), strict=True):
        rows.append(ComparisonRow(label, was, now))
    return Comparison(snapshot.previous.title, snapshot.previous.slug, rows)


def _sections(snapshot: RoundSnapshot, theme_threshold: int | None) -> list[SectionView]:
    # Imported here: the statements use this module's grade rules, so it cannot come first.
    from report.sections import plan_sections
    from report.statements import draft_statements

    drafted = draft_statements(snapshot, theme_threshold=theme_threshold)
    texts = snapshot.writeup.texts
    return [
        SectionView(
            key=s.key,
            title=s.title,
            kind=s.kind.value,
            text=(texts.get(s.key) or "").strip(),
            statements=[st.text for st in drafted.get(s.key, [])],
        )
        for s in plan_sections(snapshot)
    ]


def build_report(
    snapshot: RoundSnapshot,
    *,
    theme_threshold: int | None = None,
    min_steps: int = MATRIX_MIN_STEPS,
    max_excerpts: int = MAX_EXCERPTS,
    figures_only: bool = False,
    figures: Figures | None = None,
    grades: str | None = None,
) -> OverviewReport:
    """The whole overview report of a round, from its submitted returns only.

    figures_only: the counts, grades and grid alone, without findings, themes, narrative,
    actions or comparison (the desk's live dashboard reads only the grades).
    figures: those counts, grades and grid already worked out from this snapshot's returns
    with the same `grades` (the desk keeps them current part by part); computed when not given.
    grades: which grades the case grid and its "grades differ" analysis use: the agencies'
    own ("agency") or, where a moderator recorded one, the moderated grade ("moderated");
    by default the snapshot's choice.
    """
    grades = grades or snapshot.matrix_grades
    if grades not in (AGENCY, MODERATED):
        raise ValueError(f"grades is {AGENCY!r} or {MODERATED!r}")
    f = figures or report_figures(snapshot, min_steps, grades)
    t = f.tally
    returns = [] if figures_only else snapshot.submitted
    by_agency: dict[str, list[ReturnRow]] = defaultdict(list)
    for r in returns:
        by_agency[r.agency].append(r)
    asked = [a for a in t.agencies if a.expected]
    listed = [a for a in t.agencies if a.expected or a.returned]
    reasons = Counter[str]()
    for a in t.agencies:
        reasons.update(a.not_graded_reasons)
    w = snapshot.writeup
    return OverviewReport(
        slug=snapshot.slug,
        title=snapshot.title,
        theme=snapshot.theme,
        partnership=snapshot.partnership,
        scope=snapshot.scope,
        opens=long_date(snapshot.opens_at),
        due=long_date(snapshot.due_at),
        interim=snapshot.status != RoundStatus.closed and not w.final,
        cases=len(snapshot.cases),
        generated=long_date(snapshot.taken_at),
        tool_title=snapshot.tool.title,
        tool_version=snapshot.tool.version,
        agencies_asked=[a.name for a in (asked or t.agencies)],
        grade_names=[g.name for g in SCALE],
        grade_short=[g.short for g in SCALE],
        not_graded_labels=list(NOT_GRADED_REASONS.values()),
        total_returns=t.total_returns,
        total_expected=sum(a.expected for a in t.agencies),
        agencies_returning=t.agencies_returning,
        returns=[
            ReturnsLine(a.code, a.name, a.returned, a.expected, f"{a.name} – {a.breakdown}")
            for a in listed
        ],
        missing_agencies=[a.name for a in asked if not a.returned],
        outcomes=_outcomes(t),
        not_graded_total=sum(reasons.values()),
        not_graded_reasons=[Count(reason_label(k), n) for k, n in reasons.most_common()],
        domains=f.domains,
        matrix=f.matrix,
        findings=[] if figures_only else _findings(snapshot, by_agency, max_excerpts),
        max_excerpts=max_excerpts,
        theme_threshold=theme_threshold or snapshot.theme_threshold,
        themes=[] if figures_only else _themes(snapshot, returns),
        narrative=[] if figures_only else _narrative(snapshot, by_agency),
        actions=[] if figures_only else _actions(snapshot),
        comparison=None if figures_only else _comparison(t, snapshot),
        sections=[] if figures_only else _sections(snapshot, theme_threshold),
        authors=w.authors,
        report_date=w.report_date,
        distribution=w.distribution,
        final=w.final,
        finalised=(
            f"{long_date(w.finalised_at)} by {w.finalised_by}" if w.final and w.finalised_at else ""
        ),
        annex=snapshot.annex,
        moderated=moderated_lines(snapshot, returns),
        matrix_grades=grades,
        descriptors=[Descriptor(name, text) for _, name, text in snapshot.tool.grade_descriptors],
        standards=[] if figures_only else standards_table(standards(snapshot)),
    )
