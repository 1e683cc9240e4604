"""Which round a coordinator means: named, the one open, or asked with buttons. No telegram
import."""

from collections.abc import Awaitable, Callable

from bot import texts
from bot.client import CollectorClient, CollectorError
from bot.flow import Button, Screen
from bot.flow_out import Out, Person, Send
from models.buttons import Kind, encode
from models.enums import Role

REPORT_FORMATS = ("pdf", "html", "docx")
# Shows one view of a picked round: (who, round, view name, the command's arguments).
Show = Callable[[Person, dict, str, list[str]], Awaitable[list[Out]]]


class Rounds:
    """Rounds as a member may see them, and who is asking (their role, from the collector)."""

    def __init__(self, client: CollectorClient) -> None:
        self.client = client

    async def role_is(self, who: Person, *roles: Role) -> bool:
        me = await self.client.me(who.telegram_id)
        return me.get("role") in roles

    async def pick_round(self, who: Person, args: list[str], view: str) -> dict | list[Out]:
        """The round named in args, the one open round, or a question (buttons) which round."""
        tid = who.telegram_id
        slug = next((a for a in args if a not in REPORT_FORMATS), None)
        if slug:
            try:
                return await self.client.round(tid, slug)
            except CollectorError as exc:
                if exc.code == "not_found":
                    return [Send(Screen(texts.ROUND_UNKNOWN.format(slug=slug)))]
                raise
        open_ = await self.client.rounds(tid, "open")
        if len(open_) == 1:
            return open_[0]
        every = open_ or await self.client.rounds(tid)
        if not every:
            return [Send(Screen(texts.NO_ROUNDS))]
        fmt = next((a for a in args if a in REPORT_FORMATS), "pdf")
        extra = [fmt] if view == "report" else []
        rows = [
            [Button(f"{r['slug']} ({r['status']})", encode(Kind.tally, r["id"], view, *extra))]
            for r in every[:20]
        ]
        return [Send(Screen(texts.CHOOSE_ROUND, rows))]

    async def round_by_id(self, who: Person, round_id: int) -> dict | None:
        for r in await self.client.rounds(who.telegram_id):
            if r["id"] == round_id:
                return r
        return None

    async def pick_then(self, who: Person, args: list[str], view: str, show: Show) -> list[Out]:
        """A round view by command: the round picked (or the question which), then `show`."""
        picked = await self.pick_round(who, args, view)
        return picked if isinstance(picked, list) else await show(who, picked, view, args)
