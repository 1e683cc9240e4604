"""Who a request acts for, and the "reachable again" mark: one procedure for both databases.

Written against `collector.dbport.Port`, so the answer write runs it inside its own transaction
(on SQLite in the writer thread, one hand-off for the whole request) and every other route runs
it on its own (`collector.db.Database.run`). Checks on the member (a disabled member, a revoked
token) go in `resolve`, the one place every request passes.
"""

from dataclasses import replace
from datetime import UTC, datetime

from collector.auth import (
    BAD_TOKEN,
    NOT_ENROLLED,
    SESSION_ENDED,
    Actor,
    Credentials,
    refuse_disabled,
)
from collector.dbport import Port
from collector.errors import NotFound, Unauthorized
from collector.services import audit, desk_auth
from models.enums import Role

_MEMBER = (
    "SELECT m.id, m.role, m.agency_id, a.code, m.telegram_id, m.reachable, m.disabled_at"
    " FROM member m LEFT JOIN agency a ON a.id = m.agency_id"
)
BY_TELEGRAM = f"{_MEMBER} WHERE m.telegram_id = ?"
BY_TOKEN = (
    f"{_MEMBER} JOIN api_token t ON t.member_id = m.id"
    " WHERE t.token_hash = ? AND t.revoked_at IS NULL"
)
# A desk session row (the browser chat signs in with the desk's links and sessions).
BY_SESSION = (
    "SELECT s.id, s.created_at, s.seen_at, s.ended_at,"
    " m.id, m.role, m.agency_id, a.code, m.telegram_id, m.reachable, m.disabled_at"
    " FROM desk_session s JOIN member m ON m.id = s.member_id"
    " LEFT JOIN agency a ON a.id = m.agency_id"
    " WHERE s.secret_hash = ? AND m.erased_at IS NULL"
)
TOUCH_SESSION = "UPDATE desk_session SET seen_at = ? WHERE id = ?"
# Conditional, so two requests at once (or two replicas) record the change once.
MARK_REACHABLE = "UPDATE member SET reachable = TRUE WHERE id = ? AND NOT reachable"


async def resolve(port: Port, credentials: Credentials, now: datetime | None = None) -> Actor:
    """Turn the credentials into an Actor, or refuse with 401/404. Reads only."""
    return (await _resolve(port, credentials, now or datetime.now(UTC)))[0]


async def _resolve(port: Port, credentials: Credentials, now: datetime) -> tuple[Actor, int | None]:
    """The actor, and the id of a session whose last-seen time is due a write (or None)."""
    touch = None
    if credentials.session_hash is not None:
        found = await port.fetch_one(BY_SESSION, credentials.session_hash)
        stamps = [port.read_stamp(v) for v in found[1:4]] if found else []
        if found is None or not desk_auth.live(
            created_at=stamps[0], seen_at=stamps[1], ended_at=stamps[2], now=now
        ):
            raise Unauthorized(SESSION_ENDED, code="session_ended")
        if now - stamps[1] > desk_auth.TOUCH_EVERY:
            touch = found[0]
        row = found[4:]
    elif credentials.service and credentials.telegram_id is None:
        return Actor(member_id=None, role=None), None
    elif credentials.service:
        row = await port.fetch_one(BY_TELEGRAM, credentials.telegram_id)
        if row is None:
            raise NotFound(NOT_ENROLLED, code="not_enrolled")
    else:
        row = await port.fetch_one(BY_TOKEN, credentials.token_hash)
        if row is None:
            raise Unauthorized(BAD_TOKEN)
    member_id, role, agency_id, code, telegram_id, reachable, disabled_at = row
    refuse_disabled(disabled_at)
    # Only the bot's acting for a member's Telegram id shows they can be reached again there
    # (they messaged it); a browser chat session says nothing about Telegram.
    reachable = bool(reachable) or credentials.telegram_id is None
    return Actor(member_id, Role(role), agency_id, code, telegram_id, reachable), touch


async def acting(port: Port, credentials: Credentials, now: datetime | None = None) -> Actor:
    """The actor; marks a member reachable again when the bot acts for them, and keeps a
    browser chat's session alive (idle expiry counts from its last use, as on the desk)."""
    now = now or datetime.now(UTC)
    actor, touch = await _resolve(port, credentials, now)
    if touch is not None:  # at most once a minute per session: not an audited change
        await port.execute(TOUCH_SESSION, now, touch)
    if actor.reachable:
        return actor
    # The bot only acts for a member when they message it, so they have unblocked it:
    # reminders may reach them again. A write only on this rare change.
    actor = replace(actor, reachable=True)
    if await port.execute(MARK_REACHABLE, actor.member_id):
        await audit.insert(
            port,
            at=now,
            actor=actor,
            action="member.reachable",
            entity="member",
            entity_id=actor.member_id,
            before={"reachable": False},
            after={"reachable": True},
        )
    return actor
