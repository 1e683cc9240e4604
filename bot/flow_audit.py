"""The auditor's commands: /audit, /status, /resume, /back, /skip, /cancel; and picking a case.

No telegram import.
"""

from bot import flow, flow_views, texts
from bot.client import CollectorClient, CollectorError
from bot.flow import Screen
from bot.flow_cases import Cases
from bot.flow_chat import SEND, Auditing
from bot.flow_out import Clear, Out, Person, Send
from bot.flow_rounds import Rounds
from bot.state import ChatState, Step


class AuditCommands:
    """Finding a case to audit, and moving about in it by command."""

    def __init__(
        self, client: CollectorClient, cases: Cases, auditing: Auditing, rounds: Rounds
    ) -> None:
        self.client, self.cases, self.auditing, self.rounds = client, cases, auditing, rounds

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

    async def audit(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        try:
            found = await self.my_rounds(who)
        except _AuditorsOnly:
            return [Send(Screen(texts.AUDITORS_ONLY))]
        if not found:
            return [Send(Screen(texts.NO_OPEN_ROUND))]
        return [Send(flow_views.case_list_screen(r, a)) for r, a in found]

    async def status(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        try:
            found = await self.my_rounds(who)
        except _AuditorsOnly:
            return [Send(Screen(texts.AUDITORS_ONLY))]
        if not found:
            return [Send(Screen(texts.NO_OPEN_ROUND))]
        return [Send(Screen(flow_views.status_text(r, a))) for r, a in found]

    async def pick_case(self, who: Person, state: ChatState, round_id: int, case: str) -> list[Out]:
        round_ = await self.rounds.round_by_id(who, round_id)
        if round_ is None:
            return [Send(Screen(texts.NO_OPEN_ROUND))]
        ret = await self.client.open_return(who.telegram_id, round_["slug"], case)
        state.forget_case()
        return await self.cases.carry_on(who, state, ret)

    async def resume(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        rid = state.rid or state.last_rid
        if rid:
            ret = await self.cases.load(who, state, rid)
            if ret.status != "submitted":
                return [Clear(), *await self.cases.carry_on(who, state, ret)]
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
            ret = await self.cases.load(who, state, started[0][1]["return_id"])
            return await self.cases.carry_on(who, state, ret)
        rows = [flow_views.case_list_screen(r, [a]).buttons[0] for r, a in started]
        return [Send(Screen(texts.CHOOSE_RESUME, rows))]

    async def back(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        found = await self.cases.in_case(who, state)
        if not found:
            return [Send(Screen(texts.NOT_IN_CASE))]
        ret, tool = found
        here = state.qkey if state.step not in (Step.review, Step.confirm) else None
        key = flow.previous_key(tool, here)
        if key is None:
            return [Send(Screen(texts.FIRST_QUESTION))]
        state.after_review = False
        return [Clear(), *self.cases.ask(state, ret, key)]

    async def skip(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        found = await self.cases.in_case(who, state)
        if not found or not state.qkey:
            return [Send(Screen(texts.NOT_IN_CASE))]
        ret, tool = found
        q = tool.question(state.qkey)
        if q.required:
            return [Send(Screen(texts.CANNOT_SKIP))]
        # Typed: the next screen comes as a new message.
        return await self.auditing.save(who, state, ret, q.key, None, then=SEND)

    async def cancel(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        ret = state.ret
        if not state.rid or not ret:
            return [Send(Screen(texts.NOT_IN_CASE))]
        state.forget_case()
        return [Clear(), Send(Screen(texts.LEFT_CASE.format(case=ret.case)))]


class _AuditorsOnly(Exception):
    pass
