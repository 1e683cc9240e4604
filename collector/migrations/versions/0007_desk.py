"""the desk: sign-in links, sessions, passkeys

Revision ID: 0007_desk
Revises: 0004_harden
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = "0007_desk"
down_revision: str | None = "0004_harden"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, models.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "desk_link",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        _ts("expires_at"),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        _ts("created_at"),
        _ts("used_at", nullable=True),
    )
    op.create_index("ix_desk_link_member_id", "desk_link", ["member_id"])
    op.create_table(
        "desk_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        _ts("created_at"),
        _ts("seen_at"),
        _ts("ended_at", nullable=True),
        sa.Column("how", sa.String(16), nullable=False),
    )
    op.create_index("ix_desk_session_member_id", "desk_session", ["member_id"])
    op.create_table(
        "passkey",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("credential_id", sa.String(1400), nullable=False, unique=True),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        _ts("created_at"),
        _ts("used_at", nullable=True),
    )
    op.create_index("ix_passkey_member_id", "passkey", ["member_id"])
    op.create_table(
        "passkey_challenge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("challenge", sa.String(128), nullable=False, unique=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        _ts("expires_at"),
    )


def downgrade() -> None:
    for table in ("passkey_challenge", "passkey", "desk_session", "desk_link"):
        op.drop_table(table)
