"""The desk's sign-in: one-time links, server-side sessions, passkeys and their challenges."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ts, utcnow


class DeskLink(SQLModel, table=True):
    """A one-time sign-in link bound to one member; only the hash of its secret is kept."""

    __tablename__ = "desk_link"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    secret_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_column=ts())
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    used_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))


class DeskSession(SQLModel, table=True):
    """A signed-in browser; the cookie holds the secret, the row only its hash."""

    __tablename__ = "desk_session"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    secret_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    seen_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    ended_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))
    how: str = Field(default="link", max_length=16)  # link or passkey


class Passkey(SQLModel, table=True):
    """A member's WebAuthn credential (public key only)."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    credential_id: str = Field(max_length=1400, unique=True)  # base64url
    public_key: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    sign_count: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False))
    label: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    used_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))


class PasskeyChallenge(SQLModel, table=True):
    """A WebAuthn challenge, used once: found again by the value the browser signs."""

    __tablename__ = "passkey_challenge"
    id: int | None = Field(default=None, primary_key=True)
    challenge: str = Field(max_length=128, unique=True)  # base64url
    purpose: str = Field(max_length=16)  # register or signin
    member_id: int | None = Field(default=None, foreign_key="member.id")
    expires_at: datetime = Field(sa_column=ts())
