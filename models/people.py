"""Agencies, members and how they get in: invites and personal API tokens."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ts, utcnow
from models.enums import Role
from models.validators import Id, TelegramId


class AgencyBase(SQLModel):
    code: str = Field(max_length=32)
    name: str = Field(max_length=200)


class Agency(AgencyBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    # What an auditor must do when a concern alert can reach nobody (from the round file).
    safeguarding_procedure: str | None = Field(default=None, max_length=1000)
    # The round file's optional sector (models.enums.Sector); the report groups statements by it.
    sector: str | None = Field(default=None, max_length=32)


class AgencyPublic(AgencyBase):
    id: int


class MemberBase(SQLModel):
    display_name: str = Field(max_length=200)
    role: Role


class Member(MemberBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger(), unique=True, nullable=True)
    )
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    # False once Telegram says the user blocked the bot; reminders stop until they return.
    reachable: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    # Set: every credential of theirs is refused at once; their rows and history stay.
    disabled_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))
    # Set when the person was erased: name and Telegram id gone, the id kept for the history.
    erased_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))


class MemberCreate(MemberBase):
    telegram_id: TelegramId | None = None
    agency: str | None = None  # agency code


class MemberPublic(MemberBase):
    id: int
    telegram_id: int | None
    agency: str | None
    reachable: bool
    disabled_at: datetime | None = None  # set: refused everywhere until enabled again


class ApiToken(SQLModel, table=True):
    """A personal token for scripts; only its hash is kept."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    revoked_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))


class ApiTokenPublic(SQLModel):
    """A token as listed: never the token itself (only its hash is kept)."""

    id: int
    member_id: int
    created_at: datetime
    revoked_at: datetime | None


class TokenRevoke(SQLModel):
    token_id: Id | None = Field(default=None, description="one token; omitted: all of them")


class TokensRevoked(SQLModel):
    revoked: int = Field(description="tokens revoked now (0 when they already were)")


class Invite(SQLModel, table=True):
    """A single-use, expiring enrolment code; only its hash is kept."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    role: Role
    agency_id: int | None = Field(default=None, foreign_key="agency.id")
    expires_at: datetime = Field(sa_column=ts())
    created_by: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts())
    used_at: datetime | None = Field(default=None, sa_column=ts(nullable=True))
    used_by: int | None = Field(default=None, foreign_key="member.id")


class InviteCreate(SQLModel):
    role: Role
    agency: str | None = None
    expires_in_days: float = Field(default=7, gt=0, le=90)


class InviteIssued(SQLModel):
    """Returned once, when the invite is made: the code itself is never stored."""

    id: int
    code: str
    role: Role
    agency: str | None
    expires_at: datetime
    link: str | None = None


class InviteRedeem(SQLModel):
    code: str = Field(min_length=1, max_length=64)
    telegram_id: TelegramId | None = None  # None: a web-only member (the browser chat)
    display_name: str = Field(min_length=1, max_length=200)
