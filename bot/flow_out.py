"""What a conversation step asks its channel to do: plain data, no telegram import.

A channel (Telegram handlers, the console) performs these in order. It keeps the id of the
message that holds the current screen in `ChatState.screen` (bot/state.py) whenever it performs
a `Send(current=True)` or an `Edit(current=True)`.
"""

import time
from dataclasses import dataclass

from bot.flow import Screen


@dataclass
class Send:
    """A new message; `current` makes it the screen that later buttons must come from."""

    screen: Screen
    current: bool = False


@dataclass
class Edit:
    """Replace the message the pressed button sits on (for typed input: the current screen).

    `current`: the edited message now holds the current screen. If there is no message to edit,
    or it cannot be edited, the channel sends the screen as a new message instead."""

    screen: Screen
    current: bool = False


@dataclass
class Clear:
    """Take the buttons off the current screen (it has been left)."""


@dataclass
class Deliver:
    """Something was just queued in the outbox (a concern alert, a note about one): the
    channel's outbox sender, if it runs one, should claim now rather than at its next poll."""


@dataclass
class Document:
    filename: str
    content: bytes
    caption: str


@dataclass
class Toast:
    """A short note on the pressed button (Telegram: answer_callback_query text)."""

    text: str


@dataclass
class RetryLater:
    """Ask the channel to call `Chat.retry` again later (an answer is kept unsaved)."""


Out = Send | Edit | Clear | Deliver | Document | Toast | RetryLater


@dataclass(frozen=True)
class Person:
    """Who the engine talks to: a Telegram user, or None for someone in the browser chat,
    whose collector client names them by their session instead (bot/client.py)."""

    telegram_id: int | None
    display_name: str = ""


class Throttle:
    """Slows down repeated wrong invite codes from one user: free tries, then doubling waits."""

    def __init__(self, free: int = 3, base: float = 60.0, cap: float = 3600.0, clock=None) -> None:
        self.free, self.base, self.cap = free, base, cap
        self.clock = clock or time.monotonic
        self._fails: dict[int, tuple[int, float]] = {}

    def wait(self, telegram_id: int) -> float:
        """Seconds this user must still wait before another try (0 = go ahead)."""
        count, last = self._fails.get(telegram_id, (0, 0.0))
        if count < self.free:
            return 0.0
        delay = min(self.cap, self.base * 2 ** (count - self.free))
        return max(0.0, last + delay - self.clock())

    def failed(self, telegram_id: int) -> None:
        count, _ = self._fails.get(telegram_id, (0, 0.0))
        self._fails[telegram_id] = (count + 1, self.clock())

    def succeeded(self, telegram_id: int) -> None:
        self._fails.pop(telegram_id, None)


def minutes(seconds: float) -> str:
    m = max(1, round(seconds / 60))
    return "a minute" if m == 1 else f"{m} minutes"
