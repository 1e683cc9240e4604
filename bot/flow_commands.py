"""The whole conversation behind one object: commands, buttons, typed text, anything else.

`Chat` is what a channel drives: the Telegram handlers and the console chat call
`command`, `button`, `text`, `unsupported` and `retry`, and perform the `Out` steps returned.
"""

import logging
from collections.abc import Awaitable

from bot import flow, flow_views, texts
from bot.client import CollectorClient, CollectorError, CollectorUnavailable
from bot.flow import Screen
from bot.flow_actions import PROGRESS_FOR
from bot.flow_chat import LAST_RID, MODE, PENDING, QKEY, RET, RID, SEND, AuditChat
from bot.flow_concerns import ConcernsChat
from bot.flow_narrative import NAMES
from bot.flow_out import SCREEN, Clear, Out, Person, Send, Toast, minutes
from models.enums import Role
from models.tool import load_tool

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


class Chat(AuditChat, ConcernsChat):
    def __init__(self, client: CollectorClient, bot_username: str = "") -> None:
        super().__init__(client)
        self.bot_username = bot_username

    async def guard(self, state: dict, step: Awaitable[list[Out]]) -> list[Out]:
        """Run one step; turn an unreachable or refusing collector into a kind reply."""
        try:
            return await step
        except CollectorUnavailable:
            return [Send(Screen(texts.UNAVAILABLE))]
        except CollectorError as exc:
            return self.refused(exc, state)

    # ---- entry points
    async def command(self, who: Person, state: dict, name: str, args: list[str]) -> list[Out]:
        """A /command with its arguments."""
        name = name.lower()
        if name not in COMMANDS:
            return [Send(Screen(texts.UNKNOWN_COMMAND))]
        if name == "start":
            return await self.guard(state, self.start(who, state, args))
        state.pop(NAMES, None)  # the auditor has moved on from a name warning: nothing is sent
        if state.pop(PROGRESS_FOR, None) is not None and name == "cancel":
            return [Send(Screen(texts.PROGRESS_CANCELLED))]  # any command ends the wait
        if state.get(PENDING) and name not in ("help", *COORDINATOR_COMMANDS):
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
        state: dict,
        data: str,
        message_id: int | None,
        update_id: int | None = None,
    ) -> list[Out]:
        """A pressed button; `message_id` is the message it sits on. `update_id`: the Telegram
        update, de-duplicated here rather than before (see handlers.dedupe): for an answer, in
        the answer's own write."""
        prefix, parts = flow.unpack(data)
        if prefix != flow.CB_NAMES:
            state.pop(NAMES, None)  # moved on from a name warning: its text is not sent
        answer = prefix in (flow.CB_ANSWER, flow.CB_REASON) and not state.get(PENDING)
        if not answer and not await self.first_time(update_id):
            return []
        try:
            if prefix == flow.CB_RETRY:
                if not state.get(PENDING):
                    return [Toast(texts.STALE_BUTTON_TOAST)]
                return await self.guard(state, self.retry(who, state))
            if state.get(PENDING):
                return await self.guard(state, self.retry(who, state))
            if prefix == flow.CB_NAMES:
                return await self.guard(state, self.names_choice(who, state, parts[0]))
            if prefix == flow.CB_CASE:
                return await self.guard(state, self.pick_case(who, state, int(parts[0]), parts[1]))
            if prefix in (flow.CB_TALLY, flow.CB_ROUND):
                return await self.guard(state, self.coordinator_button(who, prefix, parts))
            if data.startswith(flow.OPEN):  # "Open C3" on a reminder: that case, where it stands
                round_id, case = data.removeprefix(flow.OPEN).split(":", 1)
                return await self.guard(state, self.pick_case(who, state, int(round_id), case))
            if data.startswith(flow.CACK):  # "I'm dealing with this" on a concern alert
                press = self.take_concern(who, int(data.removeprefix(flow.CACK)))
                return await self.guard(state, press)
            if data.startswith(flow.ACTP):  # "Post progress" on an action reminder
                press = self.ask_progress(who, state, int(data.removeprefix(flow.ACTP)))
                return await self.guard(state, press)
            if prefix in (flow.CB_SEND, flow.CB_ACTION_STATUS, flow.CB_PROGRESS_CANCEL):
                return await self.guard(state, self.actions_button(who, state, prefix, parts))
            if prefix in flow.SCREEN_PREFIXES:
                once = update_id if answer else None
                press = self.screen_press(who, state, prefix, parts, message_id, once)
                return await self.guard(state, press)
        except (ValueError, IndexError):
            pass
        if answer and not await self.first_time(update_id):
            return []
        return await self.guard(state, self.stale(who, state))

    async def text(  # type: ignore[override]
        self,
        who: Person,
        state: dict,
        text: str,
        reply_to: str | None = None,
        update_id: int | None = None,
    ) -> list[Out]:
        """Typed text (never logged: it may be a narrative); `reply_to`: the replied message's
        button data, so a reply to an action reminder is that action's progress. `update_id`:
        the Telegram update, de-duplicated here rather than before (see handlers.dedupe)."""
        replied = (reply_to or "").removeprefix(flow.ACTP)
        progress = bool(reply_to and reply_to.startswith(flow.ACTP) and replied.isdigit())
        waiting = state.get(PROGRESS_FOR) is not None and not state.get(PENDING)
        if (progress or waiting) and not await self.first_time(update_id):
            return []
        if progress:
            action_id = int(replied)
            return await self.guard(state, self.save_progress(who, state, action_id, text))
        if waiting:
            action_id = state.pop(PROGRESS_FOR)
            return await self.guard(state, self.save_progress(who, state, action_id, text))
        return await self.guard(state, AuditChat.text(self, who, state, text, update_id))

    async def unsupported(self, who: Person, state: dict) -> list[Out]:
        """A sticker, photo, voice note, document...: nothing is stored."""
        try:
            await self.client.me(who.telegram_id)
        except CollectorError as exc:
            if exc.code == "not_enrolled":
                return [Send(Screen(texts.NOT_ENROLLED))]
        except CollectorUnavailable:
            pass
        return [Send(Screen(texts.UNSUPPORTED_MEDIA))]

    async def retry(self, who: Person, state: dict) -> list[Out]:
        return await AuditChat.retry(self, who, state)

    # ---- freshness of buttons
    async def screen_press(
        self,
        who: Person,
        state: dict,
        prefix: str,
        parts: list[str],
        message_id: int | None,
        update_id: int | None = None,
    ) -> list[Out]:
        if self.earlier_ack(state, prefix, parts, message_id):
            ret = await self.current(who, state, int(parts[0]))
            return await self.narrative_done(who, state, ret, parts[1], newest_left=True)
        if not await self.fresh(who, state, prefix, parts, message_id):
            if update_id is not None and not await self.first_time(update_id):
                return []  # an answer pressed before, delivered again: it had its effect
            left_over = self.stale_ack(state, prefix, parts)
            return left_over or await self.stale(who, state, int(parts[0]))
        return await self.screen_button(who, state, prefix, parts, update_id)

    async def fresh(
        self, who: Person, state: dict, prefix: str, parts: list[str], message_id: int | None
    ) -> bool:
        """Whether a button belongs to the screen the auditor is on now.

        With a screen in memory, only its own message counts, and a question's button only
        while that question is on it (a button answer edits the message into the next one).
        After a restart (nothing in memory) a question button counts only if it is for where
        the return stands now.
        """
        if state.get(SCREEN) is not None:
            if prefix in flow.QUESTION_PREFIXES and parts[1:2] != [state.get(QKEY)]:
                return False  # from a question this message showed before
            return message_id == state[SCREEN] and str(state.get(RID)) == parts[0]
        ret = await self.load(who, state, int(parts[0]))
        if prefix in (flow.CB_EDIT, flow.CB_SUBMIT, flow.CB_CONFIRM, flow.CB_NOT_YET):
            return ret.get("next_question") is None or prefix == flow.CB_EDIT
        return len(parts) > 1 and parts[1] == ret.get("next_question")

    async def stale(self, who: Person, state: dict, pressed_rid: int | None = None) -> list[Out]:
        """An out-of-date button: say so, and show where the auditor is now."""
        outs: list[Out] = [Toast(texts.STALE_BUTTON_TOAST)]
        rid = state.get(RID) or pressed_rid
        if not rid:
            return [*outs, Send(Screen(texts.STALE_BUTTON + "\n" + texts.NOT_IN_CASE))]
        ret = await self.load(who, state, rid)
        outs.append(Send(Screen(texts.STALE_BUTTON)))
        if state.get(QKEY) and ret.get("status") != "submitted":
            return [*outs, Clear(), *self.ask(state, ret, state[QKEY])]
        return [*outs, Clear(), *await self.carry_on(who, state, ret)]

    # ---- commands
    async def start(self, who: Person, state: dict, args: list[str]) -> list[Out]:
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

    async def cmd_help(self, who: Person, state: dict, args: list[str]) -> list[Out]:
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

    async def cmd_audit(self, who: Person, state: dict, args: list[str]) -> list[Out]:
        try:
            found = await self.my_rounds(who)
        except _AuditorsOnly:
            return [Send(Screen(texts.AUDITORS_ONLY))]
        if not found:
            return [Send(Screen(texts.NO_OPEN_ROUND))]
        return [Send(flow_views.case_list_screen(r, a)) for r, a in found]

    async def cmd_status(self, who: Person, state: dict, args: list[str]) -> list[Out]:
        try:
            found = await self.my_rounds(who)
        except _AuditorsOnly:
            return [Send(Screen(texts.AUDITORS_ONLY))]
        if not found:
            return [Send(Screen(texts.NO_OPEN_ROUND))]
        return [Send(Screen(flow_views.status_text(r, a))) for r, a in found]

    async def pick_case(self, who: Person, state: dict, round_id: int, case: str) -> list[Out]:
        round_ = await self.round_by_id(who, round_id)
        if round_ is None:
            return [Send(Screen(texts.NO_OPEN_ROUND))]
        ret = await self.client.open_return(who.telegram_id, round_["slug"], case)
        self.forget_case(state)
        return await self.carry_on(who, state, ret)

    async def cmd_resume(self, who: Person, state: dict, args: list[str]) -> list[Out]:
        rid = state.get(RID) or state.get(LAST_RID)
        if rid:
            ret = await self.load(who, state, rid)
            if ret.get("status") != "submitted":
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

    async def in_case(self, who: Person, state: dict) -> tuple[dict, object] | None:
        rid = state.get(RID)
        if not rid:
            return None
        ret = await self.load(who, state, rid)
        return ret, load_tool(ret["tool_version"])

    async def cmd_back(self, who: Person, state: dict, args: list[str]) -> list[Out]:
        found = await self.in_case(who, state)
        if not found:
            return [Send(Screen(texts.NOT_IN_CASE))]
        ret, tool = found
        here = (
            state.get(QKEY)
            if state.get(MODE) not in (flow.MODE_REVIEW, flow.MODE_CONFIRM)
            else None
        )
        key = flow.previous_key(tool, here)
        if key is None:
            return [Send(Screen(texts.FIRST_QUESTION))]
        state.pop("after_review", None)
        return [Clear(), *self.ask(state, ret, key)]

    async def cmd_skip(self, who: Person, state: dict, args: list[str]) -> list[Out]:
        found = await self.in_case(who, state)
        if not found or not state.get(QKEY):
            return [Send(Screen(texts.NOT_IN_CASE))]
        ret, tool = found
        q = tool.question(state[QKEY])
        if q.required:
            return [Send(Screen(texts.CANNOT_SKIP))]
        return await self.save(who, state, ret, q.key, None, then=SEND)  # typed: a new message

    async def cmd_cancel(self, who: Person, state: dict, args: list[str]) -> list[Out]:
        ret = state.get(RET)
        if not state.get(RID) or not ret:
            return [Send(Screen(texts.NOT_IN_CASE))]
        self.forget_case(state)
        return [Clear(), Send(Screen(texts.LEFT_CASE.format(case=ret["case"])))]


class _AuditorsOnly(Exception):
    pass


def _role(member: dict) -> str:
    return str(member.get("role", "")).replace("_", " ")


def _agency(me: dict) -> str:
    """A member's agency, or the partnership for coordinators and viewers, who have none."""
    return me.get("agency_name") or "the partnership"
