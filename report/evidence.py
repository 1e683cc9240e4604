"""The evidence beside a section: the verbatim answers behind it, grouped, filtered, paginated.

For an agency's findings section: that agency's written answers grouped by question. For a theme
(the cross-cutting themes section, `theme=<option key>`): every return that chose it, grouped by
agency. Each item carries its return id, so the desk can link to the return.
"""

from collections import defaultdict
from dataclasses import dataclass

from models.grades import BY_KEY, NOT_GRADED
from models.tool import AuditTool, MultichoiceQuestion, TextQuestion
from report.grade_values import grade_of
from report.sections import SectionKind, SectionPlan
from report.snapshot import ReturnRow, RoundSnapshot

MAX_PER_PAGE = 200


class EvidenceRefused(ValueError):
    """A filter that cannot apply; the message is written for the person asking."""


@dataclass(frozen=True)
class EvidenceItem:
    return_id: int
    agency: str  # agency code
    case: str
    grade: str  # the return's overall grade key, or "not_graded"
    question: str  # question key
    text: str


@dataclass(frozen=True)
class EvidenceGroup:
    label: str  # the question's title, or the agency's name
    items: list[EvidenceItem]


@dataclass(frozen=True)
class EvidencePage:
    section: str
    theme: str | None
    groups: list[EvidenceGroup]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def theme_options(tool: AuditTool) -> dict[str, tuple[str, str]]:
    """option key -> (question key, label) for every multichoice question of the tool: the
    themes the evidence of the cross-cutting section can be asked for."""
    return {
        o.key: (q.key, o.label)
        for q in tool.questions
        if isinstance(q, MultichoiceQuestion)
        for o in q.options
    }


def evidence(
    snapshot: RoundSnapshot,
    section: SectionPlan,
    *,
    theme: str | None = None,
    case: str | None = None,
    grade: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> EvidencePage:
    if grade is not None and grade not in BY_KEY and grade != NOT_GRADED:
        raise EvidenceRefused(f"grade must be one of: {', '.join([*BY_KEY, NOT_GRADED])}.")
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise EvidenceRefused(f"page must be 1 or more and per_page 1 to {MAX_PER_PAGE}.")
    texts = [q for q in snapshot.tool.questions if isinstance(q, TextQuestion)]
    overall = snapshot.tool.overall.key
    order = {c.reference: i for i, c in enumerate(snapshot.cases)}

    def keep(r: ReturnRow) -> bool:
        return (case is None or r.case == case) and (
            grade is None or grade_of(r.answers.get(overall))[0] == grade
        )

    chosen = [r for r in snapshot.submitted if keep(r)]
    if section.kind == SectionKind.agency:
        if theme is not None:
            raise EvidenceRefused("theme applies to the cross-cutting themes section only.")
        chosen = [r for r in chosen if r.agency == section.agency]
        groups_of = [(q.title, [q], chosen) for q in texts]
    elif section.kind == SectionKind.themes:
        options = theme_options(snapshot.tool)
        if theme not in options:
            raise EvidenceRefused(f"Name a theme: one of {', '.join(options)}.")
        qkey = options[theme][0]
        by_agency: dict[str, list[ReturnRow]] = defaultdict(list)
        for r in chosen:  # one pass, not one per agency: a round can have 100 agencies
            if theme in (r.answers.get(qkey) or []):
                by_agency[r.agency].append(r)
        groups_of = [(a.name, texts, by_agency.get(a.code, [])) for a in snapshot.agencies]
    else:
        raise EvidenceRefused(
            "Evidence is kept beside the agency findings sections and the cross-cutting themes."
        )
    # Only the page's window becomes items: a theme chosen in 10,000 returns is counted, not
    # copied, so every page costs one pass over the returns, whichever page it is.
    start, stop = (page - 1) * per_page, page * per_page
    seen = 0
    groups: list[EvidenceGroup] = []
    for label, questions, rows in groups_of:
        rows = sorted(rows, key=lambda r: (order.get(r.case, len(order)), r.id))
        for r in rows:
            written = [
                (q.key, v)
                for q in questions
                if isinstance(v := r.answers.get(q.key), str) and v and not v.isspace()
            ]
            if seen + len(written) <= start or seen >= stop:
                seen += len(written)
                continue
            g = grade_of(r.answers.get(overall))[0]
            for qkey, value in written:
                if start <= seen < stop:
                    if not groups or groups[-1].label != label:
                        groups.append(EvidenceGroup(label, []))
                    groups[-1].items.append(EvidenceItem(r.id, r.agency, r.case, g, qkey, value))
                seen += 1
    return EvidencePage(section.key, theme, groups, seen, page, per_page)
