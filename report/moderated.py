"""Moderated grades in the report: their own column where they differ from the agency's, and
the choice of grades the case grid (and its "grades differ" analysis) uses."""

from models.grades import BY_KEY, NOT_GRADED_LABEL
from report.grade_values import grade_of
from report.model import ModeratedLine, OverviewReport
from report.snapshot import ReturnRow, RoundSnapshot

AGENCY, MODERATED = "agency", "moderated"  # which grades the case grid uses


def overall(r: ReturnRow, key: str, grades: str) -> str:
    """A return's overall grade key: the agency's, or with grades="moderated" the moderator's
    where one was recorded."""
    if grades == MODERATED and key in r.moderated:
        return r.moderated[key]
    return grade_of(r.answers.get(key))[0]


def moderated_lines(snapshot: RoundSnapshot, returns: list[ReturnRow]) -> list[ModeratedLine]:
    """Every moderated grade that differs from the agency's, in cohort and tool order."""
    names = {a.code: a.name for a in snapshot.agencies}
    order = {c.reference: i for i, c in enumerate(snapshot.cases)}
    lines = []
    for r in sorted(returns, key=lambda r: (order.get(r.case, 0), r.agency)):
        for q in snapshot.tool.grade_questions:
            moderated, own = r.moderated.get(q.key), grade_of(r.answers.get(q.key))[0]
            if moderated is None or moderated == own:
                continue
            short = BY_KEY[own].short if own in BY_KEY else NOT_GRADED_LABEL
            lines.append(
                ModeratedLine(
                    r.case, names.get(r.agency, r.agency), q.title, short, BY_KEY[moderated].short
                )
            )
    return lines


MODERATED_HEAD = ["Case", "Agency", "Question", "Agency's grade", "Moderated grade"]
MODERATED_NOTE = (
    "Where a moderator's grade differs from the agency's own, both are shown; the agency's "
    "grade is never changed."
)
MODERATED_GRID = "The case grid above uses the moderated grades where there are any."


def moderated_rows(r: OverviewReport) -> list[list[str]]:
    return [[m.case, m.agency, m.question, m.agency_grade, m.moderated_grade] for m in r.moderated]
