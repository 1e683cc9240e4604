"""concern alerts: the concern table, outbox priority, escalation delay, agency procedure

Revision ID: 0002_alerts
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.base

revision: str = "0002_alerts"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "concern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("case_reference", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("raised_by", sa.Integer(), nullable=True),
        sa.Column("raised_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("escalate_at", models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("escalated_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deliverable", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"]),
        sa.ForeignKeyConstraint(["return_id"], ["audit_return.id"]),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
        sa.ForeignKeyConstraint(["raised_by"], ["member.id"]),
        sa.ForeignKeyConstraint(["acknowledged_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_concern_round_id"), ["round_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_concern_return_id"), ["return_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_concern_escalate_at"), ["escalate_at"], unique=False)
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("concern_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_reminder_concern_id"), ["concern_id"], unique=False)
        batch_op.create_foreign_key("fk_reminder_concern_id", "concern", ["concern_id"], ["id"])
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("concern_escalate_minutes", sa.Integer(), nullable=False, server_default="15")
        )
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "safeguarding_procedure",
                sqlmodel.sql.sqltypes.AutoString(length=1000),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_column("safeguarding_procedure")
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("concern_escalate_minutes")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reminder_concern_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_reminder_concern_id"))
        batch_op.drop_column("concern_id")
        batch_op.drop_column("priority")
    with op.batch_alter_table("concern", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concern_escalate_at"))
        batch_op.drop_index(batch_op.f("ix_concern_return_id"))
        batch_op.drop_index(batch_op.f("ix_concern_round_id"))
    op.drop_table("concern")
