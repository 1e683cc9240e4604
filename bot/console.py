"""`maa chat --as TELEGRAM_USER_ID`: the same conversation in a terminal, against the collector.

Buttons are shown as numbered choices: type the number to press one. Lines starting with "/"
are commands; anything else is typed text. `quit` (or end of input) leaves.
"""

import asyncio
import logging
import sys
from typing import TextIO

from bot import texts
from bot.client import CollectorClient, CollectorError, CollectorUnavailable
from bot.faults import frames
from bot.flow import Button, Screen
from bot.flow_commands import Chat
from bot.flow_out import (
    Clear,
    Deliver,
    Document,
    Edit,
    Out,
    Person,
    RetryLater,
    Send,
    Toast,
)
from bot.state import ChatState
from models.settings import Settings

log = logging.getLogger(__name__)


class Console:
    def __init__(self, chat: Chat, telegram_id: int, out: TextIO, settings: Settings) -> None:
        self.chat, self.out, self.settings = chat, out, settings
        self.who = Person(telegram_id, f"Console {telegram_id}")
        self.state = ChatState()
        self.next_id = 1
        self.choices: list[Button] = []  # the buttons of the last keyboard shown
        self.choices_on: int | None = None  # the message they sit on

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def show(self, screen: Screen, message_id: int, prefix: str = "") -> None:
        self.write(f"{prefix}{screen.text}")
        if screen.buttons:
            self.choices = [b for row in screen.buttons for b in row]
            self.choices_on = message_id
            for n, b in enumerate(self.choices, 1):
                self.write(f"  [{n}] {b.label}")
        self.write("")

    async def perform(self, outs: list[Out], pressed: int | None = None) -> None:
        for out in outs:
            if isinstance(out, Send):
                message_id, self.next_id = self.next_id, self.next_id + 1
                if out.current:
                    self.state.screen = message_id
                self.show(out.screen, message_id)
            elif isinstance(out, Edit) and out.current:  # the next screen, in place: read on
                target = pressed if pressed is not None else self.state.screen
                if target is None:
                    target, self.next_id = self.next_id, self.next_id + 1
                self.state.screen = target
                self.choices, self.choices_on = [], None
                self.show(out.screen, target)
            elif isinstance(out, Edit):
                target = pressed if pressed is not None else self.state.screen
                if out.screen.buttons or target == self.choices_on:
                    self.choices, self.choices_on = [], None
                self.show(out.screen, target or 0, prefix="(updated) ")
            elif isinstance(out, Clear) and self.choices_on == self.state.screen:
                self.choices, self.choices_on = [], None
            elif isinstance(out, Deliver):
                pass  # the bot's outbox sender delivers it (it polls); this chat sends nothing
            elif isinstance(out, Document):
                path = self.settings.out_dir / out.filename
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(out.content)
                self.write(f"{out.caption}: saved to {path}\n")
            elif isinstance(out, Toast):
                self.write(f"({out.text})")
            elif isinstance(out, RetryLater):
                self.write(f"(Type /resume or press [{len(self.choices)}] to try again.)")

    async def line(self, raw: str) -> None:
        """One line of input."""
        line = raw.strip()
        if not line:
            return
        if line.startswith("/"):
            name, *args = line[1:].split()
            await self.perform(await self.chat.command(self.who, self.state, name, args))
        elif line.isdigit() and self.choices:
            n = int(line)
            if not 1 <= n <= len(self.choices):
                self.write(f"Please type a number from 1 to {len(self.choices)}.\n")
                return
            data, on = self.choices[n - 1].data, self.choices_on
            await self.perform(await self.chat.button(self.who, self.state, data, on), pressed=on)
        else:
            await self.perform(await self.chat.text(self.who, self.state, line))


async def first_words(client: CollectorClient, telegram_id: int, settings: Settings) -> str | None:
    """Why this chat cannot start, in one line naming what to do; None when it can."""
    try:
        await client.me(telegram_id)
    except CollectorUnavailable:
        return (
            f"The collector at {settings.collector_url} is not answering: start it with "
            "`maa serve` (or set MAA_PUBLIC_URL to where it runs)."
        )
    except CollectorError as exc:
        if exc.code == "unauthorized":
            return (
                "The collector refused this chat's service token: set MAA_SERVICE_TOKEN to the "
                "same value for `maa serve` and `maa chat`, or leave it unset for both and run "
                f"them from the same directory (they share {settings.service_token_file})."
            )
        if exc.code != "not_enrolled":  # not enrolled: /start CODE enrols, so carry on
            return f"The collector refused: {exc.message}"
    return None


async def run_console(
    settings: Settings,
    telegram_id: int,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> str | None:
    """Chat with the collector as this Telegram user, in the terminal; returns why it could not
    start, if it could not."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    client = CollectorClient(settings.collector_url, settings.service_token.get_secret_value())
    try:
        problem = await first_words(client, telegram_id, settings)
        if problem:
            return problem
        console = Console(
            Chat(client, settings.telegram_bot_username), telegram_id, stdout, settings
        )
        console.write(
            "MAA chat in the terminal. Type /help, a number to press a button, quit to leave."
        )
        loop = asyncio.get_running_loop()
        while True:
            raw = await loop.run_in_executor(None, stdin.readline)
            if not raw or raw.strip().lower() in ("quit", "exit"):
                break
            try:
                await console.line(raw)
            except Exception as exc:  # keep the session alive; never echo the input
                log.error("chat step failed: %s\n%s", type(exc).__name__, frames(exc))
                console.write(texts.SOMETHING_WRONG)
    finally:
        await client.close()
    return None
