"""Where an auditor stands in a case: read the return, put the right screen up, say refusals.

Every other part of the audit conversation goes through `Cases` to read a return and to show
the question or the review that comes next. Where an auditor stands comes from the collector
(`ReturnPublic.next_question`); `state` only holds what is on screen, so a restarted or second
bot carries on with nothing lost. No telegram import.
"""

import logging

from bot import flow, texts
from bot.client import CollectorClient, CollectorError, CollectorUnavailable
from bot.flow import Screen
from bot.flow_out import Clear, Out, Person, Send, Toast
from bot.state import ChatState, Step
from models.returns import ReturnPublic
from models.screening import Finding, describe
from models.tool import AuditTool, load_tool

log = logging.getLogger(__name__)

VALIDATION = {
    "invalid_answer",
    "invalid_grade",
    "reason_required",
    "invalid_choice",
    "too_long",
    "too_short",
    "unknown_question",
}


async def query_open(client: CollectorClient, who: Person, rid: int, key: str) -> bool:
    """Whether a moderation query is open on this answer (the collector's thread says)."""
    queries = await client.request("GET", f"/api/returns/{rid}/queries", who.telegram_id)
    return any(q["question"] == key and q["status"] == "open" for q in queries)


class Cases:
    """The return an auditor works on, and the screen that shows where it stands."""

    def __init__(self, client: CollectorClient) -> None:
        self.client = client

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

    async def in_case(self, who: Person, state: ChatState) -> tuple[ReturnPublic, AuditTool] | None:
        """The return on screen, read afresh, with its tool; None outside a case."""
        rid = state.rid
        if not rid:
            return None
        ret = await self.load(who, state, rid)
        return ret, load_tool(ret.tool_version)

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
            changing, key = state.query_edit, state.qkey
            state.forget_case()
            if changing and key:
                return [Send(Screen(await self.query_outcome(who, ret, key)))]
            return [Send(Screen(texts.ALREADY_SUBMITTED.format(case=ret.case)))]
        if state.after_review or ret.next_question is None:
            return await self.review(who, state, ret)
        return self.ask(state, ret, ret.next_question)

    async def query_outcome(self, who: Person, ret: ReturnPublic, key: str) -> str:
        """After a queried answer was asked again: whether the collector counts the query as
        answered (a changed answer answers it; an unchanged one leaves it open)."""
        from bot import texts_moderation as words  # the moderation texts are the chat's own

        title = load_tool(ret.tool_version).question(key).title
        still_open = await query_open(self.client, who, ret.id, key)
        template = words.UNCHANGED if still_open else words.CHANGED
        return template.format(question=title, case=ret.case)

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

    @staticmethod
    def refused(
        exc: CollectorError, state: ChatState, ret: ReturnPublic | None = None
    ) -> list[Out]:
        """A collector refusal in the auditor's words."""
        if exc.code == "identifiers_found":
            found = [Finding(**f) for f in exc.extra.get("findings", [])]
            return [Send(Screen(describe(found)))]
        if exc.code == "return_submitted":
            state.forget_case()
            return [Send(Screen(texts.ALREADY_SUBMITTED.format(case=ret.case if ret else "")))]
        if exc.code == "round_not_open":
            return [Send(Screen(texts.ROUND_CLOSED))]
        if exc.code == "not_enrolled":
            return [Send(Screen(texts.NOT_ENROLLED))]
        if exc.code == "member_disabled":
            return [Send(Screen(texts.MEMBER_DISABLED))]
        if exc.code in ("forbidden", "not_found"):
            state.forget_case()
            return [Send(Screen(texts.NOT_YOUR_CASE))]
        if exc.code in VALIDATION:
            return [Send(Screen(exc.message))]
        log.warning("collector refused: %s", exc.code)
        return [Send(Screen(texts.SOMETHING_WRONG))]
