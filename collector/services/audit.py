"""The append-only audit trail, written in the same transaction as the change it records.

Two ways in, one row shape: `record` adds the row to an ORM session (the services written with
SQLModel), `insert` writes it through a `collector.dbport.Port` (the procedures written once for
both databases: the answer write, who is asking). Both take the same fields from the actor.
"""

import json
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.dbport import Port
from models.ops import AuditEvent

INSERT = (
    'INSERT INTO audit_event (at, actor_id, actor, action, entity, entity_id, "before", "after")'
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


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


async def insert(
    port: Port,
    *,
    at: datetime,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    before: Any = None,
    after: Any = None,
) -> None:
    # JSON text, as SQLAlchemy's JSON type stores it (None as JSON null, as the ORM does).
    values = (json.dumps(before), json.dumps(after))
    await port.execute(INSERT, at, actor.member_id, actor.label, action, entity, entity_id, *values)
