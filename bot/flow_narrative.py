"""Narratives typed across several messages: each part is stored as it comes and acknowledged.

The first part turns the question into its answered form and sends an ack ("Saved (N of MAX
characters)… Done"); every later part sends only a new ack. Earlier acks keep their Done button:
editing them as well would make each part cost two Bot API messages, and a bot gets about 30 a
second across all its chats. A Done left behind finishes the narrative while it is still being
written; once it is over, pressing one changes nothing. No telegram import.
"""

from typing import Any

from bot import flow, texts
from bot.client import CollectorError, CollectorUnavailable
from bot.flow import Button, Screen
from bot.flow_out import (
    ACKS,
    MODE,
    PENDING,
    QKEY,
    RET,
    RID,
    SCREEN,
    Clear,
    Edit,
    Out,
    Person,
    RetryLater,
    Send,
    Toast,
)
from models.screening import Finding, describe, describe_names, screen
from models.tool import AuditTool, TextQuestion, load_tool

PART = "part"  # a kept narrative part (state[PENDING]["then"])
NAMES = "names_warned"  # state key: parts held back by the name warning, until a choice
SENDING = "sending_parts"  # state key: kept parts are being stored right now
MAX_ACKS = 50  # acks remembered per narrative; an older one's Done just goes stale


def retry_screen() -> Screen:
    return Screen(texts.NOT_SAVED, [[Button(texts.BTN_RETRY, flow.pack(flow.CB_RETRY))]])


def names_screen(exc: CollectorError) -> Screen:
    """The collector's name warning, with the author's two choices."""
    found = [Finding(**f) for f in exc.extra.get("findings", [])]
    send = Button(texts.BTN_SEND_AS_IS, flow.pack(flow.CB_NAMES, "s"))
    rewrite = Button(texts.BTN_REWRITE, flow.pack(flow.CB_NAMES, "r"))
    return Screen(describe_names(found) if found else exc.message, [[send, rewrite]])


class NarrativeChat:
    """Typed text and narrative acks; a part of AuditChat (which provides save, current, ...)."""

    # ---- typed text
    async def first_time(self, update_id: int | None) -> bool:
        """False for a Telegram update handled before (the handlers leave typed text to us)."""
        if update_id is None:  # the console: no updates to repeat
            return True
        try:
            return await self.client.mark_update(update_id)
        except (CollectorUnavailable, CollectorError):
            return True  # cannot tell: a repeated pointer is better than none

    async def text(
        self, who: Person, state: dict, text: str, update_id: int | None = None
    ) -> list[Out]:
        """A typed message: part of a narrative, or a gentle pointer to what to do."""
        mode, key, ret = state.get(MODE), state.get(QKEY), state.get(RET)
        pending = state.get(PENDING)
        kept = bool(pending) and pending["then"] == PART and mode == flow.MODE_NARRATIVE
        asked = (
            not pending
            and ret is not None
            and mode in (flow.MODE_QUESTION, flow.MODE_NARRATIVE)
            and isinstance(load_tool(ret["tool_version"]).question(key or ""), TextQuestion)
        )
        findings = screen(text) if kept or asked else []  # identifiers are never sent anywhere
        if kept or asked:
            state.pop(NAMES, None)  # typed again after a name warning: that is the rewrite
        if not (kept or asked) or findings:
            # Nothing will be written, so the update is de-duplicated here, before the reply.
            if not await self.first_time(update_id):
                return []
            if findings:
                return [Send(Screen(describe(findings)))]
            if pending:
                return await self.retry(who, state)
            if not ret or mode is None:
                await self.client.me(who.telegram_id)  # not enrolled → handled by the caller
                return [Send(Screen(texts.IDLE_TEXT))]
            return [Send(Screen(texts.USE_BUTTONS))]
        if kept:
            pending["parts"].append([text, update_id, False])  # in order behind the kept ones
            return await self.retry(who, state)
        # The first message answers the question afresh (it may be asked again from the
        # review); later ones are joined to it by the collector, in one write with the update's
        # de-duplication.
        fresh = mode != flow.MODE_NARRATIVE
        return await self.send_parts(who, state, ret, key, [[text, update_id, fresh]])

    async def send_parts(
        self,
        who: Person,
        state: dict,
        ret: dict,
        key: str,
        parts: list[list[Any]],
        retrying: bool = False,
    ) -> list[Out]:
        """Store the parts in order; keep the rest (and say so) if the collector is away."""
        if state.get(SENDING):
            # The retry job and a new message can both get here: one sender keeps the order,
            # and it takes the parts added to the kept list while it works.
            return []
        state[SENDING] = True
        try:
            return await self._send_parts(who, state, ret, key, parts, retrying)
        finally:
            state.pop(SENDING, None)

    async def _send_parts(
        self,
        who: Person,
        state: dict,
        ret: dict,
        key: str,
        parts: list[list[Any]],
        retrying: bool,
    ) -> list[Out]:
        new = None
        while parts:
            text, update_id, fresh, *confirmed = parts[0]  # confirmed: [True] after the warning
            try:
                got = await self.client.add_part(
                    who.telegram_id, ret["id"], key, text, update_id, fresh, names_ok=any(confirmed)
                )
            except CollectorUnavailable:
                state[PENDING] = {"rid": ret["id"], "key": key, "then": PART, "parts": parts}
                if retrying:
                    return [
                        Send(Screen(texts.STILL_NOT_SAVED, retry_screen().buttons)),
                        RetryLater(),
                    ]
                return [Send(retry_screen()), RetryLater()]
            except CollectorError as exc:
                state.pop(PENDING, None)
                if exc.code == "names_found":
                    # Held here, in this chat only, until the author chooses; never logged.
                    state[NAMES] = {"rid": ret["id"], "key": key, "parts": parts}
                    return [Send(names_screen(exc))]
                return self.part_refused(exc, state, ret)
            parts.pop(0)
            if not got.get("repeat"):
                new = got
        state.pop(PENDING, None)
        if new is None:  # a redelivered update: it was answered the first time
            return []
        outs = await self.after_save(who, state, ret, new, key, "narrative")
        if retrying:  # no message was just typed to answer: take buttons off instead of editing
            return [
                Send(Screen(texts.SAVED_NOW)),
                *(Clear() if isinstance(o, Edit) else o for o in outs),
            ]
        return outs

    async def retry_parts(self, who: Person, state: dict) -> list[Out]:
        """Try again to store the narrative parts being kept."""
        pending = state[PENDING]
        ret = state.get(RET) or {"id": pending["rid"]}
        return await self.send_parts(
            who, state, ret, pending["key"], pending["parts"], retrying=True
        )

    async def names_choice(self, who: Person, state: dict, choice: str) -> list[Out]:
        """The author's choice under a name warning: "Send as it is" (s) or "Rewrite" (r)."""
        held = state.pop(NAMES, None)
        if held is None:
            return [Toast(texts.STALE_BUTTON_TOAST), Edit(Screen(texts.NAMES_GONE))]
        if choice != "s":
            return [Edit(Screen(texts.NAMES_REWRITE))]
        parts = [[*p[:3], True] for p in held["parts"]]
        ret = state.get(RET) if (state.get(RET) or {}).get("id") == held["rid"] else None
        outs = await self.send_parts(who, state, ret or {"id": held["rid"]}, held["key"], parts)
        if state.get(NAMES) or state.get(PENDING):  # refused again, or the collector is away
            return [Edit(Screen(texts.NAMES_KEPT)), *outs]
        # The pressed message is the warning: the question's own screen loses its buttons
        # instead of being edited in place.
        return [
            Edit(Screen(texts.NAMES_KEPT)),
            *(Clear() if isinstance(o, Edit) else o for o in outs),
        ]

    def part_refused(self, exc: CollectorError, state: dict, ret: dict) -> list[Out]:
        if exc.code == "too_long" and "length" in exc.extra:
            full = texts.NARRATIVE_FULL.format(length=exc.extra["length"], max=exc.extra["max"])
            return [Send(Screen(full))]
        return self.refused(exc, state, ret)

    # ---- acks
    @staticmethod
    def part_saved(state: dict, tool: AuditTool, old: dict, new: dict, key: str) -> list[Out]:
        """After a part is stored: the first one answers the question, each one gets an ack."""
        q = tool.question(key)
        outs: list[Out] = []
        so_far = old.get("answers", {}).get(key)
        if state.get(MODE) == flow.MODE_NARRATIVE and so_far is not None:
            if state.get(SCREEN) is not None:  # the ack on screen becomes an earlier one
                state[ACKS] = [*state.get(ACKS, []), state[SCREEN]][-MAX_ACKS:]
        else:
            if flow.question_screen(tool, old, key).buttons:
                # Skip or Keep would be wrong now. A question without buttons is left as it was
                # asked: the ack says what was saved, and this turn costs one Bot API call.
                outs.append(Edit(flow.answered_screen(tool, new, key)))
            state[ACKS] = []
        state.update({RID: new["id"], QKEY: key, MODE: flow.MODE_NARRATIVE})
        outs.append(Send(flow.narrative_saved_screen(new, q), current=True))
        return outs

    async def narrative_done(
        self, who: Person, state: dict, ret: dict, key: str, newest_left: bool = False
    ) -> list[Out]:
        """Done on an ack: close the pressed one and move on. `newest_left`: an earlier ack was
        pressed, so the newest one's Done comes off too (it would only be out of date)."""
        if key not in ret.get("answers", {}):
            return [Toast(texts.WRITE_FIRST)]
        length = len(ret["answers"][key] or "")
        state.update({QKEY: key, MODE: flow.MODE_QUESTION})
        outs: list[Out] = [Edit(Screen(texts.NARRATIVE_PART_SAVED.format(length=length)))]
        if newest_left:
            outs.append(Clear())
        return outs + await self.carry_on(who, state, ret)

    @staticmethod
    def earlier_ack(state: dict, prefix: str, parts: list[str], message_id: int | None) -> bool:
        """Done pressed on an earlier ack of the narrative being written."""
        return (
            prefix == flow.CB_DONE
            and message_id in state.get(ACKS, ())
            and state.get(MODE) == flow.MODE_NARRATIVE
            and parts[:2] == [str(state.get(RID)), state.get(QKEY)]
        )

    @staticmethod
    def stale_ack(state: dict, prefix: str, parts: list[str]) -> list[Out] | None:
        """Done on an ack of a narrative that is over: nothing runs again, its keyboard goes.

        Only while the bot knows the current screen: after a restart the usual stale answer,
        which shows where the auditor is now, is what helps."""
        if prefix != flow.CB_DONE or len(parts) < 3 or not parts[2].isdigit():
            return None
        if state.get(SCREEN) is None:
            return None
        closed = Screen(texts.NARRATIVE_PART_SAVED.format(length=int(parts[2])))
        return [Toast(texts.STALE_BUTTON_TOAST), Edit(closed)]
