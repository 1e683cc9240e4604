"""Send slots for the outbox: about 30 messages a second across chats, one a second per chat.

python-telegram-bot's AIORateLimiter does not pace a single private chat, so the outbox sender
(bot/outbox.py) paces both itself, and lets concern alerts go ahead of waiting reminders.
"""

import asyncio
import heapq
import itertools
import math
import time
from collections import deque

LATE = 0.005  # seconds a wake-up may overshoot its slot and still count as on time


class _PriorityLock:
    """A lock handed to waiters by priority (higher first), then in the order they asked."""

    def __init__(self) -> None:
        self._held = False
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    async def acquire(self, priority: int = 0) -> None:
        if not self._held and not self._waiters:
            self._held = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (-priority, next(self._seq), future))
        try:
            await future  # handed over by release(): the lock is ours
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # it was handed to us as we were cancelled: pass it on
            else:
                self._waiters = [w for w in self._waiters if w[2] is not future]
                heapq.heapify(self._waiters)
            raise

    def release(self) -> None:
        while self._waiters:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)  # stays held: handed straight to this waiter
                return
        self._held = False


class Pacer:
    """Hands out send slots: at most `per_second` overall and one per `chat_interval` a chat."""

    def __init__(self, per_second: float = 28.5, chat_interval: float = 1.05) -> None:
        # 28.5 rather than 30: requests arrive with some jitter, and the room keeps every
        # one-second window at the server within Telegram's 30.
        self.per_second = per_second
        self.interval = 1.0 / per_second
        self.chat_interval = chat_interval
        self._last = -1.0e9  # monotonic time the last message was let go
        self._paused_until = 0.0
        self._recent: deque[float] = deque()
        # Slots go out in the order they were asked for, except that urgent messages (concern
        # alerts, priority > 0) go ahead of every reminder still waiting.
        self._global = _PriorityLock()
        self._chat_next: dict[int, float] = {}
        self._chat_locks: dict[int, asyncio.Lock] = {}

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing is sent for `seconds`."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def _earliest(self) -> float:
        """The next moment a message may go: spaced, within the window cap, after any pause."""
        now = time.monotonic()
        t = max(self._last + self.interval, self._paused_until)
        cap = math.ceil(self.per_second)
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        if len(self._recent) >= cap:
            t = max(t, self._recent[-cap] + 1.0)
        return t

    async def wait(self, chat_id: int, priority: int = 0) -> None:
        """Sleep until this chat may receive its next message; one chat's queue blocks no other.
        A higher `priority` is let go ahead of lower ones waiting for the overall rate."""
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            delay = self._chat_next.get(chat_id, 0.0) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._global.acquire(priority)
            try:
                slot = self._earliest()
                while (delay := slot - time.monotonic()) > 0:
                    await asyncio.sleep(delay)
                    slot = self._earliest()
                # Spacing counts from the slot, so a millisecond of sleep overshoot is not lost
                # each time; but from the real time after a late wake-up, so that messages held
                # up by a busy loop do not then leave bunched together.
                now = time.monotonic()
                left = self._last = slot if now - slot < LATE else now
                self._recent.append(left)
            finally:
                self._global.release()
            self._chat_next[chat_id] = left + self.chat_interval
