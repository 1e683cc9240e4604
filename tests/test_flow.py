"""The audit conversation as plain data (bot/flow.py): no Telegram, no collector."""

import subprocess
import sys

import pytest

from bot import flow, flow_views, texts
from bot.flow_out import Throttle, minutes
from models.buttons import MAX_CALLBACK, SEP, Kind, StaleButton, decode, encode
from models.grades import NOT_GRADED, SCALE
from models.returns import RETURN_PUBLIC
from models.tool import load_tool

TOOL = load_tool("maa-audit-1")
RID = 9_999_999_999  # a large return id: callback data must still fit


def ret(answers=None, **extra):
    answers = answers or {}
    nxt = next((q.key for q in TOOL.questions if q.key not in answers), None)
    return RETURN_PUBLIC.validate_python(
        {"id": RID, "round": "r-2024", "agency": "police", "case": "C3", "status": "draft",
         "tool_version": TOOL.version, "answers": answers, "answered": len(answers),
         "total_questions": len(TOOL.questions), "next_question": nxt,
         "missing": TOOL.missing(set(answers)), "submitted_at": None, "reopened_reason": None,
         **extra}
    )  # fmt: skip


def labels(screen):
    return [b.label for row in screen.buttons for b in row]


def datas(screen):
    return [b.data for row in screen.buttons for b in row]


FULL = {
    "involvement": "throughout",
    "practice": {"grade": "good"},
    "joint_working_grade": {"grade": "not_graded", "reason": "too_little"},
    "impact": {"grade": "requires_improvement"},
    "good_practice": "x" * 6000,
    "development": "y" * 6000,
    "joint_working": None,
    "voice_of_child": "z" * 4000,
    "themes": ["signposting", "information_sharing"],
    "learning": "w" * 4000,
    "immediate_concern": False,
}


def test_flow_does_not_import_telegram():
    code = "import sys, bot.flow, bot.flow_commands, bot.flow_out; print('telegram' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_button_of_every_screen_fits_telegram_callback_data():
    screens = [flow.question_screen(TOOL, ret(FULL), q.key) for q in TOOL.questions]
    screens += [flow.reason_screen(TOOL, ret(), "impact"), flow.review_screen(TOOL, ret(), "X")]
    screens += [flow.review_screen(TOOL, ret(FULL), "Police"), flow.confirm_screen(ret(), "X")]
    for screen in screens:
        assert screen.buttons
        for data in datas(screen):
            assert len(data.encode()) <= MAX_CALLBACK
        assert len(screen.text) <= flow.MAX_MESSAGE


def unpack(data: str) -> tuple[str, list[str]]:
    press = decode(data)
    assert press is not None, data
    return press.kind.value, list(press.parts)


def test_pack_refuses_callback_data_over_64_bytes():
    with pytest.raises(ValueError):
        encode(Kind.answer, "x" * 70)
    assert unpack(encode(Kind.answer, 5, "impact", 2)) == ("a", ["5", "impact", "2"])


def test_progress_line_and_grade_buttons():
    screen = flow.question_screen(TOOL, ret(), "impact")
    assert screen.text.splitlines()[0] == "Case C3 · Question 4 of 11 · Impact"
    assert labels(screen) == [g.name for g in SCALE] + ["Not graded", "ℹ️ What do the grades mean?"]
    value = flow.button_value(TOOL.question("impact"), unpack(datas(screen)[1])[1][2])
    assert TOOL.question("impact").check(value) == {"grade": "good"}
    assert flow.button_value(TOOL.question("impact"), "n") is flow.NEEDS_REASON


def test_not_graded_asks_for_a_reason_that_the_tool_accepts():
    screen = flow.reason_screen(TOOL, ret(), "practice")
    assert texts.CHOOSE_REASON in screen.text
    assert len(screen.buttons) == 5  # four reasons and "back to the grades"
    code = unpack(datas(screen)[2])[1][2]
    value = flow.reason_value(code)
    expected = {"grade": NOT_GRADED, "reason": "historical_only"}
    assert TOOL.question("practice").check(value) == expected
    assert unpack(datas(screen)[-1])[0] == Kind.grades


def test_choice_and_yes_no_buttons_map_to_valid_answers():
    involvement = TOOL.question("involvement")
    screen = flow.question_screen(TOOL, ret(), "involvement")
    assert len(screen.buttons) == len(involvement.options)
    assert flow.button_value(involvement, "4") == "transferred"
    concern = TOOL.question("immediate_concern")
    yes_no = flow.question_screen(TOOL, ret(), "immediate_concern")
    assert labels(yes_no) == ["Yes", "No"]
    assert flow.button_value(concern, flow.YES) is True
    assert flow.button_value(concern, flow.NO) is False
    with pytest.raises(StaleButton):
        flow.button_value(concern, "maybe")
    with pytest.raises(StaleButton):
        flow.button_value(involvement, "17")


def test_text_question_shows_guidance_limits_and_skip_when_optional():
    required = flow.question_screen(TOOL, ret(), "good_practice")
    assert TOOL.question("good_practice").guidance in required.text
    assert "between 3 and 6,000 characters" in required.text
    assert required.buttons == []
    optional = flow.question_screen(TOOL, ret(), "voice_of_child")
    assert labels(optional) == ["Skip"] and texts.OPTIONAL in optional.text


def test_revisited_question_shows_its_current_answer_and_keep():
    screen = flow.question_screen(TOOL, ret(FULL), "practice")
    assert "Current answer: Good" in screen.text
    assert "Keep it as it is" in labels(screen)
    answered = ret({"good_practice": "Timely strategy meeting."})
    text = flow.question_screen(TOOL, answered, "good_practice")
    assert "Current answer: Timely strategy meeting." in text.text


def test_multichoice_toggles_in_tool_order_with_done():
    themes = TOOL.question("themes")
    chosen = flow.toggle(themes, [], "3")
    chosen = flow.toggle(themes, chosen, "0")
    assert chosen == ["signposting", "information_sharing"]
    assert flow.toggle(themes, chosen, "0") == ["information_sharing"]
    screen = flow.question_screen(TOOL, ret(), "themes", selected=chosen)
    assert labels(screen)[0].startswith("☑") and labels(screen)[1].startswith("☐")
    assert labels(screen)[-1] == "Done"


def test_a_narrative_ack_carries_its_length_on_done():
    q = TOOL.question("voice_of_child")
    screen = flow.narrative_saved_screen(ret({**FULL}), q)
    assert "Saved (4,000 of" in screen.text and labels(screen) == ["Done"]
    assert datas(screen) == [encode(Kind.done, RID, "voice_of_child", 4000)]


def test_review_lists_every_answer_with_edit_buttons_and_submit_when_complete():
    screen = flow.review_screen(TOOL, ret(FULL), "Police")
    assert screen.text.startswith("Review – case C3 (Police)")
    assert "2. Quality of practice: Good" in screen.text
    assert "3. Joint working: Not graded – Too little involvement to grade" in screen.text
    assert "7. Information sharing: Skipped" in screen.text
    assert "9. Themes: Signposting to earlier support, Information sharing" in screen.text
    edits = [d for d in datas(screen) if d.startswith(Kind.edit + SEP)]
    assert len(edits) == len(TOOL.questions)
    assert labels(screen)[-1] == "Submit"


def test_review_lists_and_offers_missing_answers_without_submit():
    answers = {k: v for k, v in FULL.items() if k not in ("impact", "development")}
    screen = flow.review_screen(TOOL, ret(answers), "Police")
    assert "Still to answer: 4. Impact, 6. Areas for development" in screen.text
    assert labels(screen)[:2] == ["Answer 4. Impact", "Answer 6. Areas for development"]
    assert "Submit" not in labels(screen)


def test_a_button_answer_becomes_the_next_screen_with_the_answer_on_top():
    answers = {"involvement": "throughout", "practice": {"grade": "good"}}
    after = flow.question_screen(TOOL, ret(answers), "joint_working_grade")
    screen = flow.answered_then(TOOL, ret(answers), "practice", after)
    assert screen.text == "✓ Quality of practice: Good\n\n" + after.text
    assert screen.buttons == after.buttons
    review = flow.review_screen(TOOL, ret(FULL), "Police")
    screen = flow.answered_then(TOOL, ret(FULL), "immediate_concern", review)
    assert screen.text.startswith("✓ Current concern: No\n\nReview – case C3")
    assert labels(screen)[-1] == "Submit"


def test_the_answer_line_gives_way_when_the_next_screen_fills_a_message():
    long = flow.Screen("r" * (flow.MAX_MESSAGE - 10), [[flow.Button("Submit", "u|1")]])
    screen = flow.answered_then(TOOL, ret(FULL), "learning", long)
    assert screen.text == long.text and screen.buttons == long.buttons
    line = flow.answered_then(TOOL, ret(FULL), "learning", flow.Screen("next")).text
    assert line.startswith("✓ Learning: ww") and len(line.split("\n\n")[0]) <= 200


def test_case_list_shows_outstanding_cases_with_progress_and_due_date():
    round_ = {"id": 7, "slug": "r-2024", "title": "Audit 2024", "due_at": "2024-04-12T22:59:59Z"}
    rows = [
        {"case": "C1", "status": "submitted", "answered": 11, "total_questions": 11},
        {"case": "C3", "status": "draft", "answered": 4, "total_questions": 11},
        {"case": "C4", "status": "not_started", "answered": 0, "total_questions": 11},
    ]
    screen = flow_views.case_list_screen(round_, rows)
    assert labels(screen) == [
        "C3 · 4 of 11 answered · due 12 Apr 2024",
        "C4 · 0 of 11 answered · due 12 Apr 2024",
    ]
    assert datas(screen)[0] == "k|7|C3"
    status = flow_views.status_text(round_, rows)
    assert "Done: C1" in status and "In progress: C3 (4 of 11)" in status
    assert "Not started: C4" in status and "due 12 Apr 2024" in status
    assert flow_views.case_list_screen(round_, rows[:1]).buttons == []


def test_tally_text_reads_returned_of_expected_and_grades():
    tally = {"round": "r", "total_returns": 9, "agencies_returning": 2, "agencies": [
        {"code": "csc", "name": "Children's Social Care", "returned": 7, "expected": 8,
         "overall_grades": {"Good": 4, "Requires Improvement": 3}, "not_graded": 0},
        {"code": "police", "name": "Police", "returned": 2, "expected": 8,
         "overall_grades": {}, "not_graded": 2},
    ]}  # fmt: skip
    text = flow_views.tally_text({"title": "Audit 2024"}, tally)
    assert "Children's Social Care: 7 (of 8) · Good 4, Requires Improvement 3" in text
    assert "Police: 2 (of 8) · Not graded 2" in text


def test_previous_question_and_answer_summaries():
    assert flow.previous_key(TOOL, "practice") == "involvement"
    assert flow.previous_key(TOOL, "involvement") is None
    assert flow.previous_key(TOOL, None) == "immediate_concern"
    assert flow.summary(TOOL.question("immediate_concern"), True) == "Yes"
    assert flow.summary(TOOL.question("learning"), "a " * 200).endswith("…")


def test_wrong_invite_codes_are_slowed_down_then_forgiven():
    now = [1000.0]
    throttle = Throttle(free=3, base=60, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait(42) == 0
        throttle.failed(42)
    assert throttle.wait(42) == 60 and minutes(throttle.wait(42)) == "a minute"
    throttle.failed(42)
    assert throttle.wait(42) == 120
    now[0] += 121
    assert throttle.wait(42) == 0
    assert throttle.wait(43) == 0  # other people are not affected
    throttle.succeeded(42)
    assert throttle.wait(42) == 0
