"""The per-agency planning: each agency's outstanding cases, its due date (an approved
extension moves it), who in the agency is chased about what; the agency stage reminders to
its members and the escalations about late agencies to the coordinators.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from models.enums import ExpectationStatus, Role
from report.reminder_pass import PassContext, Stage, outstanding, stages
from report.reminder_policy import ChaseExpectation, ChaseMember, ReminderDecision, local_date
from report.reminder_text import (
    escalation_text,
    expectation_text,
    open_button,
    plural,
    refs,
    stage_words,
)

CHASED_ROLES = (Role.auditor, Role.agency_lead)


def by_agency(items: Sequence[ChaseExpectation]) -> dict[str, list[ChaseExpectation]]:
    grouped: dict[str, list[ChaseExpectation]] = {}
    for e in items:
        grouped.setdefault(e.agency_code, []).append(e)
    return grouped


def most_behind_first(
    grouped: dict[str, list[ChaseExpectation]],
) -> dict[str, list[ChaseExpectation]]:
    """Coordinators read the agencies with most outstanding first; a cut list loses the least."""
    return dict(sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def agency_due(ctx: PassContext, items: Sequence[ChaseExpectation]) -> date:
    """The agency's due date: the round's, or the latest approved extension of its cases."""
    extended = [e.extended_to for e in items if e.extended_to is not None]
    return max([ctx.due, *extended])


def chased_items(m: ChaseMember, items: list[ChaseExpectation]) -> list[ChaseExpectation]:
    """What one member is chased about: an auditor their allocated cases and the unallocated
    ones (another auditor's cases are theirs); the lead every outstanding case."""
    if m.role != Role.auditor:
        return items
    return [e for e in items if e.allocated_to in (None, m.id)]


def expectation_reminders(ctx: PassContext) -> None:
    """One message per agency member per stage, listing that agency's outstanding cases.

    One message per member rather than per case: an auditor with eleven cases gets one
    reminder with eleven lines, not eleven reminders (Telegram paces one chat at ~1/s).
    Stages count from the agency's due date: an approved extension moves them (and their
    keys carry the new date, so a stage already sent on the old schedule is sent again).
    """
    agency_stages, _ = stages(ctx.policy)
    for code, items in by_agency(outstanding(ctx.expectations)).items():
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
    ctx: PassContext,
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


def escalations(ctx: PassContext) -> None:
    """To every coordinator: each agency still outstanding, once per escalation stage."""
    _, escalation_stages = stages(ctx.policy)
    hit = ctx.latest(escalation_stages)
    if hit is None:
        return
    stage, moment = hit
    grouped = by_agency(outstanding(ctx.expectations))
    # An agency given more time is not escalated while its extended date is still ahead.
    late = most_behind_first(
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
