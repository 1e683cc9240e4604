"""audit standards: the reason a return was submitted despite its cross-checks

Revision ID: 0010_standards
Revises: 0008_report
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_standards"
down_revision: str | None = "0009_moderation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_return") as batch:
        batch.add_column(sa.Column("cross_check_reason", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_return") as batch:
        batch.drop_column("cross_check_reason")
