"""members and tokens that can be withdrawn

Revision ID: 0004_harden
Revises: 0003_screen
Create Date: 2026-12-02 12:30:00

A disabled member (disabled_at set) and a revoked token (revoked_at set) are refused at once;
the rows stay, so past answers and audit events keep who made them. Telegram ids are already
BIGINT (member.telegram_id, seen_update.update_id) since 0001.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0004_harden"
down_revision: str | None = "0003_screen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("disabled_at", models.base.UTCDateTime(), nullable=True))
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("revoked_at", models.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("revoked_at")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("disabled_at")
