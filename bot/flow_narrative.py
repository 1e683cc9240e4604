"""Narratives typed across several messages: each part is stored as it comes and acknowledged.

The first part turns the question into its answered form and sends an ack ("Saved (N of MAX
characters)… Done"); every later part sends only a new ack. Earlier acks keep their Done button:
editing them as well would make each part cost two Bot API messages, and a bot gets about 30 a
second across all its chats. A Done left behind finishes the narrative while it is still being
written; once it is over, pressing one changes nothing. No telegram import.
"""

from dataclasses import replace

from bot import flow, texts
from bot.client import CollectorClient, CollectorError, CollectorUnavailable
from bot.flow import Button, Screen
from bot.flow_cases import Cases
from bot.flow_out import Clear, Edit, Out, Person, RetryLater, Send, Toast
from bot.state import ChatState, KeptParts, Part, Step
from models.buttons import Kind, encode
from models.returns import ReturnPublic
from models.screening import Finding, describe_names
from models.tool import AuditTool, load_tool

MAX_ACKS = 50  # acks remembered per narrative; an older one's Done just goes stale


def retry_screen() -> Screen:
    return Screen(texts.NOT_SAVED, [[Button(texts.BTN_RETRY, encode(Kind.retry))]])


def names_screen(exc: CollectorError) -> Screen:
    """The collector's name warning, with the author's two choices."""
    found = [Finding(**f) for f in exc.extra.get("findings", [])]
    send = Button(texts.BTN_SEND_AS_IS, encode(Kind.names, "s"))
    rewrite = Button(texts.BTN_REWRITE, encode(Kind.names, "r"))
    return Screen(describe_names(found) if found else exc.message, [[send, rewrite]])


class Narratives:
    """A narrative in parts: each stored in order (kept while the collector is away), the
    possible-name warning, and the acks with their Done buttons."""

    def __init__(self, client: CollectorClient, cases: Cases) -> None:
        self.client, self.cases = client, cases

    async def send_parts(
        self,
        who: Person,
        state: ChatState,
        ret: ReturnPublic,
        key: str,
        parts: list[Part],
        retrying: bool = False,
    ) -> list[Out]:
        """Store the parts in order; keep the rest (and say so) if the collector is away."""
        if state.sending:
            # The retry job and a new message can both get here: one sender keeps the order,
            # and it takes the parts added to the kept list while it works.
            return []
        state.sending = True
        try:
            return await self._send_parts(who, state, ret, key, parts, retrying)
        finally:
            state.sending = False

    async def _send_parts(
        self,
        who: Person,
        state: ChatState,
        ret: ReturnPublic,
        key: str,
        parts: list[Part],
        retrying: bool,
    ) -> list[Out]:
        new = None
        while parts:
            part = parts[0]
            try:
                got = await self.client.add_part(
                    who.telegram_id,
                    ret.id,
                    key,
                    part.text,
                    part.update_id,
                    part.fresh,
                    names_ok=part.names_ok,
                )
            except CollectorUnavailable:
                state.kept = KeptParts(ret.id, key, parts)
                if retrying:
                    return [
                        Send(Screen(texts.STILL_NOT_SAVED, retry_screen().buttons)),
                        RetryLater(),
                    ]
                return [Send(retry_screen()), RetryLater()]
            except CollectorError as exc:
                state.kept = None
                if exc.code == "names_found":
                    # Held here, in this chat only, until the author chooses; never logged.
                    state.held = KeptParts(ret.id, key, parts)
                    return [Send(names_screen(exc))]
                return self.part_refused(exc, state, ret)
            parts.pop(0)
            if not got.repeat:
                new = got
        state.kept = None
        if new is None:  # a redelivered update: it was answered the first time
            return []
        state.ret = new
        outs = self.part_saved(state, load_tool(new.tool_version), ret, new, key)
        if retrying:  # no message was just typed to answer: take buttons off instead of editing
            return [
                Send(Screen(texts.SAVED_NOW)),
                *(Clear() if isinstance(o, Edit) else o for o in outs),
            ]
        return outs

    async def retry_parts(self, who: Person, state: ChatState, kept: KeptParts) -> list[Out]:
        """Try again to store the narrative parts being kept."""
        ret = state.ret
        if ret is None or ret.id != kept.rid:
            ret = await self.cases.current(who, state, kept.rid)
        return await self.send_parts(who, state, ret, kept.key, kept.parts, retrying=True)

    async def names_choice(self, who: Person, state: ChatState, choice: str) -> list[Out]:
        """The author's choice under a name warning: "Send as it is" (s) or "Rewrite" (r)."""
        held, state.held = state.held, None
        if held is None:
            return [Toast(texts.STALE_BUTTON_TOAST), Edit(Screen(texts.NAMES_GONE))]
        if choice != "s":
            return [Edit(Screen(texts.NAMES_REWRITE))]
        parts = [replace(p, names_ok=True) for p in held.parts]
        ret = state.ret
        if ret is None or ret.id != held.rid:
            ret = await self.cases.current(who, state, held.rid)
        outs = await self.send_parts(who, state, ret, held.key, parts)
        if state.held or state.kept:  # refused again, or the collector is away
            return [Edit(Screen(texts.NAMES_KEPT)), *outs]
        # The pressed message is the warning: the question's own screen loses its buttons
        # instead of being edited in place.
        return [
            Edit(Screen(texts.NAMES_KEPT)),
            *(Clear() if isinstance(o, Edit) else o for o in outs),
        ]

    def part_refused(self, exc: CollectorError, state: ChatState, ret: ReturnPublic) -> list[Out]:
        if exc.code == "too_long" and "length" in exc.extra:
            full = texts.NARRATIVE_FULL.format(length=exc.extra["length"], max=exc.extra["max"])
            return [Send(Screen(full))]
        return self.cases.refused(exc, state, ret)

    # ---- acks
    @staticmethod
    def part_saved(
        state: ChatState, tool: AuditTool, old: ReturnPublic, new: ReturnPublic, key: str
    ) -> list[Out]:
        """After a part is stored: the first one answers the question, each one gets an ack."""
        q = tool.question(key)
        outs: list[Out] = []
        so_far = old.answers.get(key)
        if state.step == Step.narrative and so_far is not None:
            if state.screen is not None:  # the ack on screen becomes an earlier one
                state.acks = [*state.acks, state.screen][-MAX_ACKS:]
        else:
            if flow.question_screen(tool, old, key).buttons:
                # Skip or Keep would be wrong now. A question without buttons is left as it was
                # asked: the ack says what was saved, and this turn costs one Bot API call.
                outs.append(Edit(flow.answered_screen(tool, new, key)))
            state.acks = []
        state.rid, state.qkey, state.step = new.id, key, Step.narrative
        outs.append(Send(flow.narrative_saved_screen(new, q), current=True))
        return outs

    async def narrative_done(
        self, who: Person, state: ChatState, ret: ReturnPublic, key: str, newest_left: bool = False
    ) -> list[Out]:
        """Done on an ack: close the pressed one and move on. `newest_left`: an earlier ack was
        pressed, so the newest one's Done comes off too (it would only be out of date)."""
        if key not in ret.answers:
            return [Toast(texts.WRITE_FIRST)]
        length = len(ret.answers[key] or "")
        state.qkey, state.step = key, Step.question
        outs: list[Out] = [Edit(Screen(texts.NARRATIVE_PART_SAVED.format(length=length)))]
        if newest_left:
            outs.append(Clear())
        return outs + await self.cases.carry_on(who, state, ret)

    @staticmethod
    def earlier_ack(
        state: ChatState, prefix: str, parts: list[str], message_id: int | None
    ) -> bool:
        """Done pressed on an earlier ack of the narrative being written."""
        return (
            prefix == Kind.done
            and message_id in state.acks
            and state.step == Step.narrative
            and parts[:2] == [str(state.rid), state.qkey]
        )

    @staticmethod
    def stale_ack(state: ChatState, prefix: str, parts: list[str]) -> list[Out] | None:
        """Done on an ack of a narrative that is over: nothing runs again, its keyboard goes.

        Only while the bot knows the current screen: after a restart the usual stale answer,
        which shows where the auditor is now, is what helps."""
        if prefix != Kind.done or len(parts) < 3 or not parts[2].isdigit():
            return None
        if state.screen is None:
            return None
        closed = Screen(texts.NARRATIVE_PART_SAVED.format(length=int(parts[2])))
        return [Toast(texts.STALE_BUTTON_TOAST), Edit(closed)]
