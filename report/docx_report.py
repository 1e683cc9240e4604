"""The overview report as an editable Word document: real headings, real tables.

Coordinators finish the report in Word (the analysis paragraphs are theirs to write), so the
document uses the built-in Heading styles (navigation pane, table of contents) and real tables.
"""

from datetime import datetime

from report.charts import grades_chart, returns_chart
from report.docx_writer import Writer
from report.markdown_text import to_blocks
from report.model import OverviewReport, SectionView
from report.moderated import MODERATED, MODERATED_GRID, MODERATED_HEAD, MODERATED_NOTE
from report.snapshot import RoundSnapshot
from report.standards import HEADERS as STANDARDS_HEADERS
from report.text import MATRIX_MAX_COLUMNS, listing, plural, table_rows

# A bar per agency: beyond this many the chart is a page-long image nobody reads (and costs
# seconds to draw); the table beside it has the same figures.
CHART_MAX_ROWS = 40


def _head(doc: Writer, r: OverviewReport) -> None:
    doc.heading(r.title, 0)
    doc.para((f"Audit area: {r.theme}", True))
    when = f" · {r.report_date}" if r.report_date else ""
    doc.para(r.partnership + when + (f" · figures as at {r.generated}" if r.generated else ""))
    if r.authors:
        doc.para(f"Authors: {r.authors}")
    if r.distribution:
        doc.para(f"Distribution: {r.distribution}")
    if r.final:
        doc.para(f"Final report, finalised on {r.finalised}.")
    elif r.interim:
        doc.para("This is an interim report: the round is still open, so the figures may change.")
    else:
        doc.para("Draft report: not yet finalised.")


_BLOCK_STYLES = {"bullet": "List Bullet", "number": "List Number", "quote": "Quote"}


def _body(doc: Writer, sec: SectionView, level: int) -> None:
    """The coordinator's text (Markdown as Word paragraphs), or MAA's drafted statements."""
    if not sec.text:
        for statement in sec.statements:
            doc.para(statement)
        return
    for block in to_blocks(sec.text):
        runs = [(run.text, run.bold, run.italic) for run in block.runs if run.text]
        if block.kind == "heading":
            doc.para(*runs, style=f"Heading {min(9, level + block.level)}")
        else:
            doc.para(*runs, style=_BLOCK_STYLES.get(block.kind))


def _returns(doc: Writer, r: OverviewReport, rows: dict) -> None:
    if r.returns:
        doc.para("Returns by agency:")
        for line in r.returns:
            doc.para(line.line)
        if len(r.returns) <= CHART_MAX_ROWS:
            doc.picture(returns_chart(r))
    if r.missing_agencies:
        doc.para(f"No completed audits have yet been received from {listing(r.missing_agencies)}.")


def _outcomes(doc: Writer, r: OverviewReport, rows: dict) -> None:
    if r.outcomes:
        doc.para("Overall grading from the returned audits:")
        for o in r.outcomes:
            doc.para(o.line)
        if len(r.outcomes) <= CHART_MAX_ROWS:
            doc.picture(grades_chart(r))
        grades = [[o.agency, *o.grades, o.not_graded, o.returned] for o in r.outcomes]
        doc.table(["Agency", *r.grade_short, "Not graded", "Returns"], grades)
    else:
        doc.para("There are no returned audits to grade yet.")
    if r.not_graded_total:
        why = "; ".join(f"{c.label} – {c.count}" for c in r.not_graded_reasons)
        doc.para(f"{plural(r.not_graded_total, 'return was', 'returns were')} not graded: {why}.")
    doc.heading("Grades by domain", 2)
    doc.table(["Domain", *r.grade_short, "Not graded"], rows["domain_rows"])
    doc.heading("Overall grade by case and agency", 2)
    m = r.matrix
    if not m.rows:
        doc.para("No cases were audited.")
    elif len(m.agencies) <= MATRIX_MAX_COLUMNS:
        doc.para(
            'Each agency\'s overall grade for each case. "–" means an audit was expected but not '
            "returned; a blank means the agency was not asked to audit that case.",
        )
        doc.table(["Case", *m.agencies, "Grades differ"], rows["matrix_rows"])
    else:
        doc.para(
            f"With {len(m.agencies)} agencies the full case grid is too wide for this document; "
            "it is in the HTML report and the returns export. The cases where agencies' grades "
            f"differ by {m.min_steps} steps or more are listed instead.",
        )
    if r.moderated:
        doc.heading("Moderated grades", 3)
        grid = f" {MODERATED_GRID}" if r.matrix_grades == MODERATED else ""
        doc.para(MODERATED_NOTE + grid)
        doc.table(MODERATED_HEAD, rows["moderated_rows"])
    if m.flagged:
        doc.para(
            f"Agencies' grades differ by {m.min_steps} steps or more for "
            f"{plural(len(m.flagged), 'case')}:",
        )
        doc.table(
            ["Case", "Steps", "Grades given"], [[f.case, f.spread, f.detail] for f in m.flagged]
        )
    elif m.rows:
        doc.para(f"No case has agencies' grades {m.min_steps} steps or more apart.")
    if r.narrative:
        doc.heading("Narrative length", 2)
        doc.para(
            "The average length of the written answers in each return. Large differences point to "
            "different styles of auditing, which an audit standards workshop could help to align.",
        )
        doc.table(["Agency", "Returns", "Mean characters per return"], rows["narrative_rows"])


def _themes(doc: Writer, r: OverviewReport, rows: dict) -> None:
    if r.cross_cutting:
        doc.para(f"Themes raised by at least {plural(r.theme_threshold, 'agency', 'agencies')}:")
        doc.table(["Theme", "Agencies", "Returns", "Raised by"], rows["theme_rows"])
    else:
        doc.para(f"No theme was raised by {r.theme_threshold} or more agencies.")
    others = r.themes[len(r.cross_cutting) :]
    if others:
        also = "; ".join(
            f"{t.label} ({plural(len(t.agencies), 'agency', 'agencies')})" for t in others
        )
        doc.para(f"Also raised: {also}.")


def _recommendations(doc: Writer, r: OverviewReport, rows: dict) -> None:
    if not r.actions:
        doc.para("No recommendations have been recorded yet.")
        return
    headers = ["No.", "Recommendation", "Owner", "Due", "Progress", "Status"]
    doc.table(headers, rows["action_rows"])


def _comparison(doc: Writer, r: OverviewReport, rows: dict) -> None:
    if r.comparison:
        doc.table(["Measure", r.comparison.previous_title, r.title], rows["comparison_rows"])


def _annex(doc: Writer, r: OverviewReport, rows: dict) -> None:
    if not r.findings:
        doc.para("No written findings have been returned yet.")
    for f in r.findings:
        doc.heading(f.agency, 2)
        for g in f.groups:
            doc.heading(g.question, 3)
            for e in g.excerpts:
                doc.para((f"{e.case}: ", True), e.text, style="List Bullet")
            if g.more:
                doc.para(f"…and {g.more} more in the returns export.")


def _method(doc: Writer, r: OverviewReport, rows: dict) -> None:
    if r.descriptors:
        doc.heading("What the grades mean", 2)
        doc.para("The descriptors auditors had beside every grade question:")
        for d in r.descriptors:  # plain paragraphs: bullets are the findings' evidence
            doc.para((f"{d.grade}: ", True), d.text)
    if r.standards:
        doc.heading("Audit standards", 2)
        doc.para(
            "How each agency audited: the median length of a written answer, how many of the "
            "optional questions it answered, how often it could not grade and why, the median "
            "time from a return's first answer to its submission, and how many returns were "
            "submitted despite a cross-check, with a reason."
        )
        doc.table(STANDARDS_HEADERS, r.standards)


_FIGURES = {
    "method": _method,
    "returns": _returns,
    "outcomes": _outcomes,
    "themes": _themes,
    "recommendations": _recommendations,
    "comparison": _comparison,
    "annex": _annex,
}


def docx_from(report: OverviewReport, *, stamp: datetime | None = None) -> bytes:
    doc = Writer()
    rows = table_rows(report)
    _head(doc, report)
    n = 0
    in_agencies = False
    for sec in report.sections:
        if sec.kind == "annex" and not report.annex:
            continue
        if sec.kind == "agency":
            if not in_agencies:
                n += 1
                doc.heading(f"{n}. Findings by agency", 1)
                in_agencies = True
            doc.heading(sec.title.removeprefix("Findings: "), 2)
            _body(doc, sec, 2)
            continue
        n += 1
        doc.heading(f"{n}. {sec.title}", 1)
        _body(doc, sec, 1)
        figures = _FIGURES.get(sec.kind)
        if figures is not None:
            figures(doc, report, rows)
    return doc.save(stamp)


def render_docx(snapshot: RoundSnapshot) -> bytes:
    # A final report is stamped with its finalising moment, the same on every download.
    w = snapshot.writeup
    stamp = w.finalised_at if w.final else None
    return docx_from(snapshot.overview, stamp=stamp)
