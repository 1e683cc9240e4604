"""`maa tally SLUG --standards`: the audit-standards figures per agency (report/standards.py)."""

import json

from rich.table import Table

from collector.cli_common import out, run, with_db
from collector.db import Database
from report.standards import HEADERS, AgencyStandards, standards, table


def standards_table(slug: str, rows: list[AgencyStandards]) -> Table:
    t = Table(title=f"{slug}: audit standards by agency (submitted returns)")
    for h in HEADERS:
        t.add_column(h)
    for cells in table(rows):
        t.add_row(*cells)
    return t


def print_standards(slug: str, as_json: bool) -> None:
    from collector.services.report_doc import report_snapshot

    async def job(db: Database) -> list[AgencyStandards]:
        async with db.read() as session:
            snapshot = await report_snapshot(session=session, slug=slug)
        return standards(snapshot)

    rows = run(lambda conf: with_db(conf, job))
    if as_json:
        print(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False))
    elif not rows:
        out.print(f"{slug}: no submitted returns yet.")
    else:
        out.print(standards_table(slug, rows))
