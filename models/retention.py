"""What a round keeps once its returns are removed under retention (UK GDPR storage limitation)."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import json_col, ts, utcnow

DEFAULT_RETENTION_MONTHS = 24  # after the round closes, unless its round file says otherwise


class RoundArchive(SQLModel, table=True):
    """The final report of a round, frozen before its answers are removed: the report JSON
    (figures, tally, action plan) and the report's text as Markdown."""

    __tablename__ = "round_archive"
    round_id: int = Field(foreign_key="round.id", primary_key=True)
    kept_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    report: dict[str, Any] = Field(sa_column=json_col(nullable=False))
    report_md: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
