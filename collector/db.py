"""Engines and transactions for SQLite (the embedded default) and PostgreSQL."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from collector.sqlite_writer import SqliteWriter
from collector.startup import sqlite_folder
from models.logs import floor
from models.settings import Settings


def _sqlite_pragmas(immediate: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
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

    def __init__(self, url: str) -> None:
        _keep_answers_out_of_logs()
        self.url = url
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
            self.write_engine = create_async_engine(
                url, pool_size=10, max_overflow=10, hide_parameters=True
            )
            self.read_engine = self.write_engine
        self.writer: SqliteWriter | None = None
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
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def database(settings: Settings) -> Database:
    return Database(settings.database_url)
