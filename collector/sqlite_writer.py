"""One thread that owns SQLite's write lock and commits the queued writes together.

The answer write is the hot path: every turn of every auditor. Through SQLAlchemy's aiosqlite
adapter one write took ~6 ms of CPU (four thread hand-offs per statement); here a whole write is
one hand-off and ~40 µs of plain `sqlite3`, and the writes that queued up meanwhile share one
`BEGIN IMMEDIATE … COMMIT` (group commit). A write is a procedure written once for both
databases against `collector.dbport.Port`; here it gets a `SqlitePort` and is driven to its end
in this thread (`dbport.drive`: it never suspends). One refused write (a 4xx) leaves the others
in its batch, and the database, exactly as they were (`_attempt`). A write's future is
resolved only after its batch has committed: no one is told "saved" early.
"""

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from collector.dbport import PRAGMAS, SqlitePort, drive

log = logging.getLogger("maa.collector")

T = TypeVar("T")
Procedure = Callable[[SqlitePort], Awaitable[Any]]
Job = tuple[asyncio.AbstractEventLoop, asyncio.Future, Procedure]
Outcome = tuple[Job, Any, BaseException | None]
BATCH = 64  # a burst still commits (and answers) in steps of about this many writes


def connect(path: str) -> sqlite3.Connection:
    """A connection set up as the SQLAlchemy engines set theirs up (see collector.db)."""
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in PRAGMAS:
        con.execute(f"PRAGMA {pragma}")
    return con


class SqliteWriter:
    """Run write procedures `fn(port)` in one thread, in arrival order."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._jobs: queue.SimpleQueue[list[Job] | None] = queue.SimpleQueue()
        self._pending: list[Job] = []
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="maa-sqlite-writer", daemon=True)
        self._thread.start()

    async def run(self, fn: Callable[[SqlitePort], Awaitable[T]]) -> T:
        """Queue one write; its result once committed, or its exception (nothing written)."""
        if self._thread is None:
            raise RuntimeError("the SQLite writer is not running")
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        if not self._pending:
            loop.call_soon(self._hand_over)
        self._pending.append((loop, future, fn))
        return await future

    def _hand_over(self) -> None:
        # Waking the thread costs the event loop more than a write does, so the writes queued
        # in one turn of the loop are handed over together.
        self._jobs.put(self._pending)
        self._pending = []

    async def close(self) -> None:
        """Finish every write already queued, then stop the thread."""
        if self._thread is not None:
            if self._pending:
                self._hand_over()
            self._jobs.put(None)
            await asyncio.to_thread(self._thread.join)
            self._thread = None

    def _loop(self) -> None:
        con = connect(self.path)
        try:
            while True:
                batch = self._jobs.get()
                if batch is None:
                    return
                while len(batch) < BATCH:
                    try:
                        more = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        self._jobs.put(None)  # finish this batch, then stop
                        break
                    batch += more
                self._settle(self._commit(con, batch))
        finally:
            con.close()

    @staticmethod
    def _commit(con: sqlite3.Connection, batch: list[Job]) -> list[Outcome]:
        refused: dict[int, BaseException] = {}
        try:
            while (outcomes := _attempt(con, batch, refused)) is None:
                pass  # a write failed after writing: its batch was undone, and runs again
            if con.in_transaction:  # the first write of the batch began it (port.begin)
                con.execute("COMMIT")
        except sqlite3.Error as exc:
            # The batch did not commit (disk full, I/O error...): every write in it failed.
            log.error("SQLite write batch failed: %s", type(exc).__name__)
            if con.in_transaction:
                con.execute("ROLLBACK")
            return [(job, None, exc) for job in batch]
        return outcomes

    @staticmethod
    def _settle(outcomes: list[Outcome]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list] = {}
        for (loop, future, _), result, error in outcomes:
            by_loop.setdefault(loop, []).append((future, result, error))
        for loop, items in by_loop.items():
            if not loop.is_closed():
                loop.call_soon_threadsafe(_resolve, items)


def _attempt(
    con: sqlite3.Connection, batch: list[Job], refused: dict[int, BaseException]
) -> list[Outcome] | None:
    """Run the batch's writes in one transaction, minus those already `refused`. A write that
    fails before writing anything leaves nothing to undo. One that fails after writing is
    rare (a 4xx is decided before the first write), so rather than a SAVEPOINT around every
    write (two statements each), the batch is rolled back, that write added to `refused`,
    and None returned: the caller runs the others again, on the database as it was."""
    port = SqlitePort(con)
    outcomes: list[Outcome] = []
    for i, job in enumerate(batch):
        if i in refused:
            outcomes.append((job, None, refused[i]))
            continue
        port.wrote = False
        try:
            outcomes.append((job, drive(job[2](port)), None))
        except Exception as exc:
            if port.wrote:
                refused[i] = exc
                if con.in_transaction:
                    con.execute("ROLLBACK")
                return None
            outcomes.append((job, None, exc))
    return outcomes


def _resolve(items: list[tuple[asyncio.Future, Any, BaseException | None]]) -> None:
    for future, result, error in items:
        if future.cancelled():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
