"""Moderation, allocation and extensions in the chat: the real bot on the loopback Bot API, the
real collector and the real outbox sender. A query arrives with the answer quoted and is
answered in the chat (screened); its thread is on the return. /extension with Approve /
Decline; /allocate by an agency lead."""

from typing import Any

from models.enums import Role
from tests.bot_helpers import COORD, POLICE, User, labels, outbox_sender
from tests.conftest import full_answers

pytest_plugins = ["tests.bot_fixtures"]

LEAD, PIP = 2002, 2003  # the Police's lead and a second Police auditor
ASK = "Could you say what the impact was for the child?"


async def submitted(collector: Any, uid: int = POLICE, case: str = "C1") -> int:
    status, ret = await collector.as_member(
        "POST", "/api/returns", uid, json={"round": "r-2026", "case": case}
    )
    assert status == 200, ret
    for key, value in full_answers().items():
        path = f"/api/returns/{ret['id']}/answers/{key}"
        assert (await collector.as_member("PUT", path, uid, json={"value": value}))[0] == 200
    assert (await collector.as_member("POST", f"/api/returns/{ret['id']}/submit", uid))[0] == 200
    return ret["id"]


async def query(collector: Any, rid: int, text: str = ASK) -> dict:
    body = {"question": "good_practice", "text": text}
    status, out = await collector.as_member("POST", f"/api/returns/{rid}/queries", COORD, json=body)
    assert status == 200, out
    return out


async def test_a_query_is_answered_in_the_chat_and_kept_on_the_return(bot, loopback, world):
    rid = await submitted(world)
    await query(world, rid)
    async with outbox_sender(bot, world) as sender:
        assert await sender.run_once() == 1
    police = User(loopback, POLICE)
    msg = await police.expect("A coordinator has a question")
    assert "Prompt strategy meeting and clear plan for C1." in msg["text"] and ASK in msg["text"]
    assert labels(msg) == ["Reply", "Change the answer"]
    await police.press(msg, "Reply", expect="Type your reply")
    await police.say("Rang the family on 07700 900123.", expect="seems to contain")
    said = "Attendance rose to 95% within the term, and the child says school feels safer."
    await police.say(said, expect="your reply is saved on the return")
    _, [thread] = await world.as_member("GET", f"/api/returns/{rid}/queries", COORD)
    assert thread["status"] == "answered"
    assert [(e["entry"], e["text"]) for e in thread["thread"]] == [
        ("question", ASK),
        ("reply", said),
    ]
    # The coordinator who asked hears of it (queued with the reply, sent by the outbox).
    async with outbox_sender(bot, world) as sender:
        assert await sender.run_once() == 1
    await User(loopback, COORD).expect("has answered your query on C1")


async def test_change_the_answer_in_the_chat_answers_the_query(bot, loopback, world):
    """The queried question alone is asked again on the submitted return; the new answer is
    stored, answers the query and leaves the return submitted; the button then says so."""
    rid = await submitted(world)
    await query(world, rid)
    async with outbox_sender(bot, world) as sender:
        assert await sender.run_once() == 1
    police = User(loopback, POLICE)
    msg = await police.expect("A coordinator has a question")
    await police.press(msg, "Change the answer", expect="Good practice")
    await police.say("Rang the family on 07700 900123.", expect="seems to contain")
    said = "The school nurse visited within the week; the child's attendance rose."
    ack = await police.say(said, expect="or press Done")
    await police.press(ack, "Done", expect="answers the coordinator's query")
    _, ret = await world.as_member("GET", f"/api/returns/{rid}", POLICE)
    assert ret["status"] == "submitted" and ret["answers"]["good_practice"] == said
    _, [thread] = await world.as_member("GET", f"/api/returns/{rid}/queries", COORD)
    assert thread["status"] == "answered"
    assert [e["entry"] for e in thread["thread"]] == ["question", "edit"]
    # Answered now: the same button no longer opens the question.
    await police.press(msg, "Change the answer", expect="has no open query any more")


async def test_a_reply_to_the_query_message_answers_it(bot, loopback, world):
    rid = await submitted(world)
    await query(world, rid)
    async with outbox_sender(bot, world) as sender:
        await sender.run_once()
    police = User(loopback, POLICE)
    msg = await police.expect("A coordinator has a question")
    loopback._user_message(POLICE, text="It was the school nurse.", reply_to_message=msg)
    await police.expect("your reply is saved")
    # Answered: a second reply to the same message is refused in words, not stored.
    loopback._user_message(POLICE, text="Also the GP.", reply_to_message=msg)
    await police.expect("This query is answered already")
    _, [thread] = await world.as_member("GET", f"/api/returns/{rid}/queries", COORD)
    assert [e["entry"] for e in thread["thread"]] == ["question", "reply"]


async def test_extension_asked_in_chat_and_approved_with_a_button(bot, loopback, world):
    police = User(loopback, POLICE)
    await police.cmd("/extension C1 soon", expect="To ask for more time")
    await police.cmd("/extension C3 2026-02-27 Records archived.", expect="is not expected")
    await police.cmd("/extension C1 2026-02-10 Records archived.", expect="to a later date")
    asked = await police.cmd(
        "/extension C1 2026-02-27 Records are archived off site.", expect="is with the coordinators"
    )
    assert "Cora Coordinator (coordinator)" in asked["text"]
    async with outbox_sender(bot, world) as sender:
        assert await sender.run_once() == 1
    coord = User(loopback, COORD)
    request = await coord.expect("asks for more time on C1")
    assert labels(request) == ["Approve", "Decline"]
    await coord.press(request, "Approve", expect="Approved: C1 (police) is extended to 27 February")
    async with outbox_sender(bot, world) as sender:
        assert await sender.run_once() == 1
    await police.expect("was approved: extended to Friday 27 February")
    _, rows = await world.as_member("GET", "/api/allocations?round=r-2026", POLICE)
    assert rows[0]["extended_to"] == "2026-02-27"


async def test_a_lead_allocates_in_the_chat_and_the_auditor_sees_it_first(bot, loopback, world):
    await world.add_member("Lee Lead", Role.agency_lead, agency="police", telegram_id=LEAD)
    await world.add_member("Pip Police", Role.auditor, agency="police", telegram_id=PIP)
    await User(loopback, POLICE).cmd("/allocate", expect="not yours to do")
    lead = User(loopback, LEAD)
    shown = await lead.cmd("/allocate", expect="Your agency's cases")
    assert "• C1 — not allocated" in shown["text"] and "• C2 — not allocated" in shown["text"]
    await lead.press(shown, "C2 → Pip Police", expect="C2 is now allocated to Pip Police")
    status, mine = await world.as_member("GET", "/api/rounds/r-2026/assignments", PIP)
    assert status == 200
    assert [(r["case"], r["mine"]) for r in mine] == [("C2", True), ("C1", False)]
    shown = await lead.cmd("/allocate", expect="• C2 — Pip Police")
    assert "C2 → Pip Police" not in labels(shown)


async def test_cancel_ends_the_wait_for_a_reply(bot, loopback, world):
    rid = await submitted(world)
    await query(world, rid)
    async with outbox_sender(bot, world) as sender:
        await sender.run_once()
    police = User(loopback, POLICE)
    msg = await police.expect("A coordinator has a question")
    await police.press(msg, "Reply", expect="Type your reply")
    await police.cmd("/cancel", expect="no reply sent")
    await police.say("Just chatting.", expect="I'm not expecting a message")
    _, [thread] = await world.as_member("GET", f"/api/returns/{rid}/queries", COORD)
    assert thread["status"] == "open" and len(thread["thread"]) == 1
    help_text = await police.cmd("/help", expect="What you can do")
    assert "/extension CASE DATE REASON" in help_text["text"]
