"""Extensions: an agency asks for more time on a case with a reason; a coordinator approves or
declines (Approve / Decline in the chat). An approved one moves that agency's reminder schedule
(`allocation.extended_dues`, read by `collector.services.reminders.chase_inputs`)."""

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Conflict, Forbidden, NotFound, Unprocessable
from collector.services.allocation import (
    AGENCY_PEOPLE,
    Expected,
    agency_scope,
    expected_by_id,
    expected_case,
)
from collector.services.audit import record
from collector.services.lookup import round_by_slug
from collector.services.outbox import insert_rows
from collector.services.return_rules import refuse_identifiers
from models.base import utcnow
from models.enums import ReminderStatus, Role
from models.moderation import (
    EXTENSION_KIND,
    Extension,
    ExtensionAsk,
    ExtensionPublic,
    ExtensionStatus,
)
from models.people import Agency, Member
from models.rounds import Case, Expectation, Round
from report import moderation_text
from report.concern_text import who
from report.reminder_policy import local_date, policy_from

MAX_EXTENSION = timedelta(days=366)  # beyond this a round is better closed and audited again


def _ext_view(ext: Extension, found: Expected, queued: list[str] | None = None) -> ExtensionPublic:
    return ExtensionPublic(
        id=ext.id or 0,
        round=found.round.slug,
        agency=found.agency.code,
        case=found.case.reference,
        until=ext.until,
        status=ext.status,
        requested_at=ext.requested_at,
        decided_at=ext.decided_at,
        queued_to=queued or [],
    )


def _outbox(key: str, round_id: int, member: Member, text: str, buttons: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "key": key,
        "round_id": round_id,
        "kind": EXTENSION_KIND,
        "stage": "request" if buttons else "decision",
        "recipient_id": member.id,
        "payload": {"text": text, "button": buttons},
        "send_after": now,
        "status": ReminderStatus.queued,
        "attempts": 0,
        "created_at": now,
    }


async def ask_extension(
    *, session: AsyncSession, actor: Actor, data: ExtensionAsk
) -> ExtensionPublic:
    """More time on a case, with a reason; asking again for the same date changes nothing."""
    if actor.role not in AGENCY_PEOPLE:
        raise Forbidden("Extensions are asked for by the agency's auditors and lead.")
    found = await expected_case(session, actor, data.round, data.case, None)
    policy = policy_from(found.round.reminder_policy)
    due = local_date(found.round.due_at, policy.tz)
    if data.until <= due:
        raise Unprocessable(
            f"The round is due on {due.isoformat()}: an extension is to a later date.",
            code="not_later",
        )
    if data.until > due + MAX_EXTENSION:
        raise Unprocessable(
            f"An extension is at most {MAX_EXTENSION.days} days after the due date "
            f"({due.isoformat()}).",
            code="too_far",
        )
    refuse_identifiers(data.reason)
    same = await session.scalar(
        select(Extension).where(
            Extension.expectation_id == found.expectation.id,
            Extension.until == data.until,
            Extension.status == ExtensionStatus.pending,
        )
    )
    if same is not None:
        return _ext_view(same, found)
    ext = Extension(
        expectation_id=found.expectation.id or 0,
        until=data.until,
        reason=data.reason.strip(),
        requested_by=actor.member_id,
    )
    session.add(ext)
    await session.flush()
    coordinators = list(
        (
            await session.execute(
                select(Member).where(
                    Member.role == Role.coordinator,
                    Member.disabled_at.is_(None),
                    Member.telegram_id.is_not(None),
                    Member.reachable.is_(True),
                )
            )
        ).scalars()
    )
    today = local_date(utcnow(), policy.tz)
    buttons = [list(b) for b in moderation_text.extension_buttons(ext.id or 0)]
    rows = [
        _outbox(
            f"ext:{ext.id}:{m.id}",
            found.round.id or 0,
            m,
            moderation_text.extension_text(
                name=m.display_name,
                round_title=found.round.title,
                case=found.case.reference,
                agency_name=found.agency.name,
                until=data.until,
                reason=data.reason,
                today=today,
            ),
            buttons,
        )
        for m in coordinators
    ]
    await insert_rows(session, rows)
    record(
        session,
        actor=actor,
        action="extension.ask",
        entity="expectation",
        entity_id=found.expectation.id,
        after={"extension": ext.id, "until": data.until.isoformat(), "case": found.case.reference},
    )
    return _ext_view(ext, found, [who(m.display_name, "coordinator") for m in coordinators])


async def decide_extension(
    *, session: AsyncSession, actor: Actor, extension_id: int, approve: bool, reason: str | None
) -> ExtensionPublic:
    """A coordinator approves or declines; the same decision again changes nothing."""
    actor.require(Role.coordinator)
    ext = await session.get(Extension, extension_id, with_for_update=True)
    found = await expected_by_id(session, ext.expectation_id) if ext is not None else None
    if ext is None or found is None:
        raise NotFound(f"There is no extension request {extension_id}.")
    wanted = ExtensionStatus.approved if approve else ExtensionStatus.declined
    if ext.status == wanted:
        return _ext_view(ext, found)
    if ext.status != ExtensionStatus.pending:
        raise Conflict(
            f"This extension was {ext.status} already; ask the agency for a new request.",
            code="extension_decided",
        )
    if reason:
        refuse_identifiers(reason)
    ext.status, ext.decided_by, ext.decided_at = wanted, actor.member_id, utcnow()
    ext.decision_reason = reason
    asker = await session.get(Member, ext.requested_by) if ext.requested_by else None
    if asker is not None and asker.telegram_id is not None and asker.reachable:
        tz = policy_from(found.round.reminder_policy).tz
        words = moderation_text.extended_words(ext.until, local_date(utcnow(), tz))
        text = (
            f"Your request for more time on {found.case.reference} was approved: {words}."
            if approve
            else f"Your request for more time on {found.case.reference} was declined"
            + (f": “{reason}”." if reason else ".")
        )
        await insert_rows(
            session, [_outbox(f"ext:{ext.id}:decided", found.round.id or 0, asker, text, None)]
        )
    record(
        session,
        actor=actor,
        action=f"extension.{wanted}",
        entity="expectation",
        entity_id=ext.expectation_id,
        before={"extension": ext.id, "status": ExtensionStatus.pending},
        after={"extension": ext.id, "status": wanted, "until": ext.until.isoformat()},
    )
    return _ext_view(ext, found)


async def list_extensions(
    *, session: AsyncSession, actor: Actor, slug: str
) -> list[ExtensionPublic]:
    """A round's extension requests (coordinators: all; an agency: its own)."""
    round_ = await round_by_slug(session, slug)
    scope = agency_scope(actor, None)
    stmt = (
        select(Extension, Expectation, Round, Agency, Case)
        .join(Expectation, Expectation.id == Extension.expectation_id)
        .join(Round, Round.id == Expectation.round_id)
        .join(Agency, Agency.id == Expectation.agency_id)
        .join(Case, Case.id == Expectation.case_id)
        .where(Round.id == round_.id)
        .order_by(Extension.id)
    )
    if scope is not None:
        stmt = stmt.where(Agency.code == scope)
    return [
        _ext_view(ext, Expected(exp, r, ag, c))
        for ext, exp, r, ag, c in (await session.execute(stmt)).all()
    ]
