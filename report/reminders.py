"""Who is late and whom to tell: the reminder policy as plain functions of (round data, now).

No I/O, no database, no telegram. The collector reads a round into `Chase*` rows, calls
`plan_reminders`, and inserts each `ReminderDecision` as a Reminder row keyed by `key`; the
unique key makes working the policy any number of times queue each reminder once.

Stage times are calendar days relative to the round's due date in the policy's time zone,
at `send_at` local time: "7 days before" a Friday due date is the Friday before at 09:00,
whatever the due time of day, and whichever side of a clock change it falls.

Here: the owners' action reminders, the coordinators' daily digest, and the pass that runs
every planner (`plan_reminders`, `digest`, `explain`). The stages and the pass's context are
in report/reminder_pass.py, the agencies' reminders and escalations in
report/reminder_agencies.py, the words in report/reminder_text.py.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from models.enums import ExpectationStatus, ReturnStatus, RoundStatus
from report.reminder_agencies import (
    by_agency,
    escalations,
    expectation_reminders,
    most_behind_first,
)
from report.reminder_pass import PassContext, Stage, outstanding, overdue_actions, stages
from report.reminder_policy import (
    ChaseAction,
    ChaseExpectation,
    ChaseMember,
    ChaseRound,
    ReminderDecision,
    ReminderPolicy,
    at_local,
    local_date,
    policy_from,
    require_aware,
)
from report.reminder_text import (
    KIND_WORDS,
    action_text,
    digest_text,
    progress_button,
)

__all__ = [
    "ChaseAction",
    "ChaseExpectation",
    "ChaseMember",
    "ChaseRound",
    "ReminderDecision",
    "ReminderPolicy",
    "Stage",
    "digest",
    "explain",
    "outstanding",
    "overdue_actions",
    "plan_reminders",
    "policy_from",
    "stages",
]


def _action_reminders(ctx: PassContext) -> None:
    """The owner of each overdue action, once ("overdue"), from the morning after it was due."""
    tz = ctx.policy.tz
    by_id = {m.id: m for m in ctx.members}
    for a in overdue_actions(ctx.actions, ctx.now, ctx.policy):
        assert a.due_at is not None  # overdue_actions keeps only dated actions
        due = local_date(a.due_at, tz)
        moment = ctx.moment(due + timedelta(days=1))
        owner = by_id.get(a.owner_member_id) if a.owner_member_id is not None else None
        if owner is None:
            ctx.notes.append(f"action {a.number} is overdue but has no owner member to remind")
            continue
        if moment > ctx.now or not ctx.can_message(owner, f"owner of action {a.number}"):
            continue
        send_after = ctx.send_after(moment)
        ctx.decisions.append(
            ReminderDecision(
                key=f"act:{a.id}:{owner.id}:overdue",
                kind="action",
                stage="overdue",
                recipient_id=owner.id,
                round_id=ctx.round.id,
                expectation_id=None,
                action_id=a.id,
                send_after=send_after,
                text=action_text(
                    title=ctx.round.title,
                    name=owner.display_name,
                    action=a,
                    due=due,
                    today=local_date(send_after, tz),
                ),
                button=progress_button(a.id),
                reason=(
                    f"{owner.display_name} (#{owner.id}): action {a.number} due "
                    f"{due.isoformat()}, status {a.status}"
                ),
            )
        )


def _digest(ctx: PassContext) -> None:
    """One digest per coordinator per local day while the round is open."""
    p = ctx.policy
    if not p.digest:
        return
    today = ctx.today
    if p.quiet_weekends and today.weekday() >= 5:
        # Shifting a weekend digest to Monday would send two on Monday; skip it instead.
        ctx.notes.append("no digest today: weekends are quiet")
        return
    moment = at_local(today, p.digest_at, p.tz)
    if moment > ctx.now:
        ctx.notes.append(f"no digest yet today: it falls due {ctx.when(moment)}")
        return
    send_after = ctx.send_after(moment)
    expected = [e for e in ctx.expectations if e.status == ExpectationStatus.expected]
    late = most_behind_first(by_agency(outstanding(expected)))
    overdue = overdue_actions(ctx.actions, ctx.now, p)
    text_args: dict[str, Any] = {
        "title": ctx.round.title,
        "today": local_date(send_after, p.tz),
        "due": ctx.due,
        "returned": sum(e.return_status == ReturnStatus.submitted for e in expected),
        "expected": len(expected),
        "agencies": [(items[0].agency_name, items) for items in late.values()],
        "overdue": overdue,
        "action_due": lambda a: local_date(a.due_at, p.tz),
    }
    for m in ctx.coordinators():
        if not ctx.can_message(m, "coordinator"):
            continue
        ctx.decisions.append(
            ReminderDecision(
                key=f"digest:{ctx.round.id}:{m.id}:{today.isoformat()}",
                kind="digest",
                stage="daily",
                recipient_id=m.id,
                round_id=ctx.round.id,
                expectation_id=None,
                action_id=None,
                send_after=send_after,
                text=digest_text(**text_args),
                button=None,
                reason=f"{m.display_name} (#{m.id}, coordinator): daily digest for {today}",
            )
        )


def _plan(
    round: ChaseRound,
    members: Sequence[ChaseMember],
    expectations: Sequence[ChaseExpectation],
    actions: Sequence[ChaseAction],
    now: datetime,
    policy: ReminderPolicy | Mapping[str, Any] | None,
    *,
    only_digest: bool = False,
) -> PassContext:
    require_aware("now", now)
    require_aware("round.due_at", round.due_at)
    p = policy_from(policy if policy is not None else round.policy)
    ctx = PassContext(round, members, expectations, actions, now, p)
    if not p.enabled:
        ctx.notes.append("reminders are turned off for this round (enabled: false)")
    elif round.status == RoundStatus.open:
        if not only_digest:
            expectation_reminders(ctx)
            escalations(ctx)
        _digest(ctx)
    else:
        ctx.notes.append(f"round is {round.status}: returns are not chased")
    chase_actions = round.status == RoundStatus.open or (
        round.status == RoundStatus.closed and p.chase_actions_when_closed
    )
    if p.enabled and chase_actions and not only_digest:
        _action_reminders(ctx)
    ctx.decisions.sort(key=lambda d: d.key)
    return ctx


def plan_reminders(
    round: ChaseRound,
    members: Sequence[ChaseMember],
    expectations: Sequence[ChaseExpectation],
    actions: Sequence[ChaseAction],
    now: datetime,
    policy: ReminderPolicy | Mapping[str, Any] | None = None,
) -> list[ReminderDecision]:
    """Every reminder due at `now` (agency stages, escalation, overdue actions, digest)."""
    return _plan(round, members, expectations, actions, now, policy).decisions


def digest(
    round: ChaseRound,
    members: Sequence[ChaseMember],
    expectations: Sequence[ChaseExpectation],
    actions: Sequence[ChaseAction],
    now: datetime,
    policy: ReminderPolicy | Mapping[str, Any] | None = None,
) -> list[ReminderDecision]:
    """Today's digest for each coordinator, if it is due (also part of `plan_reminders`)."""
    return _plan(round, members, expectations, actions, now, policy, only_digest=True).decisions


def explain(
    round: ChaseRound,
    members: Sequence[ChaseMember],
    expectations: Sequence[ChaseExpectation],
    actions: Sequence[ChaseAction],
    now: datetime,
    policy: ReminderPolicy | Mapping[str, Any] | None = None,
) -> list[str]:
    """For `maa remind SLUG --dry-run`: who would be chased, at which stage and why; who not."""
    ctx = _plan(round, members, expectations, actions, now, policy)
    lines = [
        f"{KIND_WORDS.get(d.kind, d.kind)} {d.reason}; goes out {ctx.when(d.send_after)} [{d.key}]"
        for d in ctx.decisions
    ]
    return lines + [f"note: {n}" for n in ctx.notes] or ["nothing to send"]
