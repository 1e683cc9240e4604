"""One planning pass of the reminder policy: the policy's stages, what is outstanding or
overdue, and the pass's context (`PassContext`: the inputs, the clock, what was decided or skipped).

The planners (report/reminder_agencies.py, report/reminders.py) each add their decisions and
notes to the one context of a pass.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from models.enums import ActionStatus, ExpectationStatus, ReturnStatus, Role
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
    require_aware,
)
from report.reminder_text import natural_key


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
class PassContext:
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
