"""PostgreSQL's side of the write procedures: the procedures that queued up meanwhile run
together, in lock-step, on one connection and in one transaction (group commit).

A write was ~9 round trips on its own connection (BEGIN, who is asking, lock the return, its
answers, upsert, `updated_at`, audit event, COMMIT), and on loopback each round trip's
`socket.send` wakes the server process: that, not SQL, was most of the cost. Here every queued
procedure gets a `BatchPort` whose calls suspend the procedure and hand the statement to the
driver; when every procedure of the batch is waiting, each distinct statement is sent once for
all of them (asyncpg's pipelined `fetchmany`: one Bind/Execute per procedure, one Sync, one
round trip), and the results are handed back. So a batch costs about the round trips of one
write, whatever its size; the procedures themselves are the same ones SQLite runs
(`collector.services.answers`, `acting`), unchanged.

What keeps each write exactly what it was alone:
- Two procedures that lock the same row (`FOR UPDATE`: the same return) never share a batch:
  the later one is set aside, unstarted as far as the database knows, for the next batch. Locks
  are taken in key order, so batches of two replicas cannot deadlock on returns.
- A procedure that fails after it wrote (or a statement that fails, which aborts the whole
  transaction) leaves nothing: the batch is rolled back and each of its procedures runs again
  alone, in its own transaction. Procedures are idempotent, so a re-run is the same write.
- A caller is answered only after the batch committed (a SIGKILL before loses only
  unacknowledged writes); a lost connection fails the batch's writes (503: nothing saved).
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Generator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any, TypeVar

import asyncpg

from collector.dbport import Row, numbered, positional

T = TypeVar("T")
BATCH = 64  # procedures per batch: a burst is answered in steps of about this many
READ_ONE, READ_ALL, WRITE, WRITE_RETURNING = range(4)


class Step:
    """One statement a procedure waits on; the driver sends back its result."""

    __slots__ = ("args", "kind", "sql")

    def __init__(self, kind: int, sql: str, args: tuple[Any, ...]) -> None:
        sql, args = positional(sql, args)
        self.kind, self.sql, self.args = kind, numbered(sql), args

    def __await__(self) -> Generator["Step", Any, Any]:
        return (yield self)


class BatchPort:
    """A procedure's view of the batch (`collector.dbport.Port`): statements wait for the
    driver. The transaction is the batch's, begun before the first statement that needs it."""

    dialect = "postgresql"

    def __init__(self) -> None:
        self.begun = False  # this procedure needs the transaction from now on
        self.wrote = False

    async def begin(self) -> None:
        self.begun = True

    def for_update(self, alias: str) -> str:
        return f" FOR UPDATE OF {alias}"

    async def fetch_one(self, sql: str, *args: Any) -> Row | None:
        return await Step(READ_ONE, sql, args)

    async def fetch_all(self, sql: str, *args: Any) -> list[Row]:
        return await Step(READ_ALL, sql, args)

    async def execute(self, sql: str, *args: Any) -> int:
        self.begun = self.wrote = True
        return await Step(WRITE, sql, args)

    async def write_returning(self, sql: str, *args: Any) -> Row | None:
        self.begun = self.wrote = True
        return await Step(WRITE_RETURNING, sql, args)

    def read_stamp(self, value: Any) -> datetime | None:
        return None if value is None else value.astimezone(UTC)


class Job:
    """One queued procedure and, once run, its outcome."""

    __slots__ = ("coro", "error", "future", "port", "procedure", "result", "step")

    def __init__(self, procedure: Callable[[BatchPort], Awaitable[Any]], future: Any) -> None:
        self.procedure, self.future = procedure, future

    def start(self) -> None:
        self.port = BatchPort()
        self.coro = self.procedure(self.port)
        self.result = self.error = self.step = None
        self.advance(None)

    def advance(self, value: Any) -> None:
        try:
            self.step = self.coro.send(value)
        except StopIteration as done:
            self.step, self.result = None, done.value
        except Exception as exc:
            self.step, self.error = None, exc
        else:
            if type(self.step) is not Step:
                self.coro.close()
                self.step, self.error = None, RuntimeError("a procedure awaited outside its port")

    def set_aside(self) -> None:
        self.coro.close()
        self.step = None


class Redo(Exception):
    """The batch cannot commit as a whole: roll back, run each procedure alone."""


def lost(exc: BaseException, conn: Any) -> bool:
    """The connection (or the database) is gone: nothing in the batch can be saved now."""
    return conn.is_closed() or isinstance(
        exc,
        OSError
        | TimeoutError
        | asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.QueryCanceledError
        | asyncpg.CannotConnectNowError,
    )


_tagged: dict[tuple[int, str], str | None] = {}


def tagged(kind: int, sql: str, count: int) -> str | None:
    """The statement with the procedure's number as one more parameter in each row it
    returns (first column of a read, last of RETURNING), so one pipelined call can serve many
    procedures; None if the statement has no place for it (then it is sent once each)."""
    key = (kind, sql)
    if key not in _tagged:
        tag = f"${count + 1}::int"  # after the statement's own `count` parameters
        out = None
        if kind in (READ_ONE, READ_ALL) and sql.startswith("SELECT ") and "DISTINCT" not in sql:
            out = f"SELECT {tag} AS _n, {sql[7:]}"
        elif kind == WRITE and " RETURNING " not in sql:
            out = f"{sql} RETURNING {tag}"
        elif kind == WRITE_RETURNING and " RETURNING " in sql:
            out = f"{sql}, {tag}"
        _tagged[key] = out
    return _tagged[key]


async def _one(conn: Any, step: Step) -> Any:
    if step.kind == READ_ONE or step.kind == WRITE_RETURNING:
        return await conn.fetchrow(step.sql, *step.args)
    if step.kind == READ_ALL:
        return await conn.fetch(step.sql, *step.args)
    status = await conn.execute(step.sql, *step.args)  # e.g. "INSERT 0 1"
    return int(status.rpartition(" ")[2] or 0)


async def _together(conn: Any, kind: int, sql: str, jobs: list[Job]) -> list[Any]:
    """One statement for several procedures, in one round trip when it can be tagged."""
    query = tagged(kind, sql, len(jobs[0].step.args))
    if query is None:
        return [await _one(conn, job.step) for job in jobs]
    rows = await conn.fetchmany(query, [(*job.step.args, n) for n, job in enumerate(jobs)])
    if kind == READ_ALL:
        out: list[Any] = [[] for _ in jobs]
        for row in rows:
            out[row[0]].append(row[1:])
        return out
    if kind == WRITE:
        counts = [0] * len(jobs)
        for row in rows:
            counts[row[0]] += 1
        return counts
    first: list[Any] = [None] * len(jobs)
    for row in rows:
        n, values = (row[0], row[1:]) if kind == READ_ONE else (row[-1], row[:-1])
        if first[n] is None:
            first[n] = values
    return first


async def run_batch(conn: Any, jobs: list[Job]) -> list[Job]:
    """Run these procedures in lock-step in one transaction and commit; the jobs set aside
    (a row another one locked) are returned to run in a later batch. Raises `Redo` when the
    batch cannot commit as a whole, or the driver's error when the connection is lost."""
    transaction = None
    locked: dict[tuple[str, tuple[Any, ...]], Job] = {}
    aside: list[Job] = []
    for job in jobs:
        job.start()
    try:
        while True:
            waiting = [job for job in jobs if job.step is not None]
            if not waiting:
                break
            groups: dict[tuple[int, str], list[Job]] = {}
            for job in waiting:
                groups.setdefault((job.step.kind, job.step.sql), []).append(job)
            if transaction is None and any(job.port.begun for job in waiting):
                transaction = conn.transaction()
                await transaction.start()
            for (kind, sql), group in groups.items():
                if " FOR UPDATE" in sql:
                    group = _lock_order(group, locked, aside)
                    if not group:
                        continue
                results = await _together(conn, kind, sql, group)
                for job, result in zip(group, results, strict=True):
                    job.advance(result)
        if any(job.error is not None and job.port.wrote for job in jobs):
            raise Redo  # a refusal after a write: undo it alone by running each one alone
        if transaction is not None:
            await transaction.commit()
    except BaseException as exc:
        if transaction is not None and not conn.is_closed():
            # A broken connection cannot roll back: the pool discards it on release.
            with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                await transaction.rollback()
        for job in jobs:
            if job.step is not None:
                job.set_aside()
        if isinstance(exc, Exception) and not isinstance(exc, Redo) and not lost(exc, conn):
            raise Redo from exc  # a failed statement aborted the transaction for all
        raise
    return aside


def _lock_order(
    group: list[Job], locked: dict[tuple[str, tuple[Any, ...]], Job], aside: list[Job]
) -> list[Job]:
    """The procedures that may lock their rows now, in key order (no deadlock between
    batches); one that wants a row another procedure of this batch locked is set aside."""
    with contextlib.suppress(TypeError):  # keys that do not compare: arrival order
        group = sorted(group, key=lambda job: job.step.args)
    keep = []
    for job in group:
        key = (job.step.sql, job.step.args)
        if locked.setdefault(key, job) is not job:
            if job.port.wrote:
                raise Redo  # it cannot leave this transaction without its write
            job.set_aside()
            aside.append(job)
        else:
            keep.append(job)
    return keep


class PgWriter:
    """Queue procedures; one batch at a time runs on a pooled connection."""

    def __init__(self, connection: Callable[[], AbstractAsyncContextManager[Any]]) -> None:
        # `connection()`: an async context manager giving a pooled asyncpg connection.
        self._connection = connection
        self._pending: list[Job] = []
        self._task: asyncio.Task[None] | None = None

    async def run(self, procedure: Callable[[BatchPort], Awaitable[T]]) -> T:
        """Queue one procedure; its result once its batch committed, or its exception."""
        future = asyncio.get_running_loop().create_future()
        self._pending.append(Job(procedure, future))
        if self._task is None:
            self._task = asyncio.create_task(self._drain())
        return await future

    async def close(self) -> None:
        """Finish every procedure already queued."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending[:BATCH], self._pending[BATCH:]
                try:
                    aside = await self._batch(batch)
                except BaseException as exc:  # the connection is lost: nothing in it saved
                    _settle(batch, exc)
                    if not isinstance(exc, Exception):
                        raise
                    continue
                self._pending[:0] = aside
        finally:
            self._task = None

    async def _batch(self, jobs: list[Job]) -> list[Job]:
        async with self._connection() as conn:
            try:
                aside = await run_batch(conn, jobs)
            except Redo:
                for job in jobs:  # each alone: one refusal or failure is its own
                    try:
                        await run_batch(conn, [job])
                    except Redo as redo:
                        if redo.__cause__ is not None:  # else: its own refusal, undone
                            job.error = redo.__cause__
                    _settle([job])
                return []
        waiting = {id(job) for job in aside}
        _settle([job for job in jobs if id(job) not in waiting])
        return aside


def _settle(jobs: list[Job], error: BaseException | None = None) -> None:
    for job in jobs:
        if job.future.done():
            continue  # the caller gave up waiting (a timeout)
        if error is not None:
            job.future.set_exception(error)
        elif job.error is not None:
            job.future.set_exception(job.error)
        else:
            job.future.set_result(job.result)
