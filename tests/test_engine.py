"""The conversation engine on its own: `Chat` driven with an in-memory collector double.

Fast (no HTTP, no Bot API): the paths of an audit conversation, with the real audit tool and the
collector's real answer rules (tests/fake_collector.py). The same paths run end to end on the
loopback Bot API in tests/test_bot_*.py.
"""

import itertools

import pytest

from bot import texts
from bot.flow import Screen
from bot.flow_commands import Chat
from bot.flow_out import Clear, Deliver, Edit, Out, Person, RetryLater, Send, Toast
from bot.state import ChatState, KeptAnswer, KeptParts, Step
from models.buttons import Kind, decode, encode
from tests.fake_collector import FakeCollector

AUDITOR = 2001
NHS = "943 476 5919"  # passes the mod-11 check


class Phone:
    """A channel in a few lines: messages by id, the Outs performed as the Telegram handlers do."""

    def __init__(self, collector: FakeCollector | None = None) -> None:
        self.collector = collector or FakeCollector(AUDITOR)
        self.chat = Chat(self.collector)  # type: ignore[arg-type]
        self.state = ChatState()
        self.who = Person(AUDITOR, "Pat")
        self.messages: dict[int, Screen] = {}
        self.ids = itertools.count(1)
        self.updates = itertools.count(1000)
        self.toasts: list[str] = []
        self.outs: list[Out] = []

    def perform(self, outs: list[Out], pressed: int | None = None) -> None:
        self.outs = outs
        for out in outs:
            if isinstance(out, Send):
                mid = next(self.ids)
                self.messages[mid] = out.screen
                if out.current:
                    self.state.screen = mid
            elif isinstance(out, Edit):
                target = pressed if pressed is not None else self.state.screen
                if target is None:
                    target = next(self.ids)
                self.messages[target] = out.screen
                if out.current:
                    self.state.screen = target
            elif isinstance(out, Clear) and self.state.screen in self.messages:
                self.messages[self.state.screen] = Screen(self.messages[self.state.screen].text)
            elif isinstance(out, Toast):
                self.toasts.append(out.text)

    @property
    def last(self) -> Screen:
        return self.messages[max(self.messages)]

    @property
    def screen(self) -> Screen:
        assert self.state.screen is not None
        return self.messages[self.state.screen]

    async def cmd(self, line: str) -> Screen:
        name, *args = line.lstrip("/").split()
        self.perform(await self.chat.command(self.who, self.state, name, args))
        return self.last

    async def say(self, text: str, update_id: int | None = None) -> Screen:
        self.perform(await self.chat.text(self.who, self.state, text, update_id=update_id))
        return self.last

    def find(self, label: str, on: int | None = None) -> tuple[int, str]:
        """The message id and data of the newest button whose label starts with `label`."""
        for mid in [on] if on else sorted(self.messages, reverse=True):
            for row in self.messages[mid].buttons:
                for b in row:
                    if b.label.startswith(label):
                        return mid, b.data
        raise AssertionError(f"no button {label!r}")

    async def press(self, label: str, on: int | None = None, update_id: int | None = None):
        mid, data = self.find(label, on)
        return await self.press_data(data, mid, update_id)

    async def press_data(self, data: str, mid: int | None, update_id: int | None = None):
        outs = await self.chat.button(self.who, self.state, data, mid, update_id)
        self.perform(outs, pressed=mid)
        return self.last

    def stored(self, case: str = "C1") -> dict:
        ret = next(r for r in self.collector.returns.values() if r.facts.case_reference == case)
        return ret.answers


async def to_narratives(phone: Phone) -> None:
    """Open C1 and answer the button questions up to the first narrative."""
    await phone.cmd("/audit")
    await phone.press("C1")
    await phone.press("Some involvement")
    await phone.press("Good")
    await phone.press("Not graded")
    await phone.press("Historical")
    await phone.press("Outstanding")
    assert phone.state.qkey == "good_practice"


async def test_an_auditor_completes_a_case():
    phone = Phone()
    await phone.cmd("/audit")
    assert "Which case" in phone.last.text
    await phone.press("C1")
    assert "Question 1 of 11" in phone.screen.text
    await phone.press("Some involvement")
    await phone.press("Good")
    await phone.press("Not graded")
    assert texts.CHOOSE_REASON in phone.screen.text
    await phone.press("Historical")
    await phone.press("Outstanding")
    # A narrative in two parts, then Done.
    await phone.say("Strong joint work with school nursing.")
    assert "Saved (38 of 6,000" in phone.last.text
    await phone.say("The child's views were recorded at each visit.")
    await phone.press("Done")
    assert phone.state.qkey == "development"
    await phone.say("Escalation was slow.")
    await phone.press("Done")
    await phone.cmd("/skip")  # joint_working: optional
    await phone.press("Skip")  # voice_of_child: optional, by its button
    await phone.press("☐ Information sharing")
    await phone.press("☐ Safety planning")
    await phone.press("☑ Safety planning")  # unselected again
    await phone.press("Done")
    await phone.press("Skip")  # learning
    await phone.press("No")
    assert texts.REVIEW_READY in phone.screen.text
    await phone.press("Submit")
    await phone.press("Yes, submit")
    assert phone.last.text == texts.SUBMITTED.format(case="C1")
    answers = phone.stored()
    assert answers["involvement"] == "some"
    assert answers["joint_working_grade"] == {"grade": "not_graded", "reason": "historical_only"}
    assert answers["good_practice"] == (
        "Strong joint work with school nursing.\n\nThe child's views were recorded at each visit."
    )
    assert answers["joint_working"] is None and answers["themes"] == ["information_sharing"]
    assert answers["immediate_concern"] is False
    assert phone.state.rid is None and phone.state.last_rid is not None


async def test_a_narrative_with_an_nhs_number_is_refused_and_nothing_is_stored():
    phone = Phone()
    await to_narratives(phone)
    calls = len(phone.collector.calls)
    reply = await phone.say(f"Seen at the GP, NHS number {NHS}.")
    assert "NHS number" in reply.text and "Nothing has been saved" in reply.text
    assert "good_practice" not in phone.stored()
    assert phone.collector.calls[calls:] == []  # screened here: the text went nowhere
    await phone.say("Seen at the GP.")
    assert phone.stored()["good_practice"] == "Seen at the GP."


async def test_a_possible_name_is_warned_about_and_sent_only_when_the_author_says_so():
    phone = Phone()
    await to_narratives(phone)
    warned = await phone.say("Mum said Jessica Smith visited often.")
    assert [b.label for row in warned.buttons for b in row] == ["Send as it is", "Rewrite"]
    assert "good_practice" not in phone.stored()
    await phone.press("Rewrite")
    assert phone.last.text == texts.NAMES_REWRITE and "good_practice" not in phone.stored()
    await phone.say("Mum said Jessica Smith visited often.")
    await phone.press("Send as it is")
    assert phone.stored()["good_practice"] == "Mum said Jessica Smith visited often."
    # Moving on from a warning drops what it held: nothing is sent later.
    await phone.press("Done")
    await phone.say("Karen Jones was seen weekly.")
    await phone.cmd("/status")
    phone.toasts.clear()
    await phone.press("Send as it is")
    assert phone.toasts == [texts.STALE_BUTTON_TOAST]
    assert "development" not in phone.stored()


async def test_the_collector_away_keeps_the_answer_and_says_so_until_it_is_saved():
    phone = Phone()
    await phone.cmd("/audit")
    await phone.press("C1")
    phone.collector.down = True
    await phone.press("Involved throughout")
    assert phone.last.text == texts.NOT_SAVED
    assert any(isinstance(o, RetryLater) for o in phone.outs)
    assert isinstance(phone.state.kept, KeptAnswer)
    phone.collector.down = False
    phone.perform(await phone.chat.retry(phone.who, phone.state))
    assert texts.SAVED_NOW in [m.text for m in phone.messages.values()]
    assert phone.stored()["involvement"] == "throughout"
    assert phone.state.kept is None and phone.state.qkey == "practice"


async def test_narrative_parts_typed_while_away_are_kept_in_order():
    phone = Phone()
    await to_narratives(phone)
    await phone.say("First part.")
    phone.collector.down = True
    await phone.say("Second part.")
    await phone.say("Third part.")
    assert isinstance(phone.state.kept, KeptParts) and len(phone.state.kept.parts) == 2
    phone.collector.down = False
    phone.perform(await phone.chat.retry(phone.who, phone.state))
    assert phone.stored()["good_practice"] == "First part.\n\nSecond part.\n\nThird part."


async def test_an_old_button_is_out_of_date_and_changes_nothing():
    phone = Phone()
    await phone.cmd("/audit")
    await phone.press("C1")
    first = phone.state.screen
    await phone.press("Some involvement")
    stale = encode(Kind.answer, phone.state.rid, "involvement", 0)
    await phone.press_data(stale, first)
    assert texts.STALE_BUTTON_TOAST in phone.toasts
    assert phone.stored()["involvement"] == "some"


async def test_data_no_button_ever_carried_is_out_of_date_not_a_fault():
    phone = Phone()
    await phone.cmd("/audit")
    await phone.press("C1")
    for data in ("zz", "a|x|y|z", f"a|{phone.state.rid}|involvement|99", "open:1", "cack:x"):
        phone.toasts.clear()
        await phone.press_data(data, phone.state.screen)
        assert phone.toasts == [texts.STALE_BUTTON_TOAST], data
    assert "involvement" not in phone.stored()


async def test_a_fault_is_not_passed_off_as_an_out_of_date_button():
    phone = Phone()
    await phone.cmd("/audit")
    await phone.press("C1")

    async def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    phone.collector.put_answer = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):  # the channel logs it and tells the person plainly
        await phone.press("Some involvement")
    assert texts.STALE_BUTTON_TOAST not in phone.toasts


async def test_a_redelivered_update_has_one_effect():
    phone = Phone()
    await phone.cmd("/audit")
    await phone.press("C1", update_id=1)
    mid, data = phone.find("Some involvement")
    await phone.press_data(data, mid, update_id=2)
    messages = dict(phone.messages)
    assert await phone.chat.button(phone.who, phone.state, data, mid, 2) == []
    assert phone.messages == messages and phone.stored()["involvement"] == "some"


async def test_a_redelivered_command_has_one_effect_and_costs_one_mark():
    phone = Phone()
    outs = await phone.chat.command(phone.who, phone.state, "audit", [], update_id=41)
    assert outs and phone.collector.calls.count("mark_update") == 1
    assert await phone.chat.command(phone.who, phone.state, "audit", [], update_id=41) == []
    assert phone.collector.calls.count("mark_update") == 2  # asked once per delivery


async def test_an_answer_is_de_duplicated_in_its_write_alone():
    phone = Phone()
    await phone.cmd("/audit")
    await phone.press("C1")
    mid, data = phone.find("Some involvement")
    before = len(phone.collector.calls)
    await phone.press_data(data, mid, update_id=77)
    assert phone.collector.calls[before:] == ["put_answer"]  # no separate mark
    assert 77 in phone.collector.updates


async def test_a_redelivered_narrative_part_is_stored_once():
    phone = Phone()
    await to_narratives(phone)
    await phone.say("Once.", update_id=7)
    assert await phone.chat.text(phone.who, phone.state, "Once.", update_id=7) == []
    assert phone.stored()["good_practice"] == "Once."


async def test_a_concern_says_what_was_queued_and_wakes_the_sender():
    phone = Phone()
    await phone.cmd("/audit")
    await phone.press("C1")
    for key in ("involvement", "practice", "joint_working_grade", "impact"):
        phone.collector.returns[phone.state.rid].answers[key] = (
            "some" if key == "involvement" else {"grade": "good"}
        )
    for key in ("good_practice", "development"):
        phone.collector.returns[phone.state.rid].answers[key] = "Text."
    phone.collector.returns[phone.state.rid].answers["themes"] = ["signposting"]
    for key in ("joint_working", "voice_of_child", "learning"):
        phone.collector.returns[phone.state.rid].answers[key] = None
    await phone.cmd("/resume")
    assert phone.state.qkey == "immediate_concern"
    await phone.press("Yes")
    texts_sent = [o.screen.text for o in phone.outs if isinstance(o, Send)]
    assert "queued to Casey Coordinator" in texts_sent[0]
    assert any(isinstance(o, Deliver) for o in phone.outs)
    assert phone.state.step == Step.review


async def test_back_and_resume_after_the_state_is_lost():
    phone = Phone()
    await phone.cmd("/audit")
    await phone.press("C1")
    await phone.press("Some involvement")
    await phone.cmd("/back")
    assert phone.state.qkey == "involvement" and "Current answer" in phone.screen.text
    await phone.press("Keep it as it is")
    assert phone.state.qkey == "practice"
    phone.state = ChatState()  # a restarted bot: nothing in memory
    await phone.cmd("/resume")
    assert phone.state.qkey == "practice" and "Question 2 of 11" in phone.screen.text


async def test_a_required_question_cannot_be_skipped():
    phone = Phone()
    await phone.cmd("/audit")
    await phone.press("C1")
    assert (await phone.cmd("/skip")).text == texts.CANNOT_SKIP
    assert "involvement" not in phone.stored()


def test_button_data_round_trips_and_refuses_what_it_never_made():
    assert decode(encode(Kind.answer, 5, "impact", 2)).parts == ("5", "impact", "2")
    assert decode("open:3:C12").kind == Kind.open_case
    assert decode("open:3:C12").parts == ("3", "C12")
    assert decode("actp:7").num(0) == 7
    for bad in ("", "zz", "a|1", "a|x|impact|2", "u|1|2", "actp:", "cack:x", "open:x:C1"):
        assert decode(bad) is None, bad
