"""The overview report as an editable Word document: real headings, real tables.

Coordinators finish the report in Word (the analysis paragraphs are theirs to write), so the
document uses the built-in Heading styles (navigation pane, table of contents) and real tables.
"""

import io
from collections.abc import Sequence

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Pt
from docx.table import Table

from report.model import OverviewReport
from report.overview import build_report
from report.snapshot import RoundSnapshot
from report.text import MATRIX_MAX_COLUMNS, listing, plural, table_rows

_XML_BAD = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def clean(value: object) -> str:
    """Word rejects control characters that a pasted narrative can carry."""
    return str(value).translate(_XML_BAD)


def _run(text: str, bold: bool = False) -> BaseOxmlElement:
    """A run with line breaks kept as <w:br/>, so a narrative keeps its paragraphs."""
    r = OxmlElement("w:r")
    if bold:
        rpr = OxmlElement("w:rPr")
        rpr.append(OxmlElement("w:b"))
        r.append(rpr)
    for i, part in enumerate(clean(text).replace("\r\n", "\n").split("\n")):
        if i:
            r.append(OxmlElement("w:br"))
        t = OxmlElement("w:t")
        t.text = part
        t.set(qn("xml:space"), "preserve")
        r.append(t)
    return r


class Writer:
    """Builds the document from the XML up. python-docx's conveniences look styles up by name
    and find the insertion point by scanning the body on every call, which makes a report with
    thousands of paragraphs take seconds; here each paragraph costs a few element creations."""

    def __init__(self) -> None:
        self.doc = Document()
        self.doc.styles["Normal"].font.size = Pt(11)
        self._ids: dict[str, str] = {}
        self._end = self.doc.element.body.sectPr

    def _style(self, name: str) -> str:
        if name not in self._ids:
            self._ids[name] = self.doc.styles[name].style_id
        return self._ids[name]

    def _place(self, element: BaseOxmlElement) -> None:
        if self._end is not None:
            self._end.addprevious(element)
        else:
            self.doc.element.body.append(element)

    def para(self, *runs: str | tuple[str, bool], style: str | None = None) -> None:
        p = OxmlElement("w:p")
        if style:
            ppr = OxmlElement("w:pPr")
            ps = OxmlElement("w:pStyle")
            ps.set(qn("w:val"), self._style(style))
            ppr.append(ps)
            p.append(ppr)
        for run in runs:
            text, bold = (run, False) if isinstance(run, str) else run
            p.append(_run(text, bold))
        self._place(p)

    def heading(self, text: str, level: int) -> None:
        self.para(text, style="Title" if level == 0 else f"Heading {level}")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> Table:
        """A real Word table (Table Grid style) with a bold header row."""
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.paragraphs[0]._p.append(_run(str(text), bold=True))
        tbl = table._tbl
        for row in rows:
            tr = OxmlElement("w:tr")
            for value in row:
                tc = OxmlElement("w:tc")
                p = OxmlElement("w:p")
                text = str(value)
                if text:
                    p.append(_run(text))
                tc.append(p)
                tr.append(tc)
            tbl.append(tr)
        return table

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def _intro(doc: Writer, r: OverviewReport) -> None:
    doc.heading(r.title, 0)
    doc.para((f"Audit area: {r.theme}", True))
    doc.para(r.partnership + (f" · figures as at {r.generated}" if r.generated else ""))
    if r.interim:
        doc.para("This is an interim report: the round is still open, so the figures may change.")
    doc.heading("1. Introduction", 1)
    doc.para(
        f"This report brings together the findings of a thematic multi-agency audit by "
        f"{r.partnership} on the theme of {r.theme.lower()}. Partner agencies audited their own "
        f"work with {plural(r.cases, 'child', 'children')}, each known in this report only by a "
        f"case reference (C1, C2, …). The audit looked at practice in {r.scope}. Audits were open "
        f"from {r.opens} to {r.due}.",
    )
    doc.heading("2. Methodology", 1)
    doc.para(
        f"An audit tool ({r.tool_title}, version {r.tool_version}) was circulated for completion "
        f"to {plural(len(r.agencies_asked), 'partner agency', 'partner agencies')}: "
        f"{listing(r.agencies_asked)}. All partners were asked to judge the quality of work in "
        f"their agency against the ILACS grade descriptors ({', '.join(r.grade_names)}), and the "
        f"definitions were provided in the audit tool. Where an agency could not give a graded "
        f"judgement it recorded why: {'; '.join(r.not_graded_labels).lower()}.",
    )
    doc.para("Only audits that agencies have submitted are counted in this report.")


def _returns_and_outcomes(doc: Writer, r: OverviewReport, rows: dict) -> None:
    doc.heading("3. Returns", 1)
    if r.total_returns:
        verb = "was" if r.total_returns == 1 else "were"
        doc.para(
            f"A total of {plural(r.total_returns, 'completed audit')} {verb} received from across "
            f"{plural(r.agencies_returning, 'agency', 'agencies')}.",
        )
    else:
        doc.para("No completed audits have been received yet.")
    if r.returns:
        doc.para("A breakdown of submissions by agency is:")
        for line in r.returns:
            doc.para(line.line)
    if r.missing_agencies:
        doc.para(f"No completed audits have yet been received from {listing(r.missing_agencies)}.")
    doc.heading("4. Outcomes", 1)
    if r.outcomes:
        doc.para("Overall grading was as follows from the returned audits:")
        for o in r.outcomes:
            doc.para(o.line)
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


def _findings(doc: Writer, r: OverviewReport, rows: dict) -> None:
    doc.heading("5. Thematic findings", 1)
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
    if r.narrative:
        doc.heading("Narrative length", 2)
        doc.para(
            "The average length of the written answers in each return. Large differences point to "
            "different styles of auditing, which an audit standards workshop could help to align.",
        )
        doc.table(["Agency", "Returns", "Mean characters per return"], rows["narrative_rows"])
    doc.heading("6. Cross-cutting themes", 1)
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


def _actions(doc: Writer, r: OverviewReport, rows: dict) -> None:
    n = 7
    if r.comparison:
        doc.heading("7. Comparison with the previous round", 1)
        doc.table(["Measure", r.comparison.previous_title, r.title], rows["comparison_rows"])
        n = 8
    doc.heading(f"{n}. Recommendations and action plan", 1)
    if not r.actions:
        doc.para("No recommendations have been recorded yet.")
        return
    doc.para("Recommendations for the action plan arising from this audit are:")
    for a in r.actions:
        doc.para(f"{a.number}. {a.recommendation}")
    headers = ["No.", "Recommendation", "Owner", "Due", "Progress", "Status"]
    doc.table(headers, rows["action_rows"])


def docx_from(report: OverviewReport) -> bytes:
    doc = Writer()
    rows = table_rows(report)
    _intro(doc, report)
    _returns_and_outcomes(doc, report, rows)
    _findings(doc, report, rows)
    _actions(doc, report, rows)
    return doc.save()


def render_docx(snapshot: RoundSnapshot) -> bytes:
    return docx_from(build_report(snapshot))
