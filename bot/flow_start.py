"""Joining and greeting: /start (with an invite code or without) and /help. No telegram import."""

from bot import texts
from bot.client import CollectorClient, CollectorError
from bot.flow import Screen
from bot.flow_out import Out, Person, Send, Throttle, minutes
from bot.state import ChatState
from models.enums import Role


class Enrolment:
    """Invites redeemed (wrong codes slowed down), members welcomed, help by role."""

    def __init__(self, client: CollectorClient) -> None:
        self.client = client
        self.throttle = Throttle()

    async def start(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        """/start, or /start CODE from an invite link (the code is never logged)."""
        tid = who.telegram_id
        try:
            me = await self.client.me(tid)
        except CollectorError as exc:
            if exc.code != "not_enrolled":
                raise
            me = None
        if me is not None:
            help_text = self.help_for(me.get("role", ""))
            if args:
                return [
                    Send(Screen(texts.ALREADY_ENROLLED.format(role=_role(me), agency=_agency(me))))
                ]
            return [
                Send(
                    Screen(
                        texts.WELCOME_BACK.format(
                            name=me["display_name"],
                            role=_role(me),
                            agency=_agency(me),
                            help=help_text,
                        )
                    )
                )
            ]
        if not args or tid is None:
            # Only Telegram joins with /start CODE (keyed by the Telegram id); the browser
            # chat joins on its own page and is always signed in as a member here.
            return [Send(Screen(texts.WELCOME_NEW))]
        wait = self.throttle.wait(tid)
        if wait > 0:
            return [Send(Screen(texts.TOO_MANY_TRIES.format(minutes=minutes(wait))))]
        try:
            member = await self.client.redeem(args[0], tid, who.display_name or "Auditor")
        except CollectorError as exc:
            self.throttle.failed(tid)
            answer = {"invite_used": texts.INVITE_USED, "invite_expired": texts.INVITE_EXPIRED}
            return [Send(Screen(answer.get(exc.code, texts.INVITE_INVALID)))]
        self.throttle.succeeded(tid)
        me = await self.client.me(tid)
        return [
            Send(
                Screen(
                    texts.ENROLLED.format(
                        name=member["display_name"],
                        role=_role(member),
                        agency=_agency(me),
                        help=self.help_for(member["role"]),
                    )
                )
            )
        ]

    @staticmethod
    def help_for(role: str) -> str:
        if role == Role.coordinator:
            return texts.HELP_COORDINATOR + texts.HELP_AUDITOR
        if role == Role.viewer:
            return texts.HELP_VIEWER
        if role == Role.agency_lead:
            return texts.HELP_LEAD + texts.HELP_AUDITOR
        return texts.HELP_AUDITOR

    async def help(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        me = await self.client.me(who.telegram_id)
        return [Send(Screen(self.help_for(me.get("role", ""))))]


def _role(member: dict) -> str:
    return str(member.get("role", "")).replace("_", " ")


def _agency(me: dict) -> str:
    """A member's agency, or the partnership for coordinators and viewers, who have none."""
    return me.get("agency_name") or "the partnership"
