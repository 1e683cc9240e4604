"""Telegram updates already handled: a redelivered update must have one effect."""

from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.services.upsert import insert_for
from models.base import utcnow
from models.ops import SeenUpdate


async def mark_seen(*, session: AsyncSession, actor: Actor, update_id: int) -> bool:
    """True the first time an update id is seen, False ever after."""
    actor.require_service()
    return await first_sight(session, update_id)


async def first_sight(session: AsyncSession, update_id: int) -> bool:
    """Record the update id in this transaction; True unless it was recorded before."""
    result = await session.execute(
        insert_for(session, SeenUpdate)
        .values(update_id=update_id, seen_at=utcnow())
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    return result.rowcount == 1
