"""Who is calling: bearer tokens, the bot's service token, and the acting member."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from collector.errors import Forbidden, Unauthorized
from models.enums import Role
from models.validators import BIGINT_MAX, BIGINT_MIN, OutOfRange, parse_int

TELEGRAM_HEADER = "X-MAA-Telegram-Id"
# With the service token: act for the member signed in to this session (the browser chat, for
# members who may have no Telegram). The value is the session's secret, as in the desk's cookie.
SESSION_HEADER = "X-MAA-Session"


@dataclass(frozen=True)
class Actor:
    """The member a request acts for, or the bot itself (service, no member)."""

    member_id: int | None
    role: Role | None
    agency_id: int | None = None
    agency_code: str | None = None
    telegram_id: int | None = None
    # False: the bot acts for a member it had marked unreachable, i.e. they are back.
    reachable: bool = True

    @property
    def is_service(self) -> bool:
        return self.member_id is None

    @property
    def label(self) -> str:
        if self.member_id is not None:
            return f"member:{self.member_id}"
        return "service" if self.role is None else "cli"

    def require(self, *roles: Role) -> None:
        """Refuse unless the actor is a member with one of these roles."""
        if self.role not in roles:
            names = " or ".join(r.value.replace("_", " ") for r in roles)
            raise Forbidden(f"This needs the {names} role.")

    def require_service(self) -> None:
        if not self.is_service:
            raise Forbidden("Only the bot's service token may do this.")


SYSTEM = Actor(member_id=None, role=Role.coordinator)  # the `maa` command on the server itself


def new_secret() -> str:
    """A code fit for a Telegram /start payload: 32 characters of [A-Za-z0-9_-]."""
    return secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    # Secrets are long and random, so a plain SHA-256 is enough: no salt or slow hash needed.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Credentials:
    """What a request claims, before the database is asked: the service, a member, a token."""

    service: bool
    telegram_id: int | None = None  # the member the service acts for
    token_hash: str | None = None  # a personal API token, as stored
    session_hash: str | None = None  # the service acts for this session's member


def read_credentials(
    *,
    service_token: str,
    authorization: str | None,
    telegram_id: str | None,
    session: str | None = None,
) -> Credentials:
    """Parse the request's credentials, or refuse with 401 without touching the database."""
    scheme, _, token = (authorization or "").partition(" ")
    # Our tokens are printable ASCII; anything else (Latin-1 or raw bytes, which aiohttp hands
    # over as surrogates) is no token of ours and cannot even be hashed.
    if scheme.lower() != "bearer" or not token or not (token.isascii() and token.isprintable()):
        raise Unauthorized("Send 'Authorization: Bearer <token>'.")
    if service_token and hmac.compare_digest(token.encode(), service_token.encode()):
        if session is not None and telegram_id is None:
            if not session or len(session) > 100 or not set(session) <= _URLSAFE:
                raise Unauthorized(SESSION_ENDED, code="session_ended")
            return Credentials(service=True, session_hash=digest(session))
        if telegram_id is None:
            return Credentials(service=True)
        try:
            tid = parse_int(telegram_id, low=BIGINT_MIN, high=BIGINT_MAX)
        except OutOfRange:
            raise Unauthorized(f"{TELEGRAM_HEADER} must be a Telegram user id.") from None
        return Credentials(service=True, telegram_id=tid)
    return Credentials(service=False, token_hash=digest(token))


_URLSAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
NOT_ENROLLED = "This Telegram account is not enrolled."
SESSION_ENDED = "This sign-in has ended (signed out, idle for 30 minutes or over 12 hours old)."
BAD_TOKEN = "That token is not valid."
DISABLED = "This member has been disabled; ask your coordinator."


def refuse_disabled(disabled_at: object) -> None:
    """The one check that a member may act: a disabled member's every credential (personal
    token, the bot acting for their Telegram id, a web session) is refused at once."""
    if disabled_at is not None:
        raise Forbidden(DISABLED, code="member_disabled")


def ensure_member(actor: Actor) -> None:
    if actor.is_service:
        raise Forbidden(f"Name the member you act for in {TELEGRAM_HEADER}.")
