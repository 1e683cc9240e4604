"""`maa backup`, `maa restore`: operating a partnership's database."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from collector.cli_common import err, fail, out, settings
from collector.errors import DomainError


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
