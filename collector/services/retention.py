"""Retention: a round's answers and narratives are removed a set time after it closes.

What the partnership must keep stays: the final report (frozen as JSON, with the tally, the
figures and the action plan, and as Markdown text) in `round_archive`, the round, its cases,
expectations, returns' status and the action plan. Audit events of the round keep who, what and
when but lose their before/after values. Each round is removed in its own transaction, under a
row lock, so several collectors running the daily job at once remove it once.
"""

import calendar
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.db import Database
from collector.errors import Gone
from collector.sealing import seal, seal_json, unseal, unseal_json
from collector.services.audit import record
from collector.services.lookup import round_by_slug
from collector.services.moderated_grades import forget_texts
from collector.services.snapshot import take_snapshot
from models.enums import ReminderStatus, RoundStatus
from models.ops import AuditEvent, Reminder
from models.retention import DEFAULT_RETENTION_MONTHS, RoundArchive
from models.returns import Answer, AuditReturn
from models.rounds import Action, Round
from report.exports import report_json
from report.formats import render_async


@dataclass(frozen=True)
class RetentionItem:
    """A closed round and when its answers go (or went)."""

    slug: str
    closed_at: datetime
    months: int
    remove_after: datetime
    due: bool
    answers: int


def add_months(when: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day when it is shorter)."""
    index = when.month - 1 + months
    year, month = when.year + index // 12, index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


async def _closed_at(session: AsyncSession, round_: Round) -> datetime:
    """When the round was last closed, from the audit trail (its due date if it has none)."""
    at = await session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.entity == "round",
            AuditEvent.entity_id == round_.id,
            AuditEvent.action == "round.close",
        )
    )
    if isinstance(at, str):  # SQLite hands an aggregate back untyped
        at = datetime.fromisoformat(at)
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=round_.due_at.tzinfo)
    return at or round_.due_at


async def plan(*, session: AsyncSession, now: datetime) -> list[RetentionItem]:
    """Every closed round whose answers are still held, and whether they are due to go."""
    rounds = (
        await session.execute(
            select(Round)
            .where(Round.status == RoundStatus.closed, Round.purged_at.is_(None))
            .order_by(Round.id)
        )
    ).scalars()
    items = []
    for r in rounds:
        closed = await _closed_at(session, r)
        months = r.retention_months or DEFAULT_RETENTION_MONTHS
        after = add_months(closed, months)
        count = await session.scalar(
            select(func.count())
            .select_from(Answer)
            .join(AuditReturn, AuditReturn.id == Answer.return_id)
            .where(AuditReturn.round_id == r.id)
        )
        items.append(RetentionItem(r.slug, closed, months, after, after <= now, count or 0))
    return items


async def purge_round(*, session: AsyncSession, actor: Actor, slug: str, now: datetime) -> bool:
    """Archive the report, then remove the round's answers; False if it was already done or is
    not yet due (another collector may have done it a moment ago)."""
    round_ = (
        await session.execute(select(Round).where(Round.slug == slug).with_for_update())
    ).scalar()
    if round_ is None or round_.purged_at is not None or round_.status != RoundStatus.closed:
        return False
    months = round_.retention_months or DEFAULT_RETENTION_MONTHS
    if add_months(await _closed_at(session, round_), months) > now:
        return False
    snapshot = await take_snapshot(session=session, slug=slug)
    report_md = (await render_async(snapshot, "md")).decode()
    session.add(
        RoundArchive(round_id=round_.id, kept_at=now,  # SEALING: the report quotes narratives
                     report=seal_json(_jsonable(report_json(snapshot))), report_md=seal(report_md))
    )  # fmt: skip
    returns = select(AuditReturn.id).where(AuditReturn.round_id == round_.id)
    actions = select(Action.id).where(Action.round_id == round_.id)
    removed = (await session.execute(delete(Answer).where(Answer.return_id.in_(returns)))).rowcount
    await forget_texts(session, round_.id)  # moderation threads and reasons
    await session.execute(
        update(AuditReturn).where(AuditReturn.round_id == round_.id).values(reopened_reason=None)
    )
    await session.execute(
        update(AuditEvent)
        .where(
            or_(
                (AuditEvent.entity == "round") & (AuditEvent.entity_id == round_.id),
                (AuditEvent.entity == "return") & AuditEvent.entity_id.in_(returns),
                (AuditEvent.entity == "action") & AuditEvent.entity_id.in_(actions),
            )
        )
        .values(before=None, after=None)
    )
    # Sent or settled reminders keep their row (who was chased, when) but not their text.
    await session.execute(
        update(Reminder)
        .where(
            Reminder.round_id == round_.id,
            Reminder.status.not_in((ReminderStatus.queued, ReminderStatus.claimed)),
        )
        .values(payload=None)
    )
    round_.purged_at = now
    record(
        session,
        actor=actor,
        action="round.retention",
        entity="round",
        entity_id=round_.id,
        after={"answers_removed": removed, "retention_months": months},
    )
    return True


def _jsonable(value: object) -> dict:
    """The report JSON as plain JSON types (dates become ISO text), as `render_json` writes it."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


async def kept_report(session: AsyncSession, slug: str, fmt: str) -> bytes | None:
    """For a round whose answers were removed: its kept report as JSON or Markdown, or a 410
    naming those; None for a round that still has its answers (render it as usual)."""
    round_ = await round_by_slug(session, slug)
    if round_.purged_at is None:
        return None
    archive = await session.get(RoundArchive, round_.id)
    assert archive is not None  # written in the transaction that set purged_at
    if fmt == "json":  # SEALING: read
        return json.dumps(unseal_json(archive.report), ensure_ascii=False, indent=2).encode()
    if fmt == "md":
        return unseal(archive.report_md).encode()
    raise Gone(
        f"The returns of {slug} were removed under its retention period on "
        f"{round_.purged_at:%d %B %Y}; its final report is kept as md and json.",
        code="removed_under_retention",
    )


async def apply_due(db: Database, actor: Actor, now: datetime) -> list[str]:
    """Remove every round that is due, one transaction each; the slugs removed."""
    async with db.read() as session:
        due = [i.slug for i in await plan(session=session, now=now) if i.due]
    done = []
    for slug in due:
        async with db.write() as session:
            if await purge_round(session=session, actor=actor, slug=slug, now=now):
                done.append(slug)
    return done
