"""the overview report: its settings, section texts (every version) and agency sectors

Revision ID: 0008_report
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0008_report"
down_revision: str | None = "0007_desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_doc",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("authors", sa.String(length=500), nullable=False),
        sa.Column("report_date", sa.String(length=100), nullable=False),
        sa.Column("distribution", sa.String(length=1000), nullable=False),
        sa.Column("caution_size", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("draft", "final", name="reportstatus"), nullable=False),
        sa.Column("finalised_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finalised_by", sa.String(length=200), nullable=True),
        sa.Column("reopened_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reopened_by", sa.String(length=200), nullable=True),
        sa.Column("reopen_reason", sa.String(length=2000), nullable=True),
        sa.Column("frozen", sa.JSON(), nullable=True),
        sa.Column("updated_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id"),
    )
    op.create_table(
        "report_section_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "section", "version"),
    )
    op.create_index("ix_report_section_version_round_id", "report_section_version", ["round_id"])
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("sector", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.drop_column("sector")
    op.drop_index("ix_report_section_version_round_id", table_name="report_section_version")
    op.drop_table("report_section_version")
    op.drop_table("report_doc")
    sa.Enum(name="reportstatus").drop(op.get_bind(), checkfirst=True)
