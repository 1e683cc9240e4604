"""The one small database port the hot write procedures are written against, and its two sides.

A procedure (`collector.services.answers`, `collector.services.acting`) is an `async def` that
takes a `Port` and runs SQL written once, with `?` placeholders, in the subset both databases
speak (ON CONFLICT, RETURNING, TRUE/FALSE). What differs between the databases stays here:

- SQLite (`SqlitePort`): plain `sqlite3` calls on the writer thread's connection
  (`collector.sqlite_writer`). Its methods are coroutines that never suspend, so the thread
  drives a whole procedure with one `coro.send(None)` (`drive`) and keeps its group commit.
- PostgreSQL (`collector.pg_writer.BatchPort`): the procedures queued meanwhile run in
  lock-step on one pooled asyncpg connection, each statement sent once for all of them
  (pipelined), prepared once per connection (asyncpg's statement cache).

Both sides begin the transaction lazily: reads before `begin()` need no transaction, the first
write (or `begin()`, before a read that must lock) opens it, so a read-only procedure (who is
asking, a repeated update) costs no BEGIN/COMMIT.
"""

import json
import re
import sqlite3
from collections.abc import Coroutine, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
Row = Sequence[Any]

# One place for the SQLite connection set-up: the writer thread and SQLAlchemy's engines.
PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000")


class Port(Protocol):
    """What a write procedure may do with the database inside its one transaction.

    Parameters are positional (`?`), or one dict for SQL with `:name` parameters."""

    dialect: str

    async def begin(self) -> None:
        """Open the transaction now (before a read whose rows must not change under us)."""

    def for_update(self, alias: str) -> str:
        """The clause that locks the rows of `alias` read next (SQLite: the write lock is
        already the whole database's, from `begin()`)."""

    async def fetch_one(self, sql: str, *args: Any) -> Row | None: ...

    async def fetch_all(self, sql: str, *args: Any) -> list[Row]: ...

    async def execute(self, sql: str, *args: Any) -> int:
        """Run a write (in the transaction, begun if need be); the number of rows it changed."""

    async def write_returning(self, sql: str, *args: Any) -> Row | None:
        """Run a write with RETURNING (in the transaction); its first row."""

    def read_stamp(self, value: Any) -> datetime | None:
        """A timestamp column's value as an aware UTC datetime."""


def stamp(moment: datetime) -> str:
    """A UTC timestamp as SQLAlchemy stores one on SQLite (models.base.UTCDateTime)."""
    if moment.tzinfo is UTC:  # the usual case (datetime.now(UTC)): cut off "+00:00"
        return moment.isoformat(" ", "microseconds")[:26]
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class SqlitePort:
    """The writer thread's `sqlite3` connection. One instance serves one write batch: the
    batch shares a BEGIN IMMEDIATE … COMMIT. `wrote` tells the writer whether the procedure
    running now has written (see `collector.sqlite_writer` for what a failure then undoes)."""

    dialect = "sqlite"

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self.wrote = False
        self._stamped: tuple[datetime | None, str] = (None, "")

    def _sqlite(self, sql: str, args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
        if args and type(args[0]) is dict:
            sql, args = positional(sql, args)
        for i, a in enumerate(args):
            if type(a) is datetime:
                # A write passes one moment to several statements: encode it once.
                if self._stamped[0] is not a:
                    self._stamped = (a, stamp(a))
                args = (*args[:i], self._stamped[1], *args[i + 1 :])
        return sql, args

    async def begin(self) -> None:
        if not self.con.in_transaction:
            self.con.execute("BEGIN IMMEDIATE")

    def for_update(self, alias: str) -> str:
        return ""

    async def fetch_one(self, sql: str, *args: Any) -> Row | None:
        return self.con.execute(*self._sqlite(sql, args)).fetchone()

    async def fetch_all(self, sql: str, *args: Any) -> list[Row]:
        return self.con.execute(*self._sqlite(sql, args)).fetchall()

    async def execute(self, sql: str, *args: Any) -> int:
        await self.begin()
        self.wrote = True
        return self.con.execute(*self._sqlite(sql, args)).rowcount

    async def write_returning(self, sql: str, *args: Any) -> Row | None:
        await self.begin()
        self.wrote = True
        return self.con.execute(*self._sqlite(sql, args)).fetchone()

    def read_stamp(self, value: Any) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


_NAMED = re.compile(r"(?<![:\w]):(\w+)")
_by_position: dict[str, tuple[str, tuple[str, ...]]] = {}


def positional(sql: str, args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """SQL with `:name` parameters and one dict of values, as `?` SQL and a tuple."""
    if len(args) != 1 or not isinstance(args[0], dict):
        return sql, args
    done = _by_position.get(sql)
    if done is None:
        done = _by_position[sql] = (_NAMED.sub("?", sql), tuple(_NAMED.findall(sql)))
    return done[0], tuple(args[0][name] for name in done[1])


def row_values(row: dict[str, Any]) -> dict[str, Any]:
    """A row's values as SQLAlchemy stores them: dicts and lists as JSON text, enums by name
    (each port encodes timestamps its own way)."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, dict | list):
            v = json.dumps(v)
        elif isinstance(v, Enum):
            v = v.name
        out[k] = v
    return out


def insert_sql(table: str, columns: Sequence[str], tail: str = "") -> str:
    """INSERT of these columns as `:name` parameters, e.g. for `row_values` rows."""
    names = ", ".join(columns)
    values = ", ".join(f":{c}" for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({values}){tail}"


def drive(coro: Coroutine[Any, Any, T]) -> T:
    """Run a procedure on a SqlitePort to its end in this thread: it never suspends."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("a procedure on the SQLite writer awaited something other than its port")


_PLACEHOLDER = re.compile(r"\?")
_numbered: dict[str, str] = {}


def numbered(sql: str) -> str:
    """`?` placeholders as asyncpg's `$1, $2, …` (computed once per statement)."""
    done = _numbered.get(sql)
    if done is None:
        count = iter(range(1, 1000))
        done = _numbered[sql] = _PLACEHOLDER.sub(lambda _: f"${next(count)}", sql)
    return done
