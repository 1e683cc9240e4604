"""Reminders and the action plan in the chat, channel-agnostic: /remind, /actions, progress.

An action's owner records progress from the "Post progress" button on their reminder (or by
replying to it): the next message they type is the update, screened for identifiers first.
"""

import logging

from bot import flow, flow_views, texts
from bot.client import CollectorClient, CollectorError, CollectorUnavailable
from bot.flow import Button, Screen
from bot.flow_out import Edit, Out, Person, Send, Toast
from bot.flow_rounds import Rounds
from bot.state import ChatState
from models.buttons import Kind, StaleButton, encode
from models.enums import Role
from models.screening import Finding, describe, screen

log = logging.getLogger(__name__)

MAX_PROGRESS = 4000
STATUS_CODES = {"o": "open", "i": "in_progress", "d": "done"}


class Actions:
    """Coordinators: the reminder dry run and the action plan. Owners: progress updates."""

    def __init__(self, client: CollectorClient, rounds: Rounds) -> None:
        self.client, self.rounds = client, rounds

    # ---- /remind and /actions (who may ask is in the command table: bot/flow_commands.py)
    async def remind(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        """/remind [SLUG]: who would be chased now and why, with a button to send them."""
        return await self.rounds.pick_then(who, args, "remind", self.show)

    async def actions(self, who: Person, state: ChatState, args: list[str]) -> list[Out]:
        """/actions [SLUG]: the action plan with owners, due dates and progress."""
        return await self.rounds.pick_then(who, args, "actions", self.show)

    async def show(self, who: Person, round_: dict, view: str, args: list[str]) -> list[Out]:
        """ "remind" (the dry run) or "actions" (the plan) for a round."""
        tid, slug = who.telegram_id, round_["slug"]
        try:
            if view == "remind":
                plan = await self.client.plan_reminders(tid, slug, dry_run=True)
                return [Send(remind_screen(round_, plan))]
            rows = await self.client.actions(tid, slug)
            return [Send(Screen(flow_views.actions_text(round_, rows)))]
        except CollectorError as exc:
            if exc.code == "forbidden":
                return [Send(Screen(texts.COORDINATORS_ONLY))]
            raise

    async def send_reminders(self, who: Person, round_id: int) -> list[Out]:
        """ "Send these now": queue the round's due reminders as the bot, for a coordinator."""
        # The button may be old, or forwarded: ask the collector who is pressing it now.
        if not await self.rounds.role_is(who, Role.coordinator):
            return [Send(Screen(texts.COORDINATORS_ONLY))]
        round_ = await self.rounds.round_by_id(who, round_id)
        if round_ is None:
            return [Send(Screen(texts.NO_ROUNDS))]
        # Only the service token may queue: the coordinator's check is the one just made.
        plan = await self.client.plan_reminders(None, round_["slug"], dry_run=False)
        queued, total = plan["queued"], len(plan["decisions"])
        text = texts.REMIND_QUEUED.format(
            queued=flow_views.plural(queued, "reminder"), title=round_["title"]
        )
        if total > queued:
            text += texts.REMIND_ALREADY.format(already=total - queued)
        log.info("reminders queued from the chat: %d (round %s)", queued, round_id)
        return [Edit(Screen(text))]

    # ---- progress on an action
    async def ask_progress(self, who: Person, state: ChatState, action_id: int) -> list[Out]:
        """ "Post progress": show the action and wait for the update in the next message."""
        try:
            action = await self.client.action(who.telegram_id, action_id)
        except CollectorError as exc:
            return [Send(Screen(_refusal(exc)))]
        state.progress_for = action_id
        text = texts.ASK_PROGRESS.format(
            number=action["number"],
            recommendation=flow.excerpt(action["recommendation"], 600),
            due=flow.day(action.get("due_at")),
            status=texts.STATUS_WORDS.get(action["status"], action["status"]),
        )
        cancel = Button(texts.BTN_CANCEL, encode(Kind.progress_cancel, action_id))
        return [Send(Screen(text, [[cancel]]))]

    async def save_progress(
        self, who: Person, state: ChatState, action_id: int, text: str
    ) -> list[Out]:
        """Store a typed update (screened first); then offer the status buttons."""
        findings = screen(text)
        if findings:
            state.progress_for = action_id  # still waiting: send it again without them
            return [Send(Screen(describe(findings)))]
        if len(text.strip()) > MAX_PROGRESS:
            state.progress_for = action_id
            return [Send(Screen(texts.PROGRESS_TOO_LONG.format(length=len(text.strip()))))]
        try:
            action = await self.client.post_progress(who.telegram_id, action_id, text)
        except CollectorUnavailable:
            state.progress_for = action_id
            return [Send(Screen(texts.PROGRESS_NOT_SAVED))]
        except CollectorError as exc:
            if exc.code == "identifiers_found":
                state.progress_for = action_id
            return [Send(Screen(_refusal(exc)))]
        state.progress_for = None
        rows = [
            [
                Button(texts.BTN_IN_PROGRESS, encode(Kind.action_status, action_id, "i")),
                Button(texts.BTN_ACTION_DONE, encode(Kind.action_status, action_id, "d")),
            ]
        ]
        return [Send(Screen(texts.PROGRESS_SAVED.format(number=action["number"]), rows))]

    async def cancel_progress(self, who: Person, state: ChatState, action_id: int) -> list[Out]:
        """Cancel under "Post progress": the next message is no longer the update."""
        if state.progress_for == action_id:
            state.progress_for = None
        return [Edit(Screen(texts.PROGRESS_CANCELLED))]

    async def set_status(self, who: Person, action_id: int, code: str) -> list[Out]:
        """ "In progress" or "Done" under a saved progress update."""
        status = STATUS_CODES.get(code)
        if status is None:
            raise StaleButton("no such status")
        try:
            action = await self.client.post_progress(who.telegram_id, action_id, None, status)
        except CollectorError as exc:
            return [Toast(_refusal(exc)[:200]), Send(Screen(_refusal(exc)))]
        words = texts.STATUS_WORDS.get(action["status"], action["status"])
        return [Edit(Screen(texts.STATUS_SAVED.format(number=action["number"], status=words)))]


def remind_screen(round_: dict, plan: dict) -> Screen:
    """The dry run: one line per reminder and per note, and the button when any would go."""
    count = len(plan.get("decisions") or [])
    lines = flow_views.remind_lines(round_["slug"], plan.get("lines") or [])
    if not count:
        return Screen(
            flow_views.fit_blocks(texts.REMIND_NONE.format(title=round_["title"]) + "\n", lines)
        )
    head = texts.REMIND_TITLE.format(
        title=round_["title"], count=flow_views.plural(count, "reminder")
    )
    send = Button(texts.BTN_SEND_REMINDERS, encode(Kind.send, round_["id"]))
    return Screen(flow_views.fit_blocks(head + "\n", lines), [[send]])


def _refusal(exc: CollectorError) -> str:
    """A collector refusal about an action, in the owner's words."""
    if exc.code == "identifiers_found":
        return describe([Finding(**f) for f in exc.extra.get("findings", [])])
    if exc.code == "forbidden":
        return texts.NOT_ACTION_OWNER
    if exc.code == "not_enrolled":
        return texts.NOT_ENROLLED
    if exc.code == "member_disabled":
        return texts.MEMBER_DISABLED
    if exc.code == "not_found":
        return texts.ACTION_UNKNOWN
    if exc.status in (400, 422):
        return exc.message
    log.warning("collector refused an action update: %s", exc.code)
    return texts.SOMETHING_WRONG
