"""The answer write's part in moderation: a queried answer may be edited on a submitted return.

While a query is open on a question, that question alone of the submitted return is writable
(even in a closed round: moderation follows the round); the edit answers the query. Plain SQL
through `collector.dbport.Port`, so the one answer write serves both databases.
"""

from datetime import datetime

from collector.auth import Actor
from collector.dbport import Port
from collector.services import audit
from models.enums import ReturnStatus
from models.moderation import QueryEntry, QueryStatus

OPEN_QUERY = (
    "SELECT id FROM moderation_query WHERE return_id = ? AND question_key = ? AND status = 'open'"
    " ORDER BY id"
)
ANSWERED = "UPDATE moderation_query SET status = 'answered', closed_at = ? WHERE id = ?"
THREAD = (
    "INSERT INTO query_message (query_id, entry, text, author_id, author, at)"
    " VALUES (?, ?, NULL, ?, ?, ?)"
)


async def open_queries(port: Port, status: ReturnStatus, return_id: int, key: str) -> list[int]:
    """The open queries on this answer of a submitted return (none for a draft)."""
    if status != ReturnStatus.submitted:
        return []
    return [row[0] for row in await port.fetch_all(OPEN_QUERY, return_id, key)]


async def answered_by_edit(
    port: Port, actor: Actor, return_id: int, key: str, queries: list[int], now: datetime
) -> None:
    """The edit is in the thread (the new answer itself is on the return) and answers it."""
    for query_id in queries:
        await port.execute(
            THREAD, query_id, QueryEntry.edit.value, actor.member_id, actor.label, now
        )
        await port.execute(ANSWERED, now, query_id)
        await audit.insert(
            port,
            at=now,
            actor=actor,
            action="query.answered",
            entity="return",
            entity_id=return_id,
            after={
                "query": query_id,
                "question": key,
                "by": "edit",
                "status": QueryStatus.answered,
            },
        )
