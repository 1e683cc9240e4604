"""Narratives typed across several messages: each part is stored as it comes and acknowledged.

The first part turns the question into its answered form and sends an ack ("Saved (N of MAX
characters)… Done"); every later part sends only a new ack. Earlier acks keep their Done button:
editing them as well would make each part cost two Bot API messages, and a bot gets about 30 a
second across all its chats. A Done left behind finishes the narrative while it is still being
written; once it is over, pressing one changes nothing. No telegram import.
"""

from bot import flow, texts
from bot.flow import Screen
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
    Send,
    Toast,
)
from models.screening import describe
from models.tool import AnswerInvalid, AuditTool, TextQuestion, load_tool

MAX_ACKS = 50  # acks remembered per narrative; an older one's Done just goes stale


class NarrativeChat:
    """Typed text and narrative acks; a part of AuditChat (which provides save, current, ...)."""

    # ---- typed text
    async def text(self, who: Person, state: dict, text: str) -> list[Out]:
        """A typed message: part of a narrative, or a gentle pointer to what to do."""
        if state.get(PENDING):
            pending = state[PENDING]
            if pending["then"] == "narrative" and state.get(MODE) != flow.MODE_REVIEW:
                tool = load_tool(state[RET]["tool_version"])
                try:
                    pending["value"] = flow.narrative(
                        tool.question(pending["key"]), pending["value"], text
                    )
                except flow.IdentifiersFound as exc:
                    return [Send(Screen(describe(exc.findings)))]
                except AnswerInvalid as exc:
                    return [Send(Screen(exc.message))]
            return await self.retry(who, state)
        mode, key, ret = state.get(MODE), state.get(QKEY), state.get(RET)
        if not ret or mode is None:
            await self.client.me(who.telegram_id)  # not enrolled → handled by the caller
            return [Send(Screen(texts.IDLE_TEXT))]
        tool = load_tool(ret["tool_version"])
        q = tool.question(key) if key else None
        if not isinstance(q, TextQuestion) or mode not in (flow.MODE_QUESTION, flow.MODE_NARRATIVE):
            return [Send(Screen(texts.USE_BUTTONS))]
        ret = await self.current(who, state, ret["id"])
        so_far = ret.get("answers", {}).get(key) if mode == flow.MODE_NARRATIVE else None
        try:
            value = flow.narrative(q, so_far, text)
        except flow.IdentifiersFound as exc:
            return [Send(Screen(describe(exc.findings)))]
        except AnswerInvalid as exc:
            if exc.code == "too_long" and so_far:
                length = len(so_far) + len(text.strip()) + 2
                return [Send(Screen(texts.NARRATIVE_FULL.format(length=length, max=q.max_length)))]
            return [Send(Screen(exc.message))]
        return await self.save(who, state, ret, key, value, then="narrative")

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
