"""Concern alerts in the chat, channel-agnostic: "I'm dealing with this", and /concerns.

The alert messages themselves come from the outbox (the collector writes them with the answer);
here a recipient takes one on, and coordinators (an agency lead: their agency's) list them.
"""

from bot import flow_views, texts
from bot.client import CollectorClient, CollectorError
from bot.flow import Screen
from bot.flow_out import Deliver, Out, Person, Send, Toast
from bot.flow_rounds import Rounds
from bot.state import ChatState


class Concerns:
    """Concern alerts: taking one on, and the list (who may ask is in the command table)."""

    def __init__(self, client: CollectorClient, rounds: Rounds) -> None:
        self.client, self.rounds = client, rounds

    async def concerns(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        """/concerns [SLUG]: a round's concern alerts and where each stands."""
        return await self.rounds.pick_then(who, args, "concerns", self.show)

    async def show(self, who: Person, round_: dict, view: str, args: list[str]) -> list[Out]:
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
