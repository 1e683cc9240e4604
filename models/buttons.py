"""Button data: the one encoder and decoder of what a chat button carries.

The bot builds buttons for its own screens; the report builds the buttons on reminders and
concern alerts (report/reminder_text.py). Both encode here and the bot decodes here, so the
wire format is written once. Telegram allows 64 bytes of callback data.

Screen buttons are `prefix|part|part…` with a one-letter prefix. The three buttons the report
puts on messages sent from the outbox keep their older `word:part` form: messages already in
people's chats (and outbox rows queued before an upgrade) carry it, and must still work.

`decode` checks the shape of every kind (how many parts, which are numbers), so a handler can
trust its parts; anything that is not a button this code ever made decodes to None and is
treated as out of date, explicitly, not by catching errors.
"""

from dataclasses import dataclass
from enum import StrEnum

MAX_CALLBACK = 64  # bytes of callback_data
SEP = "|"


class Kind(StrEnum):
    """What a button does; the value is its prefix on the wire."""

    case = "k"  # k|round_id|case            pick a case to audit
    answer = "a"  # a|rid|qkey|code           grade index, "n" (not graded), option index, y/n
    reason = "r"  # r|rid|qkey|index          the reason a question is not graded
    grades = "g"  # g|rid|qkey                back from the reasons to the grades
    toggle = "m"  # m|rid|qkey|index          toggle one multichoice option
    done = "d"  # d|rid|qkey[|length]         multichoice or narrative finished (an ack: length)
    skip = "s"  # s|rid|qkey                  skip an optional question
    keep = "p"  # p|rid|qkey                  keep the current answer
    edit = "e"  # e|rid|qkey                  edit one answer from the review
    submit = "u"  # u|rid                     submit: ask for confirmation
    confirm = "c"  # c|rid                    submit: confirmed
    not_yet = "x"  # x|rid                    back to the review
    retry = "t"  # t                          try saving the kept answer again
    names = "b"  # b|s or b|r                 a possible name: send as it is, or rewrite
    round = "o"  # o|round_id|open|close|ask  coordinators: open or close a round
    tally = "y"  # y|round_id|view[|arg…]     coordinators: which round
    send = "w"  # w|round_id                  coordinators: queue the reminders just shown
    action_status = "v"  # v|action_id|o/i/d  an action's owner: its status after an update
    progress_cancel = "q"  # q|action_id      stop waiting for a progress update
    reply_query = "Q"  # Q|query_id              the next message answers a moderation query
    change_query = "Z"  # Z|rid|qkey             ask a queried answer again (it answers the query)
    decide_extension = "X"  # X|extension_id|1/0  coordinators: approve (1) or decline (0)
    allocate = "L"  # L|expectation_id|member_id  an agency lead: this case to this auditor
    open_case = "open:"  # open:round_id:case       "Open C3" on a chasing reminder
    post_progress = "actp:"  # actp:action_id      "Post progress" on an action reminder
    take_concern = "cack:"  # cack:concern_id      "I'm dealing with this" on a concern alert
    descriptors = "h"  # h|rid|qkey               what the grades mean (a message; no state)
    cross_reason = "j"  # j|rid                   submit despite the cross-checks: ask why


# Buttons of one question (their second part is its key): a button answer edits the pressed
# message into the next question, so these must also be for the question now on it.
QUESTION_KINDS = frozenset(
    {Kind.answer, Kind.reason, Kind.grades, Kind.toggle, Kind.done, Kind.skip, Kind.keep}
)
# Buttons tied to the screen on show; the rest are self-contained and never go stale.
SCREEN_KINDS = QUESTION_KINDS | {Kind.edit, Kind.submit, Kind.confirm, Kind.not_yet}
# Report-made kinds, in their `word:` form.
_COLON_KINDS = (Kind.open_case, Kind.post_progress, Kind.take_concern)

# The shape of each kind: "i" a number, "s" text; "*" any further text parts; "?" one optional
# number.
_SHAPES: dict[Kind, str] = {
    Kind.case: "is",
    Kind.answer: "iss",
    Kind.reason: "isi",
    Kind.grades: "is",
    Kind.toggle: "isi",
    Kind.done: "is?",
    Kind.skip: "is",
    Kind.keep: "is",
    Kind.edit: "is",
    Kind.submit: "i",
    Kind.confirm: "i",
    Kind.not_yet: "i",
    Kind.retry: "",
    Kind.names: "s",
    Kind.round: "is",
    Kind.tally: "is*",
    Kind.send: "i",
    Kind.action_status: "is",
    Kind.progress_cancel: "i",
    Kind.reply_query: "i",
    Kind.change_query: "is",
    Kind.decide_extension: "ii",
    Kind.allocate: "ii",
    Kind.open_case: "is",
    Kind.post_progress: "i",
    Kind.take_concern: "i",
    Kind.descriptors: "is",
    Kind.cross_reason: "i",
}


class StaleButton(Exception):
    """A button that does not fit where the conversation stands (an old message, another
    question's button): told to the person as out of date, never a fault."""


class TooLong(ValueError):
    """The data would not fit Telegram's 64 bytes."""


@dataclass(frozen=True)
class Press:
    """A decoded button: its kind and its parts (checked against the kind's shape)."""

    kind: Kind
    parts: tuple[str, ...] = ()

    def num(self, i: int) -> int:
        return int(self.parts[i])

    def text(self, i: int) -> str | None:
        return self.parts[i] if len(self.parts) > i else None

    @property
    def key(self) -> str | None:
        """The question key of a question or review button."""
        return self.text(1) if self.kind in SCREEN_KINDS else None


def encode(kind: Kind, *parts: object) -> str:
    if kind in _COLON_KINDS:
        data = kind.value + ":".join(str(p) for p in parts)
    else:
        data = SEP.join([kind.value, *(str(p) for p in parts)])
    if len(data.encode()) > MAX_CALLBACK:
        raise TooLong("callback data too long")
    return data


def decode(data: str | None) -> Press | None:
    """The button `data` stands for, or None for anything this code never made."""
    data = data or ""
    for kind in _COLON_KINDS:
        if data.startswith(kind.value):
            rest = data.removeprefix(kind.value)
            parts = rest.split(":", 1) if kind == Kind.open_case else [rest]
            return _checked(kind, parts)
    prefix, *parts = data.split(SEP)
    try:
        kind = Kind(prefix)
    except ValueError:
        return None
    if kind in _COLON_KINDS:
        return None
    return _checked(kind, parts)


def _checked(kind: Kind, parts: list[str]) -> Press | None:
    shape = _SHAPES[kind]
    fixed = shape.rstrip("*?")
    extra = shape[len(fixed) :]
    if len(parts) < len(fixed) or (not extra and len(parts) > len(fixed)):
        return None
    if extra == "?" and len(parts) > len(fixed) + 1:
        return None
    for i, part in enumerate(parts):
        need = fixed[i] if i < len(fixed) else ("i" if extra == "?" else "s")
        if need == "i" and not part.isdigit():
            return None
        if need == "s" and not part:
            return None
    return Press(kind, tuple(parts))


# ---- the buttons the report puts on messages (report/reminder_text.py)
def open_case(round_id: int, case_ref: str) -> str | None:
    """ "Open C3" on a chasing reminder; None if it would not fit."""
    try:
        return encode(Kind.open_case, round_id, case_ref)
    except TooLong:
        return None


def post_progress(action_id: int) -> str:
    return encode(Kind.post_progress, action_id)


def take_concern(concern_id: int) -> str:
    return encode(Kind.take_concern, concern_id)


# ---- moderation, allocation and extensions (report/moderation_text.py, bot/flow_moderation.py)
def reply_query(query_id: int) -> str:
    return encode(Kind.reply_query, query_id)


def change_query(return_id: int, key: str) -> str:
    return encode(Kind.change_query, return_id, key)


def decide_extension(extension_id: int, approve: bool) -> str:
    return encode(Kind.decide_extension, extension_id, int(approve))


def allocate(expectation_id: int, member_id: int) -> str:
    return encode(Kind.allocate, expectation_id, member_id)
