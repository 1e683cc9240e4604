"""`maa backup`, `maa restore`: operating a partnership's database."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from collector.cli_common import err, fail, out, run, settings
from collector.errors import DomainError
from models.settings import Settings


def _one_line(work: object) -> object:
    try:
        return asyncio.run(work)  # type: ignore[arg-type]
    except DomainError as exc:
        fail(exc.message)
    except OSError as exc:
        fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    raise AssertionError


def backup(
    file: Annotated[Path, typer.Argument(help="the backup file to write (must not exist)")],
) -> None:
    """Back up the database while the service runs (SQLite online backup, or pg_dump)."""
    from collector import backup as b

    conf = settings()
    size = _one_line(b.backup(conf.database_url, file))
    out.print(f"Backed up to {file} ({size:,} bytes).")


def restore(
    file: Annotated[Path, typer.Argument(help="a file written by `maa backup`")],
) -> None:
    """Restore a backup into an EMPTY database (a new SQLite file or a new PostgreSQL database)."""
    from collector import backup as b

    conf = settings()
    _one_line(b.restore(conf.database_url, file))
    out.print(f"Restored {file}.")
    err.print("Start the collector: it brings the restored database to the newest schema.")


def retention(
    apply: Annotated[
        bool, typer.Option("--apply", help="remove them; without it, a dry run")
    ] = False,
    at: Annotated[
        str | None, typer.Option("--at", help="ISO time to judge at; default now")
    ] = None,
) -> None:
    """Closed rounds and when their answers are removed; --apply removes those that are due."""
    from datetime import datetime

    from collector.auth import SYSTEM
    from collector.db import Database
    from collector.services import retention as r
    from models.base import utcnow

    try:
        now = datetime.fromisoformat(at) if at else utcnow()
    except ValueError:
        fail(f"--at: '{at}' is not an ISO date or time, like 2027-01-31")
    if now.tzinfo is None:
        now = now.replace(tzinfo=utcnow().tzinfo)

    async def job(conf: Settings) -> tuple[list[r.RetentionItem], list[str]]:
        db = Database(conf.database_url)
        try:
            async with db.read() as session:
                items = await r.plan(session=session, now=now)
            done = await r.apply_due(db, SYSTEM, now) if apply else []
            return items, done
        finally:
            await db.dispose()

    items, done = run(job)
    if not items:
        out.print("No closed round holds answers.")
    for i in items:
        when = f"{i.remove_after:%d %b %Y}"
        if i.slug in done:
            state = f"removed {i.answers:,} answers (report, tally and action plan kept)"
        elif i.due:
            state = f"due since {when}: {i.answers:,} answers would be removed"
        else:
            state = f"kept until {when} ({i.months} months after closing)"
        out.print(
            f"{i.slug}: closed {i.closed_at:%d %b %Y}; {state}", highlight=False, soft_wrap=True
        )
    if not apply and any(i.due for i in items):
        err.print("Dry run: nothing was removed. Back up first, then run with --apply.")


def member_erase(member_id: Annotated[int, typer.Argument(help="the member's id")]) -> None:
    """Erase a person: name and Telegram id removed, tokens, sessions and invites void; their
    answers and audit events stay, attributed to the member id."""
    from collector.auth import SYSTEM
    from collector.db import Database
    from collector.services import erasure

    async def job(conf: Settings) -> object:
        db = Database(conf.database_url)
        try:
            async with db.write() as session:
                return await erasure.erase_member(
                    session=session, actor=SYSTEM, member_id=member_id
                )
        finally:
            await db.dispose()

    member = run(job)
    out.print(f"Erased member {member_id}: now shown as “{member.display_name}”.")  # type: ignore[attr-defined]


def rotate_key(
    generate: Annotated[
        bool, typer.Option("--generate", help="print a new key for MAA_DATA_KEY and stop")
    ] = False,
) -> None:
    """Re-encrypt every stored narrative under the first key in MAA_DATA_KEY."""
    from collector import sealing
    from collector.auth import SYSTEM
    from collector.db import Database
    from collector.services import datakeys

    if generate:
        from datetime import date

        print(sealing.new_key(f"k{date.today():%Y%m%d}"))
        err.print("Put it first in MAA_DATA_KEY (keep the old keys after it), then run this again.")
        return

    async def job(conf: Settings) -> tuple[str | None, datakeys.Rotated]:
        ring = sealing.parse(conf.data_key.get_secret_value())
        if ring is None:
            fail("setting MAA_DATA_KEY: set a key first (`maa rotate-key --generate` makes one)")
        db = Database(conf.database_url)
        try:
            return ring.current, await datakeys.rotate(db=db, actor=SYSTEM, current=ring.current)
        finally:
            await db.dispose()

    current, done = run(job)
    out.print(
        f"Sealed under key {current}: {done.answers:,} answers, {done.events:,} audit events, "
        f"{done.archives:,} kept reports, {done.final_reports:,} final reports. "
        "Older keys may now leave MAA_DATA_KEY.",
        highlight=False,
        soft_wrap=True,
    )
