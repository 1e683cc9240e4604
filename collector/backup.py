"""Backups while the service runs, and restores into an empty database only.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot while
writers carry on (WAL mode lets them); it runs in a thread. PostgreSQL: `pg_dump` in its custom
format, and `pg_restore`; without them on PATH we say which command to run instead. Connection
details go to the tools through PG* environment variables, never on a command line that any
user of the machine could read with `ps`.
"""

import asyncio
import os
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from collector.errors import DomainError
from models.tables import metadata

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(DomainError):
    """Anything that stops a backup or restore: one line for the operator."""

    code = "backup_failed"


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _pg_env(url: str) -> dict[str, str]:
    u = make_url(url)
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", u.host),
        ("PGPORT", u.port),
        ("PGUSER", u.username),
        ("PGPASSWORD", u.password),
        ("PGDATABASE", u.database),
    ):
        if value is not None:
            env[key] = str(value)
    return env


def _copy_sqlite(source: Path, target: Path) -> None:
    """One backup step over every page: a consistent snapshot, taken under a read lock."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


async def _run_tool(tool: str, args: list[str], url: str, manual: str) -> None:
    exe = shutil.which(tool)
    if exe is None:
        raise BackupError(f"{tool} is not installed here; run instead: {manual}")
    proc = await asyncio.create_subprocess_exec(
        exe, *args, env=_pg_env(url), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await proc.communicate()
    if proc.returncode != 0:
        last = (err.decode(errors="replace").strip().splitlines() or ["(no message)"])[-1]
        raise BackupError(f"{tool} failed: {last}")


def _check_backup(url: str, target: Path) -> None:
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"there is no folder {target.parent}")
    if url.startswith("sqlite") and not _sqlite_path(url).exists():
        raise BackupError(f"there is no database at {_sqlite_path(url)}")


def _head(source: Path) -> bytes:
    if not source.is_file():
        raise BackupError(f"no such file: {source}")
    with source.open("rb") as f:
        return f.read(16)


async def backup(url: str, target: Path) -> int:
    """Write a backup of the database at `url` to `target` (which must not exist): its size."""
    await asyncio.to_thread(_check_backup, url, target)
    if url.startswith("sqlite"):
        await asyncio.to_thread(_copy_sqlite, _sqlite_path(url), target)
    else:
        manual = f"pg_dump --format=custom --no-owner --file {target} <database>"
        await _run_tool("pg_dump", ["--format=custom", "--no-owner", "--file", str(target)],
                        url, manual)  # fmt: skip
    return (await asyncio.to_thread(target.stat)).st_size


async def is_empty(url: str) -> bool:
    """No tables at all, or only our (migrated) tables with no rows in any of them."""
    if url.startswith("sqlite") and not _sqlite_path(url).exists():
        return True
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: inspect(c).get_table_names())
            for name in names:
                if name == "alembic_version":
                    continue
                if name not in metadata.tables:
                    return False  # a table that is not ours: not an empty MAA database
                if await conn.scalar(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")')):
                    return False
        return True
    finally:
        await engine.dispose()


async def restore(url: str, source: Path) -> None:
    """Load the backup `source` into the database at `url`, which must be empty."""
    head = await asyncio.to_thread(_head, source)
    sqlite = url.startswith("sqlite")
    if sqlite and head != SQLITE_MAGIC:
        raise BackupError(f"{source} is not a SQLite backup (MAA_DATABASE_URL is SQLite)")
    if not sqlite and not head.startswith(PGDUMP_MAGIC):
        raise BackupError(f"{source} is not a pg_dump backup (MAA_DATABASE_URL is PostgreSQL)")
    if not await is_empty(url):
        raise BackupError("the database is not empty; restore only into a new, empty database")
    if sqlite:
        target = _sqlite_path(url)
        await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(_copy_sqlite, source, target)
    else:
        # --clean drops the empty tables a migration may have made, so the dump's own can load.
        args = ["--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction",
                "--dbname", make_url(url).database or "", str(source)]  # fmt: skip
        manual = f"pg_restore --clean --if-exists --no-owner --dbname <database> {source}"
        await _run_tool("pg_restore", args, url, manual)
