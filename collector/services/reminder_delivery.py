"""The senders' side of the reminder outbox: senders claim due rows, send them and acknowledge.

A claim is a lease: a row claimed but never acknowledged comes back once `claimed_until` has
passed, so a crashed sender may repeat one message but never lose it. The rows are queued
elsewhere (the policy's decisions by `collector.services.reminders`; concern alerts, queries
and others through `collector.services.outbox`).
"""

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Conflict, NotFound
from collector.sealing import unseal
from collector.services.audit import record
from collector.services.concerns import after_delivery, escalate_due
from collector.services.reminders import queue
from models.base import utcnow
from models.concerns import Concern, ConcernStage
from models.enums import ReminderStatus, ReturnStatus, Role, RoundStatus
from models.ops import AuditEvent, Reminder
from models.people import Agency, Member
from models.returns import AuditReturn
from models.rounds import Expectation, Round
from report.reminders import ReminderDecision

MAX_ATTEMPTS = 5  # sends that fail this often are given up (status failed, reason kept)
RETRY_BACKOFF = timedelta(minutes=2)  # a failed send is tried again after 2, 4, 8... minutes
ROUND_KINDS = ("expectation", "escalation", "digest")  # only chased while the round is open


def _due(now: datetime) -> Any:
    """Rows a sender may take: queued and due, or claimed by a sender whose lease ran out."""
    return or_(
        and_(Reminder.status == ReminderStatus.queued, Reminder.send_after <= now),
        and_(Reminder.status == ReminderStatus.claimed, Reminder.claimed_until < now),
    )


async def _submitted(session: AsyncSession, ids: set[int]) -> set[int]:
    """The expectations among `ids` whose return is submitted."""
    if not ids:
        return set()
    rows = await session.execute(
        select(Expectation.id)
        .join(
            AuditReturn,
            (AuditReturn.round_id == Expectation.round_id)
            & (AuditReturn.agency_id == Expectation.agency_id)
            & (AuditReturn.case_id == Expectation.case_id),
        )
        .where(Expectation.id.in_(ids), AuditReturn.status == ReturnStatus.submitted)
    )
    return set(rows.scalars())


def _stale(
    r: Reminder, m: Member, round_status: str | None, submitted: set[int], owned: bool
) -> str | None:
    """Why a due row must not be sent after all, or None to send it."""
    if not m.reachable or m.telegram_id is None:
        return "unreachable"
    if r.stage == ConcernStage.escalated and owned:
        return "cancelled"  # someone took the concern after it was escalated: no second call
    if m.disabled_at is not None:
        return "cancelled"  # access withdrawn after it was queued: no chase
    if r.kind in ROUND_KINDS and round_status is not None and round_status != RoundStatus.open:
        return "cancelled"
    chased = set((r.payload or {}).get("expectation_ids") or [])
    if r.kind in ("expectation", "escalation") and chased and chased <= submitted:
        return "cancelled"  # every return it chases is in: never chase a submitted return
    return None


async def claim(
    *,
    session: AsyncSession,
    actor: Actor,
    limit: int,
    lease_seconds: float,
    at: datetime | None,
    urgent_only: bool = False,
) -> list[dict[str, Any]]:
    """Lease up to `limit` due reminders to the caller; stale ones are cancelled on the way."""
    actor.require_service()
    now = at or utcnow()
    # The escalation timer of concern alerts lives in the database (Concern.escalate_at):
    # whichever sender claims first after it has passed queues the escalation, once.
    await escalate_due(session, actor, now)
    # SKIP LOCKED lets several senders claim at once on PostgreSQL without waiting on each
    # other or taking the same row; SQLite ignores it, and its single writer serialises claims.
    rows = (
        await session.execute(
            select(Reminder, Member, Round.status, Concern.acknowledged_at)
            .join(Member, Member.id == Reminder.recipient_id)
            .outerjoin(Round, Round.id == Reminder.round_id)
            .outerjoin(Concern, Concern.id == Reminder.concern_id)
            .where(_due(now), Reminder.priority > 0 if urgent_only else sa.true())
            # Concern alerts first (priority), then the longest waiting.
            .order_by(Reminder.priority.desc(), Reminder.send_after, Reminder.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Reminder)
        )
    ).all()
    chased: set[int] = set()
    for r, _m, _s, _a in rows:
        chased |= set((r.payload or {}).get("expectation_ids") or [])
    submitted = await _submitted(session, chased)
    until = now + timedelta(seconds=lease_seconds)
    send: dict[int, tuple[Reminder, Member]] = {}
    for r, m, round_status, acknowledged_at in rows:
        why = _stale(r, m, round_status, submitted, acknowledged_at is not None)
        if why is None:
            send[r.id] = (r, m)
        else:
            await _finish(session, r.id, now, ReminderStatus(why), f"not sent: {why}")
            if r.concern_id is not None:
                await session.refresh(r)
                await after_delivery(session, r, now)
    if not send:
        return []
    # The guard repeats the due test, so a row another claimer took meanwhile is skipped.
    taken = await session.execute(
        update(Reminder)
        .where(Reminder.id.in_(send), _due(now))
        .values(status=ReminderStatus.claimed, claimed_until=until, attempts=Reminder.attempts + 1)
        .returning(Reminder.id, Reminder.attempts)
    )
    attempts = {rid: n for rid, n in taken.all()}
    out = []
    for rid, (r, m) in send.items():
        if rid not in attempts:
            continue
        payload = r.payload or {}
        out.append(
            {"id": rid, "key": r.key, "kind": r.kind, "stage": r.stage, "recipient_id": m.id}
            | {"telegram_id": m.telegram_id, "text": unseal(payload.get("text", ""))}  # SEALING
            | {"button": payload.get("button"), "attempts": attempts[rid], "claimed_until": until}
            | {"priority": r.priority}
        )
    return out


async def _finish(
    session: AsyncSession, rid: int, now: datetime, status: ReminderStatus, error: str | None
) -> None:
    values: dict[str, Any] = {"status": status, "claimed_until": None}
    if status == ReminderStatus.sent:
        values["sent_at"] = now
    if error is not None:
        values["last_error"] = error[:500]
    await session.execute(update(Reminder).where(Reminder.id == rid).values(**values))


async def ack(
    *,
    session: AsyncSession,
    actor: Actor,
    reminder_id: int,
    outcome: str,
    error: str | None = None,
    retry_after: float | None = None,
) -> dict[str, Any]:
    """Record what happened to a claimed reminder: sent, failed (retried later) or unreachable."""
    actor.require_service()
    r = await session.get(Reminder, reminder_id, with_for_update=True)
    if r is None:
        raise NotFound(f"There is no reminder {reminder_id}.")
    now = utcnow()
    if r.status == ReminderStatus.sent and outcome == "sent":
        return _state(r)  # an acknowledgement repeated after a lost answer
    if r.status != ReminderStatus.claimed:
        raise Conflict(f"Reminder {reminder_id} is {r.status}, not claimed.", code="not_claimed")
    if outcome == "sent":
        await _finish(session, r.id, now, ReminderStatus.sent, None)
    elif outcome == "unreachable":
        await _finish(session, r.id, now, ReminderStatus.unreachable, error or "blocked")
        await _unreachable(session, actor, r)
    elif r.attempts >= MAX_ATTEMPTS:
        await _finish(session, r.id, now, ReminderStatus.failed, error or "failed")
    else:  # tried again later (a concern alert too: it reached nobody yet, and may still)
        wait = (
            timedelta(seconds=retry_after) if retry_after else RETRY_BACKOFF * 2 ** (r.attempts - 1)
        )
        await session.execute(
            update(Reminder)
            .where(Reminder.id == r.id)
            .values(
                status=ReminderStatus.queued,
                claimed_until=None,
                send_after=now + wait,
                last_error=(error or "failed")[:500],
            )
        )
    await session.refresh(r)
    if r.concern_id is not None:
        await after_delivery(session, r, now)  # tell the auditor what is now true
    return _state(r)


def _state(r: Reminder) -> dict[str, Any]:
    return {
        "id": r.id,
        "status": r.status,
        "attempts": r.attempts,
        "send_after": r.send_after,
        "last_error": r.last_error,
    }


async def _unreachable(session: AsyncSession, actor: Actor, r: Reminder) -> None:
    """Mark the member unreachable and tell each coordinator once per block (unique key)."""
    m = await session.get(Member, r.recipient_id, with_for_update=True)
    assert m is not None  # a foreign key
    if m.reachable:
        m.reachable = False
        record(
            session,
            actor=actor,
            action="member.unreachable",
            entity="member",
            entity_id=m.id,
            before={"reachable": True},
            after={"reachable": False},
        )
    await session.flush()
    # Each time they block the bot (after coming back) is a new episode, told again.
    episode = (
        await session.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "member.unreachable", AuditEvent.entity_id == m.id)
        )
    ).scalar()
    round_ = await session.get(Round, r.round_id) if r.round_id else None
    agency = await session.get(Agency, m.agency_id) if m.agency_id else None
    who = f"{m.display_name} ({agency.name})" if agency else m.display_name
    where = f" for “{round_.title}”" if round_ else ""
    text = (
        f"{who} has blocked the MAA bot, so reminders{where} cannot reach them. "
        "Please contact them another way; reminders start again when they message the bot."
    )
    coordinators = await session.execute(
        select(Member.id).where(
            Member.role == Role.coordinator,
            Member.reachable.is_(True),
            Member.telegram_id.is_not(None),
            Member.id != m.id,
        )
    )
    now = utcnow()
    notices = [
        ReminderDecision(
            key=f"unreachable:{m.id}:{episode}:{cid}",
            kind="unreachable",
            stage="blocked",
            recipient_id=cid,
            round_id=r.round_id,  # type: ignore[arg-type]  # None for a notice outside a round
            expectation_id=None,
            action_id=None,
            send_after=now,
            text=text,
            button=None,
            reason=f"member #{m.id} blocked the bot",
        )
        for cid in coordinators.scalars()
    ]
    await queue(session, notices)
