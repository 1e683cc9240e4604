"""What every `maa` command shares: settings, one-line errors, running async work, tables."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from collector.db import Database
from collector.errors import DomainError
from collector.migrate import upgrade
from collector.startup import describe
from models import logs
from models.grades import BY_NAME
from models.settings import Settings
from report.tally import Tally

out = Console()
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")


def fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(1)


def settings() -> Settings:
    """The settings, or one clear line saying which one is wrong."""
    try:
        conf = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "MAA_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        fail(f"setting {name}: {first['msg']}")
        raise AssertionError from exc  # unreachable: fail() exits
    logs.configure(conf.log_level)
    return conf


def run(work: Callable[[Settings], Awaitable[T]]) -> T:
    """Run async work on a migrated database; a domain error becomes one line."""
    conf = settings()

    async def main() -> T:
        await upgrade(conf)
        return await work(conf)

    return run_async(conf, main)


def run_async(conf: Settings, main: Callable[[], Awaitable[T]]) -> T:
    """asyncio.run(main()), with a domain error or a failure to start (database unreachable,
    port taken...) as one line and exit code 1 instead of a traceback."""
    try:
        return asyncio.run(main())  # type: ignore[arg-type]
    except DomainError as exc:
        fail(exc.message)
        raise AssertionError from exc
    except Exception as exc:
        line = describe(exc, conf)
        if line is None:
            raise
        fail(line)
        raise AssertionError from exc


async def with_db(conf: Settings, job: Callable[[Database], Awaitable[T]]) -> T:
    db = Database(conf.database_url)
    try:
        return await job(db)
    finally:
        await db.dispose()


def tally_table(result: Tally) -> Table:
    table = Table(
        title=f"{result.round}: {result.total_returns} returns from "
        f"{result.agencies_returning} agencies"
    )
    for col in ("Agency", "Returned", "Overall grades", "Not graded"):
        table.add_column(col)
    for a in result.agencies:
        grades = ", ".join(f"{BY_NAME[k].short} {v}" for k, v in a.overall_grades.items()) or "–"
        table.add_row(a.name, a.breakdown, grades, str(a.not_graded or ""))
    return table
