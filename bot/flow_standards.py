"""Audit standards in the chat: grade descriptors beside every grade question, and the
cross-checks in the review (fix an answer, or confirm with a reason).

Channel-agnostic like the rest of the engine: events in, `Out` steps back. The findings come
from the collector with the return (`ReturnPublic.cross_checks`, models/cross_checks.py): the
chat shows them and never checks anything itself.
"""

from bot import standards_texts as st
from bot import texts
from bot.client import CollectorClient, CollectorError
from bot.flow import Button, Screen, fit, position
from bot.flow_cases import Cases
from bot.flow_out import Clear, Edit, Out, Person, Send
from bot.once import Once
from bot.state import ChatState, Step
from models.buttons import Kind, Press, encode
from models.descriptors import NOT_GRADED_NOTE
from models.returns import ReturnPublic
from models.tool import AuditTool, load_tool


def descriptors_button(rid: int, key: str) -> list[Button]:
    return [Button(st.BTN_DESCRIPTORS, encode(Kind.descriptors, rid, key))]


def descriptors_screen(tool: AuditTool) -> Screen:
    """What each grade means, in this tool's words (its own, or MAA's defaults)."""
    lines = [st.DESCRIPTORS_TITLE.format(tool=tool.title), ""]
    for _key, name, text in tool.grade_descriptors:
        lines += [f"{name}: {text}", ""]
    lines += [NOT_GRADED_NOTE, "", st.DESCRIPTORS_BACK]
    return Screen(fit("\n".join(lines)))


def cross_check_lines(tool: AuditTool, ret: ReturnPublic) -> list[str]:
    out = []
    for f in ret.cross_checks:
        names = ", ".join(f"{position(tool, k)}. {tool.question(k).title}" for k in f.questions)
        out.append(st.CROSS_CHECK_LINE.format(message=f.message, questions=names))
    return out


def review_lines(tool: AuditTool, ret: ReturnPublic) -> list[str]:
    """The review's warning block, when the return is complete and the cross-checks hold."""
    if ret.missing or not ret.cross_checks:
        return []
    return [st.CROSS_CHECKS_TITLE, *cross_check_lines(tool, ret), st.CROSS_CHECKS_HOW, ""]


def confirm_screen(ret: ReturnPublic, agency: str) -> Screen | None:
    """The confirm step when the cross-checks hold (None: the ordinary one)."""
    if not ret.cross_checks:
        return None
    tool = load_tool(ret.tool_version)
    lines = "\n".join(cross_check_lines(tool, ret))
    text = st.CONFIRM_CROSS_CHECKS.format(case=ret.case, agency=agency, lines=lines)
    return Screen(
        fit(text),
        [
            [Button(st.BTN_CONFIRM_REASON, encode(Kind.cross_reason, ret.id))],
            [Button(texts.BTN_NOT_YET, encode(Kind.not_yet, ret.id))],
        ],
    )


class Standards:
    """The chat's audit-standards buttons and the typed cross-check reason (bot/flow_commands.py
    routes Kind.descriptors, Kind.cross_reason and the awaited reason here)."""

    def __init__(self, client: CollectorClient, cases: Cases) -> None:
        self.client, self.cases = client, cases

    async def descriptors_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """ "What do the grades mean?": a message of its own; the question above is untouched
        and stays the screen to answer (so the place is never lost)."""
        rid = press.num(0)
        ret = state.ret if state.ret is not None and state.ret.id == rid else None
        if ret is None:
            ret = await self.cases.current(who, state, rid)  # also checks it is theirs
        return [Send(descriptors_screen(load_tool(ret.tool_version)))]

    async def cross_reason_press(
        self, who: Person, state: ChatState, press: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        """ "Confirm with a reason": the next message typed is the reason, then it submits."""
        ret = await self.cases.load(who, state, press.num(0))
        if ret.status == "submitted":
            state.forget_case()
            return [Edit(Screen(texts.ALREADY_SUBMITTED.format(case=ret.case)))]
        state.rid, state.qkey, state.step = ret.id, None, Step.confirm
        state.confirm_for = ret.id
        back = [[Button(texts.BTN_NOT_YET, encode(Kind.not_yet, ret.id))]]
        return [Edit(Screen(st.ASK_REASON, back), current=True)]

    async def confirm_reason(self, who: Person, state: ChatState, text: str) -> list[Out]:
        """The reason typed: submit with it. Refused for an identifier: say so, and the wait
        goes on (it is the reason that needs rewriting); the answers changed: the review."""
        rid = state.confirm_for
        assert rid is not None
        reason = text.strip()
        if len(reason) < 3:
            return [Send(Screen(st.REASON_TOO_SHORT))]
        try:
            await self.client.submit(who.telegram_id, rid, confirm_reason=reason)
        except CollectorError as exc:
            if exc.code == "identifiers_found":
                return self.cases.refused(exc, state)  # still waiting for the reason
            state.confirm_for = None
            if exc.code in ("cross_check", "incomplete"):
                fresh = await self.cases.load(who, state, rid)
                return [Clear(), *await self.cases.review(who, state, fresh)]
            return self.cases.refused(exc, state)
        state.confirm_for = None
        case = state.ret.case if state.ret is not None else ""
        state.forget_case()
        return [Clear(), Send(Screen(st.SUBMITTED_WITH_REASON.format(case=case)))]
