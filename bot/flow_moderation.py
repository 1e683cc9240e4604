"""Moderation, allocation and extensions in the chat, channel-agnostic.

- A moderation query arrives from the outbox with the answer quoted and a Reply button; the
  next message typed (or a reply to the query's message) is the reply, screened by the
  collector like any narrative: an identifier is refused; a possible name is warned about,
  and sending the same reply again sends it as it is.
- /allocate [SLUG]: an agency lead sees their expected cases and allocates each to an auditor.
- /extension [SLUG] CASE DATE REASON: ask for more time; coordinators Approve / Decline.

Small functions taking the collector client, the person and their ChatState and returning
`list[Out]`, behind the `Moderation` collaborator that `bot.flow_commands.Chat` routes to.
"""

import logging
from datetime import date, datetime

from bot import texts_moderation as words
from bot.client import CollectorClient, CollectorError
from bot.flow import Button, Screen
from bot.flow_cases import Cases, query_open
from bot.flow_out import Deliver, Edit, Out, Person, Send, Toast
from bot.flow_rounds import Rounds
from bot.once import Once
from bot.state import ChatState
from models.buttons import Kind, Press, StaleButton, decode, encode
from models.screening import Finding, describe

log = logging.getLogger(__name__)


def forget(state: ChatState) -> bool:
    """Any command ends the wait for a reply; True if one was awaited."""
    waiting = state.query_for is not None
    state.query_for = state.query_warned = None
    return waiting


def _refusal(exc: CollectorError) -> str:
    if exc.code == "identifiers_found":
        return describe([Finding(**f) for f in exc.extra.get("findings", [])])
    if exc.code in ("forbidden", "not_enrolled", "member_disabled"):
        return words.NOT_FOR_YOU
    if exc.status in (400, 404, 409, 422):
        return exc.message  # the collector's words name the case, the date, the agency
    log.warning("collector refused a moderation step: %s", exc.code)
    return words.SOMETHING_WRONG


# ---- queries
async def ask_reply(state: ChatState, query_id: int) -> list[Out]:
    """ "Reply" on a query: the next message typed is the reply."""
    state.query_for, state.query_warned = query_id, None
    return [Send(Screen(words.ASK_REPLY))]


async def save_reply(
    client: CollectorClient, who: Person, state: ChatState, query_id: int, text: str
) -> list[Out]:
    """Send the reply; on a possible-name warning, the same text again sends it as it is."""
    names_ok = state.query_for == query_id and state.query_warned == text
    state.query_for = state.query_warned = None
    try:
        await client.request(
            "POST",
            f"/api/queries/{query_id}/reply",
            who.telegram_id,
            json={"text": text, "names_ok": names_ok},
        )
    except CollectorError as exc:
        if exc.code in ("identifiers_found", "names_found"):
            state.query_for = query_id  # still waiting: a corrected reply
            if exc.code == "names_found":
                state.query_warned = text  # this chat only; never logged
                return [Send(Screen(f"{exc.message}\n\n{words.NAMES_AGAIN}"))]
        return [Send(Screen(_refusal(exc)))]
    # The collector has stored it: the coordinator's note about it is queued, not yet sent.
    return [Send(Screen(words.REPLY_SAVED)), Deliver()]


# ---- extensions
def _day(raw: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


async def _round_and_rest(
    client: CollectorClient, who: Person, args: list[str]
) -> tuple[str | None, list[str]]:
    """The round named first, or the only open round."""
    rounds = await client.rounds(who.telegram_id, "open")
    slugs = [r["slug"] for r in rounds]
    if args and args[0] in slugs:
        return args[0], args[1:]
    return (slugs[0] if len(slugs) == 1 else None), args


async def extension(client: CollectorClient, who: Person, args: list[str]) -> list[Out]:
    """/extension [SLUG] CASE DATE REASON."""
    slug, rest = await _round_and_rest(client, who, args)
    if slug is None:
        return [Send(Screen(words.WHICH_ROUND))]
    until = _day(rest[1]) if len(rest) > 1 else None
    reason = " ".join(rest[2:]).strip()
    if len(rest) < 3 or until is None or len(reason) < 3:
        return [Send(Screen(words.EXTENSION_USAGE))]
    body = {"round": slug, "case": rest[0], "until": until.isoformat(), "reason": reason}
    try:
        ext = await client.request("POST", "/api/extensions", who.telegram_id, json=body)
    except CollectorError as exc:
        return [Send(Screen(_refusal(exc)))]
    told = ", ".join(ext["queued_to"]) or words.NOBODY
    text = words.EXTENSION_ASKED.format(case=ext["case"], until=until.strftime("%-d %B %Y"))
    return [Send(Screen(f"{text}\n{words.QUEUED_TO.format(names=told)}")), Deliver()]


async def decide(client: CollectorClient, who: Person, press: Press) -> list[Out]:
    """Approve / Decline on an extension request (coordinators)."""
    approve = press.num(1) == 1
    try:
        ext = await client.request(
            "POST",
            f"/api/extensions/{press.num(0)}/decide",
            who.telegram_id,
            json={"approve": approve},
        )
    except CollectorError as exc:
        note = _refusal(exc)
        return [Toast(note[:200]), Send(Screen(note))]
    until = date.fromisoformat(ext["until"]).strftime("%-d %B %Y")
    template = words.APPROVED if ext["status"] == "approved" else words.DECLINED
    text = template.format(case=ext["case"], agency=ext["agency"], until=until)
    return [Edit(Screen(text)), Deliver()]


# ---- allocation
async def allocate(client: CollectorClient, who: Person, args: list[str]) -> list[Out]:
    """/allocate [SLUG]: the agency's expected cases, each with a button per auditor."""
    tid = who.telegram_id  # only leads get here (bot/flow_rules.py)
    slug, _ = await _round_and_rest(client, who, args)
    if slug is None:
        return [Send(Screen(words.WHICH_ROUND))]
    try:
        cases = await client.request("GET", "/api/allocations", tid, params={"round": slug})
        people = await client.request("GET", "/api/allocations/auditors", tid)
    except CollectorError as exc:
        return [Send(Screen(_refusal(exc)))]
    if not cases:
        return [Send(Screen(words.NO_CASES))]
    lines = [words.ALLOCATE_TITLE]
    rows: list[list[Button]] = []
    for c in cases:
        extra = f", extended to {c['extended_to']}" if c.get("extended_to") else ""
        lines.append(f"• {c['case']} — {c['auditor'] or words.UNALLOCATED}{extra}")
        rows.append(
            [
                Button(
                    f"{c['case']} → {p['name']}",
                    encode(Kind.allocate, c["expectation_id"], p["id"]),
                )
                for p in people
                if p["id"] != c["auditor_id"]
            ][:3]  # three buttons fit a row on a phone
        )
    return [Send(Screen("\n".join(lines), [r for r in rows if r]))]


async def allocate_press(client: CollectorClient, who: Person, press: Press) -> list[Out]:
    try:
        row = await client.request(
            "PUT",
            f"/api/expectations/{press.num(0)}/allocation",
            who.telegram_id,
            json={"auditor": press.num(1)},
        )
    except CollectorError as exc:
        note = _refusal(exc)
        return [Toast(note[:200]), Send(Screen(note))]
    note = words.ALLOCATED.format(case=row["case"], auditor=row["auditor"])
    return [Toast(note[:200]), Send(Screen(note))]


class Moderation:
    """The chat's part in moderation: a collaborator of `bot.flow_commands.Chat`, which routes
    the commands (their rules: bot/flow_rules.py), the buttons and replies here."""

    KINDS = (Kind.reply_query, Kind.change_query, Kind.decide_extension, Kind.allocate)
    CANCELLED = words.REPLY_CANCELLED

    def __init__(self, client: CollectorClient, rounds: Rounds, cases: Cases) -> None:
        self.client, self.rounds, self.cases = client, rounds, cases

    forget = staticmethod(forget)

    async def allocate(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        return await allocate(self.client, who, args)

    async def extension(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        return await extension(self.client, who, args)

    async def save_reply(
        self, who: Person, state: ChatState, query_id: int, text: str
    ) -> list[Out]:
        return await save_reply(self.client, who, state, query_id, text)

    async def change(self, who: Person, state: ChatState, rid: int, key: str) -> list[Out]:
        """ "Change the answer" on a query: that question of the submitted return asked again,
        while a query is open on it (the collector lets that question alone be written)."""
        forget(state)
        try:
            ret = await self.cases.load(who, state, rid)
            still_open = await query_open(self.client, who, rid, key)
        except CollectorError as exc:
            return [Send(Screen(_refusal(exc)))]
        if ret.status != "submitted" or not still_open:
            return [Send(Screen(words.CHANGE_NOT_OPEN))]
        state.forget_case()
        out = self.cases.ask(state, ret, key)
        state.query_edit = True
        return out

    async def press(
        self, who: Person, state: ChatState, pressed: Press, message_id: int | None, once: Once
    ) -> list[Out]:
        if pressed.kind == Kind.reply_query:
            return await ask_reply(state, pressed.num(0))
        if pressed.kind == Kind.change_query:
            return await self.change(who, state, pressed.num(0), pressed.text(1) or "")
        if pressed.kind == Kind.decide_extension:
            if pressed.num(1) not in (0, 1):
                raise StaleButton("no such decision")
            return await decide(self.client, who, pressed)
        return await allocate_press(self.client, who, pressed)

    @staticmethod
    def replying_to(reply_to: str | None, state: ChatState) -> int | None:
        """The query the typed text answers: the replied message's, or the one awaited."""
        replied = decode(reply_to) if reply_to else None
        if replied is not None and replied.kind == Kind.reply_query:
            return replied.num(0)
        return state.query_for
