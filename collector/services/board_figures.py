"""A round's dashboard figures, kept current return by return.

Counting a 20,000-return round's figures takes a quarter of a second of CPU, and a live round
changes several times a second. So the figures are kept in parts: each agency's tally, domain
grades and progress, and each case's row of the grade grid. A changed return makes only its
agency's part and its case's row be worked out again, by the report's own functions
(report/tally.py, report/figures.py) on that agency's or that case's returns; the parts are
then added up by the report's own rules (`tally_of`, `add_domains`). Nothing here decides what
a figure is.
"""

from dataclasses import dataclass, replace

from models.enums import ExpectationStatus, ReturnStatus
from report.figures import (
    MATRIX_MIN_STEPS,
    Figures,
    add_domains,
    asked_cells,
    domain_rows,
    matrix_columns,
    matrix_row,
    overall_grades,
)
from report.model import DomainRow, Matrix, MatrixRow, OverviewReport
from report.overview import build_report
from report.snapshot import ReturnRow, RoundSnapshot
from report.tally import AgencyTally, tally, tally_of


@dataclass(frozen=True)
class AgencyProgress:
    code: str
    name: str
    expected: int
    submitted: int
    drafts: int  # draft or reopened: being worked on
    not_started: int

    @property
    def outstanding(self) -> int:
        return max(self.expected - self.submitted, 0)

    @property
    def breakdown(self) -> str:
        """As the report writes it: "7 (of 8)", or "8" when every expected return is in."""
        if self.submitted < self.expected:
            return f"{self.submitted} (of {self.expected})"
        return str(self.submitted)


def progress(snapshot: RoundSnapshot) -> list[AgencyProgress]:
    """Per agency: expected returns submitted, being worked on, and not started."""
    expected: dict[str, set[str]] = {}
    for e in snapshot.expectations:
        if e.status == ExpectationStatus.expected:
            expected.setdefault(e.agency, set()).add(e.case)
    rows = []
    for a in snapshot.agencies:
        cases = expected.get(a.code, set())
        mine = [r for r in snapshot.returns if r.agency == a.code and r.case in cases]
        submitted = sum(1 for r in mine if r.status == ReturnStatus.submitted)
        drafts = len(mine) - submitted
        rows.append(
            AgencyProgress(a.code, a.name, len(cases), submitted, drafts, len(cases) - len(mine))
        )
    return rows


@dataclass(frozen=True)
class _AgencyPart:
    tally: AgencyTally
    domains: list[DomainRow]
    progress: AgencyProgress


class RoundFigures:
    """One round's returns (grade answers only) and its figures, in parts."""

    def __init__(self, snapshot: RoundSnapshot, min_steps: int = MATRIX_MIN_STEPS) -> None:
        self.base = replace(snapshot, returns=[])
        self.min_steps = min_steps
        self.returns: dict[int, ReturnRow] = {r.id: r for r in snapshot.returns}
        self._asked = asked_cells(snapshot)
        self._expected_by = {
            a.code: [e for e in snapshot.expectations if e.agency == a.code]
            for a in snapshot.agencies
        }
        self._recount_all()

    # ---- the parts
    def _recount_all(self) -> None:
        self._by_agency: dict[str, dict[int, ReturnRow]] = {a.code: {} for a in self.base.agencies}
        self._by_case: dict[str, dict[int, ReturnRow]] = {c.reference: {} for c in self.base.cases}
        for r in self.returns.values():
            self._by_agency.setdefault(r.agency, {})[r.id] = r
            self._by_case.setdefault(r.case, {})[r.id] = r
        self._parts = {a.code: self._agency_part(a.code) for a in self.base.agencies}
        given = overall_grades(self.base, [r for r in self.returns.values() if _in(r)])
        self._columns = matrix_columns(self.base, self._asked, given)
        self._column_codes = {a.code for a in self._columns}
        self._rows = {c.reference: self._case_row(c.reference) for c in self.base.cases}

    def _agency_slice(self, code: str) -> RoundSnapshot:
        return replace(
            self.base,
            agencies=[a for a in self.base.agencies if a.code == code],
            expectations=self._expected_by.get(code, []),
            returns=list(self._by_agency.get(code, {}).values()),
        )

    def _agency_part(self, code: str) -> _AgencyPart:
        part = self._agency_slice(code)
        (agency_tally,) = tally(part).agencies
        (agency_progress,) = progress(part)
        return _AgencyPart(agency_tally, domain_rows(part), agency_progress)

    def _case_row(self, case: str) -> MatrixRow | None:
        submitted = [r for r in self._by_case.get(case, {}).values() if _in(r)]
        given = overall_grades(self.base, submitted).get(case, {})
        asked = self._asked.get(case, set())
        if not asked and not given:
            return None  # not in the grid
        return matrix_row(case, self._columns, given, asked, self.min_steps)

    # ---- changes
    def apply(self, changed: list[ReturnRow], gone: list[int]) -> int:
        """Take in returns as they now are (and returns no longer in the round); work out
        again only the parts they touch. Returns how many agencies' parts were counted again
        (0: no figure moved)."""
        agencies: set[str] = set()
        cases: set[str] = set()
        for r in [*changed, *(self.returns[i] for i in gone if i in self.returns)]:
            old = self.returns.get(r.id)
            if r.id in gone:
                del self.returns[r.id]
            elif old == r:
                continue  # e.g. a narrative written: no figure moves
            else:
                self.returns[r.id] = r
            for row in (old, r):
                if row is not None:
                    agencies.add(row.agency)
                    cases.add(row.case)
        if not agencies:
            return 0
        if not agencies <= self._column_codes or not agencies <= self._parts.keys():
            # An agency outside the grid's columns (returns with no expectation): the
            # columns themselves change, so everything is counted again.
            self._recount_all()
            return len(changed) + len(gone)
        for r in changed:
            if r.id in self.returns:
                self._by_agency[r.agency][r.id] = r
                self._by_case[r.case][r.id] = r
        for i in gone:
            for index in (*self._by_agency.values(), *self._by_case.values()):
                index.pop(i, None)
        for code in agencies:
            self._parts[code] = self._agency_part(code)
        for case in cases:
            self._rows[case] = self._case_row(case)
        return len(agencies)

    # ---- what the dashboard shows
    def report(self) -> OverviewReport:
        """The report's figures (figures_only) for the whole round."""
        parts = [self._parts[a.code] for a in self.base.agencies]
        figures = Figures(
            tally=tally_of(self.base.slug, [p.tally for p in parts]),
            domains=add_domains([p.domains for p in parts], self.base),
            matrix=Matrix(
                [a.name for a in self._columns],
                [row for c in self.base.cases if (row := self._rows[c.reference]) is not None],
                self.min_steps,
            ),
        )
        return build_report(self.base, figures_only=True, min_steps=self.min_steps, figures=figures)

    def progress(self) -> list[AgencyProgress]:
        return [self._parts[a.code].progress for a in self.base.agencies]

    def agency_view(self, code: str | None) -> tuple[OverviewReport, list[AgencyProgress]]:
        """The figures as one agency's members may see them: nothing of any other agency
        (a thousand returns: counted afresh)."""
        if code not in self._parts:
            part = replace(self.base, agencies=[], expectations=[], returns=[], previous=None)
            return build_report(part, figures_only=True), []
        part = replace(self._agency_slice(code), previous=None)
        return build_report(part, figures_only=True), [self._parts[code].progress]

    def snapshot(self) -> RoundSnapshot:
        """The round as these figures hold it (for checking them against a fresh count)."""
        return replace(self.base, returns=sorted(self.returns.values(), key=lambda r: r.id))


def _in(r: ReturnRow) -> bool:
    return r.status == ReturnStatus.submitted
