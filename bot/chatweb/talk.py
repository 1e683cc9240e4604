"""One browser's conversation: the engine's `Out` steps kept as a transcript to render.

The channel's side of the browser chat, as `bot/console.py` is the terminal's: it performs the
engine's steps (send, edit in place, clear, toast, retry later) on a list of lines instead of a
Bot API. It holds only what is on screen; where the auditor stands comes from the collector, so
losing a `Talk` (a restart of the bot process) loses nothing typed: the next page starts afresh
and /resume carries on at the next unanswered question.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot import texts
from bot.client import CollectorClient
from bot.flow import Screen
from bot.flow_commands import Chat
from bot.flow_out import Clear, Deliver, Document, Edit, Out, Person, RetryLater, Send, Toast
from bot.state import ChatState

log = logging.getLogger(__name__)

KEEP_LINES = 40  # the transcript a page shows; older lines are dropped from memory
RETRY_DELAYS = (2.0, 4.0, 8.0, 16.0, 30.0, 60.0)  # an answer kept while the collector is away


@dataclass
class Line:
    """One message in the transcript: the engine's (a screen) or the person's own."""

    id: int
    screen: Screen
    mine: bool = False  # what the person sent (shown back to them only)
    updated: bool = False  # edited in place since it was first shown
    turn: int = 0  # the turn that last wrote it: only the latest turn's buttons are offered


@dataclass
class Talk:
    """A signed-in browser's conversation, kept in the bot process's memory."""

    who: Person
    chat: Chat
    client: CollectorClient
    member_id: int
    state: ChatState = field(default_factory=ChatState)
    lines: list[Line] = field(default_factory=list)
    next_id: int = 1
    turn: int = 0
    toast: str | None = None
    documents: list[Document] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    seen: float = field(default_factory=time.monotonic)
    retrying: asyncio.Task[None] | None = None
    wake: Callable[[], None] | None = None  # the bot's outbox sender, when this process runs one

    # ---- what a page shows
    def offered(self, line: Line) -> bool:
        """Whether a line's buttons are offered: the current screen's, and the latest turn's.

        Telegram leaves old buttons on old messages and the engine says when one is out of
        date; a page offers only those that can still do something, so a screen reader user
        does not tab through every earlier question's grades."""
        if not line.screen.buttons or line.mine:
            return False
        return line.id == self.state.screen or line.turn == self.turn

    # ---- performing the engine's steps
    def _line(self, screen: Screen, *, mine: bool = False) -> Line:
        line = Line(self.next_id, screen, mine=mine, turn=self.turn)
        self.next_id += 1
        self.lines.append(line)
        del self.lines[:-KEEP_LINES]
        return line

    def _find(self, line_id: int | None) -> Line | None:
        return next((x for x in self.lines if x.id == line_id), None)

    def said(self, text: str) -> None:
        """What the person typed or pressed, as a line of their own (memory only, never logged)."""
        self.turn += 1
        self.toast = None
        self._line(Screen(text), mine=True)

    def perform(self, outs: list[Out], pressed: int | None = None) -> None:
        for out in outs:
            if isinstance(out, Send):
                line = self._line(out.screen)
                if out.current:
                    self.state.screen = line.id
            elif isinstance(out, Edit):
                target = self._find(pressed if pressed is not None else self.state.screen)
                if target is None or target.mine:
                    target = self._line(out.screen)
                else:
                    # Edited in place on Telegram; on a page it moves to the end, under what
                    # the person just did, so the transcript reads in order from the top.
                    target.screen, target.updated, target.turn = out.screen, True, self.turn
                    self.lines.remove(target)
                    self.lines.append(target)
                if out.current:
                    self.state.screen = target.id
            elif isinstance(out, Clear):
                current = self._find(self.state.screen)
                if current is not None:
                    current.screen = Screen(current.screen.text)
            elif isinstance(out, Deliver):
                if self.wake is not None:
                    self.wake()
            elif isinstance(out, Document):
                self.documents.append(out)
                del self.documents[:-3]
                self._line(Screen(f"{out.caption}: {out.filename} (download below)"))
            elif isinstance(out, Toast):
                self.toast = out.text
            elif isinstance(out, RetryLater):
                self.retry_later()

    # ---- an answer the collector could not take yet
    def retry_later(self) -> None:
        if self.retrying is None or self.retrying.done():
            self.retrying = asyncio.get_running_loop().create_task(self._retry())

    async def _retry(self) -> None:
        for delay in RETRY_DELAYS:
            await asyncio.sleep(delay)
            async with self.lock:
                if not self.state.kept:
                    return  # stored meanwhile (the person pressed "Try again")
                try:
                    outs = await self.chat.retry(self.who, self.state)
                except Exception as exc:  # never the answer's text: only where it failed
                    log.error("chat retry failed: %s", type(exc).__name__)
                    continue
                if any(isinstance(o, RetryLater) for o in outs):
                    continue
                self.turn += 1
                self.perform(outs)
                return
        async with self.lock:
            self.turn += 1
            self._line(Screen(texts.GAVE_UP))

    def stop(self) -> None:
        if self.retrying is not None:
            self.retrying.cancel()


class Talks:
    """Every browser's conversation in this process, by the hash of its session's secret.

    Memory only (a deliberate limit, said in the README): a restart of the bot process starts
    each browser's transcript afresh; nothing typed is lost, as every answer is stored by the
    collector when given."""

    def __init__(self, idle: float = 12 * 3600.0) -> None:
        self._talks: dict[str, Talk] = {}
        self.idle = idle

    def get(self, key: str) -> Talk | None:
        talk = self._talks.get(key)
        if talk is not None:
            talk.seen = time.monotonic()
        return talk

    def put(self, key: str, talk: Talk) -> None:
        self._sweep()
        self._talks[key] = talk

    def drop(self, key: str) -> None:
        talk = self._talks.pop(key, None)
        if talk is not None:
            talk.stop()

    def _sweep(self) -> None:
        """Forget browsers not seen for longer than a session can live."""
        cutoff = time.monotonic() - self.idle
        for key in [k for k, t in self._talks.items() if t.seen < cutoff]:
            self.drop(key)

    def close(self) -> None:
        for key in list(self._talks):
            self.drop(key)
        with contextlib.suppress(Exception):
            self._talks.clear()

    def __len__(self) -> int:
        return len(self._talks)
