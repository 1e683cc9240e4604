"""Helpers for the bot tests: a person in the chat and the steps of a whole audit."""

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

from bot.client import CollectorClient
from bot.outbox import OutboxSender, Pacer
from testing.loopback import LoopbackBotApi
from tests.conftest import SERVICE_TOKEN

COORD, POLICE, CSC, STRANGER = 1001, 2001, 3001, 9009


class User:
    """A person in the chat, with the steps tests repeat."""

    def __init__(self, loopback: LoopbackBotApi, uid: int, name: str = "Tester") -> None:
        self.api, self.id = loopback, uid
        self.u = loopback.user(uid, first_name=name)

    async def cmd(
        self,
        command: str,
        expect: str | Any = None,
        timeout: float = 8.0,  # noqa: ASYNC109
    ) -> dict | None:
        self.u.send_command(command)
        return await self.expect(expect, timeout) if expect else None

    async def say(self, text: str, expect: str | None = None) -> dict | None:
        self.u.send_text(text)
        return await self.expect(expect) if expect else None

    async def expect(self, needle: str | Any, timeout: float = 8.0) -> dict:  # noqa: ASYNC109
        return await self.u.wait_for(needle, timeout=timeout)

    async def press(self, msg: dict, label: str, expect: str | None = None) -> dict | None:
        """Press the button on msg whose label starts with `label`."""
        buttons = [b for row in msg["reply_markup"]["inline_keyboard"] for b in row]
        data = next((b["callback_data"] for b in buttons if b["text"].startswith(label)), None)
        assert data is not None, f"no button {label!r} in {[b['text'] for b in buttons]}"
        self.u.press(msg["message_id"], data)
        return await self.expect(expect) if expect else None

    def texts(self) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.u.messages()]

    def message(self, message_id: int) -> dict:
        """A bot message in this chat as it is now (edits applied)."""
        return next(m for m in self.u.messages() if m["message_id"] == message_id)


def labels(msg: dict) -> list[str]:
    return [
        b["text"] for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []) for b in row
    ]


def question_no(msg: dict) -> int:
    return int(re.search(r"Question (\d+) of", msg["text"]).group(1))


def is_question(n: int):
    return lambda m: f"Question {n} of 11" in (m.get("text") or "") and bool(m.get("reply_markup"))


async def answer_buttons_until_text(user: User, q1: dict) -> dict:
    """Questions 1-4 by buttons (choice and grades); returns question 5 (a narrative)."""
    q2 = await user.press(q1, "Some involvement", expect="Question 2 of 11")
    q3 = await user.press(q2, "Good", expect="Question 3 of 11")
    reasons = await user.press(q3, "Not graded", expect="Why can't this be graded?")
    q4 = await user.press(reasons, "Too little involvement", expect="Question 4 of 11")
    return await user.press(q4, "Requires Improvement", expect="Question 5 of 11")


async def finish_from_q5(user: User, concern: str = "No") -> dict:
    """Questions 5-11 with valid answers; returns the review."""
    q11 = await answer_until_last(user)
    return await user.press(q11, concern, expect="Review – case")


async def answer_until_last(user: User) -> dict:
    """Questions 5-10 with valid answers; returns question 11 (yes/no: a current concern)."""
    await user.say("Prompt strategy meeting for C1.", expect="or press Done")
    done = await user.say("The school nurse followed up the same week.", expect="or press Done")
    await user.press(done, "Done", expect="Question 6 of 11")
    done = await user.say("Earlier referral to early help.", expect="or press Done")
    q7 = await user.press(done, "Done", expect="Question 7 of 11")
    q8 = await user.press(q7, "Skip", expect="Question 8 of 11")
    q9 = await user.press(q8, "Skip", expect="Question 9 of 11")
    q9 = await user.press(q9, "☐ Signposting", expect=lambda m: "☑ Signposting" in str(m))
    q9 = await user.press(q9, "☐ Information sharing", expect="Question 9 of 11")
    await user.press(q9, "Done", expect="Question 10 of 11")
    done = await user.say("Share the plan with the GP.", expect="or press Done")
    return await user.press(done, "Done", expect=is_question(11))


async def stored(collector: Any, uid: int, rid: int) -> dict:
    status, body = await collector.call("GET", f"/api/returns/{rid}", token=SERVICE_TOKEN,
                                        telegram_id=uid)  # fmt: skip
    assert status == 200, body
    return body


def rid_of(msg: dict) -> int:
    data = msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    return int(data.split("|")[1])


async def return_of(collector: Any, uid: int, case: str, round_: str = "r-2026") -> dict:
    """The stored return for a case (opening the draft is idempotent)."""
    body = {"round": round_, "case": case}
    status, ret = await collector.as_member("POST", "/api/returns", uid, json=body)
    assert status == 200, ret
    return ret


@contextlib.asynccontextmanager
async def outbox_sender(app: Any, collector: Any) -> AsyncIterator[OutboxSender]:
    """The real outbox sender of a running bot's Application, unpaced (tests need no pacing)."""
    client = CollectorClient(collector.url, SERVICE_TOKEN)
    try:
        yield OutboxSender(app.bot, client, pacer=Pacer(per_second=1000, chat_interval=0.0))
    finally:
        await client.close()
