"""The reminder sender: claim due reminders from the collector, send them paced, acknowledge.

Telegram allows about 30 messages a second across chats and one a second in one chat.
python-telegram-bot's AIORateLimiter does not pace a single private chat, so the sender paces
both itself. Delivery is at least once: a claim is a lease, and a reminder whose sender died
before acknowledging it comes back when the lease runs out.
Nothing here logs message text or tokens: only reminder ids and error classes.
"""

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import time
from asyncio import FIRST_COMPLETED
from collections import deque
from datetime import timedelta
from typing import Any, Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

log = logging.getLogger(__name__)
LATE = 0.005  # seconds a wake-up may overshoot its slot and still count as on time


class Collector(Protocol):
    """What the sender needs of the collector client (bot.client.CollectorClient fits)."""

    async def request(self, method: str, path: str, *args: Any, json: Any = None) -> Any: ...


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


def _seconds(value: Any) -> float:
    """RetryAfter.retry_after is an int or a timedelta, depending on the PTB version."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class OutboxSender:
    """Claims reminders in batches and sends each through the pacer; `run_once` or `start`."""

    def __init__(
        self,
        bot: Any,
        collector: Collector,
        *,
        batch: int = 50,
        lease_seconds: float = 120.0,
        pacer: Pacer | None = None,
        poll_seconds: float = 1.0,
        plan_every: float = 300.0,
        max_429: int = 5,
    ) -> None:
        self.bot = bot
        self.collector = collector
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.pacer = pacer or Pacer()
        self.poll_seconds = poll_seconds
        self.plan_every = plan_every
        self.max_429 = max_429
        self._stop: asyncio.Event | None = None
        self._wake = asyncio.Event()
        self._nudging: asyncio.Task[None] | None = None  # held so it is not collected early
        self._task: asyncio.Task[None] | None = None
        self._waiting = 0  # reminders in hand not yet let go by the pacer
        self._let_go = asyncio.Condition()

    async def plan(self) -> int:
        """Ask the collector to work the policy for every round; returns how many were queued."""
        body = await self.collector.request("POST", "/api/reminders/plan", json={})
        return int(body.get("queued", 0))

    async def _claim(self, urgent_only: bool = False) -> list[dict[str, Any]]:
        claim = {"limit": self.batch, "lease_seconds": self.lease_seconds}
        if urgent_only:
            claim["urgent_only"] = True
        return await self.collector.request("POST", "/api/reminders/claim", json=claim) or []

    async def _send_batch(self, batch: list[dict[str, Any]]) -> int:
        deadline = time.monotonic() + self.lease_seconds * 0.9
        return sum(await asyncio.gather(*(self._deliver(r, deadline) for r in batch)))

    async def run_once(self) -> int:
        """Claim one batch and deliver it; returns how many were claimed (0: nothing due)."""
        batch = await self._claim()
        await self._send_batch(batch)
        return len(batch)

    async def drain(self, stop: asyncio.Event | None = None) -> int:
        """Claim and deliver until nothing is due (or `stop` is set); returns how many were claimed.

        The next batch is claimed while the tail of the last one still waits for the pacer,
        so the pause for a claim does not show as a gap in the sending rate. While the last
        sends finish (one chat's messages are paced a second apart), a wake-up or a finished
        batch (its acknowledgements may have queued notes) makes it claim again: a concern
        alert queued meanwhile does not wait for them.
        """
        total, sending = 0, set()
        low = max(self.batch // 5, 1)
        while not (stop and stop.is_set()):
            # Woken with plenty in hand: claim the urgent rows alone, so that the reminders
            # claimed stay about what the pacer lets go before their leases run out.
            urgent = self._wake.is_set() and self._waiting > low
            self._wake.clear()  # this claim takes whatever was queued before it
            batch = await self._claim(urgent)
            if batch:
                total += len(batch)
                sending.add(asyncio.create_task(self._send_batch(batch)))
            elif not urgent:
                sending = {t for t in sending if not t.done()}
                if not sending:
                    break
                woken = asyncio.ensure_future(self._wake.wait())
                try:
                    await asyncio.wait({*sending, woken}, return_when=FIRST_COMPLETED)
                finally:
                    woken.cancel()
                continue
            async with self._let_go:  # woken: claim now, ahead of the reminders in hand
                await self._let_go.wait_for(lambda: self._waiting <= low or self._wake.is_set())
        await asyncio.gather(*sending)
        return total

    async def _deliver(self, reminder: dict[str, Any], deadline: float) -> bool:
        """Send one reminder, retrying 429s while the lease lasts; then acknowledge it."""
        chat_id = int(reminder["telegram_id"])
        markup = None
        if button := reminder.get("button"):
            # One (label, data) pair, or a row of them (Approve / Decline on an extension).
            pairs = button if isinstance(button[0], list | tuple) else [button]
            row = [InlineKeyboardButton(label, callback_data=data) for label, data in pairs]
            markup = InlineKeyboardMarkup([row])
        ack: dict[str, Any] = {"outcome": "sent"}
        priority = int(reminder.get("priority") or 0)
        self._waiting += 1
        try:
            await self.pacer.wait(chat_id, priority)
        finally:
            self._waiting -= 1
            async with self._let_go:
                self._let_go.notify_all()
        for attempt in range(self.max_429 + 1):
            if attempt:
                await self.pacer.wait(chat_id, priority)
            try:
                await self.bot.send_message(chat_id, reminder["text"], reply_markup=markup)
                ack = {"outcome": "sent"}
                break
            except RetryAfter as exc:
                wait = _seconds(exc.retry_after)
                self.pacer.pause(wait)
                ack = {"outcome": "failed", "error": "429 flood control", "retry_after": wait}
                if time.monotonic() + wait > deadline:
                    break  # the lease would run out: hand it back to be sent later
            except Forbidden as exc:
                ack = {"outcome": "unreachable", "error": f"Forbidden: {exc.message}"[:500]}
                break
            except BadRequest as exc:
                outcome = "unreachable" if "chat not found" in exc.message.lower() else "failed"
                ack = {"outcome": outcome, "error": f"BadRequest: {exc.message}"[:500]}
                break
            except (TelegramError, OSError) as exc:  # network trouble, timeouts: try again later
                ack = {"outcome": "failed", "error": type(exc).__name__}
                break
        try:
            await self.collector.request("POST", f"/api/reminders/{reminder['id']}/ack", json=ack)
        except Exception as exc:
            # The lease runs out and the reminder comes back: at worst it is sent twice.
            log.warning("reminder %s: ack failed (%s)", reminder["id"], type(exc).__name__)
        if ack["outcome"] != "sent":
            log.info("reminder %s: %s (%s)", reminder["id"], ack["outcome"], ack.get("error"))
        return ack["outcome"] == "sent"

    def wake(self) -> None:
        """Claim now: something urgent (a concern alert) was just queued by this process."""
        self._wake.set()
        with contextlib.suppress(RuntimeError):  # no running loop: nothing is waiting
            self._nudging = asyncio.get_running_loop().create_task(self._nudge())

    async def _nudge(self) -> None:
        """A drain waiting for the pacer to let messages go re-checks at once."""
        async with self._let_go:
            self._let_go.notify_all()

    async def _idle(self, stop: asyncio.Event) -> None:
        """Wait `poll_seconds`, or less if stopped or woken."""
        waits = [asyncio.ensure_future(e.wait()) for e in (stop, self._wake)]
        try:
            await asyncio.wait(waits, timeout=self.poll_seconds, return_when=FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()
        self._wake.clear()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Plan every `plan_every` seconds; claim and send until a batch comes back empty."""
        next_plan = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() >= next_plan:
                    next_plan = time.monotonic() + self.plan_every
                    await self.plan()
                await self.drain(stop)
            except Exception as exc:  # the collector is down, say: keep the loop alive
                log.warning("outbox: %s; trying again shortly", type(exc).__name__)
            await self._idle(stop)

    def start(self, app: Any = None) -> asyncio.Task[None]:
        """Run in the background (call from the bot's post_init); `app` is accepted and unused."""
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.run_forever(self._stop), name="maa-outbox")
        return self._task

    async def stop(self, app: Any = None) -> None:
        """Finish the batch in hand and stop (call from the bot's post_shutdown)."""
        if self._stop is not None and self._task is not None:
            self._stop.set()
            await self._task
            self._task = None
