"""The overview's figures counted over every submitted return: the tally, the grades per
domain, and the case × agency grid of overall grades with the cases whose grades differ.

`build_report` (report/overview.py) puts them in the report; the desk's live dashboard
(collector/services/board_figures.py) keeps them current part by part with the same functions.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from models.enums import ExpectationStatus
from models.grades import BY_KEY, NOT_GRADED, NOT_GRADED_LABEL, SCALE
from report.grade_values import grade_of
from report.model import DomainRow, Matrix, MatrixRow
from report.moderated import AGENCY, overall
from report.snapshot import AgencyRow, ReturnRow, RoundSnapshot
from report.tally import Tally, tally

MATRIX_MIN_STEPS = 2  # agencies' grades for one case this far apart deserve a closer look


def _domains(snapshot: RoundSnapshot, returns: list[ReturnRow]) -> list[DomainRow]:
    rows = []
    for q in snapshot.tool.grade_questions:
        counts: Counter[str] = Counter(grade_of(r.answers.get(q.key))[0] for r in returns)
        rows.append(
            DomainRow(
                domain=q.domain or q.title,
                question=q.title,
                overall=q.overall,
                grades=[counts[g.key] for g in SCALE],
                not_graded=counts[NOT_GRADED],
            )
        )
    return rows


def domain_rows(snapshot: RoundSnapshot) -> list[DomainRow]:
    """Grades per domain of the snapshot's submitted returns."""
    return _domains(snapshot, snapshot.submitted)


def add_domains(parts: list[list[DomainRow]], snapshot: RoundSnapshot) -> list[DomainRow]:
    """The domain rows of disjoint sets of returns (each part from `domain_rows`), added up:
    what `domain_rows` gives for all of them at once."""
    rows = _domains(snapshot, [])  # every domain, counts zero
    for part in parts:
        rows = [
            replace(
                r,
                grades=[x + y for x, y in zip(r.grades, p.grades, strict=True)],
                not_graded=r.not_graded + p.not_graded,
            )
            for r, p in zip(rows, part, strict=True)
        ]
    return rows


def overall_grades(
    snapshot: RoundSnapshot, returns: list[ReturnRow], grades: str = AGENCY
) -> dict[str, dict[str, str]]:
    """Each case's overall grades given, by agency code (grade key or "not_graded"); with
    grades="moderated", the moderator's grade where one was recorded."""
    key = snapshot.tool.overall.key
    given: dict[str, dict[str, str]] = defaultdict(dict)
    for r in returns:
        given[r.case][r.agency] = overall(r, key, grades)
    return given


def asked_cells(snapshot: RoundSnapshot) -> dict[str, set[str]]:
    """Each case's agencies expected to return it."""
    asked: dict[str, set[str]] = defaultdict(set)
    for e in snapshot.expectations:
        if _expected(e.status):
            asked[e.case].add(e.agency)
    return asked


def matrix_columns(
    snapshot: RoundSnapshot, asked: dict[str, set[str]], given: dict[str, dict[str, str]]
) -> list[AgencyRow]:
    """The grid's agencies: those asked for, or giving, any case."""
    involved = {a for codes in asked.values() for a in codes}
    involved |= {a for grades in given.values() for a in grades}
    return [a for a in snapshot.agencies if a.code in involved]


def matrix_row(
    case: str, agencies: list[AgencyRow], given: dict[str, str], asked: set[str], min_steps: int
) -> MatrixRow:
    """One case's row of the grid: each agency's grade, and whether they differ enough."""
    cells, ranks, by_grade = [], [], defaultdict(list)
    for a in agencies:
        grade = given.get(a.code)
        if grade in BY_KEY:
            cells.append(BY_KEY[grade].short)
            ranks.append(BY_KEY[grade].rank)
            by_grade[BY_KEY[grade]].append(a.name)
        elif grade is not None:
            cells.append(NOT_GRADED_LABEL)
        else:
            cells.append("–" if a.code in asked else "")
    spread = max(ranks) - min(ranks) if ranks else 0
    flagged = spread >= min_steps
    detail = ""
    if flagged:
        ordered = sorted(by_grade.items(), key=lambda kv: kv[0].rank)
        detail = "; ".join(f"{g.short}: {', '.join(names)}" for g, names in ordered)
    return MatrixRow(case, cells, spread, flagged, detail)


def _matrix(
    snapshot: RoundSnapshot, returns: list[ReturnRow], min_steps: int, grades: str = AGENCY
) -> Matrix:
    asked = asked_cells(snapshot)
    given = overall_grades(snapshot, returns, grades)
    agencies = matrix_columns(snapshot, asked, given)
    rows = [
        matrix_row(c, agencies, given.get(c, {}), asked.get(c, set()), min_steps)
        for c in (c.reference for c in snapshot.cases)
        if c in asked or c in given
    ]
    return Matrix([a.name for a in agencies], rows, min_steps)


def _expected(status: ExpectationStatus) -> bool:
    return status == ExpectationStatus.expected


@dataclass(frozen=True)
class Figures:
    """The report's figures that are counted over every submitted return."""

    tally: Tally
    domains: list[DomainRow]
    matrix: Matrix


def report_figures(
    snapshot: RoundSnapshot, min_steps: int = MATRIX_MIN_STEPS, grades: str = AGENCY
) -> Figures:
    """The tally, the domain grades and the grid, counted over every submitted return."""
    returns = snapshot.submitted
    return Figures(
        tally(snapshot), _domains(snapshot, returns), _matrix(snapshot, returns, min_steps, grades)
    )
