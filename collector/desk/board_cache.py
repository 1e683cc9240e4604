"""Dashboards kept current change by change.

Reading a 20,000-return round takes seconds, and a page that is open is asked for again at
every change. So each round is read once; after that, each request reads only the audit
events since the last one (every write records one, in its own transaction, through any
replica), reads again just the returns they name, and has `RoundFigures` count again only
the agencies and cases those returns touch.
"""

import asyncio
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.db import Database
from collector.desk.feed import WINDOW
from collector.services import desk_board
from collector.services.board_figures import AgencyProgress, RoundFigures
from collector.services.desk_board import Board
from collector.services.lookup import round_by_slug
from models.rounds import Round
from report.model import OverviewReport

# Writes that change no returns and no figure (of any round); a round's own events other than
# these below, and any entity not named here, make that round be read afresh.
NO_FIGURES = frozenset({"member", "invite", "action", "concern", "report", "report_section"})
ROUND_NO_FIGURES = frozenset({"reminder.queue", "round.open", "round.close"})


@dataclass
class _Round:
    round_id: int
    figures: RoundFigures
    last: int  # the highest audit event id taken in
    seen: deque[int] = field(default_factory=lambda: deque(maxlen=WINDOW))
    version: int = 0  # counts the changes taken in, for the views built from them
    views: dict[tuple, "_View"] = field(default_factory=dict)


@dataclass
class _View:
    version: int
    report: OverviewReport
    agencies: list[AgencyProgress]
    drawn: dict[str, Any] = field(default_factory=dict)  # the page's parts, drawn once


class BoardCache:
    """One round's figures per round (the most recently used `most`), one update at a time
    per round, which the requests that arrive meanwhile share."""

    def __init__(self, most: int = 16) -> None:
        self.most = most
        self._rounds: dict[str, _Round] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.read_afresh = 0  # rounds read whole (the slow path), for tests and the bench

    @staticmethod
    def _view(actor: Actor) -> tuple:
        if desk_board.own_agency(actor):
            return ("agency", actor.agency_code)
        return ("all",)

    async def get(self, db: Database, actor: Actor, slug: str) -> Board:
        desk_board.may_see_board(actor)
        lock = self._locks.setdefault(slug, asyncio.Lock())
        async with db.read() as session:
            round_ = await round_by_slug(session, slug)
            async with lock:
                view = await self._figures(session, round_, self._view(actor))
            return await desk_board.finish_board(
                session=session,
                actor=actor,
                round_=round_,
                report=view.report,
                agencies=view.agencies,
                drawn=view.drawn,
            )

    async def _figures(self, session: AsyncSession, round_: Round, key: tuple) -> _View:
        state = await self._current(session, round_)
        view = state.views.get(key)
        if view is None or view.version != state.version:
            if key[0] == "all":
                report = await asyncio.to_thread(state.figures.report)
                agencies = state.figures.progress()
            else:
                report, agencies = await asyncio.to_thread(state.figures.agency_view, key[1])
            view = state.views[key] = _View(state.version, report, agencies)
        return view

    async def _current(self, session: AsyncSession, round_: Round) -> _Round:
        state = self._rounds.get(round_.slug)
        if state is not None and state.round_id == round_.id:
            fresh = await self._take_in(session, round_, state)
            if fresh:
                self._rounds.pop(round_.slug)  # most recently used last
                self._rounds[round_.slug] = state
                return state
        return await self._read_afresh(session, round_)

    async def _read_afresh(self, session: AsyncSession, round_: Round) -> _Round:
        self.read_afresh += 1
        # The events so far first: the read after them holds what they changed. One landing
        # during the read is taken in again next time (harmless), never missed.
        last = await desk_board.latest_event(session)
        recent = [c.event_id for c in await desk_board.changes_after(session, last - WINDOW)]
        snapshot = await desk_board.grades_snapshot(session, round_)
        figures = await asyncio.to_thread(RoundFigures, snapshot)
        state = _Round(round_.id, figures, max(recent, default=last))
        state.seen.extend(recent)
        self._rounds.pop(round_.slug, None)
        while len(self._rounds) >= self.most:
            self._rounds.pop(next(iter(self._rounds)))
        self._rounds[round_.slug] = state
        return state

    async def _take_in(self, session: AsyncSession, round_: Round, state: _Round) -> bool:
        """Apply the changes since the last request; False when the round must be read
        afresh. Events are numbered as they are written but may commit out of order, so
        the look-back window (as the live feed's) catches a late commit."""
        floor = state.last - WINDOW
        seen = {i for i in state.seen if i > floor}
        count, top = await desk_board.events_after(session, floor)
        if count == len(seen) and top <= state.last:
            new = []  # nothing since (events are only ever added)
        else:
            new = [
                c for c in await desk_board.changes_after(session, floor) if c.event_id not in seen
            ]
        return_ids: set[int] = set()
        for c in new:
            state.seen.append(c.event_id)
            state.last = max(state.last, c.event_id)
            if c.entity == "return" and c.entity_id is not None:
                return_ids.add(c.entity_id)
            elif c.entity == "round":
                if c.entity_id == round_.id and c.action not in ROUND_NO_FIGURES:
                    return False  # e.g. its answers removed under retention
            elif c.entity not in NO_FIGURES:
                return False
        base = state.figures.base
        if (base.status, base.title, base.due_at) != (round_.status, round_.title, round_.due_at):
            state.figures.base = replace(
                base, status=round_.status, title=round_.title, due_at=round_.due_at
            )
            state.version += 1
        if return_ids:
            changed, gone = await desk_board.returns_now(session, round_, return_ids)
            if await asyncio.to_thread(state.figures.apply, changed, gone):
                state.version += 1
        return True
