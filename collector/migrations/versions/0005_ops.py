"""retention and erasure: round retention, the archived report, erased members

Revision ID: 0005_ops
Revises: 0004_harden
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0005_ops"
down_revision: str | None = "0004_harden"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("round") as batch:
        batch.add_column(sa.Column("retention_months", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("purged_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("member") as batch:
        batch.add_column(
            sa.Column("erased_at", models.base.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "round_archive",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kept_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("report_md", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"]),
        sa.PrimaryKeyConstraint("round_id"),
    )


def downgrade() -> None:
    op.drop_table("round_archive")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("erased_at")
    with op.batch_alter_table("round") as batch:
        batch.drop_column("purged_at")
        batch.drop_column("retention_months")
