"""Where one person's conversation stands: one typed object, kept by the channel between turns.

The conversation reads and changes a `ChatState`; a channel keeps it between turns and gets it
with `state_of` (Telegram: in context.user_data; the console: in memory). Where an auditor
stands in a case comes from the collector (`ReturnPublic.next_question`), so losing this object
(a restart, a second bot) loses nothing typed: it holds only what is on screen, and answers the
collector could not take yet.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from models.returns import ReturnPublic

STORE_KEY = "maa_chat"  # the key of the ChatState in a channel's per-user dict


class Step(StrEnum):
    """What the screen on show expects next."""

    question = "question"  # a question is on screen
    reason = "reason"  # "Not graded" pressed: the reasons are on screen
    narrative = "narrative"  # at least one part of a narrative saved; more may follow
    review = "review"  # every answer listed, with Edit buttons (and Submit when complete)
    confirm = "confirm"  # "Submit this return?"


class Then(StrEnum):
    """Where an answer goes once it is stored."""

    next = "next"  # a button answer: the pressed question turns into the next screen
    send = "send"  # typed (/skip): the next screen comes as a new message
    narrative = "narrative"  # a part of a narrative: acknowledged, more may follow


@dataclass
class KeptAnswer:
    """An answer the collector could not take yet; stored again at the next chance."""

    rid: int
    key: str
    value: Any
    then: Then


@dataclass
class Part:
    """One typed part of a narrative, in the order it was typed."""

    text: str
    update_id: int | None
    fresh: bool  # it starts the answer afresh (the first part), replacing what is stored
    names_ok: bool = False  # the author saw the possible-name warning and sends it as it is


@dataclass
class KeptParts:
    """Narrative parts the collector could not take yet, in order."""

    rid: int
    key: str
    parts: list[Part]


Kept = KeptAnswer | KeptParts


@dataclass
class ChatState:
    rid: int | None = None  # the return on screen
    qkey: str | None = None  # the question on screen (None: the review)
    step: Step | None = None  # what the screen expects
    selected: list[str] | None = None  # a multichoice selection not yet stored
    after_review: bool = False  # editing from the review: back to it after the answer
    ret: ReturnPublic | None = None  # the return as last read or written
    kept: Kept | None = None  # not stored yet: the collector was away
    sending: bool = False  # kept parts are being stored right now (one sender at a time)
    # Parts held back by a possible-name warning until the author chooses (this chat only,
    # never logged); gone once they move on.
    held: KeptParts | None = None
    last_rid: int | None = None  # the case left last (for /resume)
    agency: str | None = None  # the agency's name, for the review
    progress_for: int | None = None  # the action whose progress the next message is
    query_for: int | None = None  # the moderation query the next message replies to
    query_warned: str | None = None  # a reply held by a possible-name warning (never logged)
    query_edit: bool = False  # the question on screen was asked again to change a queried answer
    confirm_for: int | None = None  # the return whose cross-check reason the next message is
    # The channel's: the id of the message holding the current screen, and of the earlier
    # acks of the narrative being written (their Done buttons still finish it).
    screen: int | None = None
    acks: list[int] = field(default_factory=list)

    def forget_case(self) -> None:
        """Leave the case on screen (its answers are all stored)."""
        if self.rid:
            self.last_rid = self.rid
        self.rid = self.qkey = self.step = self.selected = self.ret = self.screen = None
        self.after_review = False
        self.acks = []
        self.confirm_for = None
        self.query_edit = False


def state_of(store: dict) -> ChatState:
    """The conversation state kept in a channel's per-user dict, made on first use."""
    state = store.get(STORE_KEY)
    if not isinstance(state, ChatState):
        state = store[STORE_KEY] = ChatState()
    return state
