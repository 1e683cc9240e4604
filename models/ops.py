"""Operational tables: the reminder outbox, the append-only audit trail, seen bot updates."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import json_col, ts, utcnow
from models.enums import ReminderStatus


class Reminder(SQLModel, table=True):
    """One message to one member; `key` makes queueing it twice a no-op."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    round_id: int | None = Field(default=None, foreign_key="round.id", index=True)
    kind: str = Field(max_length=32)  # expectation / escalation / action / digest / concern
    stage: str = Field(max_length=32)
    recipient_id: int = Field(foreign_key="member.id")
    expectation_id: int | None = Field(default=None, foreign_key="expectation.id")
    action_id: int | None = Field(default=None, foreign_key="action.id")
    payload: dict[str, Any] | None = Field(default=None, sa_column=json_col())
    # Higher is claimed first: concern alerts (models.concerns.PRIORITY) go ahead of reminders.
    priority: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    concern_id: int | None = Field(default=None, foreign_key="concern.id", index=True)
    send_after: datetime = Field(sa_column=ts(index=True))
    status: ReminderStatus = ReminderStatus.queued
    claimed_until: datetime | None = Field(default=None, sa_column=ts(nullable=True))
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts())


class AuditEvent(SQLModel, table=True):
    """Who changed what, when, from what to what. Rows are only ever inserted."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=ts())
    actor_id: int | None = Field(default=None, foreign_key="member.id")
    actor: str = Field(max_length=200)  # a label that survives the member, e.g. "member:3", "cli"
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: int | None = Field(default=None, index=True)
    before: Any = Field(default=None, sa_column=json_col())
    after: Any = Field(default=None, sa_column=json_col())


class AuditEventPublic(SQLModel):
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    before: Any
    after: Any


class SeenUpdate(SQLModel, table=True):
    """Telegram update ids already handled, so a redelivered update has one effect."""

    __tablename__ = "seen_update"
    update_id: int = Field(
        sa_column=sa.Column(sa.BigInteger(), primary_key=True, autoincrement=False)
    )
    seen_at: datetime = Field(default_factory=utcnow, sa_column=ts())
