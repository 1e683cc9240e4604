"""The whole conversation behind one object: commands, buttons, typed text, anything else.

`Chat` is what a channel drives: the Telegram handlers and the console chat call
`command`, `button`, `text`, `unsupported` and `retry`, and perform the `Out` steps returned.
"""

import logging
from collections.abc import Awaitable, Callable

from bot import flow, flow_views, texts
from bot.client import CollectorClient, CollectorError, CollectorUnavailable
from bot.flow import Screen
from bot.flow_chat import SEND, AuditChat
from bot.flow_concerns import ConcernsChat
from bot.flow_out import Clear, Out, Person, Send, Toast, minutes
from bot.flow_standards import StandardsChat
from bot.once import Once
from bot.state import ChatState, Step
from models import buttons
from models.buttons import QUESTION_KINDS, SCREEN_KINDS, Kind, Press, StaleButton
from models.enums import Role
from models.returns import ReturnPublic
from models.tool import AuditTool, load_tool

log = logging.getLogger(__name__)

AUDITOR_COMMANDS = ("audit", "resume", "status", "back", "skip", "cancel")
COORDINATOR_COMMANDS = (
    "tally",
    "overdue",
    "report",
    "invite",
    "round",
    "remind",
    "actions",
    "concerns",
    "disable",
    "enable",
)
COMMANDS = ("start", "help", "desk", *AUDITOR_COMMANDS, *COORDINATOR_COMMANDS)
# A button answer's de-duplication travels in its own write (one collector call per turn).
ANSWER_KINDS = frozenset({Kind.answer, Kind.reason})
ButtonHandler = Callable[[Person, ChatState, Press, int | None, Once], Awaitable[list[Out]]]


class Chat(AuditChat, ConcernsChat, StandardsChat):
    def __init__(self, client: CollectorClient, bot_username: str = "") -> None:
        super().__init__(client)
        self.bot_username = bot_username

    async def guard(self, state: ChatState, step: Awaitable[list[Out]]) -> list[Out]:
        """Run one step; turn an unreachable or refusing collector into a kind reply."""
        try:
            return await step
        except CollectorUnavailable:
            return [Send(Screen(texts.UNAVAILABLE))]
        except CollectorError as exc:
            return self.refused(exc, state)

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
        if name not in COMMANDS:
            return [Send(Screen(texts.UNKNOWN_COMMAND))]
        if name == "start":
            return await self.guard(state, self.start(who, state, args))
        state.held = None  # moved on from a name warning: nothing is sent
        waiting, state.progress_for = state.progress_for, None  # any command ends the wait
        state.confirm_for = None  # ...and the wait for a cross-check reason (nothing submitted)
        if waiting is not None and name == "cancel":
            return [Send(Screen(texts.PROGRESS_CANCELLED))]  # any command ends the wait
        if state.kept and name not in ("help", *COORDINATOR_COMMANDS):
            return await self.guard(state, self.retry(who, state))
        if name in ("tally", "overdue", "report"):
            return await self.guard(state, self.view(who, name, args))
        if name == "invite":
            return await self.guard(state, self.invite(who, args))
        if name == "desk":
            return await self.guard(state, self.desk_link(who))
        if name == "round":
            return await self.guard(state, self.rounds_command(who, args))
        if name in ("disable", "enable"):
            return await self.guard(state, self.access(who, name, args))
        if name in ("remind", "actions", "concerns"):
            return await self.guard(state, getattr(self, name)(who, args))
        return await self.guard(state, getattr(self, f"cmd_{name}")(who, state, args))

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
            return await self.guard(state, self.stale(who, state))
        if press.kind == Kind.retry and not pending:
            return [Toast(texts.STALE_BUTTON_TOAST)]
        if pending:  # an answer is being kept: it goes first, whatever was pressed
            return await self.guard(state, self.retry(who, state))
        handler = self.button_handlers[press.kind]
        try:
            return await self.guard(state, handler(who, state, press, message_id, once))
        except StaleButton:
            if not await once.first():  # the answer was never written: ask now
                return []
            return await self.guard(state, self.stale(who, state))

    @property
    def button_handlers(self) -> dict[Kind, ButtonHandler]:
        """Which method handles which kind of button."""
        screen = self.screen_press
        return {
            Kind.case: self.case_press,
            Kind.open_case: self.case_press,
            Kind.tally: self.coordinator_press,
            Kind.round: self.coordinator_press,
            Kind.take_concern: self.concern_press,
            Kind.post_progress: self.progress_press,
            Kind.names: self.names_press,
            Kind.send: self.actions_press,
            Kind.action_status: self.actions_press,
            Kind.progress_cancel: self.actions_press,
            Kind.descriptors: self.descriptors_press,
            Kind.cross_reason: self.cross_reason_press,
            **{kind: screen for kind in SCREEN_KINDS},
        }

    async def case_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """A case picked from the list, or "Open C3" on a reminder: that case, where it stands."""
        return await self.pick_case(who, state, press.num(0), press.parts[1])

    async def coordinator_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        return await self.coordinator_button(who, press.kind, list(press.parts))

    async def concern_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """ "I'm dealing with this" on a concern alert."""
        return await self.take_concern(who, press.num(0))

    async def progress_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """ "Post progress" on an action reminder."""
        return await self.ask_progress(who, state, press.num(0))

    async def names_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """ "Send as it is" or "Rewrite" under a possible-name warning."""
        return await self.names_choice(who, state, press.parts[0])

    async def actions_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        return await self.actions_button(who, state, press.kind, list(press.parts))

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
        replied = buttons.decode(reply_to) if reply_to else None
        progress = replied is not None and replied.kind == Kind.post_progress
        waiting = state.progress_for is not None and not state.kept
        once = Once(self.client, update_id)
        if (progress or waiting) and not await once.first():
            return []
        if state.confirm_for is not None and not state.kept and not progress:
            if not await once.first():
                return []
            return await self.guard(state, self.confirm_reason(who, state, text))
        if progress:
            action_id = replied.num(0)
            return await self.guard(state, self.save_progress(who, state, action_id, text))
        if waiting:
            action_id, state.progress_for = state.progress_for, None
            return await self.guard(state, self.save_progress(who, state, action_id, text))
        return await self.guard(state, self.typed(who, state, text, once))

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
        return await AuditChat.retry(self, who, state)

    # ---- freshness of buttons
    async def screen_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """A button of the screen on show (a question, an ack, the review): only while it is."""
        prefix, parts = press.kind, list(press.parts)
        if self.earlier_ack(state, prefix, parts, message_id):
            ret = await self.current(who, state, int(parts[0]))
            return await self.narrative_done(who, state, ret, parts[1], newest_left=True)
        if not await self.fresh(who, state, prefix, parts, message_id):
            if not await once.first():
                return []  # an answer pressed before, delivered again: it had its effect
            left_over = self.stale_ack(state, prefix, parts)
            return left_over or await self.stale(who, state, int(parts[0]))
        return await self.screen_button(who, state, prefix, parts, once)

    async def fresh(
        self, who: Person, state: ChatState, prefix: str, parts: list[str], message_id: int | None
    ) -> bool:
        """Whether a button belongs to the screen the auditor is on now.

        With a screen in memory, only its own message counts, and a question's button only
        while that question is on it (a button answer edits the message into the next one).
        After a restart (nothing in memory) a question button counts only if it is for where
        the return stands now.
        """
        if state.screen is not None:
            if prefix in QUESTION_KINDS and parts[1:2] != [state.qkey]:
                return False  # from a question this message showed before
            return message_id == state.screen and str(state.rid) == parts[0]
        ret = await self.load(who, state, int(parts[0]))
        if prefix in (Kind.edit, Kind.submit, Kind.confirm, Kind.not_yet):
            return ret.next_question is None or prefix == Kind.edit
        return len(parts) > 1 and parts[1] == ret.next_question

    async def stale(
        self, who: Person, state: ChatState, pressed_rid: int | None = None
    ) -> list[Out]:
        """An out-of-date button: say so, and show where the auditor is now."""
        outs: list[Out] = [Toast(texts.STALE_BUTTON_TOAST)]
        rid = state.rid or pressed_rid
        if not rid:
            return [*outs, Send(Screen(texts.STALE_BUTTON + "\n" + texts.NOT_IN_CASE))]
        ret = await self.load(who, state, rid)
        outs.append(Send(Screen(texts.STALE_BUTTON)))
        if state.qkey and ret.status != "submitted":
            return [*outs, Clear(), *self.ask(state, ret, state.qkey)]
        return [*outs, Clear(), *await self.carry_on(who, state, ret)]

    # ---- commands
    async def start(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        """/start, or /start CODE from an invite link (the code is never logged)."""
        tid = who.telegram_id
        try:
            me = await self.client.me(tid)
        except CollectorError as exc:
            if exc.code != "not_enrolled":
                raise
            me = None
        if me is not None:
            help_text = self.help_for(me.get("role", ""))
            if args:
                return [
                    Send(Screen(texts.ALREADY_ENROLLED.format(role=_role(me), agency=_agency(me))))
                ]
            return [
                Send(
                    Screen(
                        texts.WELCOME_BACK.format(
                            name=me["display_name"],
                            role=_role(me),
                            agency=_agency(me),
                            help=help_text,
                        )
                    )
                )
            ]
        if not args:
            return [Send(Screen(texts.WELCOME_NEW))]
        wait = self.throttle.wait(tid)
        if wait > 0:
            return [Send(Screen(texts.TOO_MANY_TRIES.format(minutes=minutes(wait))))]
        try:
            member = await self.client.redeem(args[0], tid, who.display_name or "Auditor")
        except CollectorError as exc:
            self.throttle.failed(tid)
            answer = {"invite_used": texts.INVITE_USED, "invite_expired": texts.INVITE_EXPIRED}
            return [Send(Screen(answer.get(exc.code, texts.INVITE_INVALID)))]
        self.throttle.succeeded(tid)
        me = await self.client.me(tid)
        return [
            Send(
                Screen(
                    texts.ENROLLED.format(
                        name=member["display_name"],
                        role=_role(member),
                        agency=_agency(me),
                        help=self.help_for(member["role"]),
                    )
                )
            )
        ]

    @staticmethod
    def help_for(role: str) -> str:
        if role == Role.coordinator:
            return texts.HELP_COORDINATOR + texts.HELP_AUDITOR
        if role == Role.viewer:
            return texts.HELP_VIEWER
        if role == Role.agency_lead:
            return texts.HELP_LEAD + texts.HELP_AUDITOR
        return texts.HELP_AUDITOR

    async def cmd_help(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        me = await self.client.me(who.telegram_id)
        return [Send(Screen(self.help_for(me.get("role", ""))))]

    async def my_rounds(self, who: Person) -> list[tuple[dict, list[dict]]]:
        """The open rounds with this agency's assignments in each."""
        out = []
        for r in await self.client.rounds(who.telegram_id, "open"):
            try:
                out.append((r, await self.client.assignments(who.telegram_id, r["slug"])))
            except CollectorError as exc:
                if exc.code != "forbidden":
                    raise
                raise _AuditorsOnly from None
        return out

    async def cmd_audit(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        try:
            found = await self.my_rounds(who)
        except _AuditorsOnly:
            return [Send(Screen(texts.AUDITORS_ONLY))]
        if not found:
            return [Send(Screen(texts.NO_OPEN_ROUND))]
        return [Send(flow_views.case_list_screen(r, a)) for r, a in found]

    async def cmd_status(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        try:
            found = await self.my_rounds(who)
        except _AuditorsOnly:
            return [Send(Screen(texts.AUDITORS_ONLY))]
        if not found:
            return [Send(Screen(texts.NO_OPEN_ROUND))]
        return [Send(Screen(flow_views.status_text(r, a))) for r, a in found]

    async def pick_case(self, who: Person, state: ChatState, round_id: int, case: str) -> list[Out]:
        round_ = await self.round_by_id(who, round_id)
        if round_ is None:
            return [Send(Screen(texts.NO_OPEN_ROUND))]
        ret = await self.client.open_return(who.telegram_id, round_["slug"], case)
        self.forget_case(state)
        return await self.carry_on(who, state, ret)

    async def cmd_resume(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        rid = state.rid or state.last_rid
        if rid:
            ret = await self.load(who, state, rid)
            if ret.status != "submitted":
                return [Clear(), *await self.carry_on(who, state, ret)]
        try:
            found = await self.my_rounds(who)
        except _AuditorsOnly:
            return [Send(Screen(texts.AUDITORS_ONLY))]
        started = [
            (r, a)
            for r, items in found
            for a in items
            if a.get("status") != "submitted" and a.get("answered") and a.get("return_id")
        ]
        if not started:
            return [Send(Screen(texts.NOTHING_IN_PROGRESS))]
        if len(started) == 1:
            ret = await self.load(who, state, started[0][1]["return_id"])
            return await self.carry_on(who, state, ret)
        rows = [flow_views.case_list_screen(r, [a]).buttons[0] for r, a in started]
        return [Send(Screen(texts.CHOOSE_RESUME, rows))]

    async def in_case(self, who: Person, state: ChatState) -> tuple[ReturnPublic, AuditTool] | None:
        rid = state.rid
        if not rid:
            return None
        ret = await self.load(who, state, rid)
        return ret, load_tool(ret.tool_version)

    async def cmd_back(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        found = await self.in_case(who, state)
        if not found:
            return [Send(Screen(texts.NOT_IN_CASE))]
        ret, tool = found
        here = state.qkey if state.step not in (Step.review, Step.confirm) else None
        key = flow.previous_key(tool, here)
        if key is None:
            return [Send(Screen(texts.FIRST_QUESTION))]
        state.after_review = False
        return [Clear(), *self.ask(state, ret, key)]

    async def cmd_skip(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        found = await self.in_case(who, state)
        if not found or not state.qkey:
            return [Send(Screen(texts.NOT_IN_CASE))]
        ret, tool = found
        q = tool.question(state.qkey)
        if q.required:
            return [Send(Screen(texts.CANNOT_SKIP))]
        return await self.save(who, state, ret, q.key, None, then=SEND)  # typed: a new message

    async def cmd_cancel(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        ret = state.ret
        if not state.rid or not ret:
            return [Send(Screen(texts.NOT_IN_CASE))]
        self.forget_case(state)
        return [Clear(), Send(Screen(texts.LEFT_CASE.format(case=ret.case)))]


class _AuditorsOnly(Exception):
    pass


def _role(member: dict) -> str:
    return str(member.get("role", "")).replace("_", " ")


def _agency(me: dict) -> str:
    """A member's agency, or the partnership for coordinators and viewers, who have none."""
    return me.get("agency_name") or "the partnership"
