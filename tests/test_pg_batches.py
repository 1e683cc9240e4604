"""PostgreSQL's write batches (collector.pg_writer): procedures queued together run in one
transaction, in lock-step, yet each keeps the outcome it would have had alone.

The SQLite writer's own tests are in test_write_path.py; these run on PostgreSQL only (they
are skipped without MAA_TEST_POSTGRES_URL) against a real database and the real driver.
"""

import asyncio

import asyncpg
import pytest

from collector.db import Database
from tests.conftest import POSTGRES

pytestmark = pytest.mark.skipif(not POSTGRES, reason="PostgreSQL only (MAA_TEST_POSTGRES_URL)")

TABLES = (
    "CREATE TABLE parent (id INTEGER PRIMARY KEY, note TEXT);"
    "CREATE TABLE child (id SERIAL PRIMARY KEY, parent_id INTEGER REFERENCES parent(id),"
    " label TEXT UNIQUE);"
    "INSERT INTO parent VALUES (1, ''), (2, ''), (3, '');"
)


@pytest.fixture
async def db(database_url):
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(TABLES)
    finally:
        await conn.close()
    database = Database(database_url)
    yield database
    await database.dispose()


async def _children(db: Database) -> list[str]:
    async def read(port):
        return [row[0] for row in await port.fetch_all("SELECT label FROM child ORDER BY label")]

    return await db.run(read)


def add(label: str, parent: int = 1):
    async def procedure(port):
        return await port.execute(
            "INSERT INTO child (parent_id, label) VALUES (?, ?)", parent, label
        )

    return procedure


async def test_many_procedures_at_once_each_get_their_own_rows_back(db):
    def write_then_read(n: int):
        async def procedure(port):
            await port.execute("INSERT INTO child (parent_id, label) VALUES (?, ?)", 1, f"c{n}")
            row = await port.fetch_one("SELECT label FROM child WHERE label = ?", f"c{n}")
            rows = await port.fetch_all("SELECT label FROM child WHERE label LIKE ?", f"c{n}%")
            made = await port.write_returning(
                "UPDATE parent SET note = ? WHERE id = ? RETURNING id, note", f"n{n}", 1 + n % 3
            )
            return row[0], [r[0] for r in rows], tuple(made)

        return procedure

    results = await asyncio.gather(*(db.run(write_then_read(n)) for n in range(40)))
    for n, (label, labels, made) in enumerate(results):
        assert label == f"c{n}"
        assert set(labels) == {f"c{m}" for m in range(40) if f"c{m}".startswith(f"c{n}")}
        assert made == (1 + n % 3, f"n{n}")
    assert len(await _children(db)) == 40


async def test_a_refusal_after_a_write_leaves_nothing_and_the_others_whole(db):
    async def half_then_refuses(port):
        await port.execute("INSERT INTO child (parent_id, label) VALUES (1, 'refused')")
        raise ValueError("refused after writing")

    results = await asyncio.gather(
        db.run(add("a")), db.run(half_then_refuses), db.run(add("b")), return_exceptions=True
    )
    assert results[0] == results[2] == 1 and isinstance(results[1], ValueError)
    assert await _children(db) == ["a", "b"]


async def test_a_failing_statement_fails_its_own_write_only(db):
    results = await asyncio.gather(
        db.run(add("x")),
        db.run(add("y", parent=42)),  # no such parent: the statement fails
        db.run(add("x")),  # the same label again: unique violation, after the first
        db.run(add("z")),
        return_exceptions=True,
    )
    assert results[0] == 1 and results[3] == 1
    assert isinstance(results[1], asyncpg.ForeignKeyViolationError)
    assert isinstance(results[2], asyncpg.UniqueViolationError)
    assert await _children(db) == ["x", "z"]


async def test_writes_that_lock_the_same_row_run_one_after_another(db):
    def append(n: int):
        async def procedure(port):
            await port.begin()
            row = await port.fetch_one(
                "SELECT note FROM parent p WHERE id = ?" + port.for_update("p"), 1
            )
            await port.execute("UPDATE parent SET note = ? WHERE id = 1", f"{row[0]}{n},")
            return row[0]

        return procedure

    seen = await asyncio.gather(*(db.run(append(n)) for n in range(20)))
    final = (await db.run(_note))[0]
    # Each saw every earlier append and none was lost: the notes grow by one each time.
    assert sorted(len(s.split(",")) for s in seen) == list(range(1, 21))
    assert sorted(final.strip(",").split(","), key=int) == [str(n) for n in range(20)]


async def _note(port):
    return await port.fetch_one("SELECT note FROM parent WHERE id = 1")


async def test_a_lost_connection_fails_its_batch_and_the_next_one_works(db, database_url):
    await db.run(add("before"))

    async def slow(port):
        await port.execute("INSERT INTO child (parent_id, label) VALUES (1, 'lost')")
        await port.fetch_one("SELECT pg_sleep(5)")

    write = asyncio.create_task(db.run(slow))
    admin = await asyncpg.connect(POSTGRES.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for _ in range(100):  # until the write is waiting in its sleep, then end its backend
            ended = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = $1 AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
                database_url.rpartition("/")[2],
            )
            if ended:
                break
            await asyncio.sleep(0.05)
    finally:
        await admin.close()
    with pytest.raises((asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError)):
        await write
    assert await db.run(add("after")) == 1
    assert await _children(db) == ["after", "before"]
