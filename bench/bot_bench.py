"""Turn latency (update in → reply out) of the MAA bot against a PTB echo bot, 50 auditors at once.

Run by hand (never at the same time as another benchmark on a small machine):
  flock /tmp/maa-bench.lock .venv/bin/python bench/bot_bench.py [--auditors 50] [--turns 20]

Three processes: this one runs the loopback Bot API server and the load (every auditor a
coroutine); the bot under test polls from its own process; the MAA collector (SQLite) runs in a
third. Separate processes keep the bot's and the collector's CPU work off the event loop that
stamps the updates and the replies, so the clock is not slowed by what it measures.

The echo bot is the baseline: one sendMessage per message or button press (and it answers
callback queries, as any bot must). By default it has the same rate limiter as the MAA bot
(`bot.app.rate_limiter()`, PTB's AIORateLimiter: 30 chat-bound requests a second across all
chats), because real Telegram holds every bot to that; `--echo-limiter off` runs it without one
(a bot Telegram would answer with 429s), as a reference, and `both` runs the two.

Each auditor runs closed loop: push an update, wait until the bot's turn is over, push the next
(no think time: "50 at once"). A turn is a real answer: a button press on the choice question and
the three grade questions, then parts of a narrative, each stored through the collector and
answered by the next screen. Latency is measured from just before the update is queued at the
loopback server to the server's receipt of the bot's first reply for that chat (sendMessage or
editMessageText); "turn done" is the receipt of the message that ends the turn: for the echo bot
its new message; for MAA the one that carries the next screen, sent or edited (a button answer
edits the pressed question into the next one; a narrative part gets a new ack). Both clocks are
time.monotonic(), which is system-wide on Linux, so the bot process's own stamps (update picked
up, collector calls, rate-limiter waits) line up with the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import multiprocessing
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.api_bench import wait_up
from bench.procs import free_port
from collector.app import create_app
from collector.auth import SYSTEM
from collector.db import Database
from collector.migrate import upgrade
from collector.services import members, rounds
from models.enums import Role, RoundStatus
from models.people import MemberCreate
from models.roundfile import RoundFile
from models.settings import Settings
from testing.loopback import LoopbackBotApi

SERVICE_TOKEN = "bench-service-token-0123456789"
BOT_TOKEN = "123456:BENCH-TOKEN-for-the-loopback"
FIRST_ID = 20_000
PER_AGENCY = 5
REPLY_METHODS = {"sendmessage", "editmessagetext"}
COUNTS = ("collector calls per turn", "chat-bound Bot API calls")  # rows that are counts, not ms
CHOICES = ("Involved throughout", "Some involvement")
GRADES = ("Outstanding", "Good", "Requires Improvement", "Inadequate")
SENTENCES = (
    "Strategy meeting held promptly and the plan was shared with the school.",
    "The school nurse followed up the same week and recorded the child's views.",
    "Earlier referral to early help would have strengthened the support offered.",
    "Information was shared with partners, though the health visitor was not invited.",
    "The family engaged well once a consistent worker was allocated to the case.",
    "Escalation to the team manager happened when the plan drifted, which helped.",
)
WARMUP_TIMEOUT = 120.0


# ---- the collector ------------------------------------------------------------------------------
def collector_process(port: int, url: str) -> None:
    """The real collector (create_app) on SQLite, in its own process."""
    settings = Settings(database_url=url, service_token=SERVICE_TOKEN, port=port, _env_file=None)
    web.run_app(create_app(settings), host="127.0.0.1", port=port, print=None, access_log=None)


async def seed(url: str, auditors: int) -> None:
    """An open round: agencies of five auditors, each auditor with a case of its own."""
    await upgrade(Settings(database_url=url, _env_file=None))
    db = Database(url)
    agencies = (auditors + PER_AGENCY - 1) // PER_AGENCY
    data = RoundFile.model_validate(
        {
            "slug": "bench",
            "title": "Bench audit",
            "theme": "Bench",
            "partnership": "Benchshire Safeguarding Children Partnership",
            "opens_at": "2026-01-05",
            "due_at": "2026-12-31",
            "tool_version": "maa-audit-1",
            "agencies": [{"code": f"a{k}", "name": f"Agency {k}"} for k in range(agencies)],
            "cases": [{"reference": f"C{i + 1}"} for i in range(auditors)],
            "expectations": [
                {"agency": f"a{i // PER_AGENCY}", "cases": [f"C{i + 1}"]} for i in range(auditors)
            ],
        }
    )
    async with db.write() as s:
        await rounds.create_round(session=s, actor=SYSTEM, data=data)
        await rounds.set_round_status(
            session=s, actor=SYSTEM, slug="bench", status=RoundStatus.open
        )
    for i in range(auditors):
        member = MemberCreate(
            display_name=f"Auditor {i}",
            role=Role.auditor,
            agency=f"a{i // PER_AGENCY}",
            telegram_id=FIRST_ID + i,
        )
        async with db.write() as s:
            await members.add_member(session=s, actor=SYSTEM, data=member)
    await db.dispose()


# ---- the bots (each in its own process) ---------------------------------------------------------
CURRENT: contextvars.ContextVar[int | None] = contextvars.ContextVar("update_id", default=None)


@dataclass
class Probe:
    """Stamps taken inside the bot process, keyed by update_id; written out when the bot stops."""

    started: dict[int, float] = field(default_factory=dict)
    ended: dict[int, float] = field(default_factory=dict)
    collector: dict[int, list[tuple[str, float]]] = field(default_factory=lambda: defaultdict(list))
    limiter_wait: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    bot_api: dict[int, float] = field(default_factory=lambda: defaultdict(float))

    def dump(self, path: str) -> None:
        """Write the stamps as JSON (update ids as strings)."""
        out = {
            name: {str(k): v for k, v in getattr(self, name).items()}
            for name in ("started", "ended", "collector", "limiter_wait", "bot_api")
        }
        Path(path).write_text(json.dumps(out))


def instrument(probe: Probe) -> None:
    """Wrap, without changing behaviour: update processing, collector calls, Bot API calls."""
    from telegram.ext import AIORateLimiter, Application, ExtBot

    from bot.client import CollectorClient

    process_update, request = Application.process_update, CollectorClient.request
    do_post, limit = ExtBot._do_post, AIORateLimiter.process_request

    async def timed_process(self: Application, update: object) -> None:
        uid = getattr(update, "update_id", None)
        token = CURRENT.set(uid)
        if uid is not None:
            probe.started[uid] = time.monotonic()
        try:
            await process_update(self, update)
        finally:
            if uid is not None:
                probe.ended[uid] = time.monotonic()
            CURRENT.reset(token)

    async def timed_request(self: CollectorClient, method: str, path: str, *a: Any, **kw: Any):
        at = time.monotonic()
        try:
            return await request(self, method, path, *a, **kw)
        finally:
            if (uid := CURRENT.get()) is not None:
                kind = f"{method} {path.split('/')[2] if path.count('/') > 1 else path}"
                if path.startswith("/api/returns/") and "/answers/" in path:
                    kind = "POST answer part" if path.endswith("/parts") else "PUT answer"
                probe.collector[uid].append((kind, time.monotonic() - at))

    async def timed_post(self: ExtBot, endpoint: str, *a: Any, **kw: Any):
        at = time.monotonic()
        try:
            return await do_post(self, endpoint, *a, **kw)
        finally:
            if endpoint != "getUpdates" and (uid := CURRENT.get()) is not None:
                probe.bot_api[uid] += time.monotonic() - at

    async def timed_limit(self: AIORateLimiter, callback: Any, *rest: Any, **kw: Any) -> Any:
        at = time.monotonic()

        async def inner(*a: Any, **kw: Any) -> Any:
            if (uid := CURRENT.get()) is not None:
                probe.limiter_wait[uid] += time.monotonic() - at
            return await callback(*a, **kw)

        return await limit(self, inner, *rest, **kw)

    Application.process_update = timed_process  # type: ignore[method-assign]
    CollectorClient.request = timed_request  # type: ignore[method-assign]
    ExtBot._do_post = timed_post  # type: ignore[method-assign]
    AIORateLimiter.process_request = timed_limit  # type: ignore[method-assign]


ECHO_LIMITED, ECHO_UNLIMITED = "as-built", "no-limiter"
ECHO_NAMES = {
    ECHO_LIMITED: "echo (AIORateLimiter as bot/app.py)",
    ECHO_UNLIMITED: "echo (no rate limiter; reference only)",
}


def echo_application(base_url: str, variant: str) -> Any:
    """A plain python-telegram-bot echo bot: one sendMessage per message or button press.

    As built it has the MAA bot's rate limiter: both then live under Telegram's 30 messages a
    second, and the comparison measures what MAA does per turn, not who ignores the limit."""
    from telegram import Update
    from telegram.ext import (
        ApplicationBuilder,
        CallbackQueryHandler,
        ContextTypes,
        MessageHandler,
        filters,
    )

    from bot.app import rate_limiter

    async def echo_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text)

    async def echo_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await context.bot.send_message(update.effective_chat.id, f"You pressed {query.data}")
        await query.answer()

    builder = ApplicationBuilder().token(BOT_TOKEN).base_url(base_url)
    if variant == ECHO_LIMITED:
        builder = builder.rate_limiter(rate_limiter())
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo_text))
    application.add_handler(CallbackQueryHandler(echo_button))
    return application


def maa_application(base_url: str, collector_url: str, variant: str) -> Any:
    """The MAA bot as bot.app builds it; a diagnostic variant changes one thing, never the load."""
    from pydantic import SecretStr
    from telegram.ext import ApplicationBuilder

    import bot.app
    from bot.app import build_application

    class Builder(ApplicationBuilder):
        """Only for the diagnostic variants: drop the rate limiter or process updates at once."""

        def rate_limiter(self, rate_limiter: Any) -> Builder:  # type: ignore[override]
            return self if variant == "no-ratelimit" else super().rate_limiter(rate_limiter)

        def build(self) -> Any:  # type: ignore[override]
            if variant == "concurrent":
                self.concurrent_updates(True)
            return super().build()

    bot.app.ApplicationBuilder = Builder  # type: ignore[misc]
    settings = Settings(
        public_url=collector_url,
        service_token=SecretStr(SERVICE_TOKEN),
        telegram_token=SecretStr(BOT_TOKEN),
        telegram_base_url=base_url,
        telegram_bot_username="maa_bench_bot",
        _env_file=None,
    )
    application = build_application(settings)
    if variant == "no-dedupe":
        for handler in list(application.handlers.get(-1, [])):
            application.remove_handler(handler, group=-1)
    return application


def bot_process(kind: str, base_url: str, collector_url: str, variant: str, poll: float,
                stop: Any, probe_path: str) -> None:  # fmt: skip
    """Run one bot with bot.app.running (same polling settings for both) until `stop` is set."""
    import logging

    from bot.app import running

    logging.basicConfig(level=logging.WARNING)
    probe = Probe()
    instrument(probe)
    if kind == "echo":
        application = echo_application(base_url, variant)
    else:
        application = maa_application(base_url, collector_url, variant)

    async def main() -> None:
        async with running(application, poll_timeout=poll):
            await asyncio.to_thread(stop.wait)  # a multiprocessing.Event: wait in a thread

    asyncio.run(main())
    probe.dump(probe_path)


# ---- the load -----------------------------------------------------------------------------------
@dataclass
class Turn:
    """One measured turn: who, which update, when it was queued and when the turn was over."""

    uid: int
    update_id: int
    kind: str
    pushed: float
    done: float | None = None
    ok: bool = True


def buttons(msg: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline buttons on a bot message."""
    return [b for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def next_screen(msg: dict[str, Any]) -> bool:
    """The MAA bot moved on: the next question, or "saved; send more or press Done"."""
    text = msg.get("text", "")
    return " · Question " in text or text.startswith("Saved (")


def is_new_message(msg: dict[str, Any]) -> bool:
    """A message the bot sent (not an edit): the end of an echo bot's turn (and of warm-up)."""
    return "edit_date" not in msg


def answered_form(msg: dict[str, Any]) -> bool:
    """A question edited into its answered form ("… ✓ answer" at the end, no keyboard), as the
    first part of a narrative leaves it: an edit of an older message, not the next screen."""
    text = msg.get("text", "")
    return "edit_date" in msg and not buttons(msg) and text.rsplit("\n\n", 1)[-1].startswith("✓ ")


def maa_turn_done(msg: dict[str, Any]) -> bool:
    """The message, sent or edited, that carries MAA's next screen: the end of its turn."""
    return next_screen(msg) and not answered_form(msg)


class Auditor:
    """One auditor in the chat, walking the same script against either bot."""

    def __init__(self, api: LoopbackBotApi, index: int, kind: str, rng: random.Random) -> None:
        self.api, self.index, self.kind, self.rng = api, index, kind, rng
        self.uid = FIRST_ID + index
        self.user = api.user(self.uid, first_name=f"Auditor{index}")
        self.screen: dict[str, Any] = {}

    async def turn(
        self,
        push: Any,
        timeout: float,  # noqa: ASYNC109
        done: Any = is_new_message,
    ) -> dict[str, Any]:
        """Queue one update and wait for the bot's message that ends the turn (`done`)."""
        push()
        self.screen = await self.user.wait_for(done, timeout=timeout)
        return self.screen

    def press_label(self, prefix: str) -> Any:
        """Press the button whose label starts with prefix (the echo bot has none: same data)."""
        if self.kind == "echo":
            data = f"a|0|q|{prefix[:8]}"
            return lambda: self.api.press(self.uid, self.screen["message_id"], data, strict=False)
        match = [b for b in buttons(self.screen) if b["text"].startswith(prefix)]
        if not match:
            raise RuntimeError(f"no button {prefix!r} on {self.screen.get('text', '')[:60]!r}")
        return lambda: self.user.press(self.screen["message_id"], match[0]["callback_data"])

    async def warm_up(self) -> None:
        """Get into the case (not measured): /audit, then press this auditor's case."""
        await self.turn(lambda: self.user.send_command("/audit"), WARMUP_TIMEOUT)
        ref = f"C{self.index + 1}"
        if self.kind == "echo":
            await self.turn(self.press_label(ref), WARMUP_TIMEOUT)
            return
        match = [b for b in buttons(self.screen) if b["text"].split(" ")[0] == ref]
        msg_id = self.screen["message_id"]
        data = match[0]["callback_data"]
        await self.turn(lambda: self.user.press(msg_id, data), WARMUP_TIMEOUT)
        if "Question 1 of" not in self.screen.get("text", ""):
            raise RuntimeError(f"warm-up for {ref} ended on {self.screen.get('text', '')[:80]!r}")

    def script(self, turns: int) -> list[tuple[str, str]]:
        """The answers: the choice, three grades, then narrative parts (same for both bots)."""
        steps = [("press", self.rng.choice(CHOICES))]
        steps += [("press", self.rng.choice(GRADES)) for _ in range(3)]
        steps += [("text", self.rng.choice(SENTENCES)) for _ in range(max(0, turns - 4))]
        return steps[:turns]

    async def run(self, turns: int, deadline: float, log: list[Turn], think: float) -> None:
        """The measured turns, closed loop, until done or the hard deadline."""
        for kind, value in self.script(turns):
            if think:
                await asyncio.sleep(self.rng.uniform(0, 2 * think))  # same seed for both bots
            if time.monotonic() >= deadline:
                return
            if kind == "press":
                push = self.press_label(value)
            else:
                push = lambda text=value: self.user.send_text(text)  # noqa: E731
            before = self.api.updates.next_id
            record = Turn(self.uid, before, kind, time.monotonic())
            log.append(record)
            done = maa_turn_done if self.kind == "maa" else is_new_message
            try:
                screen = await self.turn(push, max(0.1, deadline - time.monotonic()), done)
            except TimeoutError:
                record.ok = False
                return
            record.done = time.monotonic()
            if self.kind == "maa" and not next_screen(screen):
                record.ok = False  # an error message instead of the next question
                print(f"auditor {self.index}: turn ended on {screen.get('text', '')[:80]!r}")
                return


def track_delivery(api: LoopbackBotApi) -> dict[int, float]:
    """Stamp each update when getUpdates hands it to the bot (harness-side, no behaviour change)."""
    delivered: dict[int, float] = {}
    ready = api.updates.ready

    def stamped(limit: int) -> list[dict[str, Any]]:
        batch = ready(limit)
        now = time.monotonic()
        for update in batch:
            delivered.setdefault(update["update_id"], now)
        return batch

    api.updates.ready = stamped  # type: ignore[method-assign]
    return delivered


@dataclass
class Result:
    """What one bot's run produced."""

    name: str
    turns: list[Turn]
    first: list[float]
    done: list[float]
    seconds: float
    failed: int
    breakdown: dict[str, list[float]]
    collector_calls: dict[str, list[float]]
    batches: list[int]


def read_or_empty(path: str) -> str:
    """The probe file the bot process wrote, or an empty JSON object if it could not."""
    return Path(path).read_text() if Path(path).exists() else "{}"


async def until_dead(proc: Any, work: Any) -> None:
    """Await work, but fail at once if the bot's process dies (its traceback is on stderr)."""
    task = asyncio.ensure_future(work)
    while not task.done():
        if not proc.is_alive():
            task.cancel()
            raise RuntimeError("the bot process died")
        await asyncio.wait([task], timeout=0.2)
    task.result()


async def run_bot(kind: str, args: argparse.Namespace, collector_url: str, variant: str) -> Result:
    """Start a loopback server and the bot's process, warm up, measure, stop."""
    ctx = multiprocessing.get_context("spawn")
    probe_dir = tempfile.mkdtemp(prefix="bot-bench-")
    probe_path = str(Path(probe_dir) / "probe.json")
    async with LoopbackBotApi("maa_bench_bot") as api:
        delivered = track_delivery(api)
        stop = ctx.Event()
        proc = ctx.Process(
            target=bot_process,
            args=(kind, api.base_url, collector_url, variant, args.poll, stop, probe_path),
            daemon=True,
        )
        proc.start()
        try:
            rng = random.Random(args.seed)
            seeds = [rng.random() for _ in range(args.auditors)]
            auditors = [Auditor(api, i, kind, random.Random(x)) for i, x in enumerate(seeds)]
            await until_dead(proc, asyncio.gather(*(a.warm_up() for a in auditors)))
            log: list[Turn] = []
            start = time.monotonic()
            deadline = start + args.limit
            await asyncio.gather(*(a.run(args.turns, deadline, log, args.think) for a in auditors))
            seconds = time.monotonic() - start
        finally:
            stop.set()
            await asyncio.to_thread(proc.join, 15)
            if proc.is_alive():
                proc.terminate()
        sent = list(api.sent_log)
    probe = json.loads(await asyncio.to_thread(read_or_empty, probe_path))
    await asyncio.to_thread(shutil.rmtree, probe_dir, True)
    if kind == "echo":
        name = ECHO_NAMES[variant]
    else:
        name = kind if variant == "as-built" else f"{kind} ({variant})"
    return analyse(name, log, sent, delivered, probe, seconds)


def analyse(name: str, log: list[Turn], sent: list[Any], delivered: dict[int, float],
            probe: dict[str, Any], seconds: float) -> Result:  # fmt: skip
    """Match each turn with its replies in sent_log and with the bot's own stamps."""
    by_chat: dict[int, list[Any]] = defaultdict(list)
    bound: dict[int, list[float]] = defaultdict(list)  # what AIORateLimiter counts
    for call in sent:
        if call.chat_id is not None:
            bound[call.chat_id].append(call.at)
            if call.method.lower() in REPLY_METHODS:
                by_chat[call.chat_id].append(call)
    first, done, failed = [], [], 0
    parts: dict[str, list[float]] = defaultdict(list)
    kinds: dict[str, list[float]] = defaultdict(list)
    started, ended = probe.get("started", {}), probe.get("ended", {})
    for turn in log:
        if not turn.ok or turn.done is None:
            failed += 1
            continue
        replies = [c for c in by_chat[turn.uid] if turn.pushed <= c.at <= turn.done]
        if not replies:
            failed += 1
            continue
        reply = replies[0].at
        first.append(reply - turn.pushed)
        last = max(c.at for c in replies)  # the message that ended the turn (sent or edited)
        done.append(last - turn.pushed)
        calls_in_turn = sum(turn.pushed <= at <= turn.done for at in bound[turn.uid])
        parts[f"{COUNTS[1]}, {turn.kind} turn"].append(calls_in_turn)
        key = str(turn.update_id)
        if turn.update_id in delivered and key in started:
            got, begin = delivered[turn.update_id], started[key]
            parts["queued → fetched by getUpdates"].append(got - turn.pushed)
            parts["fetched → handler starts (PTB queue)"].append(begin - got)
            parts["handler starts → first reply"].append(reply - begin)
            parts["first reply → last message"].append(last - reply)
            parts["handler total"].append(ended.get(key, begin) - begin)
            calls = probe.get("collector", {}).get(key, [])
            parts["collector calls per turn"].append(len(calls))
            parts["collector time in turn"].append(sum(d for _, d in calls))
            for call_kind, d in calls:
                kinds[call_kind].append(d)
            parts["rate-limiter wait in turn"].append(probe.get("limiter_wait", {}).get(key, 0.0))
            parts["Bot API calls in turn"].append(probe.get("bot_api", {}).get(key, 0.0))
    counts: dict[float, int] = defaultdict(int)
    for at in delivered.values():
        counts[at] += 1
    batch_sizes = list(counts.values())
    return Result(name, log, first, done, seconds, failed, parts, kinds, batch_sizes)


# ---- report -------------------------------------------------------------------------------------
def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def row(label: str, values: list[float], unit: float = 1000.0) -> str:
    """p50/p90/p99/max of a list, in ms by default."""
    cells = [pct(values, p) * unit for p in (50, 90, 99)] + [max(values or [0]) * unit]
    return f"  {label:<38} " + " ".join(f"{c:8.1f}" for c in cells)


def report(result: Result, detail: bool) -> None:
    """Print one bot's figures."""
    ok = len(result.first)
    rate = ok / result.seconds if result.seconds else 0.0
    print(f"{result.name}: {ok} turns in {result.seconds:.1f} s = {rate:.1f} turns/s,"
          f" {result.failed} failed or cut off")  # fmt: skip
    print(f"  {'ms':<38} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8}")
    print(row("update queued → first reply", result.first))
    print(row("update queued → turn done", result.done))
    if not detail or not result.breakdown:
        return
    print("  where the time goes (per turn):")
    for label, values in result.breakdown.items():
        unit = 1.0 if label.startswith(COUNTS) else 1000.0
        print(row("  " + label, values, unit))
    for label, values in sorted(result.collector_calls.items()):
        print(row(f"  collector {label} (n={len(values)})", values))
    sizes = result.batches
    if sizes:
        mean = sum(sizes) / len(sizes)
        print(f"  getUpdates batches: {len(sizes)}, mean {mean:.1f} updates, max {max(sizes)}")


def machine() -> str:
    """nproc, CPU model and Python version, for the record."""
    model = "unknown CPU"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"nproc {os.cpu_count()}, {model}, Python {platform.python_version()}"


def main() -> None:
    """Echo bot, then the MAA bot, then the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--auditors", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20, help="measured turns per auditor")
    parser.add_argument("--limit", type=float, default=180.0, help="hard limit per bot, seconds")
    parser.add_argument("--poll", type=float, default=10.0, help="getUpdates long-poll timeout")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean think time before each turn (0: at once)"
    )
    parser.add_argument(
        "--variant",
        default="as-built",
        choices=["as-built", "no-ratelimit", "no-dedupe", "concurrent"],
        help="diagnostics only: change one thing in the MAA bot (the verdict is for as-built)",
    )
    parser.add_argument(
        "--echo-limiter",
        default="on",
        choices=["on", "off", "both"],
        help="the echo baseline with the MAA bot's AIORateLimiter (on, the verdict), without"
        " one (off: a reference Telegram would throttle), or both",
    )
    parser.add_argument("--skip-echo", action="store_true", help="diagnostics: MAA bot only")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"load: {args.auditors} auditors at once, closed loop, {args.turns} turns each,"
          f" think {args.think:g} s, poll timeout {args.poll:g} s,"
          f" hard limit {args.limit:g} s per bot")  # fmt: skip

    wanted = {"on": [ECHO_LIMITED], "off": [ECHO_UNLIMITED], "both": [ECHO_LIMITED, ECHO_UNLIMITED]}
    echoes: dict[str, Result] = {}
    for variant in [] if args.skip_echo else wanted[args.echo_limiter]:
        print(f"baseline: {ECHO_NAMES[variant]}")
        echoes[variant] = asyncio.run(run_bot("echo", args, "", variant))
        report(echoes[variant], detail=True)
    tmp = tempfile.mkdtemp()
    url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    asyncio.run(seed(url, args.auditors))
    port = free_port()
    ctx = multiprocessing.get_context("spawn")
    collector = ctx.Process(target=collector_process, args=(port, url), daemon=True)
    collector.start()
    try:
        collector_url = f"http://127.0.0.1:{port}"
        asyncio.run(wait_up(collector_url + "/healthz", tries=400))
        maa = asyncio.run(run_bot("maa", args, collector_url, args.variant))
    finally:
        collector.terminate()
        collector.join(5)
        shutil.rmtree(tmp, ignore_errors=True)
    report(maa, detail=True)
    verdict(maa, echoes)


def verdict(maa: Result, echoes: dict[str, Result]) -> None:
    """p99 ratios: PASS/FAIL against the rate-limited echo bot; the unlimited one for reference."""
    for variant, echo in echoes.items():
        if not (echo.first and maa.first):
            continue
        for label, a, b in (("first reply", maa.first, echo.first),
                            ("turn done", maa.done, echo.done)):  # fmt: skip
            ratio = pct(a, 99) / pct(b, 99)
            if variant == ECHO_LIMITED:
                outcome = "PASS" if ratio <= 2.0 else "FAIL"
                print(f"p99 ratio MAA/{ECHO_NAMES[variant]}, {label}: {ratio:.2f}×  {outcome}"
                      " (target ≤ 2×)")  # fmt: skip
            else:
                print(f"p99 ratio MAA/{ECHO_NAMES[variant]}, {label}: {ratio:.2f}×"
                      " (no verdict: Telegram would throttle this baseline)")  # fmt: skip


if __name__ == "__main__":
    main()
