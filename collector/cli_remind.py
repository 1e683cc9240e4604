"""`maa remind SLUG`: queue the reminders that are due now, or show them with --dry-run."""

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from collector.auth import SYSTEM
from collector.db import Database


def parse_at(text: str | None) -> datetime | None:
    """An ISO time; without a zone it is taken as UTC."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("use an ISO time, like 2026-02-06T09:30:00+00:00") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def remind(
    slug: str,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="show who would be chased and why; queue nothing")
    ] = False,
    at: Annotated[
        str | None, typer.Option("--at", help="plan as if it were this ISO time (default now)")
    ] = None,
) -> None:
    """Chase late returns: who gets which reminder stage now, and why."""
    # Imported here, as the other commands do: work that needs the database starts on use.
    from collector.cli_common import out, run, with_db
    from collector.services import reminders

    when = parse_at(at)

    async def job(db: Database) -> dict[str, Any]:
        session_ctx = db.read() if dry_run else db.write()
        async with session_ctx as session:
            return await reminders.plan(
                session=session, actor=SYSTEM, slug=slug, at=when, dry_run=dry_run
            )

    result = run(lambda conf: with_db(conf, job))
    if dry_run:
        for line in result["lines"]:
            out.print(line, highlight=False, markup=False, soft_wrap=True)
        return
    for d in result["decisions"]:
        out.print(f"{d.kind} {d.stage} → member #{d.recipient_id} [{d.key}]", markup=False)
    total = len(result["decisions"])
    out.print(
        f"Queued {result['queued']} new reminder(s); {total - result['queued']} were queued before."
    )
