"""The reminder outbox: the policy's decisions become rows; senders claim, send and acknowledge
(`collector.services.reminder_delivery`).

Every row has a unique key, so planning twice (or in two processes at once) queues each
reminder once.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from collector.auth import Actor
from collector.errors import Forbidden
from collector.services.allocation import allocations, extended_dues
from collector.services.audit import record
from collector.services.lookup import round_by_slug
from collector.services.outbox import insert_rows
from collector.services.progress import expectation_progress
from models.base import utcnow
from models.enums import ReminderStatus, Role, RoundStatus
from models.people import Agency, Member
from models.rounds import Action, Expectation, Round
from models.tool import load_tool
from report.reminders import (
    ChaseAction,
    ChaseExpectation,
    ChaseMember,
    ChaseRound,
    ReminderDecision,
    explain,
    plan_reminders,
)

Inputs = tuple[ChaseRound, list[ChaseMember], list[ChaseExpectation], list[ChaseAction]]


def _allow(actor: Actor, dry_run: bool) -> None:
    """Queueing is the bot's (service) or the server's; coordinators may also look (dry run)."""
    if actor.is_service or (dry_run and actor.role == Role.coordinator):
        return
    raise Forbidden(
        "Only the bot's service token may queue reminders; coordinators may use dry_run."
    )


async def chase_inputs(session: AsyncSession, round_: Round) -> Inputs:
    """The policy's inputs for one round: expectations with progress, members, actions."""
    total = len(load_tool(round_.tool_version).questions)
    rows = await session.execute(expectation_progress(round_.id).order_by(Expectation.id))
    allocated = await allocations(session, round_.id)
    extended = await extended_dues(session, round_.id)
    expectations = [
        ChaseExpectation(
            i,
            code,
            name,
            ref,
            str(st),
            rid,
            rst and str(rst),
            n,
            total,
            allocated.get(i),
            extended.get(i),
        )
        for i, code, name, ref, st, rid, rst, n in rows.all()
    ]
    people = await session.execute(
        select(Member, Agency.code)
        .outerjoin(Agency, Agency.id == Member.agency_id)
        .where(Member.disabled_at.is_(None))  # a disabled member is not chased
    )
    members = [
        ChaseMember(m.id, m.telegram_id, m.display_name, str(m.role), code, m.reachable)
        for m, code in people.all()
    ]
    acts = (await session.execute(select(Action).where(Action.round_id == round_.id))).scalars()
    actions = [
        ChaseAction(a.id, a.number, a.recommendation, a.owner_member_id, a.due_at, str(a.status))
        for a in acts
    ]
    chase = ChaseRound(
        round_.id,
        round_.slug,
        round_.title,
        round_.due_at,
        str(round_.status),
        round_.reminder_policy,
    )
    return chase, members, expectations, actions


async def queue(session: AsyncSession, decisions: list[ReminderDecision]) -> list[int]:
    """Insert the decisions as queued rows; existing keys are left alone. Returns new ids."""
    if not decisions:
        return []
    now = utcnow()
    fields = ("key", "round_id", "kind", "stage", "recipient_id", "expectation_id", "action_id")
    common = {"status": ReminderStatus.queued, "attempts": 0, "created_at": now}
    values = [
        {f: getattr(d, f) for f in fields}
        | {"payload": d.payload(), "send_after": d.send_after}
        | common
        for d in decisions
    ]
    return await insert_rows(session, values)


async def plan(
    *,
    session: AsyncSession,
    actor: Actor,
    slug: str | None,
    at: datetime | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Work the policy for one round (or every open and closed one) and queue what is due."""
    _allow(actor, dry_run)
    return await _plan(session=session, actor=actor, slug=slug, at=at, dry_run=dry_run)


async def send_now(
    *, session: AsyncSession, actor: Actor, slug: str, at: datetime | None = None
) -> dict[str, Any]:
    """A coordinator's "Send these now" on the desk: one round's due reminders queued (each
    once, by its key), recorded as that coordinator's act, not the server's."""
    actor.require(Role.coordinator)
    return await _plan(session=session, actor=actor, slug=slug, at=at, dry_run=False)


async def _plan(
    *, session: AsyncSession, actor: Actor, slug: str | None, at: datetime | None, dry_run: bool
) -> dict[str, Any]:
    at = at or utcnow()
    if slug is not None:
        round_list = [await round_by_slug(session, slug)]
    else:
        wanted = (RoundStatus.open, RoundStatus.closed)
        query = select(Round).where(Round.status.in_(wanted)).order_by(Round.id)
        round_list = list((await session.execute(query)).scalars())
    decisions: list[ReminderDecision] = []
    lines: list[str] = []
    for round_ in round_list:
        inputs = await chase_inputs(session, round_)
        decisions += plan_reminders(*inputs, at)
        if dry_run:
            lines += [f"{round_.slug}: {line}" for line in explain(*inputs, at)]
    new_ids = [] if dry_run else await queue(session, decisions)
    if new_ids:
        record(
            session,
            actor=actor,
            action="reminder.queue",
            entity="round",
            entity_id=round_list[0].id if slug else None,
            after={"queued": len(new_ids), "at": at.isoformat()},
        )
    return {
        "round": slug,
        "at": at,
        "dry_run": dry_run,
        "decisions": decisions,
        "lines": lines,
        "queued": len(new_ids),
    }
