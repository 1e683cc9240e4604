"""A Word document written from the XML up: paragraphs, headings, real tables, pictures, and
the saved file (with fixed dates when asked, so the same document makes the same bytes).

Used by the overview report (report/docx_report.py) and the workshop pack
(report/workshop_render.py).
"""

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.table import Table

_XML_BAD = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def clean(value: object) -> str:
    """Word rejects control characters that a pasted narrative can carry."""
    return str(value).translate(_XML_BAD)


def _run(text: str, bold: bool = False, italic: bool = False) -> BaseOxmlElement:
    """A run with line breaks kept as <w:br/>, so a narrative keeps its paragraphs."""
    r = OxmlElement("w:r")
    if bold or italic:
        rpr = OxmlElement("w:rPr")
        if bold:
            rpr.append(OxmlElement("w:b"))
        if italic:
            rpr.append(OxmlElement("w:i"))
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

    def para(
        self, *runs: str | tuple[str, bool] | tuple[str, bool, bool], style: str | None = None
    ) -> None:
        p = OxmlElement("w:p")
        if style:
            ppr = OxmlElement("w:pPr")
            ps = OxmlElement("w:pStyle")
            ps.set(qn("w:val"), self._style(style))
            ppr.append(ps)
            p.append(ppr)
        for run in runs:
            p.append(_run(run) if isinstance(run, str) else _run(*run))
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

    def picture(self, svg: str, width_mm: float = 160) -> None:
        """A chart: the report's own SVG, drawn to PNG by cairosvg (same figure as the HTML)."""
        import cairosvg  # heavy (cairo): only when a Word file is asked for

        png = cairosvg.svg2png(bytestring=svg.encode(), scale=1.5)
        # python-docx puts the picture's paragraph before the section properties: in order.
        self.doc.add_picture(io.BytesIO(png), width=Mm(width_mm))

    def save(self, stamp: datetime | None = None) -> bytes:
        """The file; with `stamp`, every date inside it is that moment, so the same report
        makes the same bytes (a final report downloads identically every time)."""
        when = stamp or datetime.now(UTC)
        core = self.doc.core_properties
        core.created = core.modified = core.last_printed = when.replace(tzinfo=None)
        core.revision = 1
        core.author = core.last_modified_by = "MAA"
        out = io.BytesIO()
        self.doc.save(out)
        # Re-dating every zip member costs a recompression: only a final report needs it.
        return _fixed_zip(out.getvalue(), when) if stamp else out.getvalue()


def _fixed_zip(data: bytes, when: datetime) -> bytes:
    """The same archive with every member dated `when` (zip stores local times per member)."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()
