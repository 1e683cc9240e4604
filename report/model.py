"""The overview report as plain data: what every format renders, and what the JSON export holds.

Keeping the report a tree of frozen dataclasses (no markup, no I/O) is what lets Markdown, HTML,
PDF, DOCX and JSON agree: they are all views of one `OverviewReport` built from one snapshot.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Count:
    label: str
    count: int


@dataclass(frozen=True)
class ReturnsLine:
    code: str
    agency: str
    returned: int
    expected: int
    line: str  # "Children's Social Care – 7 (of 8)"


@dataclass(frozen=True)
class OutcomeLine:
    code: str
    agency: str
    returned: int
    grades: list[int]  # overall grades, one count per scale grade, in scale order
    not_graded: int
    reasons: list[Count]  # why not graded, by reason label
    line: str  # "Children's Social Care – Good 4, Requires Improvement 3"


@dataclass(frozen=True)
class DomainRow:
    domain: str
    question: str
    overall: bool
    grades: list[int]  # scale order
    not_graded: int


@dataclass(frozen=True)
class MatrixRow:
    case: str
    cells: list[str]  # one per matrix agency: short grade, "Not graded", "–" missing, "" not asked
    spread: int  # steps between the highest and lowest overall grade given for this case
    flagged: bool
    detail: str  # for flagged cases: which agency gave which grade


@dataclass(frozen=True)
class Matrix:
    agencies: list[str]
    rows: list[MatrixRow]
    min_steps: int

    @property
    def flagged(self) -> list[MatrixRow]:
        return [r for r in self.rows if r.flagged]


@dataclass(frozen=True)
class ModeratedLine:
    """A moderated grade that differs from the agency's own: both are shown, side by side."""

    case: str
    agency: str
    question: str
    agency_grade: str  # short grade name, or "Not graded"
    moderated_grade: str


@dataclass(frozen=True)
class Excerpt:
    case: str
    text: str


@dataclass(frozen=True)
class FindingGroup:
    question: str  # the text question's title: "Good practice", "Areas for development", ...
    excerpts: list[Excerpt]
    more: int  # excerpts left out to keep the report readable (all are in the exports)


@dataclass(frozen=True)
class AgencyFindings:
    agency: str
    groups: list[FindingGroup]


@dataclass(frozen=True)
class ThemeRow:
    label: str
    question: str
    agencies: list[str]
    returns: int


@dataclass(frozen=True)
class NarrativeRow:
    agency: str
    returns: int
    mean_chars: int


@dataclass(frozen=True)
class ActionLine:
    number: int
    recommendation: str
    owner: str
    due: str
    progress: str
    status: str


@dataclass(frozen=True)
class ComparisonRow:
    measure: str
    previous: str
    current: str


@dataclass(frozen=True)
class Comparison:
    previous_title: str
    previous_slug: str
    rows: list[ComparisonRow]


@dataclass(frozen=True)
class Descriptor:
    grade: str  # the grade's full name
    text: str  # what it means, in the round's tool's words


@dataclass(frozen=True)
class SectionView:
    """One section as printed: the coordinator's Markdown if written, else MAA's statements."""

    key: str
    title: str
    kind: str  # report.sections.SectionKind value
    text: str  # the coordinator's Markdown; "" when nothing is written
    statements: list[str]


@dataclass(frozen=True)
class OverviewReport:
    # Introduction
    slug: str
    title: str
    theme: str
    partnership: str
    scope: str
    opens: str
    due: str
    interim: bool  # the round is still open: figures may change
    cases: int
    generated: str
    # Methodology
    tool_title: str
    tool_version: str
    agencies_asked: list[str]
    grade_names: list[str]  # full names, scale order: the ILACS grade descriptors
    grade_short: list[str]  # the short names tables and charts use
    not_graded_labels: list[str]
    # Returns and outcomes
    total_returns: int
    total_expected: int
    agencies_returning: int
    returns: list[ReturnsLine]
    missing_agencies: list[str]  # asked, but nothing submitted yet
    outcomes: list[OutcomeLine]
    not_graded_total: int
    not_graded_reasons: list[Count]
    domains: list[DomainRow]
    matrix: Matrix
    # Findings
    findings: list[AgencyFindings]
    max_excerpts: int
    theme_threshold: int
    themes: list[ThemeRow]  # every theme raised, most agencies first
    narrative: list[NarrativeRow]
    actions: list[ActionLine]
    comparison: Comparison | None
    # The written report: sections in order, who wrote it, for whom, and whether it is final.
    sections: list[SectionView]
    authors: str
    report_date: str
    distribution: str
    final: bool
    finalised: str  # "2 May 2024 by A. Coordinator" while final
    annex: bool  # the evidence annex (verbatim answers) is printed
    # Moderation: grades a moderator recorded that differ from the agency's (their own column),
    # and which grades the case grid and its "grades differ" analysis use.
    moderated: list[ModeratedLine] = field(default_factory=list)
    matrix_grades: str = "agency"  # or "moderated": a moderated grade in place of the agency's
    # The method section's audit standards: the grade descriptors the auditors had at hand, and
    # per agency how it audited (report/standards.py: table cells in its HEADERS order).
    descriptors: list[Descriptor] = field(default_factory=list)
    standards: list[list[str]] = field(default_factory=list)

    @property
    def agency_sections(self) -> list[SectionView]:
        return [s for s in self.sections if s.kind == "agency"]

    def section(self, kind: str) -> SectionView | None:
        return next((s for s in self.sections if s.kind == kind), None)

    @property
    def cross_cutting(self) -> list[ThemeRow]:
        return [t for t in self.themes if len(t.agencies) >= self.theme_threshold]
