"""Lists and summaries as plain text and buttons: cases to audit, status, tally, overdue."""

from bot import texts
from bot.flow import CB_CASE, Button, Screen, day, fit, pack


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
                pack(CB_CASE, round_["id"], a["case"]),
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
