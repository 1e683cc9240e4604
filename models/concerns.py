"""Concern alerts: one row per current safeguarding concern raised by an answer.

The messages themselves are rows of the reminder outbox (kind "concern", sent ahead of any
reminder); this row holds what they share: whose case, when it must be escalated, who owns it.
Never any narrative.
"""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.base import ts, utcnow

DEFAULT_ESCALATE_MINUTES = 15
KIND = "concern"  # Reminder.kind of every message about a concern
PRIORITY = 10  # Reminder.priority: claimed ahead of every reminder (0)


class ConcernStage(StrEnum):
    """Reminder.stage of a concern message: what it says, to whom."""

    alert = "alert"  # to a coordinator or lead: the concern, with "I'm dealing with this"
    escalated = "escalated"  # the same, again, after nobody acknowledged it in time
    escalating = "escalating"  # to the auditor: nobody acknowledged it; it is being sent again
    delivered = "delivered"  # to the auditor: it reached this person at this time
    owner = "owner"  # to the auditor and the other recipients: who is dealing with it
    undeliverable = "undeliverable"  # to the auditor: it reached nobody; act through procedure


class ConcernState(StrEnum):
    queued = "queued"  # nothing delivered yet
    sent = "sent"  # delivered to at least one recipient
    acknowledged = "acknowledged"  # someone is dealing with it
    escalated = "escalated"  # not acknowledged in time: sent again to every coordinator
    undeliverable = "undeliverable"  # nobody could be reached


class Concern(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    agency_id: int = Field(foreign_key="agency.id")
    case_reference: str = Field(max_length=16)
    raised_by: int | None = Field(default=None, foreign_key="member.id")
    raised_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    # When it is escalated if nobody has acknowledged it: stored, so any sender after any
    # restart finds it (collector.services.concerns.escalate_due, at each claim).
    escalate_at: datetime = Field(sa_column=ts(index=True))
    escalated_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))
    acknowledged_by: int | None = Field(default=None, foreign_key="member.id")
    acknowledged_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))
    deliverable: bool = True  # False: nobody reachable when it was raised


class ConcernRecipient(SQLModel):
    member_id: int
    name: str
    role: str
    status: str  # the outbox row's: queued, claimed, sent, failed, unreachable, cancelled
    sent_at: datetime | None


class ConcernPublic(SQLModel):
    id: int
    round: str
    case: str
    agency: str
    agency_name: str
    state: ConcernState
    raised_at: datetime
    escalate_at: datetime
    escalated_at: datetime | None
    acknowledged_by: str | None  # a display name
    acknowledged_at: datetime | None
    recipients: list[ConcernRecipient]


class ConcernAckResult(SQLModel):
    id: int
    case: str
    acknowledged_by: str
    acknowledged_at: datetime
    yours: bool  # the caller owns it (now or since an earlier press)
    first: bool  # this press took it
