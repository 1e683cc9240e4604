"""Concern alerts after the answer: escalation, delivery notes, acknowledgement, the list.

The alert itself is written with the answer (`answers.raise_concern`, by the rule in
`concern_rules`); its messages are outbox rows sent by the reminder sender, claimed
ahead of every reminder. Everything that happens later is also outbox rows, queued in the
transaction that learns of it, with unique keys: a repeated claim or ack, or two senders at
once, queue nothing twice.
"""

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.services.audit import record
from collector.services.concern_rules import (
    RECIPIENTS_SQL,
    message_row,
    recipients_of,
)
from collector.services.outbox import insert_rows
from models.concerns import (
    Concern,
    ConcernStage,
)
from models.enums import ReminderStatus, Role
from models.ops import Reminder
from models.people import Agency, Member
from models.rounds import Round
from report import concern_text
from report.reminder_text import concern_button

TO_RECIPIENTS = (ConcernStage.alert, ConcernStage.escalated)
PENDING = (ReminderStatus.queued, ReminderStatus.claimed)


async def _facts(session: AsyncSession, c: Concern) -> tuple[Round, Agency]:
    round_ = await session.get(Round, c.round_id)
    agency = await session.get(Agency, c.agency_id)
    assert round_ is not None and agency is not None  # foreign keys
    return round_, agency


async def recipient_rows(session: AsyncSession, concern_id: int) -> dict[int, Reminder]:
    """The alert rows of a concern by recipient (an escalated row replaces the first)."""
    rows = await session.execute(
        select(Reminder)
        .where(Reminder.concern_id == concern_id, Reminder.stage.in_(TO_RECIPIENTS))
        .order_by(Reminder.id)
    )
    return {r.recipient_id: r for r in rows.scalars()}


async def escalate_due(session: AsyncSession, actor: Actor, now: datetime) -> int:
    """Concerns nobody acknowledged in time: send again to every coordinator and the first
    recipients, and tell the auditor. Run at each claim, so the timer is the stored
    `escalate_at` and survives any restart; SKIP LOCKED and `escalated_at` make it happen once."""
    due = (
        (
            await session.execute(
                select(Concern)
                .where(
                    Concern.escalate_at <= now,
                    Concern.acknowledged_at.is_(None),
                    Concern.escalated_at.is_(None),
                )
                .order_by(Concern.id)
                .limit(50)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    for c in due:
        c.escalated_at = now
        round_, agency = await _facts(session, c)
        members = recipients_of(
            await session.execute(text(RECIPIENTS_SQL), {"agency_id": c.agency_id})
        )
        first = await recipient_rows(session, c.id)
        reach = [
            m
            for m in members
            if m.can_receive
            and m.member_id != c.raised_by
            and (m.role == Role.coordinator or m.member_id in first)
        ]
        minutes = round_.concern_escalate_minutes
        body = concern_text.escalated_text(
            round_title=round_.title,
            case=c.case_reference,
            agency=agency.name,
            raised_at=c.raised_at,
            minutes=minutes,
        )
        rows = [
            message_row(
                concern_id=c.id,
                round_id=c.round_id,
                stage=ConcernStage.escalated,
                recipient_id=m.member_id,
                text=body,
                now=now,
                button=concern_button(c.id),
            )
            for m in reach
        ]
        if c.raised_by is not None and reach:
            note = concern_text.escalation_note(
                case=c.case_reference, minutes=minutes, recipients=[m.label for m in reach]
            )
            rows.append(
                message_row(
                    concern_id=c.id,
                    round_id=c.round_id,
                    stage=ConcernStage.escalating,
                    recipient_id=c.raised_by,
                    text=note,
                    now=now,
                )
            )
        await insert_rows(session, rows)
        record(
            session,
            actor=actor,
            action="concern.escalated",
            entity="concern",
            entity_id=c.id,
            after={"queued_to": [m.member_id for m in reach]},
        )
    return len(due)


async def after_delivery(session: AsyncSession, r: Reminder, now: datetime) -> None:
    """A concern message has been sent or given up: tell the auditor what is now true."""
    if r.concern_id is None or r.stage not in TO_RECIPIENTS:
        return
    c = await session.get(Concern, r.concern_id)
    if c is None or c.raised_by is None:
        return
    await session.flush()
    if r.status == ReminderStatus.sent:
        m = await session.get(Member, r.recipient_id)
        assert m is not None
        note = concern_text.delivered_text(
            case=c.case_reference, recipient=concern_text.who(m.display_name, m.role), at=now
        )
        await insert_rows(
            session,
            [
                message_row(
                    concern_id=c.id,
                    round_id=c.round_id,
                    stage=ConcernStage.delivered,
                    recipient_id=c.raised_by,
                    text=note,
                    now=now,
                    key_suffix=f":{m.id}",
                )
            ],
        )
        return
    rows = (await recipient_rows(session, c.id)).values()
    if any(x.status == ReminderStatus.sent or x.status in PENDING for x in rows):
        return  # someone has it, or may still get it
    agency = await session.get(Agency, c.agency_id)
    note = concern_text.undeliverable_text(
        case=c.case_reference, procedure=agency.safeguarding_procedure if agency else None
    )
    await insert_rows(
        session,
        [
            message_row(
                concern_id=c.id,
                round_id=c.round_id,
                stage=ConcernStage.undeliverable,
                recipient_id=c.raised_by,
                text=note,
                now=now,
            )
        ],
    )
