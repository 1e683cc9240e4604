"""The one registry of report formats, for `maa report --format` and `GET .../report?format=`.

body = render(snapshot, "docx")                # sync: CLI, tests
body = await render_async(snapshot, "pdf")     # aiohttp: keeps the event loop free
FORMATS["pdf"].content_type, FORMATS["pdf"].extension
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from report.docx_report import render_docx
from report.exports import render_csv, render_json, render_xlsx
from report.snapshot import RoundSnapshot
from report.text import render_html, render_markdown
from report.workshop_render import render_workshop_docx, render_workshop_pdf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class UnknownFormat(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown report format {name!r}; use one of: {', '.join(FORMATS)}")
        self.name = name


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> dict:
    # The report is self-contained; a narrative must never make the renderer fetch anything.
    raise ValueError(f"external resource refused: {url[:80]}")


def render_pdf(snapshot: RoundSnapshot) -> bytes:
    """The print layout of the HTML report (A4, wide case grid summarised), via WeasyPrint."""
    from weasyprint import HTML  # heavy import (pango, fonts): only when a PDF is asked for

    html = render_html(snapshot, for_print=True)
    return HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()


@dataclass(frozen=True)
class Format:
    name: str
    content_type: str
    extension: str
    renderer: Callable[[RoundSnapshot], bytes]
    # Rendering in a worker thread keeps the collector responsive; tiny formats are not worth
    # the hop, but every format here grows with the round, so all of them are threaded.
    threaded: bool = True
    stem: str = "overview"  # what the document is: the overview report, or the workshop pack

    def filename(self, slug: str) -> str:
        return f"{slug}-{self.stem}.{self.extension}"


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("md", "text/markdown; charset=utf-8", "md", lambda s: render_markdown(s).encode()),
        Format("html", "text/html; charset=utf-8", "html", lambda s: render_html(s).encode()),
        Format("pdf", "application/pdf", "pdf", render_pdf),
        Format(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            render_docx,
        ),
        Format("csv", "text/csv; charset=utf-8", "csv", render_csv),
        Format(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            render_xlsx,
        ),
        Format("json", "application/json", "json", render_json),
        # The learning workshop pack (report/workshop.py): Word to edit, PDF to print.
        Format("workshop", DOCX, "docx", render_workshop_docx, stem="workshop"),
        Format("workshop-pdf", "application/pdf", "pdf", render_workshop_pdf, stem="workshop"),
    )
}


def get_format(name: str) -> Format:
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise UnknownFormat(name) from None


def render(snapshot: RoundSnapshot, fmt: str) -> bytes:
    """The report (or export) of a round in format `fmt`, as bytes ready to write or send."""
    return get_format(fmt).renderer(snapshot)


async def render_async(snapshot: RoundSnapshot, fmt: str) -> bytes:
    """As `render`, in a worker thread: PDF and DOCX take seconds for big rounds."""
    f = get_format(fmt)  # an unknown format fails here, before any thread is used
    if f.threaded:
        return await asyncio.to_thread(f.renderer, snapshot)
    return f.renderer(snapshot)
