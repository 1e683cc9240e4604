"""The change feed: what changed in which round, for the desk's live pages.

One poller per collector process reads new audit events (every write records one, in its own
transaction) every POLL seconds and wakes the pages watching that round. Polling the audit
trail works the same on SQLite and PostgreSQL and across collector replicas: a write through
any replica is seen by every replica's poller. It reads only while someone is watching.
"""

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass

from sqlalchemy import func, select

from collector.db import Database
from models.ops import AuditEvent
from models.returns import AuditReturn
from models.rounds import Action

log = logging.getLogger("maa.desk.feed")

POLL = 0.25  # seconds between reads while pages are watching
# Ids are handed out when a transaction inserts, but transactions commit in any order: the
# poller looks this far back for late commits, remembering what it has already passed on.
WINDOW = 500


@dataclass(frozen=True)
class Change:
    event_id: int
    round_id: int
    agency_id: int | None  # the agency whose return changed, None for round-wide changes
    action: str


class Watch:
    """One page's subscription to one round (and to one agency's returns, for agency members)."""

    def __init__(self, round_id: int, agency_id: int | None) -> None:
        self.round_id = round_id
        self.agency_id = agency_id
        self.queue: asyncio.Queue[Change | None] = asyncio.Queue(maxsize=100)

    def sees(self, change: Change) -> bool:
        if change.round_id != self.round_id:
            return False
        return self.agency_id is None or change.agency_id in (None, self.agency_id)


class ChangeFeed:
    def __init__(self, db: Database, poll: float = POLL) -> None:
        self.db = db
        self.poll = poll
        self.watches: set[Watch] = set()
        self.last = 0  # the highest event id passed on
        self.seen: deque[int] = deque(maxlen=WINDOW)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._primed = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        for w in list(self.watches):
            with contextlib.suppress(asyncio.QueueFull):
                w.queue.put_nowait(None)  # ends the page's stream
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def watch(self, round_id: int, agency_id: int | None = None) -> Watch:
        w = Watch(round_id, agency_id)
        self.watches.add(w)
        self._wake.set()
        return w

    def unwatch(self, w: Watch) -> None:
        self.watches.discard(w)

    async def _run(self) -> None:
        while True:
            if not self.watches:
                self._primed = False
                self._wake.clear()
                await self._wake.wait()
            try:
                await self._read()
            except Exception:  # a database blip must not end live pages: try again next turn
                log.exception("change feed read failed")
            await asyncio.sleep(self.poll)

    async def _read(self) -> None:
        async with self.db.read() as session:
            if not self._primed:
                # Start from now: pages render the current state themselves.
                self.last = (await session.execute(select(func.max(AuditEvent.id)))).scalar() or 0
                self.seen.clear()
                self._primed = True
                return
            floor = self.last - WINDOW
            ids = (await session.execute(select(AuditEvent.id).where(AuditEvent.id > floor))).all()
            seen = set(self.seen)
            new = [i for (i,) in ids if i not in seen]
            if not new:
                return
            rows = (
                await session.execute(
                    select(
                        AuditEvent.id,
                        AuditEvent.action,
                        AuditEvent.entity,
                        AuditEvent.entity_id,
                        AuditReturn.round_id,
                        AuditReturn.agency_id,
                        Action.round_id,
                    )
                    .outerjoin(
                        AuditReturn,
                        (AuditEvent.entity == "return") & (AuditReturn.id == AuditEvent.entity_id),
                    )
                    .outerjoin(
                        Action,
                        (AuditEvent.entity == "action") & (Action.id == AuditEvent.entity_id),
                    )
                    .where(AuditEvent.id.in_(new))
                    .order_by(AuditEvent.id)
                )
            ).all()
        changes = []
        for event_id, action, entity, entity_id, ret_round, agency_id, action_round in rows:
            self.seen.append(event_id)
            self.last = max(self.last, event_id)
            round_id = ret_round or action_round or (entity_id if entity == "round" else None)
            if round_id is not None:
                changes.append(Change(event_id, round_id, agency_id, action))
        self._publish(changes)

    def _publish(self, changes: list[Change]) -> None:
        """At most one message per page per read: the newest change it may see. A page reloads
        its figures on a message, so one stands for every change read with it."""
        for w in list(self.watches):
            latest = next((c for c in reversed(changes) if w.sees(c)), None)
            if latest is not None:
                # A page this far behind reloads on its next change anyway.
                with contextlib.suppress(asyncio.QueueFull):
                    w.queue.put_nowait(latest)
