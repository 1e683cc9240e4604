"""The words of reminders: short, kind, plain text, and always within Telegram's limits."""

import re
from collections.abc import Callable, Sequence
from datetime import date

from models import buttons
from models.enums import ReturnStatus
from report.reminder_policy import TEXT_LIMIT, ChaseAction, ChaseExpectation

CASES_PER_LINE = 12  # case references listed on one escalation/digest line before "+N more"


def natural_key(ref: str) -> tuple[str | int, ...]:
    """Sort C2 before C10."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", ref))


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), so emoji in names cannot overflow."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` UTF-16 units, marking the cut with an ellipsis."""
    if units(text) <= limit:
        return text
    out = text[: max(limit - 1, 0)]
    while units(out) > limit - 1:
        out = out[:-1]
    return out.rstrip() + "…"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def day_words(day: date, today: date) -> str:
    """E.g. "Friday 12 April" (the year only when it is not this year)."""
    text = f"{day:%A} {day.day} {day:%B}"
    return text if day.year == today.year else f"{text} {day.year}"


def when_words(day: date, today: date) -> str:
    """E.g. "in 2 days", "tomorrow", "today", "yesterday", "5 days ago"."""
    days = (day - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


def progress(e: ChaseExpectation) -> str:
    """E.g. "C3 — 4 of 11 answered", "C5 — not started"."""
    if e.return_status is None:
        state = "not started"
    elif e.total_questions and e.answered >= e.total_questions:
        state = f"all {e.total_questions} answered, ready to submit"
    else:
        state = f"{e.answered} of {e.total_questions} answered"
    if e.return_status == ReturnStatus.reopened:
        state = f"reopened, {state}"
    return f"{e.case_ref} — {state}"


def refs(items: Sequence[ChaseExpectation], most: int = CASES_PER_LINE) -> str:
    """E.g. "C2, C4, C9, +3 more"."""
    shown = ", ".join(e.case_ref for e in items[:most])
    return shown if len(items) <= most else f"{shown}, +{len(items) - most} more"


def open_button(round_id: int, e: ChaseExpectation) -> tuple[str, str] | None:
    """The button that opens (or starts) a case; None if its callback would not fit."""
    data = buttons.open_case(round_id, e.case_ref)
    return None if data is None else (f"Open {e.case_ref}", data)


def progress_button(action_id: int) -> tuple[str, str]:
    """The button on an action reminder that lets its owner record progress from the chat."""
    return ("Post progress", buttons.post_progress(action_id))


def concern_button(concern_id: int) -> tuple[str, str]:
    """The button on a concern alert: the first recipient to press it owns the concern."""
    return ("I'm dealing with this", buttons.take_concern(concern_id))


def fit(
    head: Sequence[str],
    items: Sequence[str],
    tail: Sequence[str],
    more: Callable[[int], str] = lambda n: f"…and {n} more",
    limit: int = TEXT_LIMIT,
) -> str:
    """Join head, as many items as fit, a "…and N more" line, and tail within `limit`."""
    size = sum(units(line) + 1 for line in (*head, *items, *tail))
    kept = len(items)

    def needed() -> int:
        return size + (units(more(len(items) - kept)) + 1 if kept < len(items) else 0)

    # Drop items from the end until the rest, plus the line that says how many were left
    # out, fits: a huge cohort still gets a useful message rather than a refused one.
    while kept > 0 and needed() > limit:
        kept -= 1
        size -= units(items[kept]) + 1
    shown = list(items[:kept])
    if kept < len(items):
        shown.append(more(len(items) - kept))
    return clip("\n".join([*head, *shown, *tail]), limit)


def _due_sentence(title: str, due: date, today: date) -> str:
    if due > today:
        return f"The audit “{title}” is due on {day_words(due, today)} ({when_words(due, today)})."
    if due == today:
        return f"The audit “{title}” is due today, {day_words(due, today)}."
    return (
        f"The audit “{title}” was due on {day_words(due, today)} ({when_words(due, today)}). "
        "It is not too late: every return still counts."
    )


def expectation_text(
    *,
    title: str,
    name: str,
    agency_name: str,
    items: Sequence[ChaseExpectation],
    due: date,
    today: date,
    as_lead: bool,
    auditors_told: bool,
    button: tuple[str, str] | None,
) -> str:
    """The reminder to an auditor or agency lead: what is outstanding, by when, and a way in."""
    head = [
        f"Hello {clip(name, 100)},",
        "",
        _due_sentence(clip(title, 300), due, today),
        f"{clip(agency_name, 200)} still has {plural(len(items), 'case')} to return:",
    ]
    lines = [f"• {progress(e)}" for e in items]
    tail = ["", "Every answer is saved as you go, so you can stop and pick up where you left off."]
    if button:
        tail.append(f"Tap “{button[0]}” to carry on.")
    if as_lead:
        tail.append(
            "You are getting this as agency lead"
            + ("; your auditors have had the same list." if auditors_told else ".")
        )
    tail.append("Thank you for your time.")
    return fit(head, lines, tail, more=lambda n: f"• …and {plural(n, 'more case')}")


def escalation_text(
    *,
    title: str,
    name: str,
    agencies: Sequence[tuple[str, int, Sequence[ChaseExpectation], str]],
    due: date,
    today: date,
) -> str:
    """To a coordinator: every agency still outstanding, (name, expected, outstanding, note)."""
    head = [
        f"Hello {clip(name, 100)},",
        "",
        f"The audit “{clip(title, 300)}” was due on {day_words(due, today)} "
        f"({when_words(due, today)}). {plural(len(agencies), 'agency', 'agencies')} "
        "still have returns outstanding:",
    ]
    lines = [
        f"• {clip(agency, 200)} — {len(items)} of {expected} outstanding: {refs(items)}"
        + (f" ({note})" if note else "")
        for agency, expected, items, note in agencies
    ]
    tail = ["", "Their auditors and agency leads have been reminded. A word from you may help."]
    return fit(
        head, lines, tail, more=lambda n: f"• …and {plural(n, 'more agency', 'more agencies')}"
    )


def action_text(*, title: str, name: str, action: ChaseAction, due: date, today: date) -> str:
    """To an action's owner: which action, when it was due, what to do."""
    return clip(
        "\n".join(
            [
                f"Hello {clip(name, 100)},",
                "",
                f"Action {action.number} of the action plan from “{clip(title, 300)}” was due on "
                f"{day_words(due, today)} ({when_words(due, today)}) and is not marked done yet:",
                f"“{clip(action.recommendation.strip(), 2000)}”",
                "",
                "Could you record its progress (press Post progress below, or reply to this "
                "message), or let the partnership team know what is holding it up? Thank you.",
            ]
        ),
        TEXT_LIMIT,
    )


def digest_text(
    *,
    title: str,
    today: date,
    due: date,
    returned: int,
    expected: int,
    agencies: Sequence[tuple[str, Sequence[ChaseExpectation]]],
    overdue: Sequence[ChaseAction],
    action_due: Callable[[ChaseAction], date],
) -> str:
    """The coordinators' daily picture: returns in, outstanding, overdue."""
    late = today > due
    outstanding = sum(len(items) for _, items in agencies)
    head = [
        f"Daily digest — “{clip(title, 300)}”, {day_words(today, today)}",
        f"Due {day_words(due, today)} ({when_words(due, today)}).",
        "",
        f"Returns in: {returned} of {expected}",
        f"{'Overdue' if late else 'Outstanding'}: {outstanding}"
        + ("" if outstanding else " — every expected return is in."),
    ]
    lines = [f"• {clip(a, 200)} — {len(items)}: {refs(items)}" for a, items in agencies]
    if overdue:
        lines.append(f"Overdue actions: {len(overdue)}")
        lines += [
            f"• Action {a.number} — due {day_words(action_due(a), today)}: "
            f"{clip(a.recommendation.strip(), 120)}"
            for a in overdue
        ]
    return fit(head, lines, [], more=lambda n: f"…and {plural(n, 'more line')}")


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
