"""The reminder sender: claim due reminders from the collector, send them paced, acknowledge.

Telegram allows about 30 messages a second across chats and one a second in one chat.
python-telegram-bot's AIORateLimiter does not pace a single private chat, so the sender paces
both itself. Delivery is at least once: a claim is a lease, and a reminder whose sender died
before acknowledging it comes back when the lease runs out.
Nothing here logs message text or tokens: only reminder ids and error classes.
"""

import asyncio
import contextlib
import logging
import time
from asyncio import FIRST_COMPLETED
from datetime import timedelta
from typing import Any, Protocol

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.client import CollectorError, CollectorUnavailable
from bot.faults import frames
from bot.pacer import Pacer

log = logging.getLogger(__name__)


class Collector(Protocol):
    """What the sender needs of the collector client (bot.client.CollectorClient fits)."""

    async def request(self, method: str, path: str, *args: Any, json: Any = None) -> Any: ...


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
        if reminder.get("button"):
            label, data = reminder["button"]
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])
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
        except (CollectorUnavailable, CollectorError) as exc:
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
            except (CollectorUnavailable, CollectorError) as exc:  # away: keep the loop alive
                log.warning("outbox: %s; trying again shortly", type(exc).__name__)
            except Exception as exc:  # a fault: logged where it happened; the loop lives on
                log.error("outbox failed: %s\n%s", type(exc).__name__, frames(exc))
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
