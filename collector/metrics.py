"""Prometheus metrics: request counters and latency from a middleware, outbox gauges from the
database at scrape time.

Each collector process counts its own requests (Prometheus adds replicas up); what lives in the
database (outbox depth, reminders by outcome, bot updates handled) is read from it on each scrape,
so every replica reports the same, true figures.
"""

from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ReminderStatus
from models.ops import Reminder, SeenUpdate

# Route patterns whose success is a domain event worth its own counter.
ANSWER_ROUTES = {
    ("PUT", "/api/returns/{return_id}/answers/{key}"),
    ("POST", "/api/returns/{return_id}/answers/{key}/parts"),
}
SUBMIT_ROUTE = ("POST", "/api/returns/{return_id}/submit")
WAITING = (ReminderStatus.queued, ReminderStatus.claimed)


class Metrics:
    """One registry per app, so two apps in one process (tests) never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "maa_http_requests", "HTTP requests by route pattern and status",
            ["method", "route", "status"], registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "maa_http_request_duration_seconds", "Time to answer, by route pattern",
            ["method", "route"], registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )  # fmt: skip
        self.answers = Counter(
            "maa_answers_written", "Answer writes accepted (this process)", registry=r
        )
        self.submissions = Counter(
            "maa_submissions", "Returns submitted (this process)", registry=r
        )
        self.outbox_depth = Gauge(
            "maa_outbox_depth", "Outbox messages not yet sent (queued or claimed), by kind",
            ["kind"], registry=r,
        )  # fmt: skip
        self.outbox_oldest = Gauge(
            "maa_outbox_oldest_age_seconds",
            "How long the oldest due, unsent outbox message has waited (0: none waiting)",
            registry=r,
        )
        self.reminders = Gauge(
            "maa_outbox_messages", "Outbox messages (reminders, alerts) by kind and status",
            ["kind", "status"], registry=r,
        )  # fmt: skip
        self.retried = Gauge(
            "maa_outbox_retried", "Outbox messages tried more than once, by kind",
            ["kind"], registry=r,
        )  # fmt: skip
        self.updates = Gauge(
            "maa_bot_updates_handled", "Telegram updates the bot has marked handled", registry=r
        )
        # `labels()` validates and locks on every call (~10 µs): each request's pair of
        # children is looked up once per (method, route, status), a small fixed set.
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def count(self, method: str, route: str, status: str, seconds: float) -> None:
        """One request answered: its counter and its latency."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (self.requests.labels(*key), self.latency.labels(method, route))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


async def read_gauges(session: AsyncSession, metrics: Metrics, now: datetime) -> None:
    """Set the database-backed gauges from one read transaction."""
    rows = await session.execute(
        select(
            Reminder.kind,
            Reminder.status,
            func.count(),
            func.sum((Reminder.attempts > 1).cast(Reminder.attempts.type)),
        ).group_by(Reminder.kind, Reminder.status)
    )
    for gauge in (metrics.reminders, metrics.outbox_depth, metrics.retried):
        gauge.clear()  # a kind or status that has gone must not keep its old value
    depth: dict[str, int] = {}
    retried: dict[str, int] = {}
    for kind, status, count, again in rows.all():
        metrics.reminders.labels(kind, str(status)).set(count)
        if status in WAITING:
            depth[kind] = depth.get(kind, 0) + count
        retried[kind] = retried.get(kind, 0) + int(again or 0)
    for kind, count in depth.items():
        metrics.outbox_depth.labels(kind).set(count)
    for kind, count in retried.items():
        metrics.retried.labels(kind).set(count)
    oldest = await session.scalar(
        select(func.min(Reminder.send_after)).where(
            Reminder.status.in_(WAITING), Reminder.send_after <= now
        )
    )
    if isinstance(oldest, str):  # SQLite hands an aggregate back untyped
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    metrics.outbox_oldest.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    metrics.updates.set(await session.scalar(select(func.count()).select_from(SeenUpdate)) or 0)
