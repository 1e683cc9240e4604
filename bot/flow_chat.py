"""The auditor's conversation, channel-agnostic: events in, `Out` steps back. No telegram import.

Where an auditor stands comes from the collector (`ReturnPublic.next_question`); `state` only
holds what is on screen, so a restarted or second bot carries on with nothing lost.
"""

import logging
from typing import Any

from bot import flow, texts
from bot.client import CollectorClient, CollectorError, CollectorUnavailable
from bot.flow import Screen
from bot.flow_narrative import NarrativeChat, retry_screen
from bot.flow_out import Clear, Deliver, Edit, Out, Person, RetryLater, Send, Throttle, Toast
from bot.once import Once
from bot.state import ChatState, KeptAnswer, KeptParts, Step, Then
from models.buttons import Kind
from models.returns import AnswerResult, ReturnPublic
from models.screening import Finding, describe
from models.tool import MultichoiceQuestion, load_tool

log = logging.getLogger(__name__)

NEXT, SEND = Then.next, Then.send

VALIDATION = {
    "invalid_answer",
    "invalid_grade",
    "reason_required",
    "invalid_choice",
    "too_long",
    "too_short",
    "unknown_question",
}


class AuditChat(NarrativeChat):
    """Answering: buttons, typed narratives, review and submit."""

    def __init__(self, client: CollectorClient) -> None:
        self.client = client
        self.throttle = Throttle()

    # ---- helpers
    def forget_case(self, state: ChatState) -> None:
        state.forget_case()

    async def agency_name(self, who: Person, state: ChatState) -> str:
        if not state.agency:
            me = await self.client.me(who.telegram_id)
            state.agency = me.get("agency_name") or me.get("agency") or ""
        return state.agency

    async def load(self, who: Person, state: ChatState, rid: int) -> ReturnPublic:
        ret = await self.client.get_return(who.telegram_id, rid)
        state.ret = ret
        return ret

    async def current(self, who: Person, state: ChatState, rid: int) -> ReturnPublic:
        """The return, fresh if the collector answers, else as last seen (to keep an answer)."""
        try:
            return await self.load(who, state, rid)
        except CollectorUnavailable:
            if state.ret is not None and state.ret.id == rid:
                return state.ret
            raise

    def ask(self, state: ChatState, ret: ReturnPublic, key: str) -> list[Out]:
        tool = load_tool(ret.tool_version)
        state.rid, state.qkey, state.step, state.ret = ret.id, key, Step.question, ret
        state.selected, state.acks = None, []
        return [Send(flow.question_screen(tool, ret, key), current=True)]

    async def review(self, who: Person, state: ChatState, ret: ReturnPublic) -> list[Out]:
        tool = load_tool(ret.tool_version)
        state.rid, state.qkey, state.step, state.ret = ret.id, None, Step.review, ret
        state.after_review, state.acks = False, []
        agency = await self.agency_name(who, state)
        return [Send(flow.review_screen(tool, ret, agency), current=True)]

    async def carry_on(self, who: Person, state: ChatState, ret: ReturnPublic) -> list[Out]:
        """Where the auditor goes next: the next unanswered question, or the review."""
        if ret.status == "submitted":
            self.forget_case(state)
            return [Send(Screen(texts.ALREADY_SUBMITTED.format(case=ret.case)))]
        if state.after_review or ret.next_question is None:
            return await self.review(who, state, ret)
        return self.ask(state, ret, ret.next_question)

    def refused(
        self, exc: CollectorError, state: ChatState, ret: ReturnPublic | None = None
    ) -> list[Out]:
        """A collector refusal in the auditor's words."""
        if exc.code == "identifiers_found":
            found = [Finding(**f) for f in exc.extra.get("findings", [])]
            return [Send(Screen(describe(found)))]
        if exc.code == "return_submitted":
            self.forget_case(state)
            return [Send(Screen(texts.ALREADY_SUBMITTED.format(case=ret.case if ret else "")))]
        if exc.code == "round_not_open":
            return [Send(Screen(texts.ROUND_CLOSED))]
        if exc.code == "not_enrolled":
            return [Send(Screen(texts.NOT_ENROLLED))]
        if exc.code == "member_disabled":
            return [Send(Screen(texts.MEMBER_DISABLED))]
        if exc.code in ("forbidden", "not_found"):
            self.forget_case(state)
            return [Send(Screen(texts.NOT_YOUR_CASE))]
        if exc.code in VALIDATION:
            return [Send(Screen(exc.message))]
        log.warning("collector refused: %s", exc.code)
        return [Send(Screen(texts.SOMETHING_WRONG))]

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
            return self.refused(exc, state, ret)
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
        if then == Then.narrative:
            return self.part_saved(state, tool, old, new, key)
        answered = Edit(flow.answered_screen(tool, new, key))
        if new.alert:
            return [answered, *await self.alert(who, new), *await self.carry_on(who, state, new)]
        after = await self.carry_on(who, state, new)
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
            return await self.retry_parts(who, state, kept)
        try:
            new = await self.client.put_answer(who.telegram_id, kept.rid, kept.key, kept.value)
        except CollectorUnavailable:
            return [Send(Screen(texts.STILL_NOT_SAVED, retry_screen().buttons)), RetryLater()]
        except CollectorError as exc:
            state.kept = None
            return self.refused(exc, state, state.ret)
        state.kept = None
        outs: list[Out] = [Send(Screen(texts.SAVED_NOW))]
        old = state.ret if state.ret is not None and state.ret.id == kept.rid else new
        rest = await self.after_save(who, state, old, new, kept.key, kept.then, fold=False)
        return outs + [o if not isinstance(o, Edit) else Clear() for o in rest]

    # ---- buttons on the current screen
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
            ret = await self.current(who, state, rid)
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
            return await self.save(who, state, ret, key, value, once=once)
        if prefix == Kind.reason:
            reason = flow.reason_value(parts[2])
            return await self.save(who, state, ret, key, reason, once=once)
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
                return await self.save(who, state, ret, key, chosen)
            return await self.narrative_done(who, state, ret, key)
        if prefix == Kind.skip:
            if q.required:
                return [Toast(texts.CANNOT_SKIP), Send(Screen(texts.CANNOT_SKIP))]
            return await self.save(who, state, ret, key, None)
        if prefix == Kind.keep:
            state.qkey = key
            return [
                Edit(flow.answered_screen(tool, ret, key)),
                *await self.carry_on(who, state, ret),
            ]
        if prefix == Kind.edit:
            state.after_review = True
            return [Clear(), *self.ask(state, ret, key)]
        agency = await self.agency_name(who, state)
        if prefix == Kind.submit:
            state.rid, state.qkey, state.step = rid, None, Step.confirm
            return [Edit(flow.confirm_screen(ret, agency))]
        if prefix == Kind.not_yet:
            state.rid, state.qkey, state.step = rid, None, Step.review
            return [Edit(flow.review_screen(tool, ret, agency))]
        if prefix == Kind.confirm:
            return await self.submit(who, state, ret)
        return [Toast(texts.STALE_BUTTON_TOAST)]

    async def submit(self, who: Person, state: ChatState, ret: ReturnPublic) -> list[Out]:
        try:
            await self.client.submit(who.telegram_id, ret.id)
        except CollectorError as exc:
            if exc.code in ("incomplete", "cross_check"):
                tool = load_tool(ret.tool_version)
                titles = ", ".join(tool.question(k).title for k in exc.extra.get("missing", []))
                if exc.code == "cross_check":  # the answers changed since the review
                    fresh = await self.load(who, state, ret.id)
                    return [Clear(), *await self.review(who, state, fresh)]
                fresh = await self.load(who, state, ret.id)
                return [
                    Edit(Screen(texts.INCOMPLETE.format(titles=titles))),
                    *await self.review(who, state, fresh),
                ]
            return self.refused(exc, state, ret)
        self.forget_case(state)
        return [Edit(Screen(texts.SUBMITTED.format(case=ret.case)))]
