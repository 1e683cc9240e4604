"""The workshop pack as a Word document and as a PDF (report/workshop.py builds what they show).

Both are laid out to be printed for a room: a cover page, each part on a new page, excerpts as
quotes, and a blank column on the action plan for what the workshop agrees.
"""

from docx.enum.text import WD_BREAK

from report.docx_writer import Writer
from report.snapshot import RoundSnapshot
from report.text import html_env, plural
from report.workshop import WorkshopPack, build_pack


def _page_break(doc: Writer) -> None:
    doc.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _quote(doc: Writer, text: str, who: str) -> None:
    doc.para(f"“{text}”", (f" – {who}", False, True), style="Quote")


def pack_docx(p: WorkshopPack) -> bytes:
    doc = Writer()
    doc.heading("Learning workshop pack", 0)
    doc.para((p.title, True))
    doc.para(f"Audit area: {p.theme}")
    doc.para(p.partnership + (f" · figures as at {p.generated}" if p.generated else ""))
    doc.para(
        f"{p.returns} returns from {p.agencies_returning} agencies about {p.cases} cases. "
        "Excerpts are short and screened; cases are known by their references only."
    )
    _page_break(doc)
    doc.heading("1. Cross-cutting themes", 1)
    if not p.themes:
        doc.para(f"No theme was raised by {p.theme_threshold} or more agencies.")
    else:
        doc.para(f"Themes raised by at least {p.theme_threshold} agencies.")
    for t in p.themes:
        doc.heading(t.label, 2)
        doc.para(("Agencies: ", True), ", ".join(t.agencies))
        doc.para(("Cases: ", True), ", ".join(t.cases))
        for q in t.quotes:
            _quote(doc, q.text, f"{q.agency}, case {q.case}")
    _page_break(doc)
    doc.heading("2. Strengths and areas for development by agency", 1)
    for a in p.agencies:
        doc.heading(f"{a.agency} ({plural(a.returns, 'return')})", 2)
        for label, quotes in (("Strengths", a.strengths), ("Areas for development", a.development)):
            doc.para((label, True))
            for q in quotes:
                _quote(doc, q.text, f"case {q.case}")
            if not quotes:
                doc.para(("None written.", False, True))
    _page_break(doc)
    doc.heading("3. Cases where agencies' grades differ", 1)
    if p.divergent:
        doc.para(
            f"Each agency's overall grade, side by side, where grades are {p.min_steps} steps "
            "or more apart."
        )
        # Agencies down, cases across: few divergent cases, many agencies, a portrait page.
        doc.table(
            ["Agency", *(f"Case {d.case}" for d in p.divergent)],
            [
                *([a, *(d.grades[i] for d in p.divergent)] for i, a in enumerate(p.grid_agencies)),
                ["Steps apart", *(d.spread for d in p.divergent)],
            ],
        )
    else:
        doc.para(f"No case has agencies' grades {p.min_steps} steps or more apart.")
    doc.heading("What the grades mean", 2)
    for d in p.descriptors:
        doc.para((f"{d.grade}: ", True), d.text)
    _page_break(doc)
    doc.heading("How each agency audited", 2)
    doc.table(p.standards_headers, p.standards)
    _page_break(doc)
    doc.heading("4. Questions for discussion", 1)
    for q in p.questions:
        doc.para(q, style="List Number")
        doc.para("")
    _page_break(doc)
    doc.heading("5. Draft action plan", 1)
    if p.actions:
        doc.table(
            ["No.", "Recommendation", "Owner", "Due", "Agreed in the workshop"],
            [[a.number, a.recommendation, a.owner, a.due, ""] for a in p.actions],
        )
    else:
        doc.para("No actions have been drafted yet: agree them in the room.")
    return doc.save()


def pack_html(p: WorkshopPack) -> str:
    return html_env().get_template("workshop.html.j2").render(p=p)


def render_workshop_docx(snapshot: RoundSnapshot) -> bytes:
    return pack_docx(build_pack(snapshot))


def render_workshop_pdf(snapshot: RoundSnapshot) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    from report.formats import _refuse_fetch  # the one rule: a document fetches nothing

    return HTML(string=pack_html(build_pack(snapshot)), url_fetcher=_refuse_fetch).write_pdf()
