"""Dashboards kept while nothing changes: a 20,000-return round takes seconds to read, and
a page that is open is asked for again at every change."""

import asyncio
from dataclasses import dataclass

from collector.auth import Actor
from collector.db import Database
from collector.services import desk_board
from collector.services.desk_board import Board
from models.base import utcnow
from models.enums import Role


@dataclass(frozen=True)
class _Entry:
    version: tuple[int, str]
    day: str
    board: Board


class BoardCache:
    """One dashboard per round and view (coordinator, viewer, or one agency), rebuilt when the
    audit trail has moved on (any write, through any replica) or the day has changed; one
    rebuild at a time per dashboard, which the requests that arrive meanwhile share."""

    def __init__(self, most: int = 64) -> None:
        self.most = most
        self._entries: dict[tuple, _Entry] = {}
        self._locks: dict[tuple, asyncio.Lock] = {}

    @staticmethod
    def _view(actor: Actor) -> tuple:
        if actor.role in (Role.coordinator, Role.viewer):
            return (str(actor.role),)
        return (str(actor.role), actor.agency_id)

    async def get(self, db: Database, actor: Actor, slug: str) -> Board:
        key = (slug, *self._view(actor))
        day = utcnow().date().isoformat()
        async with db.read() as session:
            version = await desk_board.version(session)
        entry = self._entries.get(key)
        if entry and entry.version == version and entry.day == day:
            return entry.board
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            entry = self._entries.get(key)
            if entry and entry.version == version and entry.day == day:
                return entry.board
            async with db.read() as session:
                # Read the version first: a change landing during the build makes the next
                # request rebuild, never keeps figures older than they claim to be.
                version = await desk_board.version(session)
                board = await desk_board.round_board(session=session, actor=actor, slug=slug)
            if len(self._entries) >= self.most:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = _Entry(version, day, board)
            return board
