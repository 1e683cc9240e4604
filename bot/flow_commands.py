"""The whole conversation behind one object: commands, buttons, typed text, anything else.

`Chat` is what a channel drives: the Telegram handlers, the console chat (and the browser)
call `command`, `button`, `text`, `unsupported` and `retry`, and perform the `Out` steps
returned. `Chat` itself only routes: each event goes through one table (command name or button
kind → handler) to the collaborator whose job it is, composed here:

- `Cases` (bot/flow_cases.py): the return on screen and where it stands;
- `Auditing` (flow_chat.py): answers stored, typed text, submit;
- `Narratives` (flow_narrative.py): narratives in parts, the name warning, acks;
- `Screens` (flow_screen.py): the buttons of the current screen, and their freshness;
- `AuditCommands` (flow_audit.py): /audit, /status, /resume, /back, /skip, /cancel;
- `Enrolment` (flow_start.py): /start and /help;
- `Rounds`, `Coordinating`, `Actions`, `Concerns` (flow_rounds.py, flow_coord.py,
  flow_actions.py, flow_concerns.py): the coordinators' and owners' side;
- `Moderation` (flow_moderation.py): replies to moderation queries, /allocate, /extension.
"""

import logging
from collections.abc import Awaitable, Callable
from functools import partial

from bot import texts
from bot.client import CollectorClient, CollectorError, CollectorUnavailable
from bot.flow import Screen
from bot.flow_actions import Actions
from bot.flow_audit import AuditCommands
from bot.flow_cases import Cases
from bot.flow_chat import Auditing
from bot.flow_concerns import Concerns
from bot.flow_coord import Coordinating
from bot.flow_moderation import Moderation
from bot.flow_narrative import Narratives
from bot.flow_out import Edit, Out, Person, Send, Toast
from bot.flow_rounds import Rounds, Show
from bot.flow_rules import COMMANDS, RULES, Rule
from bot.flow_screen import Screens
from bot.flow_standards import Standards
from bot.flow_start import Enrolment
from bot.once import Once
from bot.state import ChatState
from models import buttons
from models.buttons import SCREEN_KINDS, Kind, Press, StaleButton

log = logging.getLogger(__name__)

__all__ = ["COMMANDS", "Chat"]

CommandHandler = Callable[[Person, ChatState, list[str]], Awaitable[list[Out]]]
ButtonHandler = Callable[[Person, ChatState, Press, int | None, Once], Awaitable[list[Out]]]


# A button answer's de-duplication travels in its own write (one collector call per turn).
ANSWER_KINDS = frozenset({Kind.answer, Kind.reason})


class Chat:
    def __init__(self, client: CollectorClient, bot_username: str = "") -> None:
        self.client, self.bot_username = client, bot_username
        self.cases = cases = Cases(client)
        self.narratives = narratives = Narratives(client, cases)
        self.auditing = auditing = Auditing(client, cases, narratives)
        self.screens = Screens(cases, auditing, narratives)
        self.rounds = rounds = Rounds(client)
        self.audit_commands = audit = AuditCommands(client, cases, auditing, rounds)
        self.enrolment = enrol = Enrolment(client)
        self.coordinating = coord = Coordinating(client, rounds, bot_username)
        self.actions = actions = Actions(client, rounds)
        self.concerns = concerns = Concerns(client, rounds)
        self.moderation = moderation = Moderation(client, rounds, cases)
        self.standards = standards = Standards(client, cases)
        # Which handler runs which command (its rules: RULES).
        self.commands: dict[str, CommandHandler] = {
            "start": enrol.start,
            "help": enrol.help,
            "desk": coord.desk_link,
            "audit": audit.audit,
            "resume": audit.resume,
            "status": audit.status,
            "back": audit.back,
            "skip": audit.skip,
            "cancel": audit.cancel,
            "tally": partial(coord.view, view="tally"),
            "overdue": partial(coord.view, view="overdue"),
            "report": partial(coord.view, view="report"),
            "invite": coord.invite,
            "round": coord.rounds_command,
            "remind": actions.remind,
            "actions": actions.actions,
            "concerns": concerns.concerns,
            "disable": partial(coord.access, action="disable"),
            "enable": partial(coord.access, action="enable"),
            "allocate": moderation.allocate,
            "extension": moderation.extension,
        }
        # Which handler runs which kind of button.
        self.buttons: dict[Kind, ButtonHandler] = {
            Kind.case: self.case_press,
            Kind.open_case: self.case_press,
            Kind.tally: self.round_picked,
            Kind.round: self.round_press,
            Kind.take_concern: self.concern_press,
            Kind.post_progress: self.progress_press,
            Kind.progress_cancel: self.progress_cancel_press,
            Kind.action_status: self.status_press,
            Kind.send: self.send_press,
            Kind.names: self.names_press,
            **{kind: moderation.press for kind in Moderation.KINDS},
            Kind.descriptors: standards.descriptors_press,
            Kind.cross_reason: standards.cross_reason_press,
            **{kind: self.screens.screen_press for kind in SCREEN_KINDS},
        }
        # Which part shows which view of a round, picked from the round buttons (Kind.tally).
        self.views: dict[str, Show] = {
            "tally": coord.show,
            "overdue": coord.show,
            "report": coord.show,
            "remind": actions.show,
            "actions": actions.show,
            "concerns": concerns.show,
        }

    async def guard(self, state: ChatState, step: Awaitable[list[Out]]) -> list[Out]:
        """Run one step; turn an unreachable or refusing collector into a kind reply."""
        try:
            return await step
        except CollectorUnavailable:
            return [Send(Screen(texts.UNAVAILABLE))]
        except CollectorError as exc:
            return self.cases.refused(exc, state)

    # ---- entry points
    async def command(
        self,
        who: Person,
        state: ChatState,
        name: str,
        args: list[str],
        update_id: int | None = None,
    ) -> list[Out]:
        """A /command with its arguments; `update_id`: the Telegram update (None: the console)."""
        if not await Once(self.client, update_id).first():
            return []
        name = name.lower()
        rule, handler = RULES.get(name), self.commands.get(name)
        if rule is None or handler is None:
            return [Send(Screen(texts.UNKNOWN_COMMAND))]
        state.confirm_for = None  # any command ends the wait for a cross-check reason
        if rule.moves_on:
            state.held = None  # moved on from a name warning: nothing is sent
            waiting, state.progress_for = state.progress_for, None  # any command ends the wait
            if waiting is not None and name == "cancel":
                return [Send(Screen(texts.PROGRESS_CANCELLED))]
            if self.moderation.forget(state) and name == "cancel":
                return [Send(Screen(self.moderation.CANCELLED))]
        if state.kept and rule.kept_first:
            return await self.guard(state, self.retry(who, state))
        return await self.guard(state, self.checked(who, state, rule, handler, args))

    async def checked(
        self, who: Person, state: ChatState, rule: Rule, handler: CommandHandler, args: list[str]
    ) -> list[Out]:
        """The command run if the person's role allows it (when its rule names roles)."""
        if rule.roles and not await self.rounds.role_is(who, *rule.roles):
            return [Send(Screen(rule.refusal))]
        return await handler(who, state, args)

    async def button(
        self,
        who: Person,
        state: ChatState,
        data: str,
        message_id: int | None,
        update_id: int | None = None,
    ) -> list[Out]:
        """A pressed button; `message_id` is the message it sits on. `update_id`: the Telegram
        update (see bot/once.py): an answer's is decided in the answer's own write."""
        once = Once(self.client, update_id)
        press = buttons.decode(data)
        if press is None or press.kind != Kind.names:
            state.held = None  # moved on from a name warning: its text is not sent
        if press is None or press.kind != Kind.descriptors:
            state.confirm_for = None  # moved on from typing a cross-check reason
        pending = bool(state.kept)
        answer = press is not None and press.kind in ANSWER_KINDS and not pending
        if not answer and not await once.first():
            return []
        if press is None:  # not a button this code made: out of date, said as such
            return await self.guard(state, self.cases.stale(who, state))
        if press.kind == Kind.retry and not pending:
            return [Toast(texts.STALE_BUTTON_TOAST)]
        if pending:  # an answer is being kept: it goes first, whatever was pressed
            return await self.guard(state, self.retry(who, state))
        handler = self.buttons[press.kind]
        try:
            return await self.guard(state, handler(who, state, press, message_id, once))
        except StaleButton:
            if not await once.first():  # the answer was never written: ask now
                return []
            return await self.guard(state, self.cases.stale(who, state))

    async def text(
        self,
        who: Person,
        state: ChatState,
        text: str,
        reply_to: str | None = None,
        update_id: int | None = None,
    ) -> list[Out]:
        """Typed text (never logged: it may be a narrative); `reply_to`: the replied message's
        button data, so a reply to an action reminder is that action's progress. `update_id`:
        the Telegram update, de-duplicated once (bot/once.py)."""
        query = self.moderation.replying_to(reply_to, state)
        if query is not None and not state.kept:  # a reply to a moderation query
            if not await Once(self.client, update_id).first():
                return []
            step = self.moderation.save_reply(who, state, query, text)
            return await self.guard(state, step)
        replied = buttons.decode(reply_to) if reply_to else None
        progress = replied is not None and replied.kind == Kind.post_progress
        waiting = state.progress_for is not None and not state.kept
        once = Once(self.client, update_id)
        if (progress or waiting) and not await once.first():
            return []
        if state.confirm_for is not None and not state.kept and not progress:
            if not await once.first():
                return []
            return await self.guard(state, self.standards.confirm_reason(who, state, text))
        if progress:
            action_id = replied.num(0)
            return await self.guard(state, self.actions.save_progress(who, state, action_id, text))
        if waiting:
            action_id, state.progress_for = state.progress_for, None
            return await self.guard(state, self.actions.save_progress(who, state, action_id, text))
        return await self.guard(state, self.auditing.typed(who, state, text, once))

    async def unsupported(
        self, who: Person, state: ChatState, update_id: int | None = None
    ) -> list[Out]:
        """A sticker, photo, voice note, document...: nothing is stored."""
        if not await Once(self.client, update_id).first():
            return []
        try:
            await self.client.me(who.telegram_id)
        except CollectorError as exc:
            if exc.code == "not_enrolled":
                return [Send(Screen(texts.NOT_ENROLLED))]
        except CollectorUnavailable:
            pass
        return [Send(Screen(texts.UNSUPPORTED_MEDIA))]

    async def retry(self, who: Person, state: ChatState) -> list[Out]:
        """Try again to store what is kept (the channel calls this after `RetryLater`)."""
        return await self.auditing.retry(who, state)

    # ---- buttons: a press's parts handed to the collaborator whose job it is
    async def case_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """A case picked from the list, or "Open C3" on a reminder: that case, where it stands."""
        return await self.audit_commands.pick_case(who, state, press.num(0), press.parts[1])

    async def round_picked(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """A round picked for a view (/tally, /remind... asked which round)."""
        show = self.views.get(press.parts[1])
        if show is None:
            raise StaleButton("no such view")
        round_ = await self.rounds.round_by_id(who, press.num(0))
        if round_ is None:
            return [Send(Screen(texts.NO_ROUNDS))]
        return [
            Edit(Screen(texts.CHOOSE_ROUND + " " + round_["slug"])),
            *await show(who, round_, press.parts[1], list(press.parts[2:])),
        ]

    async def round_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """Open or close a round from the /round list."""
        round_ = await self.rounds.round_by_id(who, press.num(0))
        if round_ is None:
            return [Send(Screen(texts.NO_ROUNDS))]
        return await self.coordinating.round_button(who, round_, press.parts[1])

    async def concern_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """ "I'm dealing with this" on a concern alert."""
        return await self.concerns.take_concern(who, press.num(0))

    async def progress_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """ "Post progress" on an action reminder."""
        return await self.actions.ask_progress(who, state, press.num(0))

    async def progress_cancel_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        return await self.actions.cancel_progress(who, state, press.num(0))

    async def status_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        return await self.actions.set_status(who, press.num(0), press.parts[1])

    async def send_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """ "Send these now" under the /remind dry run."""
        return await self.actions.send_reminders(who, press.num(0))

    async def names_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """ "Send as it is" or "Rewrite" under a possible-name warning."""
        return await self.narratives.names_choice(who, state, press.parts[0])
