"""A report download, the same for the API and the desk: the kept report of a round whose
answers were removed, else the report rendered from `report_snapshot` (the frozen one while
final, so every download of a final report is the same document)."""

from dataclasses import replace

from collector.db import Database
from collector.services import retention
from collector.services.report_doc import report_snapshot
from report.formats import render_async
from report.moderated import AGENCY


async def report_file(
    *,
    db: Database,
    slug: str,
    fmt: str,
    annex: bool = True,
    theme_threshold: int | None = None,
    grades: str = AGENCY,
) -> bytes:
    """grades: "moderated" draws the case grid from moderated grades where there are any."""
    async with db.read() as session:
        kept = await retention.kept_report(session, slug, fmt)
        if kept is not None:
            return kept
        snapshot = await report_snapshot(
            session=session, slug=slug, annex=annex, theme_threshold=theme_threshold
        )
    # Rendered after the read transaction ends: a PDF takes seconds and holds no database.
    if grades != AGENCY:
        snapshot = replace(snapshot, matrix_grades=grades)
    return await render_async(snapshot, fmt)
