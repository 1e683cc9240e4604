"""The engine's parts and tables: `Chat` routes, collaborators do one job each.

Driven with the in-memory collector double (tests/fake_collector.py), like tests/test_engine.py.
"""

from bot import texts
from bot.flow_cases import Cases
from bot.flow_commands import COMMANDS, Chat
from bot.flow_narrative import Narratives
from bot.flow_out import Send
from bot.flow_rules import RULES
from bot.state import ChatState, KeptAnswer, Part, Step
from models.buttons import Kind, encode
from tests.fake_collector import FakeCollector
from tests.test_engine import AUDITOR, Phone, to_narratives


def test_every_command_has_one_rule_and_one_handler():
    chat = Chat(FakeCollector(AUDITOR))  # type: ignore[arg-type]
    assert set(chat.commands) == set(RULES) == set(COMMANDS)


async def test_a_role_rule_refuses_before_the_command_runs():
    phone = Phone()
    for command, refusal in (
        ("/remind", texts.COORDINATORS_ONLY),
        ("/actions", texts.COORDINATORS_ONLY),
        ("/concerns", texts.CONCERNS_ONLY),
    ):
        phone.collector.calls.clear()
        assert (await phone.cmd(command)).text == refusal
        assert phone.collector.calls == ["me"]  # asked who is asking, and nothing else


async def test_a_kept_answer_goes_before_the_auditors_commands_only():
    phone = Phone()
    await phone.cmd("/audit")
    await phone.press("C1")
    phone.collector.down = True
    await phone.press("Involved throughout")
    assert isinstance(phone.state.kept, KeptAnswer)
    phone.collector.down = False
    assert (await phone.cmd("/help")).text == texts.HELP_AUDITOR  # help leaves it kept
    assert isinstance(phone.state.kept, KeptAnswer)
    await phone.cmd("/status")  # an auditor's command: the kept answer is stored first
    assert texts.SAVED_NOW in [m.text for m in phone.messages.values()]
    assert phone.stored()["involvement"] == "throughout" and phone.state.kept is None


async def test_any_command_ends_a_name_warning_unsent_but_start_does_not():
    phone = Phone()
    await to_narratives(phone)
    await phone.say("Mum said Jessica Smith visited often.")
    assert phone.state.held is not None
    await phone.cmd("/start")
    assert phone.state.held is not None  # the way in leaves the warning standing
    await phone.cmd("/status")
    assert phone.state.held is None and "good_practice" not in phone.stored()


async def test_a_round_button_for_a_view_no_code_shows_is_out_of_date():
    phone = Phone()
    outs = await phone.chat.button(phone.who, phone.state, encode(Kind.tally, 1, "nosuch"), 1)
    phone.perform(outs)
    assert phone.toasts == [texts.STALE_BUTTON_TOAST]
    assert "round" not in phone.collector.calls  # nothing was fetched for it


async def test_narratives_store_parts_in_order_with_cases_alone():
    """The narrative part needs only `Cases` and the client: no auditing, no Chat."""
    collector = FakeCollector(AUDITOR)
    cases = Cases(collector)  # type: ignore[arg-type]
    narratives = Narratives(collector, cases)  # type: ignore[arg-type]
    ret = await collector.open_return(AUDITOR, "r-1", "C2")
    state = ChatState()
    cases.ask(state, ret, "good_practice")
    parts = [Part("One.", None, True), Part("Two.", None, False)]
    outs = await narratives.send_parts(Phone().who, state, ret, "good_practice", parts)
    assert collector.returns[ret.id].answers["good_practice"] == "One.\n\nTwo."
    assert state.step == Step.narrative and state.ret.answers["good_practice"] == "One.\n\nTwo."
    # A question without buttons stays as asked: one ack, the current screen, says it all.
    assert len(outs) == 1 and isinstance(outs[0], Send) and outs[0].current
    assert "Saved (10 of" in outs[0].screen.text
    assert parts == []  # every part stored, none left to keep
