"""Who is late and whom to tell: the reminder policy as plain functions of (round data, now).

No I/O, no database, no telegram. The collector reads a round into `Chase*` rows, calls
`plan_reminders`, and inserts each `ReminderDecision` as a Reminder row keyed by `key`; the
unique key makes working the policy any number of times queue each reminder once.

Stage times are calendar days relative to the round's due date in the policy's time zone,
at `send_at` local time: "7 days before" a Friday due date is the Friday before at 09:00,
whatever the due time of day, and whichever side of a clock change it falls.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from models.enums import ActionStatus, ExpectationStatus, ReturnStatus, Role, RoundStatus
from report.reminder_policy import (
    ChaseAction,
    ChaseExpectation,
    ChaseMember,
    ChaseRound,
    ReminderDecision,
    ReminderPolicy,
    at_local,
    fmt_local,
    local_date,
    next_allowed,
    policy_from,
    require_aware,
)
from report.reminder_text import (
    action_text,
    digest_text,
    escalation_text,
    expectation_text,
    natural_key,
    open_button,
    plural,
    progress_button,
    refs,
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

CHASED_ROLES = (Role.auditor, Role.agency_lead)


@dataclass(frozen=True)
class Stage:
    name: str  # e.g. before-7d, due, after-2d, escalate-5d
    offset_days: int  # relative to the due date: negative before, positive after


def stages(policy: ReminderPolicy) -> tuple[list[Stage], list[Stage]]:
    """The agency stages and the escalation stages of a policy, each in time order."""
    agency = [Stage(f"before-{d}d", -d) for d in sorted(policy.before_days, reverse=True)]
    if policy.on_due:
        agency.append(Stage("due", 0))
    agency += [Stage(f"after-{d}d", d) for d in policy.after_days]
    escalation = [Stage(f"escalate-{d}d", d) for d in policy.escalate_after_days]
    return agency, escalation


def outstanding(expectations: Iterable[ChaseExpectation]) -> list[ChaseExpectation]:
    """Expected cases whose return is not submitted, in cohort order (C2 before C10)."""
    items = [
        e
        for e in expectations
        if e.status == ExpectationStatus.expected and e.return_status != ReturnStatus.submitted
    ]
    return sorted(items, key=lambda e: (e.agency_code, natural_key(e.case_ref)))


def overdue_actions(
    actions: Iterable[ChaseAction], now: datetime, policy: ReminderPolicy | None = None
) -> list[ChaseAction]:
    """Actions not done whose due date (a local calendar day) is behind us, oldest first."""
    require_aware("now", now)
    tz = (policy or ReminderPolicy()).tz
    today = local_date(now, tz)
    late = [
        a
        for a in actions
        if a.due_at is not None
        and a.status != ActionStatus.done
        and local_date(a.due_at, tz) < today
    ]
    return sorted(late, key=lambda a: (a.due_at, a.number))


@dataclass
class _Ctx:
    """One planning pass: the inputs, the clock, and what was decided or skipped."""

    round: ChaseRound
    members: Sequence[ChaseMember]
    expectations: Sequence[ChaseExpectation]
    actions: Sequence[ChaseAction]
    now: datetime
    policy: ReminderPolicy
    decisions: list[ReminderDecision] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def today(self) -> date:
        return local_date(self.now, self.policy.tz)

    @property
    def due(self) -> date:
        return local_date(self.round.due_at, self.policy.tz)

    def moment(self, day: date) -> datetime:
        return at_local(day, self.policy.send_at, self.policy.tz)

    def when(self, t: datetime) -> str:
        return fmt_local(t, self.policy.tz)

    def send_after(self, moment: datetime) -> datetime:
        # A stage worked late (the collector was down, or runs at night) goes out when it may,
        # not at its past moment: otherwise a late run would send in the middle of quiet hours.
        return next_allowed(max(moment, self.now), self.policy)

    def can_message(self, m: ChaseMember, why: str) -> bool:
        if not m.reachable:
            self.notes.append(f"skip {m.display_name} (#{m.id}, {why}): marked unreachable")
            return False
        if m.telegram_id is None:
            self.notes.append(f"skip {m.display_name} (#{m.id}, {why}): not enrolled in Telegram")
            return False
        return True

    def latest(
        self, stage_list: Sequence[Stage], due: date | None = None
    ) -> tuple[Stage, datetime] | None:
        """The latest stage whose moment has come, with that moment.

        Only the latest is produced: if the policy is worked late (round opened a day before
        the due date, collector down for a week) the earlier stages are history, and sending
        "7 days to go", "2 days to go" and "due today" together would flood people with stale
        news. Earlier stages that were produced on time keep their own keys, so nothing that
        was queued is lost.
        """
        base = self.due if due is None else due  # an agency's extended due date
        reached = [(s, self.moment(base + timedelta(days=s.offset_days))) for s in stage_list]
        reached = [(s, t) for s, t in reached if t <= self.now]
        return reached[-1] if reached else None

    def coordinators(self) -> list[ChaseMember]:
        return sorted((m for m in self.members if m.role == Role.coordinator), key=lambda m: m.id)


def _by_agency(items: Sequence[ChaseExpectation]) -> dict[str, list[ChaseExpectation]]:
    grouped: dict[str, list[ChaseExpectation]] = {}
    for e in items:
        grouped.setdefault(e.agency_code, []).append(e)
    return grouped


def _most_behind_first(
    grouped: dict[str, list[ChaseExpectation]],
) -> dict[str, list[ChaseExpectation]]:
    """Coordinators read the agencies with most outstanding first; a cut list loses the least."""
    return dict(sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def agency_due(ctx: _Ctx, items: Sequence[ChaseExpectation]) -> date:
    """The agency's due date: the round's, or the latest approved extension of its cases."""
    extended = [e.extended_to for e in items if e.extended_to is not None]
    return max([ctx.due, *extended])


def chased_items(m: ChaseMember, items: list[ChaseExpectation]) -> list[ChaseExpectation]:
    """What one member is chased about: an auditor their allocated cases and the unallocated
    ones (another auditor's cases are theirs); the lead every outstanding case."""
    if m.role != Role.auditor:
        return items
    return [e for e in items if e.allocated_to in (None, m.id)]


def _expectation_reminders(ctx: _Ctx) -> None:
    """One message per agency member per stage, listing that agency's outstanding cases.

    One message per member rather than per case: an auditor with eleven cases gets one
    reminder with eleven lines, not eleven reminders (Telegram paces one chat at ~1/s).
    Stages count from the agency's due date: an approved extension moves them (and their
    keys carry the new date, so a stage already sent on the old schedule is sent again).
    """
    agency_stages, _ = stages(ctx.policy)
    for code, items in _by_agency(outstanding(ctx.expectations)).items():
        due = agency_due(ctx, items)
        hit = ctx.latest(agency_stages, due)
        if hit is None:
            if agency_stages:
                first = ctx.moment(due + timedelta(days=agency_stages[0].offset_days))
                ctx.notes.append(
                    f"{code}: no agency reminder yet: the first stage falls due {ctx.when(first)}"
                )
            continue
        _agency_reminders(ctx, code, items, due, *hit)


def _agency_reminders(
    ctx: _Ctx,
    code: str,
    items: list[ChaseExpectation],
    due: date,
    stage: Stage,
    moment: datetime,
) -> None:
    send_after = ctx.send_after(moment)
    # Words like "in 2 days" are written for the day the message goes out, not the planning
    # day: a stage worked at 21:30 is read the next morning.
    sent_on = local_date(send_after, ctx.policy.tz)
    extended = f":x{due.isoformat()}" if due != ctx.due else ""
    agency_name = items[0].agency_name
    people = sorted(
        (m for m in ctx.members if m.agency_code == code and m.role in CHASED_ROLES),
        key=lambda m: (m.role != Role.auditor, m.id),
    )
    if not people:
        ctx.notes.append(f"{code}: {plural(len(items), 'case')} outstanding, nobody to remind")
        return
    chased = [
        (m, mine)
        for m in people
        if (mine := chased_items(m, items)) and ctx.can_message(m, f"{m.role}, {code}")
    ]
    auditors_told = any(m.role == Role.auditor for m, _ in chased)
    for m, mine in chased:
        as_lead = m.role == Role.agency_lead
        button = open_button(ctx.round.id, mine[0])
        ctx.decisions.append(
            ReminderDecision(
                key=f"exp:{ctx.round.id}:{code}:{m.id}:{stage.name}{extended}",
                kind="expectation",
                stage=stage.name,
                recipient_id=m.id,
                round_id=ctx.round.id,
                expectation_id=mine[0].id,
                action_id=None,
                send_after=send_after,
                text=expectation_text(
                    title=ctx.round.title,
                    name=m.display_name,
                    agency_name=agency_name,
                    items=mine,
                    due=due,
                    today=sent_on,
                    as_lead=as_lead,
                    auditors_told=auditors_told,
                    button=button,
                ),
                button=button,
                reason=(
                    f"{m.display_name} (#{m.id}, {m.role}, {code}): "
                    f"{stage_words(stage.name)}, since {ctx.when(moment)}"
                    + (f" (extended to {due.isoformat()})" if extended else "")
                    + f"; {len(mine)} outstanding: {refs(mine)}"
                ),
                expectation_ids=tuple(e.id for e in mine),
            )
        )


def _escalations(ctx: _Ctx) -> None:
    """To every coordinator: each agency still outstanding, once per escalation stage."""
    _, escalation_stages = stages(ctx.policy)
    hit = ctx.latest(escalation_stages)
    if hit is None:
        return
    stage, moment = hit
    grouped = _by_agency(outstanding(ctx.expectations))
    # An agency given more time is not escalated while its extended date is still ahead.
    late = _most_behind_first(
        {c: items for c, items in grouped.items() if agency_due(ctx, items) <= ctx.today}
    )
    if not late:
        ctx.notes.append(f"no escalation at {stage.name}: every expected return is in")
        return
    expected = _expected_per_agency(ctx.expectations)
    agencies = []
    for code, items in late.items():
        people = [m for m in ctx.members if m.agency_code == code and m.role in CHASED_ROLES]
        if not people:
            note = "nobody enrolled to remind"
        elif not any(m.reachable and m.telegram_id is not None for m in people):
            note = "nobody reachable"
        else:
            note = ""
        agencies.append((items[0].agency_name, expected[code], items, note))
    send_after = ctx.send_after(moment)
    sent_on = local_date(send_after, ctx.policy.tz)
    for m in ctx.coordinators():
        if not ctx.can_message(m, "coordinator"):
            continue
        ctx.decisions.append(
            ReminderDecision(
                key=f"esc:{ctx.round.id}:{m.id}:{stage.name}",
                kind="escalation",
                stage=stage.name,
                recipient_id=m.id,
                round_id=ctx.round.id,
                expectation_id=None,
                action_id=None,
                send_after=send_after,
                text=escalation_text(
                    title=ctx.round.title,
                    name=m.display_name,
                    agencies=agencies,
                    due=ctx.due,
                    today=sent_on,
                ),
                button=None,
                reason=(
                    f"{m.display_name} (#{m.id}, coordinator): {stage_words(stage.name)}, since "
                    f"{ctx.when(moment)}; outstanding agencies: {', '.join(late)}"
                ),
                expectation_ids=tuple(e.id for items in late.values() for e in items),
            )
        )


def _expected_per_agency(expectations: Iterable[ChaseExpectation]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in expectations:
        if e.status == ExpectationStatus.expected:
            counts[e.agency_code] = counts.get(e.agency_code, 0) + 1
    return counts


def _action_reminders(ctx: _Ctx) -> None:
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


def _digest(ctx: _Ctx) -> None:
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
    late = _most_behind_first(_by_agency(outstanding(expected)))
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
) -> _Ctx:
    require_aware("now", now)
    require_aware("round.due_at", round.due_at)
    p = policy_from(policy if policy is not None else round.policy)
    ctx = _Ctx(round, members, expectations, actions, now, p)
    if not p.enabled:
        ctx.notes.append("reminders are turned off for this round (enabled: false)")
    elif round.status == RoundStatus.open:
        if not only_digest:
            _expectation_reminders(ctx)
            _escalations(ctx)
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


KIND_WORDS = {
    "expectation": "Reminder to",
    "escalation": "Escalation to",
    "action": "Action reminder to",
    "digest": "Daily digest to",
}


def stage_words(stage: str) -> str:
    """ "before-7d" -> "7 days before the due date (before-7d)": words first, the name kept."""
    m = re.fullmatch(r"(before|after|escalate)-(\d+)d", stage)
    if m:
        when, days = m.group(1), int(m.group(2))
        side = "before" if when == "before" else "after"
        span = f"{plural(days, 'day')} {side} the due date"
        return f"{'escalation, ' if when == 'escalate' else ''}{span} ({stage})"
    return "on the due date (due)" if stage == "due" else stage


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
