"""The append-only audit trail, written in the same transaction as the change it records."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from models.ops import AuditEvent


def record(
    session: AsyncSession,
    *,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    before: Any = None,
    after: Any = None,
) -> None:
    session.add(
        AuditEvent(
            actor_id=actor.member_id,
            actor=actor.label,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )
