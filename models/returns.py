"""Returns (one agency's audit of one case) and their answers, one row per question."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, TypeAdapter
from sqlmodel import Field, SQLModel

from models.base import json_col, ts, utcnow
from models.cross_checks import CrossCheckFinding
from models.enums import ReturnStatus
from models.tool import MAX_TEXT
from models.validators import UpdateId


class AuditReturn(SQLModel, table=True):
    __tablename__ = "audit_return"
    __table_args__ = (sa.UniqueConstraint("round_id", "agency_id", "case_id"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    agency_id: int = Field(foreign_key="agency.id")
    case_id: int = Field(foreign_key="case.id")
    status: ReturnStatus = ReturnStatus.draft
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    submitted_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))
    submitted_by: int | None = Field(default=None, foreign_key="member.id")
    reopened_reason: str | None = Field(default=None, max_length=2000)
    # Why the auditor submitted despite the cross-checks (models/cross_checks.py); cleared on
    # reopening (the audit trail keeps it), so it always speaks for the submission on record.
    cross_check_reason: str | None = Field(default=None, max_length=2000)


class Answer(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("return_id", "question_key"),)
    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id")
    question_key: str = Field(max_length=32)
    value: Any = Field(sa_column=json_col(nullable=False))
    answered_by: int | None = Field(default=None, foreign_key="member.id")
    answered_at: datetime = Field(default_factory=utcnow, sa_column=ts())


class AnswerPut(BaseModel):  # plain pydantic: parsed on every answer, and cheaper so
    value: Any
    update_id: UpdateId | None = None  # the Telegram update that carried it (the bot's token)
    names_ok: bool = False  # the author saw the possible-name warning and sends it as it is


# A dataclass, not a pydantic model: every answer write builds one (with the alert, as
# AnswerResult), and a dataclass is built in ~1 µs where pydantic's model_construct takes ~7.
# The API serialises and the bot parses them through pydantic (`TypeAdapter`) all the same.
@dataclass(slots=True)
class ReturnPublic:
    id: int
    round: str
    agency: str
    case: str
    status: ReturnStatus
    tool_version: str
    answers: dict[str, Any]
    answered: int
    total_questions: int
    next_question: str | None  # the first unanswered question, where the auditor resumes
    missing: list[str]  # required questions still unanswered
    submitted_at: datetime | None
    reopened_reason: str | None
    # answers that contradict each other, now
    cross_checks: list[CrossCheckFinding] = field(default_factory=list)
    cross_check_reason: str | None = None  # submitted despite them, for this reason


class ReturnOpen(SQLModel):
    round: str
    agency: str | None = None  # defaults to the actor's own agency
    case: str


class SubmitRequest(SQLModel):
    """Optional body of a submit: confirm the answers the cross-checks question, saying why."""

    confirm_reason: str | None = Field(default=None, min_length=3, max_length=2000)


class ReopenRequest(SQLModel):
    reason: str = Field(min_length=3, max_length=2000)


class ConcernAlert(SQLModel):
    """A concern raised by this answer, as stored with it; never any narrative."""

    id: int
    round: str
    case: str
    agency: str
    agency_name: str
    queued_to: list[str]  # who its outbox messages go to ("Name (coordinator)"); not yet sent
    deliverable: bool  # False: nobody can be reached through MAA
    message: str  # what the auditor is told now (collector.services.concern_rules)


class AnswerPart(BaseModel):
    """One message of a narrative written in parts; `update_id` makes a redelivery harmless."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)
    update_id: UpdateId | None = None  # the Telegram update that carried it (the bot's token)
    fresh: bool = False  # this part starts the answer afresh, replacing what is stored
    names_ok: bool = False  # the author saw the possible-name warning and sends it as it is


@dataclass(slots=True)
class AnswerResult(ReturnPublic):
    alert: ConcernAlert | None = None
    repeat: bool = False  # this update was handled before: nothing changed


# Read from the API's JSON (the bot's client), with pydantic's validation.
RETURN_PUBLIC = TypeAdapter(ReturnPublic)
ANSWER_RESULT = TypeAdapter(AnswerResult)
