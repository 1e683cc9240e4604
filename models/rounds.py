"""Audit rounds, their cohort of cases, who is expected to audit what, and the action plan."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import json_col, ts, utcnow
from models.concerns import DEFAULT_ESCALATE_MINUTES
from models.enums import ActionStatus, ExpectationStatus, RoundStatus


class RoundBase(SQLModel):
    slug: str = Field(max_length=64)
    title: str = Field(max_length=300)
    theme: str = Field(max_length=300)
    partnership: str = Field(max_length=300)
    scope: str = Field(default="", max_length=2000)
    opens_at: datetime = Field(sa_column=ts())
    due_at: datetime = Field(sa_column=ts())
    tool_version: str = Field(max_length=64)


class Round(RoundBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    status: RoundStatus = RoundStatus.draft
    # The round file's reminder policy as given; the reminders module reads it, defaults fill gaps.
    reminder_policy: dict[str, Any] | None = Field(default=None, sa_column=json_col())
    # Minutes an unacknowledged concern alert waits before it is sent again to every coordinator.
    concern_escalate_minutes: int = Field(
        default=DEFAULT_ESCALATE_MINUTES,
        sa_column_kwargs={"server_default": str(DEFAULT_ESCALATE_MINUTES)},
    )
    # Words of this round's places and services that are not names (the round file's
    # screening.allow): they silence the name warning for its narratives.
    screen_allow: list[str] | None = Field(default=None, sa_column=json_col())
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts())


class RoundPublic(RoundBase):
    id: int
    status: RoundStatus


class Case(SQLModel, table=True):
    """A child in the cohort, known only by a reference such as C1."""

    __table_args__ = (sa.UniqueConstraint("round_id", "reference"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    reference: str = Field(max_length=16)
    note: str = Field(default="", max_length=500)


class CasePublic(SQLModel):
    id: int
    reference: str
    note: str


class Expectation(SQLModel, table=True):
    """Agency A is expected (or not) to audit case C in this round."""

    __table_args__ = (sa.UniqueConstraint("round_id", "agency_id", "case_id"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    case_id: int = Field(foreign_key="case.id")
    status: ExpectationStatus = ExpectationStatus.expected


class ExpectationPublic(SQLModel):
    id: int
    agency: str
    case: str
    status: ExpectationStatus


class ActionBase(SQLModel):
    recommendation: str = Field(max_length=2000)
    owner: str = Field(default="", max_length=200)
    due_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))


class Action(ActionBase, table=True):
    __table_args__ = (sa.UniqueConstraint("round_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    number: int
    owner_member_id: int | None = Field(default=None, foreign_key="member.id")
    progress: str = Field(default="", max_length=4000)
    status: ActionStatus = ActionStatus.open


class ActionPublic(ActionBase):
    id: int
    number: int
    progress: str
    status: ActionStatus
