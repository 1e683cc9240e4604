"""The audit conversation as plain data: what to show, which buttons, what an answer means.

No `telegram` import: the Telegram handlers, the console chat and the tests all drive this.
Returns are the collector's `ReturnPublic` JSON (plain dicts).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import texts
from models.grades import NOT_GRADED, NOT_GRADED_REASONS, SCALE, grade_name
from models.tool import (
    AuditTool,
    ChoiceQuestion,
    GradeQuestion,
    MultichoiceQuestion,
    Question,
    TextQuestion,
    YesNoQuestion,
)

MAX_MESSAGE = 4096  # Telegram's limit for one text message
MAX_CALLBACK = 64  # bytes of callback_data
SEP = "|"

# Callback-data prefixes (one letter each, so callback data stays far below 64 bytes).
CB_CASE = "k"  # k|round_id|case            pick a case to audit
CB_ANSWER = "a"  # a|rid|qkey|code            grade index, "n" (not graded), option index, y/n
CB_REASON = "r"  # r|rid|qkey|index           the reason a question is not graded
CB_GRADES = "g"  # g|rid|qkey                 back from the reasons to the grades
CB_TOGGLE = "m"  # m|rid|qkey|index           toggle one multichoice option
CB_DONE = "d"  # d|rid|qkey[|length]          multichoice or narrative finished (an ack: length)
CB_SKIP = "s"  # s|rid|qkey                   skip an optional question
CB_KEEP = "p"  # p|rid|qkey                   keep the current answer
CB_EDIT = "e"  # e|rid|qkey                   edit one answer from the review
CB_SUBMIT = "u"  # u|rid                      submit: ask for confirmation
CB_CONFIRM = "c"  # c|rid                     submit: confirmed
CB_NOT_YET = "x"  # x|rid                     back to the review
CB_RETRY = "t"  # t                           try saving the kept answer again
CB_NAMES = "b"  # b|s or b|r                  a possible name: send as it is, or rewrite
CB_ROUND = "o"  # o|round_id|open|close|ask   coordinators: open or close a round
CB_TALLY = "y"  # y|round_id|tally|overdue    coordinators: which round
CB_SEND = "w"  # w|round_id                   coordinators: queue the reminders just shown
CB_ACTION_STATUS = "v"  # v|action_id|o/i/d   an action's owner: its status after an update
CB_PROGRESS_CANCEL = "q"  # q|action_id       stop waiting for a progress update
ACTP = "actp:"  # actp:action_id             "Post progress" on an action reminder (report/)
OPEN = "open:"  # open:round_id:case          "Open C3" on a chasing reminder (report/)
CACK = "cack:"  # cack:concern_id             "I'm dealing with this" on a concern alert (report/)
# Buttons of one question (their second part is its key): a button answer edits the pressed
# message into the next question, so these must also be for the question now on it.
QUESTION_PREFIXES = frozenset(
    {CB_ANSWER, CB_REASON, CB_GRADES, CB_TOGGLE, CB_DONE, CB_SKIP, CB_KEEP}
)
# Buttons tied to the screen on show; the rest are self-contained and never go stale.
SCREEN_PREFIXES = QUESTION_PREFIXES | {CB_EDIT, CB_SUBMIT, CB_CONFIRM, CB_NOT_YET}

# Modes of the transient per-user state (context.user_data in Telegram).
MODE_QUESTION = "question"  # a question is on screen
MODE_REASON = "reason"  # "Not graded" pressed, reasons on screen
MODE_NARRATIVE = "narrative"  # at least one part of a narrative saved; more may follow
MODE_REVIEW = "review"
MODE_CONFIRM = "confirm"

NEEDS_REASON = object()  # the button value for "Not graded": ask for the reason next
YES, NO = "y", "n"


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass
class Screen:
    """One message: text and rows of buttons."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)


def pack(prefix: str, *parts: object) -> str:
    data = SEP.join([prefix, *(str(p) for p in parts)])
    if len(data.encode()) > MAX_CALLBACK:
        raise ValueError("callback data too long")
    return data


def unpack(data: str) -> tuple[str, list[str]]:
    prefix, *parts = (data or "").split(SEP)
    return prefix, parts


def fit(text: str, limit: int = MAX_MESSAGE) -> str:
    """Text cut to one message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def day(value: str | datetime | None) -> str:
    """A due date as people write it: 12 Apr 2024 (UK time)."""
    if not value:
        return "—"
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        when = when.astimezone(ZoneInfo("Europe/London"))
    except Exception:  # no time-zone data on this machine: UTC is close enough for a date
        when = when.astimezone(UTC)
    return f"{when.day} {when:%b %Y}"


def position(tool: AuditTool, key: str) -> int:
    """1-based number of a question in the tool."""
    return [q.key for q in tool.questions].index(key) + 1


def previous_key(tool: AuditTool, key: str | None) -> str | None:
    """The question before `key` (the last one when `key` is None, i.e. from the review)."""
    keys = [q.key for q in tool.questions]
    if key is None:
        return keys[-1]
    i = keys.index(key)
    return keys[i - 1] if i > 0 else None


def summary(question: Question, value: Any, answered: bool = True) -> str:
    """An answer in a few words, for the review and the edited question."""
    if not answered:
        return texts.NOT_ANSWERED
    if value is None:
        return texts.SKIPPED
    if isinstance(question, GradeQuestion):
        grade = value.get("grade") if isinstance(value, dict) else value
        if grade == NOT_GRADED:
            reason = NOT_GRADED_REASONS.get(value.get("reason", ""), "")
            return f"{grade_name(NOT_GRADED)} – {reason}" if reason else grade_name(NOT_GRADED)
        return grade_name(grade)
    if isinstance(question, ChoiceQuestion | MultichoiceQuestion):
        labels = {o.key: o.label for o in question.options}
        items = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, v) for v in items) or "none"
    if isinstance(question, YesNoQuestion):
        return texts.BTN_YES if value else texts.BTN_NO
    return excerpt(str(value))


def header(tool: AuditTool, ret: dict, question: Question) -> str:
    return texts.PROGRESS.format(
        case=ret["case"],
        n=position(tool, question.key),
        total=len(tool.questions),
        title=question.title,
    )


def question_screen(
    tool: AuditTool, ret: dict, key: str, selected: list[str] | None = None
) -> Screen:
    """A question as it is asked, with its buttons; shows the current answer when there is one."""
    q = tool.question(key)
    if q is None:
        raise KeyError(key)
    rid, answers = ret["id"], ret.get("answers", {})
    lines = [header(tool, ret, q), "", q.prompt]
    if isinstance(q, TextQuestion) and q.guidance:
        lines += ["", q.guidance]
    rows: list[list[Button]] = []
    if isinstance(q, GradeQuestion):
        rows = [[Button(g.name, pack(CB_ANSWER, rid, key, i))] for i, g in enumerate(SCALE)]
        rows.append([Button(texts.BTN_NOT_GRADED, pack(CB_ANSWER, rid, key, "n"))])
    elif isinstance(q, ChoiceQuestion):
        rows = [[Button(o.label, pack(CB_ANSWER, rid, key, i))] for i, o in enumerate(q.options)]
    elif isinstance(q, YesNoQuestion):
        rows = [
            [
                Button(texts.BTN_YES, pack(CB_ANSWER, rid, key, YES)),
                Button(texts.BTN_NO, pack(CB_ANSWER, rid, key, NO)),
            ]
        ]
    elif isinstance(q, MultichoiceQuestion):
        chosen = set(selected if selected is not None else answers.get(key) or [])
        rows = [
            [Button(("☑ " if o.key in chosen else "☐ ") + o.label, pack(CB_TOGGLE, rid, key, i))]
            for i, o in enumerate(q.options)
        ]
        rows.append([Button(texts.BTN_DONE, pack(CB_DONE, rid, key))])
        lines += ["", texts.MULTI_HINT]
    elif isinstance(q, TextQuestion):
        lines += ["", texts.TEXT_LIMITS.format(min=max(q.min_length, 1), max=q.max_length)]
    if key in answers and not isinstance(q, MultichoiceQuestion):
        lines += ["", texts.CURRENT_ANSWER.format(answer=summary(q, answers[key]))]
        if isinstance(q, TextQuestion):
            lines.append(texts.TEXT_REPLACE)
        rows.append([Button(texts.BTN_KEEP, pack(CB_KEEP, rid, key))])
    if not q.required:
        lines += ["", texts.OPTIONAL]
        rows.append([Button(texts.BTN_SKIP, pack(CB_SKIP, rid, key))])
    return Screen(fit("\n".join(lines)), rows)


def answered_screen(tool: AuditTool, ret: dict, key: str) -> Screen:
    """The question once answered: its keyboard gone, the answer underneath."""
    q = tool.question(key)
    assert q is not None
    value = ret.get("answers", {}).get(key)
    answer = summary(q, value)
    text = f"{header(tool, ret, q)}\n\n{q.prompt}\n\n{texts.ANSWERED.format(answer=answer)}"
    return Screen(fit(text))


def answered_then(tool: AuditTool, ret: dict, key: str, after: Screen) -> Screen:
    """The next screen with one line on top saying what was just answered: the pressed question
    is edited into it, so a button answer costs one Bot API message, not two (answered + next).

    The line gives way when both would not fit in one message: the next screen matters more,
    and the review lists every answer anyway."""
    q = tool.question(key)
    assert q is not None
    answer = summary(q, ret.get("answers", {}).get(key))
    line = excerpt(texts.JUST_ANSWERED.format(title=q.title, answer=answer), 200)
    text = f"{line}\n\n{after.text}"
    return Screen(text if len(text) <= MAX_MESSAGE else fit(after.text), after.buttons)


def reason_screen(tool: AuditTool, ret: dict, key: str) -> Screen:
    q = tool.question(key)
    assert q is not None
    rid = ret["id"]
    rows = [
        [Button(label, pack(CB_REASON, rid, key, i))]
        for i, label in enumerate(NOT_GRADED_REASONS.values())
    ]
    rows.append([Button(texts.BTN_BACK_TO_GRADES, pack(CB_GRADES, rid, key))])
    return Screen(f"{header(tool, ret, q)}\n\n{q.prompt}\n\n{texts.CHOOSE_REASON}", rows)


def button_value(question: Question, code: str) -> Any:
    """What an answer button means; NEEDS_REASON for "Not graded"; ValueError if it fits not."""
    if isinstance(question, GradeQuestion):
        if code == "n":
            return NEEDS_REASON
        return {"grade": SCALE[int(code)].key}
    if isinstance(question, ChoiceQuestion):
        return question.options[int(code)].key
    if isinstance(question, YesNoQuestion) and code in (YES, NO):
        return code == YES
    raise ValueError("button does not fit the question")


def reason_value(index: str) -> dict[str, str]:
    return {"grade": NOT_GRADED, "reason": list(NOT_GRADED_REASONS)[int(index)]}


def toggle(question: MultichoiceQuestion, selected: list[str], index: str) -> list[str]:
    """The selection with one option flipped, in tool order."""
    key = question.options[int(index)].key
    chosen = set(selected) ^ {key}
    return [o.key for o in question.options if o.key in chosen]


def narrative_saved_screen(ret: dict, question: TextQuestion) -> Screen:
    """The ack of one narrative part. Its Done carries the length so far: an ack left behind
    can be closed as "✓ Saved (N characters)" without asking the collector."""
    length = len(ret.get("answers", {}).get(question.key) or "")
    text = texts.NARRATIVE_SAVED.format(length=length, max=question.max_length)
    done = pack(CB_DONE, ret["id"], question.key, length)
    return Screen(text, [[Button(texts.BTN_DONE, done)]])


def review_screen(tool: AuditTool, ret: dict, agency: str) -> Screen:
    """All answers in one message, an Edit button per question, Submit when complete."""
    answers, rid = ret.get("answers", {}), ret["id"]
    lines = [texts.REVIEW_TITLE.format(case=ret["case"], agency=agency), ""]
    rows: list[list[Button]] = []
    for n, q in enumerate(tool.questions, 1):
        lines.append(f"{n}. {q.title}: {summary(q, answers.get(q.key), q.key in answers)}")
        label = texts.BTN_EDIT.format(n=n, title=q.title)
        if rows and len(rows[-1]) < 2:
            rows[-1].append(Button(label, pack(CB_EDIT, rid, q.key)))
        else:
            rows.append([Button(label, pack(CB_EDIT, rid, q.key))])
    missing = tool.missing(set(answers))
    lines.append("")
    if missing:
        titles = ", ".join(f"{position(tool, k)}. {tool.question(k).title}" for k in missing)
        lines.append(texts.REVIEW_MISSING.format(titles=titles))
        offer = [
            [
                Button(
                    texts.BTN_ANSWER.format(n=position(tool, k), title=tool.question(k).title),
                    pack(CB_EDIT, rid, k),
                )
            ]
            for k in missing
        ]
        rows = offer + rows
    else:
        lines.append(texts.REVIEW_READY)
        rows.append([Button(texts.BTN_SUBMIT, pack(CB_SUBMIT, rid))])
    # Keep within one message: shorten the narratives further if a long tool needs it.
    text = "\n".join(lines)
    return Screen(fit(text), rows)


def confirm_screen(ret: dict, agency: str) -> Screen:
    rid = ret["id"]
    return Screen(
        texts.CONFIRM_SUBMIT.format(case=ret["case"], agency=agency),
        [
            [
                Button(texts.BTN_CONFIRM, pack(CB_CONFIRM, rid)),
                Button(texts.BTN_NOT_YET, pack(CB_NOT_YET, rid)),
            ]
        ],
    )
