"""Lists and summaries as text and buttons: cases, status, tally, overdue, reminders, actions."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import texts
from bot.flow import MAX_MESSAGE, Button, Screen, day, excerpt, fit
from models.buttons import Kind, encode

LONDON = ZoneInfo("Europe/London")


def plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else word + 's'}"


def outstanding(assignments: list[dict]) -> list[dict]:
    return [a for a in assignments if a.get("status") != "submitted"]


def case_list_screen(round_: dict, assignments: list[dict]) -> Screen:
    """This agency's outstanding cases as buttons, each with its progress and due date."""
    todo = outstanding(assignments)
    if not todo:
        return Screen(texts.NOTHING_OUTSTANDING.format(title=round_["title"]))
    rows = [
        [
            Button(
                texts.CASE_BUTTON.format(
                    case=a["case"],
                    answered=a.get("answered", 0),
                    total=a.get("total_questions", "?"),
                    due=day(a.get("due_at") or round_.get("due_at")),
                ),
                encode(Kind.case, round_["id"], a["case"]),
            )
        ]
        for a in todo
    ]
    text = texts.CHOOSE_CASE.format(title=round_["title"], due=day(round_.get("due_at")))
    return Screen(text, rows)


def status_text(round_: dict, assignments: list[dict]) -> str:
    """My agency's returns: done, in progress, not started, due date."""
    done = [a["case"] for a in assignments if a.get("status") == "submitted"]
    started = [
        f"{a['case']} ({a.get('answered', 0)} of {a.get('total_questions', '?')})"
        for a in assignments
        if a.get("status") != "submitted" and (a.get("answered") or 0) > 0
    ]
    fresh = [
        a["case"]
        for a in assignments
        if a.get("status") != "submitted" and not (a.get("answered") or 0)
    ]
    return "\n".join(
        [
            f"{round_['title']} · due {day(round_.get('due_at'))}",
            f"Done: {', '.join(done) or 'none yet'}",
            f"In progress: {', '.join(started) or 'none'}",
            f"Not started: {', '.join(fresh) or 'none'}",
        ]
    )


def tally_text(round_: dict, tally: dict) -> str:
    """Returns per agency, "7 (of 8)", and the overall grades each agency gave."""
    lines = [
        texts.TALLY_TITLE.format(
            title=round_.get("title", tally.get("round", "")),
            total=tally.get("total_returns", 0),
            agencies=tally.get("agencies_returning", 0),
        ),
        "",
    ]
    for a in tally.get("agencies", []):
        line = texts.TALLY_LINE.format(
            name=a.get("name") or a.get("code"), returned=a["returned"], expected=a["expected"]
        )
        grades = [f"{name} {n}" for name, n in (a.get("overall_grades") or {}).items() if n]
        if a.get("not_graded"):
            grades.append(f"Not graded {a['not_graded']}")
        lines.append(f"{line} · {', '.join(grades)}" if grades else line)
    return fit("\n".join(lines))


def overdue_text(round_: dict, rows: list[dict]) -> str:
    if not rows:
        return texts.OVERDUE_NONE.format(title=round_["title"])
    lines = [texts.OVERDUE_TITLE.format(title=round_["title"], due=day(round_.get("due_at")))]
    for r in rows:
        state = (
            f"{r.get('answered', 0)} of {r.get('total_questions', '?')} answered"
            if r.get("answered")
            else "not started"
        )
        agency = r.get("agency_name") or r.get("agency")
        lines.append(texts.OVERDUE_LINE.format(agency=agency, case=r["case"], state=state))
    return fit("\n".join(lines))


def fit_blocks(head: str, blocks: list[str], more: str = texts.REMIND_MORE) -> str:
    """Head and as many whole blocks as fit one message, then how many were left out."""
    if len(head) + sum(len(b) + 1 for b in blocks) <= MAX_MESSAGE:
        return "\n".join([head, *blocks])
    out, used = [head], len(head)
    for i, block in enumerate(blocks):
        note = more.format(n=len(blocks) - i)
        if used + len(block) + len(note) + 2 > MAX_MESSAGE:
            out.append(note)
            break
        out.append(block)
        used += len(block) + 1
    return fit("\n".join(out))


def remind_lines(slug: str, lines: list[str]) -> list[str]:
    """The dry run's lines without the round prefix and the outbox key: names, stage and why."""
    prefix = f"{slug}: "
    tidy = [line.removeprefix(prefix) for line in lines]
    return ["• " + re.sub(r" \[[^\]]*\]$", "", line) for line in tidy]


def _owner(a: dict) -> str:
    name, owner = a.get("owner_name"), (a.get("owner") or "").strip()
    if name and owner and name != owner:
        label = f"{owner} ({name})"
    else:
        label = name or owner or texts.ACTION_NO_OWNER
    return label if a.get("owner_member_id") else label + texts.ACTION_NOT_IN_CHAT


def action_block(a: dict) -> str:
    """One action: number and recommendation, owner, due date, status and progress."""
    lines = [
        texts.ACTION_LINE.format(
            mark=texts.ACTION_OVERDUE if a.get("overdue") else "",
            number=a["number"],
            recommendation=excerpt(a["recommendation"], 300),
        ),
        texts.ACTION_DETAIL.format(
            owner=_owner(a),
            due=day(a.get("due_at")),
            status=texts.STATUS_WORDS.get(a["status"], a["status"]),
        ),
        texts.ACTION_PROGRESS.format(progress=excerpt(a["progress"], 300))
        if a.get("progress")
        else texts.ACTION_NO_PROGRESS,
    ]
    return "\n".join(lines) + "\n"


def actions_text(round_: dict, actions: list[dict]) -> str:
    """The action plan as the collector orders it: overdue actions first."""
    if not actions:
        return texts.ACTIONS_NONE.format(title=round_["title"])
    overdue = sum(1 for a in actions if a.get("overdue"))
    head = texts.ACTIONS_TITLE.format(
        title=round_["title"], count=plural(len(actions), "action"), overdue=overdue
    )
    return fit_blocks(head + "\n", [action_block(a) for a in actions], "…and {n} more actions")


def clock(iso: str) -> str:
    """An ISO timestamp from the collector as 14:05 London time (today's events)."""
    return datetime.fromisoformat(iso).astimezone(LONDON).strftime("%H:%M")


def concern_line(c: dict) -> str:
    sent = [r["name"] for r in c["recipients"] if r["status"] == "sent"]
    state = texts.CONCERN_STATES[c["state"]].format(
        sent=", ".join(sent) or "nobody",
        who=c.get("acknowledged_by") or "",
        at=clock(c.get("acknowledged_at") or c.get("escalated_at") or c["raised_at"]),
    )
    return texts.CONCERN_LINE.format(
        case=c["case"], agency=c["agency_name"], raised=clock(c["raised_at"]), state=state
    )


def concerns_text(round_: dict, rows: list[dict]) -> str:
    """A round's concerns, newest first: where each stands, never any narrative."""
    if not rows:
        return texts.CONCERNS_NONE.format(title=round_["title"])
    head = texts.CONCERNS_TITLE.format(title=round_["title"], count=len(rows))
    return fit_blocks(head, [concern_line(c) for c in rows], "…and {n} more")
