"""The audit conversation as plain data: what to show, which buttons, what an answer means.

No `telegram` import: the Telegram handlers, the console chat and the tests all drive this.
Returns are `models.returns.ReturnPublic` (or its `AnswerResult`), as the collector sends them.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import texts
from models.buttons import Kind, StaleButton, encode
from models.grades import NOT_GRADED, NOT_GRADED_REASONS, SCALE, grade_name
from models.returns import ReturnPublic
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
    except ZoneInfoNotFoundError:  # no time-zone data here: UTC is close enough for a date
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


def header(tool: AuditTool, ret: ReturnPublic, question: Question) -> str:
    return texts.PROGRESS.format(
        case=ret.case,
        n=position(tool, question.key),
        total=len(tool.questions),
        title=question.title,
    )


def question_screen(
    tool: AuditTool, ret: ReturnPublic, key: str, selected: list[str] | None = None
) -> Screen:
    """A question as it is asked, with its buttons; shows the current answer when there is one."""
    q = tool.question(key)
    if q is None:
        raise KeyError(key)
    rid, answers = ret.id, ret.answers
    lines = [header(tool, ret, q), "", q.prompt]
    if isinstance(q, TextQuestion) and q.guidance:
        lines += ["", q.guidance]
    rows: list[list[Button]] = []
    if isinstance(q, GradeQuestion):
        rows = [[Button(g.name, encode(Kind.answer, rid, key, i))] for i, g in enumerate(SCALE)]
        rows.append([Button(texts.BTN_NOT_GRADED, encode(Kind.answer, rid, key, "n"))])
    elif isinstance(q, ChoiceQuestion):
        rows = [
            [Button(o.label, encode(Kind.answer, rid, key, i))] for i, o in enumerate(q.options)
        ]
    elif isinstance(q, YesNoQuestion):
        rows = [
            [
                Button(texts.BTN_YES, encode(Kind.answer, rid, key, YES)),
                Button(texts.BTN_NO, encode(Kind.answer, rid, key, NO)),
            ]
        ]
    elif isinstance(q, MultichoiceQuestion):
        chosen = set(selected if selected is not None else answers.get(key) or [])
        rows = [
            [
                Button(
                    ("☑ " if o.key in chosen else "☐ ") + o.label, encode(Kind.toggle, rid, key, i)
                )
            ]
            for i, o in enumerate(q.options)
        ]
        rows.append([Button(texts.BTN_DONE, encode(Kind.done, rid, key))])
        lines += ["", texts.MULTI_HINT]
    elif isinstance(q, TextQuestion):
        lines += ["", texts.TEXT_LIMITS.format(min=max(q.min_length, 1), max=q.max_length)]
    if key in answers and not isinstance(q, MultichoiceQuestion):
        lines += ["", texts.CURRENT_ANSWER.format(answer=summary(q, answers[key]))]
        if isinstance(q, TextQuestion):
            lines.append(texts.TEXT_REPLACE)
        rows.append([Button(texts.BTN_KEEP, encode(Kind.keep, rid, key))])
    if not q.required:
        lines += ["", texts.OPTIONAL]
        rows.append([Button(texts.BTN_SKIP, encode(Kind.skip, rid, key))])
    return Screen(fit("\n".join(lines)), rows)


def answered_screen(tool: AuditTool, ret: ReturnPublic, key: str) -> Screen:
    """The question once answered: its keyboard gone, the answer underneath."""
    q = tool.question(key)
    assert q is not None
    value = ret.answers.get(key)
    answer = summary(q, value)
    text = f"{header(tool, ret, q)}\n\n{q.prompt}\n\n{texts.ANSWERED.format(answer=answer)}"
    return Screen(fit(text))


def answered_then(tool: AuditTool, ret: ReturnPublic, key: str, after: Screen) -> Screen:
    """The next screen with one line on top saying what was just answered: the pressed question
    is edited into it, so a button answer costs one Bot API message, not two (answered + next).

    The line gives way when both would not fit in one message: the next screen matters more,
    and the review lists every answer anyway."""
    q = tool.question(key)
    assert q is not None
    answer = summary(q, ret.answers.get(key))
    line = excerpt(texts.JUST_ANSWERED.format(title=q.title, answer=answer), 200)
    text = f"{line}\n\n{after.text}"
    return Screen(text if len(text) <= MAX_MESSAGE else fit(after.text), after.buttons)


def reason_screen(tool: AuditTool, ret: ReturnPublic, key: str) -> Screen:
    q = tool.question(key)
    assert q is not None
    rid = ret.id
    rows = [
        [Button(label, encode(Kind.reason, rid, key, i))]
        for i, label in enumerate(NOT_GRADED_REASONS.values())
    ]
    rows.append([Button(texts.BTN_BACK_TO_GRADES, encode(Kind.grades, rid, key))])
    return Screen(f"{header(tool, ret, q)}\n\n{q.prompt}\n\n{texts.CHOOSE_REASON}", rows)


def _pick(items: list, code: str) -> Any:
    """The item a button's index names; StaleButton if it names none (not from this tool)."""
    if not code.isdigit() or int(code) >= len(items):
        raise StaleButton("index out of range")
    return items[int(code)]


def button_value(question: Question, code: str) -> Any:
    """What an answer button means; NEEDS_REASON for "Not graded"; StaleButton if it fits not."""
    if isinstance(question, GradeQuestion):
        if code == "n":
            return NEEDS_REASON
        return {"grade": _pick(SCALE, code).key}
    if isinstance(question, ChoiceQuestion):
        return _pick(question.options, code).key
    if isinstance(question, YesNoQuestion) and code in (YES, NO):
        return code == YES
    raise StaleButton("button does not fit the question")


def reason_value(index: str) -> dict[str, str]:
    return {"grade": NOT_GRADED, "reason": _pick(list(NOT_GRADED_REASONS), index)}


def toggle(question: Question, selected: list[str], index: str) -> list[str]:
    """The selection with one option flipped, in tool order."""
    if not isinstance(question, MultichoiceQuestion):
        raise StaleButton("not a multichoice question")
    key = _pick(question.options, index).key
    chosen = set(selected) ^ {key}
    return [o.key for o in question.options if o.key in chosen]


def narrative_saved_screen(ret: ReturnPublic, question: TextQuestion) -> Screen:
    """The ack of one narrative part. Its Done carries the length so far: an ack left behind
    can be closed as "✓ Saved (N characters)" without asking the collector."""
    length = len(ret.answers.get(question.key) or "")
    text = texts.NARRATIVE_SAVED.format(length=length, max=question.max_length)
    done = encode(Kind.done, ret.id, question.key, length)
    return Screen(text, [[Button(texts.BTN_DONE, done)]])


def review_screen(tool: AuditTool, ret: ReturnPublic, agency: str) -> Screen:
    """All answers in one message, an Edit button per question, Submit when complete."""
    answers, rid = ret.answers, ret.id
    lines = [texts.REVIEW_TITLE.format(case=ret.case, agency=agency), ""]
    rows: list[list[Button]] = []
    for n, q in enumerate(tool.questions, 1):
        lines.append(f"{n}. {q.title}: {summary(q, answers.get(q.key), q.key in answers)}")
        label = texts.BTN_EDIT.format(n=n, title=q.title)
        if rows and len(rows[-1]) < 2:
            rows[-1].append(Button(label, encode(Kind.edit, rid, q.key)))
        else:
            rows.append([Button(label, encode(Kind.edit, rid, q.key))])
    missing = tool.missing(set(answers))
    lines.append("")
    if missing:
        titles = ", ".join(f"{position(tool, k)}. {tool.question(k).title}" for k in missing)
        lines.append(texts.REVIEW_MISSING.format(titles=titles))
        offer = [
            [
                Button(
                    texts.BTN_ANSWER.format(n=position(tool, k), title=tool.question(k).title),
                    encode(Kind.edit, rid, k),
                )
            ]
            for k in missing
        ]
        rows = offer + rows
    else:
        lines.append(texts.REVIEW_READY)
        rows.append([Button(texts.BTN_SUBMIT, encode(Kind.submit, rid))])
    # Keep within one message: shorten the narratives further if a long tool needs it.
    text = "\n".join(lines)
    return Screen(fit(text), rows)


def confirm_screen(ret: ReturnPublic, agency: str) -> Screen:
    rid = ret.id
    return Screen(
        texts.CONFIRM_SUBMIT.format(case=ret.case, agency=agency),
        [
            [
                Button(texts.BTN_CONFIRM, encode(Kind.confirm, rid)),
                Button(texts.BTN_NOT_YET, encode(Kind.not_yet, rid)),
            ]
        ],
    )
