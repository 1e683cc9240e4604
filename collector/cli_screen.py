"""`maa screen SLUG`: which stored narratives the current screening rules would stop."""

from typing import Any


def screen(slug: str) -> None:
    """Re-screen a round's stored narratives; list (return, question, kind), never the text."""
    from collector.cli_common import out, run, with_db
    from collector.db import Database
    from collector.services.rescreen import rescreen_round

    async def job(db: Database) -> Any:
        async with db.read() as session:
            return await rescreen_round(session=session, slug=slug)

    found = run(lambda conf: with_db(conf, job))
    if not found:
        out.print(f"{slug}: every stored narrative passes the current screening rules.")
        return
    for f in found:
        what = ", ".join(k.replace("_", " ") for k in f.kinds)
        level = "refused now" if f.refused else "warning only"
        out.print(
            f"return {f.return_id} ({f.agency}, {f.case}) · {f.question} · {what} ({level})",
            markup=False,
            highlight=False,
        )
    refused = sum(f.refused for f in found)
    out.print(
        f"{len(found)} answer(s) to look at: {refused} with identifiers the rules now refuse, "
        f"{len(found) - refused} with a possible name only. Ask their authors to edit them."
    )
