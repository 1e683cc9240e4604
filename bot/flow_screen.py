"""Buttons on the screen an auditor is on: a question's, an ack's, the review's.

A button counts only while its screen is the current one (`fresh`); an older one is said to be
out of date and changes nothing. No telegram import.
"""

from bot import flow, texts
from bot.flow import Screen
from bot.flow_cases import Cases
from bot.flow_chat import Auditing
from bot.flow_narrative import Narratives
from bot.flow_out import Clear, Edit, Out, Person, Send, Toast
from bot.once import Once
from bot.state import ChatState, Step
from models.buttons import QUESTION_KINDS, Kind, Press
from models.tool import MultichoiceQuestion, load_tool


class Screens:
    """The buttons of the current screen, each handed to the part that does its job."""

    def __init__(self, cases: Cases, auditing: Auditing, narratives: Narratives) -> None:
        self.cases, self.auditing, self.narratives = cases, auditing, narratives

    async def screen_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """A button of the screen on show (a question, an ack, the review): only while it is."""
        prefix, parts = press.kind, list(press.parts)
        if self.narratives.earlier_ack(state, prefix, parts, message_id):
            ret = await self.cases.current(who, state, int(parts[0]))
            return await self.narratives.narrative_done(who, state, ret, parts[1], newest_left=True)
        if not await self.fresh(who, state, prefix, parts, message_id):
            if not await once.first():
                return []  # an answer pressed before, delivered again: it had its effect
            left_over = self.narratives.stale_ack(state, prefix, parts)
            return left_over or await self.cases.stale(who, state, int(parts[0]))
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
        ret = await self.cases.load(who, state, int(parts[0]))
        if prefix in (Kind.edit, Kind.submit, Kind.confirm, Kind.not_yet):
            return ret.next_question is None or prefix == Kind.edit
        return len(parts) > 1 and parts[1] == ret.next_question

    async def screen_button(
        self,
        who: Person,
        state: ChatState,
        prefix: str,
        parts: list[str],
        once: Once | None = None,
    ) -> list[Out]:
        """A button on the current screen; an answer's write carries the update (`once`)."""
        rid = int(parts[0])
        known = state.ret
        if prefix in (Kind.answer, Kind.reason) and known is not None and known.id == rid:
            # No read first: the tool version never changes, the collector checks the write
            # against the stored return, and the PUT's answer is the fresh return.
            ret = known
        else:
            ret = await self.cases.current(who, state, rid)
        tool = load_tool(ret.tool_version)
        key = parts[1] if len(parts) > 1 else None
        q = tool.question(key) if key else None
        if key and q is None:
            return [Toast(texts.STALE_BUTTON_TOAST)]
        if prefix == Kind.answer:
            value = flow.button_value(q, parts[2])
            if value is flow.NEEDS_REASON:
                state.rid, state.qkey, state.step = rid, key, Step.reason
                return [Edit(flow.reason_screen(tool, ret, key))]
            return await self.auditing.save(who, state, ret, key, value, once=once)
        if prefix == Kind.reason:
            reason = flow.reason_value(parts[2])
            return await self.auditing.save(who, state, ret, key, reason, once=once)
        if prefix == Kind.grades:
            state.rid, state.qkey, state.step = rid, key, Step.question
            return [Edit(flow.question_screen(tool, ret, key))]
        if prefix == Kind.toggle:
            current = state.selected if state.qkey == key else None
            if current is None:
                current = ret.answers.get(key) or []
            state.rid, state.qkey, state.step = rid, key, Step.question
            state.selected = flow.toggle(q, current, parts[2])
            return [Edit(flow.question_screen(tool, ret, key, selected=state.selected))]
        if prefix == Kind.done:
            if isinstance(q, MultichoiceQuestion):
                chosen = state.selected if state.qkey == key else None
                if chosen is None:
                    chosen = ret.answers.get(key) or []
                return await self.auditing.save(who, state, ret, key, chosen)
            return await self.narratives.narrative_done(who, state, ret, key)
        if prefix == Kind.skip:
            if q.required:
                return [Toast(texts.CANNOT_SKIP), Send(Screen(texts.CANNOT_SKIP))]
            return await self.auditing.save(who, state, ret, key, None)
        if prefix == Kind.keep:
            state.qkey = key
            return [
                Edit(flow.answered_screen(tool, ret, key)),
                *await self.cases.carry_on(who, state, ret),
            ]
        if prefix == Kind.edit:
            state.after_review = True
            return [Clear(), *self.cases.ask(state, ret, key)]
        agency = await self.cases.agency_name(who, state)
        if prefix == Kind.submit:
            state.rid, state.qkey, state.step = rid, None, Step.confirm
            return [Edit(flow.confirm_screen(ret, agency))]
        if prefix == Kind.not_yet:
            state.rid, state.qkey, state.step = rid, None, Step.review
            return [Edit(flow.review_screen(tool, ret, agency))]
        if prefix == Kind.confirm:
            return await self.auditing.submit(who, state, ret)
        return [Toast(texts.STALE_BUTTON_TOAST)]
