"""Who a request acts for, and the "reachable again" mark: one procedure for both databases.

Written against `collector.dbport.Port`, so the answer write runs it inside its own transaction
(on SQLite in the writer thread, one hand-off for the whole request) and every other route runs
it on its own (`collector.db.Database.run`). Checks on the member (a disabled member, a revoked
token) go in `resolve`, the one place every request passes.
"""

from dataclasses import replace
from datetime import UTC, datetime

from collector.auth import BAD_TOKEN, NOT_ENROLLED, Actor, Credentials, refuse_disabled
from collector.dbport import Port
from collector.errors import NotFound, Unauthorized
from collector.services import audit
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
# Conditional, so two requests at once (or two replicas) record the change once.
MARK_REACHABLE = "UPDATE member SET reachable = TRUE WHERE id = ? AND NOT reachable"


async def resolve(port: Port, credentials: Credentials) -> Actor:
    """Turn the credentials into an Actor, or refuse with 401/404. Reads only."""
    if credentials.service and credentials.telegram_id is None:
        return Actor(member_id=None, role=None)
    if credentials.service:
        row = await port.fetch_one(BY_TELEGRAM, credentials.telegram_id)
        if row is None:
            raise NotFound(NOT_ENROLLED, code="not_enrolled")
    else:
        row = await port.fetch_one(BY_TOKEN, credentials.token_hash)
        if row is None:
            raise Unauthorized(BAD_TOKEN)
    member_id, role, agency_id, code, telegram_id, reachable, disabled_at = row
    refuse_disabled(disabled_at)
    # Only the bot's acting for a member shows they can be reached again (they messaged it).
    reachable = bool(reachable) or not credentials.service
    return Actor(member_id, Role(role), agency_id, code, telegram_id, reachable)


async def acting(port: Port, credentials: Credentials, now: datetime | None = None) -> Actor:
    """The actor; marks a member reachable again when the bot acts for them."""
    actor = await resolve(port, credentials)
    if actor.reachable:
        return actor
    # The bot only acts for a member when they message it, so they have unblocked it:
    # reminders may reach them again. A write only on this rare change.
    actor = replace(actor, reachable=True)
    if await port.execute(MARK_REACHABLE, actor.member_id):
        await audit.insert(
            port,
            at=now or datetime.now(UTC),
            actor=actor,
            action="member.reachable",
            entity="member",
            entity_id=actor.member_id,
            before={"reachable": False},
            after={"reachable": True},
        )
    return actor
