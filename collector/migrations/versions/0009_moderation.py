"""moderation queries and their threads, moderated grades, allocations and extensions

Revision ID: 0009_moderation
Revises: 0008_report
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0009_moderation"
down_revision: str | None = "0008_report"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, models.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "moderation_query",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=32), nullable=False),
        sa.Column(
            "status", sa.Enum("open", "answered", "closed", name="querystatus"), nullable=False
        ),
        sa.Column("asked_by", sa.Integer(), nullable=True),
        _stamp("asked_at"),
        _stamp("closed_at", nullable=True),
        sa.ForeignKeyConstraint(["return_id"], ["audit_return.id"]),
        sa.ForeignKeyConstraint(["asked_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_moderation_query_return_id", "moderation_query", ["return_id"])
    op.create_table(
        "query_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query_id", sa.Integer(), nullable=False),
        sa.Column(
            "entry",
            sa.Enum("question", "reply", "edit", "close", name="queryentry"),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        _stamp("at"),
        sa.ForeignKeyConstraint(["query_id"], ["moderation_query.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_query_message_query_id", "query_message", ["query_id"])
    op.create_table(
        "moderated_grade",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=32), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("moderated_by", sa.Integer(), nullable=True),
        _stamp("moderated_at"),
        sa.ForeignKeyConstraint(["return_id"], ["audit_return.id"]),
        sa.ForeignKeyConstraint(["moderated_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("return_id", "question_key"),
    )
    op.create_index("ix_moderated_grade_return_id", "moderated_grade", ["return_id"])
    op.create_table(
        "allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expectation_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("allocated_by", sa.Integer(), nullable=True),
        _stamp("allocated_at"),
        sa.ForeignKeyConstraint(["expectation_id"], ["expectation.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["allocated_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("expectation_id"),
    )
    op.create_index("ix_allocation_member_id", "allocation", ["member_id"])
    op.create_table(
        "extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expectation_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "approved", "declined", name="extensionstatus"),
            nullable=False,
        ),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        _stamp("requested_at"),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        _stamp("decided_at", nullable=True),
        sa.Column("decision_reason", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["expectation_id"], ["expectation.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["member.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_extension_expectation_id", "extension", ["expectation_id"])


def downgrade() -> None:
    op.drop_index("ix_extension_expectation_id", table_name="extension")
    op.drop_table("extension")
    op.drop_index("ix_allocation_member_id", table_name="allocation")
    op.drop_table("allocation")
    op.drop_index("ix_moderated_grade_return_id", table_name="moderated_grade")
    op.drop_table("moderated_grade")
    op.drop_index("ix_query_message_query_id", table_name="query_message")
    op.drop_table("query_message")
    op.drop_index("ix_moderation_query_return_id", table_name="moderation_query")
    op.drop_table("moderation_query")
    for name in ("extensionstatus", "queryentry", "querystatus"):
        sa.Enum(name=name).drop(op.get_bind(), checkfirst=True)
