"""Inserting outbox rows (the `reminder` table): one implementation for reminders and concerns."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from collector.services.upsert import insert_for
from models.ops import Reminder

CHUNK = 500  # rows per INSERT: well inside SQLite's and asyncpg's limits on bound parameters


async def insert_rows(session: AsyncSession, values: list[dict[str, Any]]) -> list[int]:
    """Insert queued rows; a row whose key exists is left alone. Returns the new ids."""
    new_ids: list[int] = []
    for start in range(0, len(values), CHUNK):
        stmt = (
            insert_for(session, Reminder)
            .values(values[start : start + CHUNK])
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(Reminder.id)
        )
        new_ids += (await session.execute(stmt)).scalars()
    return new_ids
