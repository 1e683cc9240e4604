"""Answering a case: storing answers (kept while the collector is away), typed text, submit.

No telegram import. Where the auditor goes after an answer comes from `Cases`; narratives in
parts from `Narratives`.
"""

import logging
from typing import Any

from bot import flow, texts
from bot.client import CollectorClient, CollectorError, CollectorUnavailable
from bot.flow import Screen
from bot.flow_cases import Cases
from bot.flow_narrative import Narratives, retry_screen
from bot.flow_out import Clear, Deliver, Edit, Out, Person, RetryLater, Send
from bot.once import Once
from bot.state import ChatState, KeptAnswer, KeptParts, Part, Step, Then
from models.returns import AnswerResult, ReturnPublic
from models.screening import describe, screen
from models.tool import TextQuestion, load_tool

log = logging.getLogger(__name__)

NEXT, SEND = Then.next, Then.send


class Auditing:
    """One auditor's answers to a case: each stored once, and what they see after it."""

    def __init__(self, client: CollectorClient, cases: Cases, narratives: Narratives) -> None:
        self.client, self.cases, self.narratives = client, cases, narratives

    # ---- typed text
    async def typed(self, who: Person, state: ChatState, text: str, once: Once) -> list[Out]:
        """A typed message: part of a narrative, or a gentle pointer to what to do."""
        step, key, ret, kept = state.step, state.qkey, state.ret, state.kept
        more = isinstance(kept, KeptParts) and step == Step.narrative
        asked = (
            kept is None
            and ret is not None
            and step in (Step.question, Step.narrative)
            and isinstance(load_tool(ret.tool_version).question(key or ""), TextQuestion)
        )
        if more or asked:
            state.held = None  # typed again after a name warning: that is the rewrite
        findings = screen(text) if more or asked else []  # identifiers are never sent anywhere
        if not (more or asked) or findings:
            # Nothing will be written, so the update is de-duplicated here, before the reply.
            if not await once.first():
                return []
            if findings:
                return [Send(Screen(describe(findings)))]
            if kept is not None:
                return await self.retry(who, state)
            if ret is None or step is None:
                await self.client.me(who.telegram_id)  # not enrolled → handled by the caller
                return [Send(Screen(texts.IDLE_TEXT))]
            return [Send(Screen(texts.USE_BUTTONS))]
        if isinstance(kept, KeptParts):
            kept.parts.append(Part(text, once.in_write(), False))  # in order behind the kept ones
            return await self.retry(who, state)
        assert ret is not None and key is not None
        # The first message answers the question afresh (it may be asked again from the
        # review); later ones are joined to it by the collector, in one write with the update's
        # de-duplication.
        fresh = step != Step.narrative
        return await self.narratives.send_parts(
            who, state, ret, key, [Part(text, once.in_write(), fresh)]
        )

    # ---- saving
    async def save(
        self,
        who: Person,
        state: ChatState,
        ret: ReturnPublic,
        key: str,
        value: Any,
        then: Then = Then.next,
        once: Once | None = None,
    ) -> list[Out]:
        """Store one answer; keep it (and say so) if the collector can't be reached. `once`:
        the update that carries it, de-duplicated in this write."""
        update_id = once.in_write() if once is not None else None
        try:
            new = await self.client.put_answer(who.telegram_id, ret.id, key, value, update_id)
        except CollectorUnavailable:
            state.kept = KeptAnswer(ret.id, key, value, then)
            return [Send(retry_screen()), RetryLater()]
        except CollectorError as exc:
            return self.cases.refused(exc, state, ret)
        state.kept = None
        if new.repeat:  # a redelivered press: it was answered the first time
            return []
        return await self.after_save(who, state, ret, new, key, then)

    async def after_save(
        self,
        who: Person,
        state: ChatState,
        old: ReturnPublic,
        new: AnswerResult,
        key: str,
        then: Then,
        *,
        fold: bool = True,
    ) -> list[Out]:
        """What the auditor sees once an answer is stored.

        A button answer (`then` "next") edits the pressed question into the next screen, with
        the answer on top: one Bot API message per turn instead of two, which is what a bot
        held to ~30 messages a second across all its chats can afford. Not when an alert goes
        out (its confirmation comes between the answer and what follows), when what follows is
        not a new current screen, or with `fold=False` (no pressed message: a retry) or `then`
        SEND (a typed /skip: the next screen comes as a new message, under the command)."""
        tool = load_tool(new.tool_version)
        state.ret = new
        answered = Edit(flow.answered_screen(tool, new, key))
        if new.alert:
            return [
                answered,
                *await self.alert(who, new),
                *await self.cases.carry_on(who, state, new),
            ]
        after = await self.cases.carry_on(who, state, new)
        if fold and then == NEXT and len(after) == 1:
            step = after[0]
            if isinstance(step, Send) and step.current:
                return [Edit(flow.answered_then(tool, new, key, step.screen), current=True)]
        return [answered, *after]

    async def alert(self, who: Person, ret: ReturnPublic) -> list[Out]:
        """What the collector stored with the answer, said as it is: queued to whom (and the
        sender woken to deliver it), or that nobody can be reached and what to do now."""
        alert = ret.alert
        told: list[Out] = [Send(Screen(alert.message))]
        return [*told, Deliver()] if alert.deliverable else told

    async def retry(self, who: Person, state: ChatState) -> list[Out]:
        """Try again to store the answer that is being kept."""
        kept = state.kept
        if kept is None:
            return []
        if isinstance(kept, KeptParts):
            return await self.narratives.retry_parts(who, state, kept)
        try:
            new = await self.client.put_answer(who.telegram_id, kept.rid, kept.key, kept.value)
        except CollectorUnavailable:
            return [Send(Screen(texts.STILL_NOT_SAVED, retry_screen().buttons)), RetryLater()]
        except CollectorError as exc:
            state.kept = None
            return self.cases.refused(exc, state, state.ret)
        state.kept = None
        outs: list[Out] = [Send(Screen(texts.SAVED_NOW))]
        old = state.ret if state.ret is not None and state.ret.id == kept.rid else new
        rest = await self.after_save(who, state, old, new, kept.key, kept.then, fold=False)
        return outs + [o if not isinstance(o, Edit) else Clear() for o in rest]

    async def submit(self, who: Person, state: ChatState, ret: ReturnPublic) -> list[Out]:
        try:
            await self.client.submit(who.telegram_id, ret.id)
        except CollectorError as exc:
            if exc.code == "incomplete":
                tool = load_tool(ret.tool_version)
                titles = ", ".join(tool.question(k).title for k in exc.extra.get("missing", []))
                fresh = await self.cases.load(who, state, ret.id)
                return [
                    Edit(Screen(texts.INCOMPLETE.format(titles=titles))),
                    *await self.cases.review(who, state, fresh),
                ]
            return self.cases.refused(exc, state, ret)
        state.forget_case()
        return [Edit(Screen(texts.SUBMITTED.format(case=ret.case)))]
