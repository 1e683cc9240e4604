"""Coordinator commands, channel-agnostic: /tally, /overdue, /report, /invite, /round."""

import logging
import re
from datetime import datetime

from bot import flow, flow_views, texts
from bot.client import CollectorClient, CollectorError
from bot.flow import Button, Screen
from bot.flow_out import Document, Edit, Out, Person, Send
from bot.flow_rounds import REPORT_FORMATS, Rounds
from bot.state import ChatState
from models.buttons import Kind, encode
from models.enums import Role

log = logging.getLogger(__name__)

VIEWS = ("tally", "overdue", "report")


class Coordinating:
    """A coordinator's commands: round views, invites, access, opening and closing rounds."""

    def __init__(self, client: CollectorClient, rounds: Rounds, bot_username: str = "") -> None:
        self.client, self.rounds, self.bot_username = client, rounds, bot_username

    async def view(self, who: Person, state: ChatState, args: list[str], view: str) -> list[Out]:
        """/tally, /overdue or /report for a round."""
        if view == "report" and args and args[0] not in REPORT_FORMATS and len(args) > 1:
            return [Send(Screen(texts.REPORT_FORMATS))]
        return await self.rounds.pick_then(who, args, view, self.show)

    async def show(self, who: Person, round_: dict, view: str, args: list[str]) -> list[Out]:
        """One of VIEWS for a round."""
        tid, slug = who.telegram_id, round_["slug"]
        try:
            if view == "overdue":
                rows = await self.client.overdue(tid, slug)
                return [Send(Screen(flow_views.overdue_text(round_, rows)))]
            if view == "tally":
                tally = await self.client.tally(tid, slug)
                return [Send(Screen(flow_views.tally_text(round_, tally)))]
            fmt = next((a for a in args if a in REPORT_FORMATS), "pdf")
            content, headers = await self.client.report(tid, slug, fmt)
            name = _filename(headers.get("Content-Disposition", "")) or f"{slug}-report.{fmt}"
            caption = texts.REPORT_CAPTION.format(title=round_["title"])
            return [Document(name, content, caption)]
        except CollectorError as exc:
            if exc.code == "forbidden":
                return [Send(Screen(texts.COORDINATORS_ONLY))]
            raise

    async def desk_link(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        """/desk: a one-time sign-in link to the desk, for this member only (never logged)."""
        issued = await self.client.desk_link(who.telegram_id)
        until = datetime.fromisoformat(issued["expires_at"]).strftime("%H:%M")
        text = texts.DESK_LINK.format(url=issued["url"], expires=until)
        return [Send(Screen(text))]

    async def invite(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        """/invite AGENCY ROLE: a single-use deep link (the code itself is never logged)."""
        roles = ", ".join(r.value for r in Role)
        if len(args) == 1 and args[0] == "coordinator":
            agency, role = None, "coordinator"
        elif len(args) != 2 or args[1] not in Role.__members__:
            return [Send(Screen(texts.INVITE_USAGE.format(roles=roles)))]
        else:
            agency, role = args[0], args[1]
        try:
            issued = await self.client.create_invite(who.telegram_id, agency, role)
        except CollectorError as exc:
            if exc.code == "forbidden":
                return [Send(Screen(texts.COORDINATORS_ONLY))]
            if exc.status in (400, 404, 409, 422):
                return [Send(Screen(texts.INVITE_REFUSED.format(message=exc.message)))]
            raise
        username = self.bot_username
        link = f"https://t.me/{username}?start={issued['code']}" if username else issued.get("link")
        text = texts.INVITE_LINK.format(
            agency=issued.get("agency") or "the partnership",
            role=issued["role"],
            expires=flow.day(issued["expires_at"]),
            link=link,
        )
        return [Send(Screen(text))]

    async def access(
        self, who: Person, state: ChatState, args: list[str], action: str
    ) -> list[Out]:
        """/disable N or /enable N: withdraw or restore a member's access (coordinators)."""
        tid = who.telegram_id
        try:
            if len(args) != 1 or not (args[0].isascii() and args[0].isdigit()):
                lines = [
                    texts.ACCESS_MEMBER_LINE.format(
                        id=m["id"],
                        name=m["display_name"],
                        role=m["role"].replace("_", " "),
                        agency=f" of {m['agency']}" if m.get("agency") else "",
                        disabled=" · disabled" if m.get("disabled_at") else "",
                    )
                    for m in await self.client.members(tid)
                ]
                return [Send(Screen(flow_views.fit_blocks(texts.ACCESS_USAGE, lines)))]
            member = await self.client.set_access(tid, int(args[0]), action)
        except CollectorError as exc:
            if exc.code == "forbidden":
                return [Send(Screen(texts.COORDINATORS_ONLY))]
            if exc.status in (400, 404, 409):
                return [Send(Screen(texts.ACCESS_REFUSED.format(message=exc.message)))]
            raise
        done = texts.MEMBER_NOW_DISABLED if action == "disable" else texts.MEMBER_NOW_ENABLED
        return [Send(Screen(done.format(name=member["display_name"], id=member["id"])))]

    async def rounds_command(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        """/round, /round open SLUG, /round close SLUG."""
        tid = who.telegram_id
        if args and args[0] in ("open", "close") and len(args) == 2:
            return await self.set_round(who, args[1], args[0])
        if args:
            return [Send(Screen(texts.ROUND_USAGE))]
        me = await self.client.me(tid)
        if me.get("role") != Role.coordinator:
            return [Send(Screen(texts.COORDINATORS_ONLY))]
        every = await self.client.rounds(tid)
        if not every:
            return [Send(Screen(texts.NO_ROUNDS))]
        lines, rows = [], []
        for r in every[:20]:
            lines.append(
                texts.ROUND_LINE.format(
                    slug=r["slug"], status=r["status"], due=flow.day(r["due_at"])
                )
            )
            if r["status"] == "open":
                label, action = texts.BTN_CLOSE_ROUND.format(slug=r["slug"]), "ask"
            else:
                label, action = texts.BTN_OPEN_ROUND.format(slug=r["slug"]), "open"
            rows.append([Button(label, encode(Kind.round, r["id"], action))])
        return [Send(Screen(texts.ROUNDS_LIST.format(lines="\n".join(lines)), rows))]

    async def set_round(self, who: Person, slug: str, action: str) -> list[Out]:
        try:
            r = await self.client.set_round(who.telegram_id, slug, action)
        except CollectorError as exc:
            if exc.code == "forbidden":
                return [Send(Screen(texts.COORDINATORS_ONLY))]
            if exc.code == "not_found":
                return [Send(Screen(texts.ROUND_UNKNOWN.format(slug=slug)))]
            return [Send(Screen(exc.message))]
        return [Send(Screen(texts.ROUND_CHANGED.format(slug=r["slug"], status=r["status"])))]

    async def round_button(self, who: Person, round_: dict, action: str) -> list[Out]:
        """A button under /round: "Close" asks first, "Open" and the confirmed close do it."""
        slug = round_["slug"]
        if action == "ask":
            confirm = Button(
                texts.BTN_CONFIRM_CLOSE.format(slug=slug),
                encode(Kind.round, round_["id"], "close"),
            )
            return [Edit(Screen(texts.CONFIRM_CLOSE.format(slug=slug), [[confirm]]))]
        outs = await self.set_round(who, slug, action)
        return [Edit(outs[0].screen), *outs[1:]] if outs else []


def _filename(disposition: str) -> str | None:
    m = re.search(r'filename="?([^";]+)"?', disposition)
    return m.group(1) if m else None
