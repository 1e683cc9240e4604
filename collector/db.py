"""Engines and transactions for SQLite (the embedded default) and PostgreSQL.

Two ways to run a transaction: `write()`/`read()` give an ORM session (SQLModel services), and
`run(procedure)` runs a procedure written once against `collector.dbport.Port` (the hot writes:
answers, who is asking) on SQLite's writer thread or, on PostgreSQL, in the batches of
`collector.pg_writer` (both commit the writes queued meanwhile together).
"""

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from collector.dbport import PRAGMAS, Port
from collector.pg_writer import PgWriter
from collector.sqlite_writer import SqliteWriter
from collector.startup import sqlite_folder
from models.logs import floor
from models.settings import Settings

T = TypeVar("T")
Procedure = Callable[[Port], Awaitable[T]]


def unavailable(exc: BaseException) -> bool:
    """True when an error means the database cannot be reached (or gave up on a statement):
    the caller is told to try again later (503), not that something broke."""
    if isinstance(exc, sa_exc.DBAPIError):
        broken = sa_exc.OperationalError | sa_exc.InterfaceError
        if exc.connection_invalidated or isinstance(exc, broken):
            return True
        exc = getattr(exc.orig, "__cause__", None) or exc  # the driver's own error
    return isinstance(
        exc,
        OSError
        | sqlite3.OperationalError
        | TimeoutError
        | asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.QueryCanceledError
        | asyncpg.CannotConnectNowError
        | asyncpg.TooManyConnectionsError,
    )


def _sqlite_pragmas(immediate: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    def on_begin(conn: Any) -> None:
        # A writer takes the write lock up front, so it waits (busy_timeout) instead of failing
        # with "database is locked" when it later upgrades a read lock.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return on_connect, on_begin


def _keep_answers_out_of_logs() -> None:
    # At DEBUG aiosqlite logs every statement with its parameters, and SQLAlchemy's engine
    # logger can do the same: both would write narrative answers to the log. (The engines are
    # also made with hide_parameters, so a database error's message names no answer either.)
    floor()


class Database:
    """Read and write transactions. On SQLite writers queue on a one-connection pool."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        max_overflow: int = 10,
        statement_timeout: float = 30,
        connect_timeout: float = 5,
    ) -> None:
        _keep_answers_out_of_logs()
        self.url = url
        self.connect_timeout = connect_timeout
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            sqlite_folder(url)
            # One writer connection: in-process writers wait their turn without spinning, and
            # other processes wait on busy_timeout.
            self.write_engine = create_async_engine(
                url, pool_size=1, max_overflow=0, pool_timeout=120, hide_parameters=True
            )
            self.read_engine = create_async_engine(
                url, pool_size=4, max_overflow=4, hide_parameters=True
            )
            for engine, immediate in ((self.write_engine, True), (self.read_engine, False)):
                on_connect, on_begin = _sqlite_pragmas(immediate)
                event.listen(engine.sync_engine, "connect", on_connect)
                event.listen(engine.sync_engine, "begin", on_begin)
        else:
            # Server-side statement timeout on every connection; the client gives up a little
            # later, so a lost server is noticed too. Pre-ping: a replica whose database went
            # away and came back recovers by itself instead of failing on stale connections.
            server = {"statement_timeout": str(int(statement_timeout * 1000))}
            self._asyncpg: dict[str, Any] = {
                "timeout": connect_timeout,
                "command_timeout": statement_timeout + 5,
                "server_settings": {**server, "application_name": "maa-collector"},
            }
            self.write_engine = create_async_engine(
                url,
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_timeout=connect_timeout,
                pool_pre_ping=True,
                hide_parameters=True,
                connect_args=self._asyncpg,
            )
            self.read_engine = self.write_engine
            self._pool_size = pool_size + max_overflow
        self.writer: SqliteWriter | None = None
        self._pool: asyncpg.Pool | None = None
        self._pool_lock = asyncio.Lock()
        self._batches = PgWriter(self._connection)
        self._write = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._read = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """One transaction that commits on success and rolls back on any error."""
        async with self._write() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._read() as session, session.begin():
            yield session

    async def run(self, procedure: Procedure[T]) -> T:
        """Run a procedure in one transaction: committed if it returns, rolled back if it
        raises. SQLite: on the writer thread; PostgreSQL: in a batch on a pooled connection
        (`collector.pg_writer`). Both answer only once the write has committed."""
        if self.is_sqlite:
            if self.writer is None:  # started by the app; lazily for other users (the demo)
                self.start_writer()
                if self.writer is None:
                    raise RuntimeError("procedures need an SQLite file, not an in-memory database")
            return await self.writer.run(procedure)
        return await self._batches.run(procedure)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        pool = self._pool or await self._open_pool()
        # No acquire timeout: asyncpg would wrap every acquire in a task; connecting has its
        # own timeout, and a statement its server-side and client-side ones.
        async with pool.acquire() as conn:
            yield conn

    async def _open_pool(self) -> asyncpg.Pool:
        # min_size=0: opening the pool connects to nothing, so a collector starts (and answers
        # 503 on /healthz) while its database is away; connections are made as needed.
        async with self._pool_lock:
            if self._pool is None:
                dsn = make_url(self.url).set(drivername="postgresql")
                self._pool = await asyncpg.create_pool(
                    dsn.render_as_string(hide_password=False),
                    min_size=0,
                    max_size=self._pool_size,
                    max_inactive_connection_lifetime=60,
                    reset=_keep_session,
                    **self._asyncpg,
                )
            return self._pool

    async def ping(self) -> None:
        """Raise unless the database answers within the connect timeout."""
        async with asyncio.timeout(self.connect_timeout):
            await self.run(_select_one)

    def start_writer(self) -> None:
        """The app's hot writes go through one writer thread (SQLite files only)."""
        database = make_url(self.url).database if self.is_sqlite else None
        if database and database != ":memory:" and self.writer is None:
            self.writer = SqliteWriter(database)
            self.writer.start()

    async def dispose(self) -> None:
        if self.writer is not None:
            await self.writer.close()
            self.writer = None
        await self._batches.close()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Nothing to reset on release: procedures leave no session state (asyncpg has already
    rolled back anything left open), so no RESET ALL round trip per write."""


async def _select_one(port: Port) -> None:
    await port.fetch_one("SELECT 1")


def database(settings: Settings) -> Database:
    return Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        statement_timeout=settings.db_statement_timeout,
        connect_timeout=settings.db_connect_timeout,
    )
