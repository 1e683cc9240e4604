"""The overview report as the coordinator writes it: its settings and every version of each
section's text. The figures come from the returns; only the words and the frozen copy live here."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import json_col, ts, utcnow
from models.enums import ReportStatus

DEFAULT_CAUTION_SIZE = 20  # below this many cases, themes are not statistically reliable
MAX_SECTION_TEXT = 60_000


class ReportInfoBase(SQLModel):
    authors: str = Field(default="", max_length=500)
    report_date: str = Field(default="", max_length=100)  # as printed: "March 2024"
    distribution: str = Field(default="", max_length=1000)
    caution_size: int = Field(default=DEFAULT_CAUTION_SIZE, ge=1, le=100_000)


class ReportDoc(ReportInfoBase, table=True):
    """One per round, made on first use. `frozen` holds the snapshot and texts while final."""

    __tablename__ = "report_doc"
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", unique=True)
    status: ReportStatus = ReportStatus.draft
    finalised_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))
    finalised_by: str | None = Field(default=None, max_length=200)
    reopened_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))
    reopened_by: str | None = Field(default=None, max_length=200)
    reopen_reason: str | None = Field(default=None, max_length=2000)
    frozen: dict[str, Any] | None = Field(default=None, sa_column=json_col())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts())


class ReportInfoUpdate(SQLModel):
    authors: str | None = Field(default=None, max_length=500)
    report_date: str | None = Field(default=None, max_length=100)
    distribution: str | None = Field(default=None, max_length=1000)
    caution_size: int | None = Field(default=None, ge=1, le=100_000)


class ReportInfoPublic(ReportInfoBase):
    round: str
    status: ReportStatus
    finalised_at: datetime | None
    finalised_by: str | None
    reopened_at: datetime | None
    reopened_by: str | None
    reopen_reason: str | None


class ReportSectionVersion(SQLModel, table=True):
    """Every saved text of a section; the highest version is the current one. Only inserted."""

    __tablename__ = "report_section_version"
    __table_args__ = (sa.UniqueConstraint("round_id", "section", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    section: str = Field(max_length=64)
    version: int
    text: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    author: str = Field(max_length=200)  # the actor's label, e.g. "member:3" or "cli"
    author_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts())


class SectionTextPublic(SQLModel):
    section: str
    version: int  # 0: nothing written yet
    text: str
    author: str | None = None
    created_at: datetime | None = None


class SectionSave(SQLModel):
    text: str = Field(max_length=MAX_SECTION_TEXT)


class ReopenBody(SQLModel):
    reason: str = Field(min_length=3, max_length=2000)
