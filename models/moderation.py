"""Moderation (queries on a submitted return, moderated grades), allocation and extensions.

A query is a question from a coordinator on one answer of a submitted return; its thread (the
question, replies, an edit of the answer, the closing reason) is kept as `QueryMessage` rows.
A moderated grade sits beside the agency's own grade, which is never overwritten. An
allocation names the auditor of an expected case; an extension asks for more time on one.
Text written here is screened like any narrative and sealed at rest (collector.sealing).
"""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from models.base import ts, utcnow
from models.validators import Id

QUERY_KIND = "query"  # Reminder.kind of a message carrying a moderation query
EXTENSION_KIND = "extension"  # Reminder.kind of a request for more time, to coordinators
MAX_QUERY_TEXT = 2000


class QueryStatus(StrEnum):
    open = "open"  # waiting for the agency
    answered = "answered"  # replied to, or the answer edited
    closed = "closed"  # closed by the coordinator, with a reason


class QueryEntry(StrEnum):
    """What one message of a query's thread is."""

    question = "question"
    reply = "reply"
    edit = "edit"  # the answer was edited (the thread holds no copy of it: see the return)
    close = "close"


class ExtensionStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    declined = "declined"


class ModerationQuery(SQLModel, table=True):
    __tablename__ = "moderation_query"
    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    question_key: str = Field(max_length=32)
    status: QueryStatus = QueryStatus.open
    asked_by: int | None = Field(default=None, foreign_key="member.id")
    asked_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    closed_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))


class QueryMessage(SQLModel, table=True):
    __tablename__ = "query_message"
    id: int | None = Field(default=None, primary_key=True)
    query_id: int = Field(foreign_key="moderation_query.id", index=True)
    entry: QueryEntry
    text: str | None = Field(default=None, sa_column=sa.Column(sa.Text(), nullable=True))
    author_id: int | None = Field(default=None, foreign_key="member.id")
    author: str = Field(max_length=200)  # a label that survives the member
    at: datetime = Field(default_factory=utcnow, sa_column=ts())


class ModeratedGrade(SQLModel, table=True):
    __tablename__ = "moderated_grade"
    __table_args__ = (sa.UniqueConstraint("return_id", "question_key"),)
    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    question_key: str = Field(max_length=32)
    grade: str = Field(max_length=32)  # a models.grades scale key
    reason: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    moderated_by: int | None = Field(default=None, foreign_key="member.id")
    moderated_at: datetime = Field(default_factory=utcnow, sa_column=ts())


class Allocation(SQLModel, table=True):
    """Which auditor of the agency audits an expected case (one row per expectation)."""

    id: int | None = Field(default=None, primary_key=True)
    expectation_id: int = Field(foreign_key="expectation.id", unique=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    allocated_by: int | None = Field(default=None, foreign_key="member.id")
    allocated_at: datetime = Field(default_factory=utcnow, sa_column=ts())


class Extension(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    expectation_id: int = Field(foreign_key="expectation.id", index=True)
    until: date
    reason: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    status: ExtensionStatus = ExtensionStatus.pending
    requested_by: int | None = Field(default=None, foreign_key="member.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    decided_by: int | None = Field(default=None, foreign_key="member.id")
    decided_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))
    decision_reason: str | None = Field(default=None, max_length=2000)


# ---- the API's bodies and views


class QueryAsk(BaseModel):
    question: str = Field(min_length=1, max_length=32)  # the question key in the tool
    text: str = Field(min_length=3, max_length=MAX_QUERY_TEXT)


class QueryReply(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_QUERY_TEXT)
    names_ok: bool = False  # the author saw the possible-name warning and sends it as it is


class QueryClose(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


class ThreadEntry(BaseModel):
    entry: QueryEntry
    text: str | None
    author: str
    at: datetime


class QueryPublic(BaseModel):
    id: int
    return_id: int
    round: str
    agency: str
    case: str
    question: str  # the key
    question_title: str
    status: QueryStatus
    asked_at: datetime
    thread: list[ThreadEntry]
    queued_to: list[str] = []  # who its outbox messages go to: queued, not yet sent


class GradeModerate(BaseModel):
    question: str = Field(min_length=1, max_length=32)
    grade: str = Field(min_length=1, max_length=32)
    reason: str = Field(min_length=3, max_length=2000)


class ModeratedGradePublic(BaseModel):
    return_id: int
    question: str
    agency_grade: str | None  # as the agency gave it: never changed by moderation
    grade: str
    reason: str
    moderated_at: datetime


class AllocateBody(BaseModel):
    round: str = Field(min_length=1, max_length=64)
    case: str = Field(min_length=1, max_length=16)
    auditor: Id  # the member id of one of the agency's auditors
    agency: str | None = None  # coordinators name the agency; leads allocate their own


class AuditorPublic(BaseModel):
    id: int
    name: str
    role: str


class AllocateTo(BaseModel):
    auditor: Id


class AllocationPublic(BaseModel):
    round: str
    agency: str
    case: str
    expectation_id: int
    auditor_id: int | None
    auditor: str | None
    extended_to: date | None = None


class ExtensionAsk(BaseModel):
    round: str = Field(min_length=1, max_length=64)
    case: str = Field(min_length=1, max_length=16)
    until: date
    reason: str = Field(min_length=3, max_length=2000)


class ExtensionDecide(BaseModel):
    approve: bool
    reason: str | None = Field(default=None, max_length=2000)


class ExtensionPublic(BaseModel):
    id: int
    round: str
    agency: str
    case: str
    until: date
    status: ExtensionStatus
    requested_at: datetime
    decided_at: datetime | None
    queued_to: list[str] = []
