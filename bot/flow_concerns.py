"""Concern alerts in the chat, channel-agnostic: "I'm dealing with this", and /concerns.

The alert messages themselves come from the outbox (the collector writes them with the answer);
here a recipient takes one on, and coordinators (an agency lead: their agency's) list them.
"""

from bot import flow_views, texts
from bot.client import CollectorError
from bot.flow import Screen
from bot.flow_actions import ActionsChat
from bot.flow_out import Deliver, Out, Person, Send, Toast
from models.enums import Role


class ConcernsChat(ActionsChat):
    async def concerns(self, who: Person, args: list[str]) -> list[Out]:
        """/concerns [SLUG]: a round's concern alerts and where each stands."""
        if not await self.role_is(who, Role.coordinator, Role.agency_lead):
            return [Send(Screen(texts.CONCERNS_ONLY))]
        picked = await self.pick_round(who, args, "concerns")
        return picked if isinstance(picked, list) else await self.show_view(who, picked, "concerns")

    async def show_view(
        self, who: Person, round_: dict, view: str, args: list[str] | None = None
    ) -> list[Out]:
        if view != "concerns":
            return await super().show_view(who, round_, view, args)
        try:
            rows = await self.client.concerns(who.telegram_id, round_["slug"])
        except CollectorError as exc:
            if exc.code == "forbidden":
                return [Send(Screen(texts.CONCERNS_ONLY))]
            raise
        return [Send(Screen(flow_views.concerns_text(round_, rows)))]

    async def take_concern(self, who: Person, concern_id: int) -> list[Out]:
        """ "I'm dealing with this": the first press owns it; the others are told through the
        outbox (the sender is woken to send them now)."""
        try:
            ack = await self.client.ack_concern(who.telegram_id, concern_id)
        except CollectorError as exc:
            if exc.code in ("forbidden", "not_found"):
                return [Toast(texts.CONCERN_NOT_YOURS), Send(Screen(texts.CONCERN_NOT_YOURS))]
            raise
        when = flow_views.clock(ack["acknowledged_at"])
        if ack["yours"]:
            note = texts.CONCERN_YOURS.format(case=ack["case"], at=when)
            outs: list[Out] = [Toast(note), Send(Screen(note))]
            return [*outs, Deliver()] if ack["first"] else outs
        note = texts.CONCERN_TAKEN.format(case=ack["case"], who=ack["acknowledged_by"], at=when)
        return [Toast(note), Send(Screen(note))]
