"""The reminder policy with a moved clock: who is chased, at which stage, when, in what words."""

import json
from dataclasses import replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import yaml

from report.reminder_policy import CALLBACK_LIMIT, TEXT_LIMIT, next_allowed
from report.reminder_text import units
from report.reminders import (
    ChaseAction,
    ChaseExpectation,
    ChaseMember,
    ChaseRound,
    ReminderDecision,
    ReminderPolicy,
    digest,
    explain,
    overdue_actions,
    plan_reminders,
    policy_from,
)

LONDON = ZoneInfo("Europe/London")


def london(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    """A London wall-clock time as the aware UTC instant the code is given."""
    return datetime(y, mo, d, h, mi, s, tzinfo=LONDON).astimezone(UTC)


# Due Friday 12 April 2024, end of day (BST). Stages at 09:00 London: before-7d Fri 5 Apr,
# before-2d Wed 10 Apr, due Fri 12 Apr, after-2d Sun 14 Apr, escalate-5d Wed 17 Apr.
ROUND = ChaseRound(
    id=1, slug="cne-2024", title="Multi-agency audit 2024", due_at=london(2024, 4, 12, 23, 59, 59),
    status="open", policy=None,
)  # fmt: skip

MEMBERS = [
    ChaseMember(1, 1001, "Cora", "coordinator", None),
    ChaseMember(2, 1002, "Colm", "coordinator", None),
    ChaseMember(10, 2010, "Ann", "auditor", "csc"),
    ChaseMember(11, 2011, "Ari", "auditor", "csc"),
    ChaseMember(12, 2012, "Lee", "agency_lead", "csc"),
    ChaseMember(20, 2020, "Pat", "auditor", "police"),
    ChaseMember(21, 2021, "Uma", "auditor", "police", reachable=False),
    ChaseMember(22, None, "Nia", "auditor", "police"),
    ChaseMember(30, 2030, "Hal", "auditor", "housing"),
    ChaseMember(40, 2040, "Vic", "viewer", "csc"),
]

CSC, POLICE, HOUSING, EDU = (
    "Children's Social Care", "Police", "Housing", "Education",
)  # fmt: skip
EXPECTATIONS = [
    ChaseExpectation(1, "csc", CSC, "C1", "expected", 5, "submitted", 11, 11),
    ChaseExpectation(2, "csc", CSC, "C3", "expected", 7, "draft", 4, 11),
    ChaseExpectation(3, "csc", CSC, "C5", "expected", None, None, 0, 11),
    ChaseExpectation(4, "csc", CSC, "C10", "expected", 8, "draft", 2, 11),
    ChaseExpectation(5, "police", POLICE, "C2", "expected", 9, "draft", 0, 11),
    ChaseExpectation(6, "police", POLICE, "C3", "not_required"),
    ChaseExpectation(7, "housing", HOUSING, "C4", "expected", 10, "submitted", 11, 11),
    ChaseExpectation(8, "housing", HOUSING, "C6", "not_required"),
    ChaseExpectation(9, "edu", EDU, "C7", "expected"),
]

ACTIONS = [
    ChaseAction(1, 1, "Share strategy minutes with schools", 20, london(2024, 4, 1, 1), "open"),
    ChaseAction(2, 2, "Refresh the EHE protocol", 10, london(2024, 5, 30, 1), "open"),
    ChaseAction(3, 3, "Brief GPs on CME", 11, london(2024, 3, 1, 1), "done"),
    ChaseAction(4, 4, "Audit SEND panel minutes", None, london(2024, 3, 15, 1), "in_progress"),
]


def plan(
    now: datetime,
    *,
    round: ChaseRound = ROUND,
    members: list[ChaseMember] = MEMBERS,
    expectations: list[ChaseExpectation] = EXPECTATIONS,
    actions: list[ChaseAction] = ACTIONS,
    policy: ReminderPolicy | None = None,
) -> list[ReminderDecision]:
    """The default scenario at `now`, any input replaced by keyword."""
    return plan_reminders(round, members, expectations, actions, now, policy)


def of_kind(decisions: list[ReminderDecision], kind: str) -> list[ReminderDecision]:
    return [d for d in decisions if d.kind == kind]


def recipients(decisions: list[ReminderDecision]) -> set[int]:
    return {d.recipient_id for d in decisions}


# --- the policy ---------------------------------------------------------------------------------


def test_defaults_fill_a_missing_or_partial_policy() -> None:
    default = policy_from(None)
    assert default.before_days == (2, 7)
    assert default.on_due and default.after_days == (2,) and default.escalate_after_days == (5,)
    assert default.quiet_hours is not None
    assert (default.quiet_hours.start, default.quiet_hours.end) == (time(20), time(8))
    assert default.timezone == "Europe/London" and not default.quiet_weekends
    partial = policy_from({"before_days": [3], "quiet_weekends": True})
    assert partial.before_days == (3,) and partial.quiet_weekends
    assert partial.after_days == (2,) and partial.escalate_after_days == (5,)
    assert policy_from({"quiet_hours": None}).quiet_hours is None


def test_unquoted_yaml_times_are_read_as_times() -> None:
    # YAML 1.1 reads an unquoted 20:00 as the number 1200; the round file author meant 20:00.
    raw = yaml.safe_load("quiet_hours: {start: 20:00, end: '07:30'}\nsend_at: 10:15\n")
    assert raw["quiet_hours"]["start"] == 1200
    p = policy_from(raw)
    assert p.quiet_hours is not None
    assert (p.quiet_hours.start, p.quiet_hours.end, p.send_at) == (
        time(20),
        time(7, 30),
        time(10, 15),
    )


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"before_day": [7]}, "before_day"),
        ({"before_days": [0]}, "before_days"),
        ({"before_days": [2, 2]}, "once"),
        ({"after_days": ["soon"]}, "after_days"),
        ({"timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ({"quiet_hours": {"start": "25:00"}}, "quiet_hours.start"),
        ({"quiet_hours": {"start": "08:00", "end": "08:00"}}, "null to turn them off"),
        ({"send_at": "9am"}, "send_at"),
        (["before_days", 7], "mapping"),
    ],
)
def test_a_bad_policy_is_refused_with_a_clear_message(raw: object, words: str) -> None:
    with pytest.raises(ValueError, match="invalid reminder policy") as info:
        policy_from(raw)  # type: ignore[arg-type]
    assert words in str(info.value)


def test_a_bad_policy_in_the_round_file_stops_planning() -> None:
    with pytest.raises(ValueError, match="before_days"):
        plan(london(2024, 4, 10, 10), round=replace(ROUND, policy={"before_days": [-1]}))


def test_naive_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan(datetime(2024, 4, 10, 10))


# --- stages, people, days -----------------------------------------------------------------------


def test_nothing_before_the_first_stage() -> None:
    assert of_kind(plan(london(2024, 4, 5, 8, 59)), "expectation") == []
    assert of_kind(plan(london(2024, 3, 20, 12)), "expectation") == []
    first = of_kind(plan(london(2024, 4, 5, 9, 0)), "expectation")
    assert first and {d.stage for d in first} == {"before-7d"}


@pytest.mark.parametrize(
    ("now", "stage"),
    [
        (london(2024, 4, 5, 9), "before-7d"),
        (london(2024, 4, 9, 18), "before-7d"),
        (london(2024, 4, 10, 9), "before-2d"),
        (london(2024, 4, 12, 9, 30), "due"),
        (london(2024, 4, 14, 9), "after-2d"),
        (london(2024, 4, 20, 12), "after-2d"),
    ],
)
def test_auditors_and_agency_lead_get_the_stage_of_the_day(now: datetime, stage: str) -> None:
    decisions = of_kind(plan(now), "expectation")
    assert {d.stage for d in decisions} == {stage}
    by_member = {d.recipient_id: d for d in decisions}
    # csc: two auditors and the lead; police: Pat only (Uma unreachable, Nia not enrolled);
    # housing has everything in; the viewer and coordinators are not chased as agencies.
    assert set(by_member) == {10, 11, 12, 20}
    assert by_member[10].key == f"exp:1:csc:10:{stage}"
    assert set(by_member[12].expectation_ids) == {2, 3, 4}
    assert by_member[20].expectation_ids == (5,)
    assert all(d.send_after >= now for d in decisions)


def test_only_the_latest_due_stage_is_produced_after_a_gap() -> None:
    # Collector down from before the first stage until after the due date: one message each,
    # at the latest stage, not a burst of "7 days to go", "2 days to go" and "due today".
    decisions = of_kind(plan(london(2024, 4, 16, 10)), "expectation")
    assert len(decisions) == len(recipients(decisions)) == 4
    assert {d.stage for d in decisions} == {"after-2d"}


def test_escalation_to_coordinators_lists_every_outstanding_agency() -> None:
    assert of_kind(plan(london(2024, 4, 17, 8, 59)), "escalation") == []
    decisions = of_kind(plan(london(2024, 4, 17, 9, 30)), "escalation")
    assert recipients(decisions) == {1, 2}
    assert {d.key for d in decisions} == {"esc:1:1:escalate-5d", "esc:1:2:escalate-5d"}
    text = decisions[0].text
    assert CSC in text and POLICE in text and EDU in text
    assert HOUSING not in text  # every expected housing return is in
    assert "3 of 4 outstanding: C3, C5, C10" in text
    assert "nobody enrolled to remind" in text  # nobody at edu to chase: the coordinators must
    assert set(decisions[0].expectation_ids) == {2, 3, 4, 5, 9}


def test_no_escalation_when_everything_is_in() -> None:
    done = [replace(e, return_status="submitted") for e in EXPECTATIONS]
    decisions = plan(london(2024, 4, 17, 10), expectations=done)
    assert of_kind(decisions, "escalation") == [] and of_kind(decisions, "expectation") == []


def test_custom_stages_from_the_round_file() -> None:
    round_ = replace(ROUND, policy={"before_days": 3, "on_due": False, "after_days": [1, 4]})
    assert of_kind(plan(london(2024, 4, 8, 12), round=round_), "expectation") == []
    assert {d.stage for d in of_kind(plan(london(2024, 4, 9, 9), round=round_), "expectation")} == {
        "before-3d"
    }
    stages_on_due_day = {
        d.stage for d in of_kind(plan(london(2024, 4, 12, 12), round=round_), "expectation")
    }
    assert stages_on_due_day == {"before-3d"}
    assert {
        d.stage for d in of_kind(plan(london(2024, 4, 16, 9), round=round_), "expectation")
    } == {"after-4d"}


# --- quiet hours and weekends ---------------------------------------------------------------------


def test_a_late_run_in_quiet_hours_waits_for_the_morning() -> None:
    now = london(2024, 4, 10, 21, 30)
    decisions = plan(now)
    assert decisions
    for d in decisions:
        assert d.send_after == london(2024, 4, 11, 8, 0), d.key
    # Written for the morning it is read: due Friday is "tomorrow" on Thursday.
    ann = next(d for d in decisions if d.key == "exp:1:csc:10:before-2d")
    assert "Friday 12 April (tomorrow)" in ann.text
    daytime = plan(london(2024, 4, 10, 14))
    assert {d.send_after for d in daytime} == {london(2024, 4, 10, 14)}


@pytest.mark.parametrize(
    ("due_day", "now", "expected_utc"),
    [
        # Spring forward on Sun 31 March 2024: 08:00 London is 07:00 UTC that morning.
        (
            (2024, 3, 30),
            datetime(2024, 3, 30, 21, 30, tzinfo=UTC),
            datetime(2024, 3, 31, 7, tzinfo=UTC),
        ),
        # After midnight, before the end of quiet hours: that same morning.
        (
            (2024, 3, 30),
            datetime(2024, 3, 31, 3, 0, tzinfo=UTC),
            datetime(2024, 3, 31, 7, tzinfo=UTC),
        ),
        # Fall back on Sun 27 October 2024: 08:00 London is 08:00 UTC that morning.
        (
            (2024, 10, 26),
            datetime(2024, 10, 26, 21, 30, tzinfo=UTC),
            datetime(2024, 10, 27, 8, tzinfo=UTC),
        ),
    ],
)
def test_quiet_hours_end_at_0800_london_across_a_clock_change(
    due_day: tuple[int, int, int], now: datetime, expected_utc: datetime
) -> None:
    # Due on the Saturday: its "due" stage came at 09:00, the collector works it at night.
    round_ = replace(ROUND, due_at=london(*due_day, 23, 59, 59))
    decisions = plan(now, round=round_)
    assert of_kind(decisions, "expectation")
    assert {d.send_after for d in decisions} == {expected_utc}
    assert next_allowed(now, policy_from(None)) == expected_utc


def test_a_send_time_inside_quiet_hours_is_moved_to_their_end() -> None:
    round_ = replace(ROUND, policy={"send_at": "21:00"})
    decisions = of_kind(plan(london(2024, 4, 10, 21, 0), round=round_), "expectation")
    assert {d.stage for d in decisions} == {"before-2d"}
    assert {d.send_after for d in decisions} == {london(2024, 4, 11, 8, 0)}


def test_quiet_hours_can_be_turned_off() -> None:
    now = london(2024, 4, 10, 23, 0)
    decisions = plan(now, round=replace(ROUND, policy={"quiet_hours": None}))
    assert decisions and {d.send_after for d in decisions} == {now}


def test_weekends_are_quiet_only_when_enabled() -> None:
    saturday = london(2024, 4, 13, 10, 0)
    plain = of_kind(plan(saturday), "expectation")
    assert {d.send_after for d in plain} == {saturday}
    quiet = of_kind(
        plan(saturday, round=replace(ROUND, policy={"quiet_weekends": True})), "expectation"
    )
    assert quiet and {d.send_after for d in quiet} == {london(2024, 4, 15, 8, 0)}
    # The Sunday stage (after-2d) waits for Monday morning too.
    sunday = plan(london(2024, 4, 14, 9, 0), round=replace(ROUND, policy={"quiet_weekends": True}))
    sunday_exp = of_kind(sunday, "expectation")
    assert {d.stage for d in sunday_exp} == {"after-2d"}
    assert {d.send_after for d in sunday_exp} == {london(2024, 4, 15, 8, 0)}
    assert of_kind(sunday, "digest") == []  # no weekend digest (it would double up on Monday)


# --- who is never chased --------------------------------------------------------------------------


def test_submitted_returns_and_not_required_expectations_are_never_chased() -> None:
    for now in (london(2024, 4, 5, 10), london(2024, 4, 12, 10), london(2024, 4, 18, 10)):
        decisions = plan(now)
        chased = {i for d in decisions for i in d.expectation_ids}
        assert chased and chased.isdisjoint({1, 6, 7, 8})
        assert 30 not in recipients(decisions)  # housing: all in
        text = "\n".join(d.text for d in of_kind(decisions, "expectation"))
        assert "C1 —" not in text and "C4" not in text and "C6" not in text


def test_a_reopened_return_is_chased_again() -> None:
    reopened = [*EXPECTATIONS[:-1], replace(EXPECTATIONS[6], return_status="reopened", answered=11)]
    decisions = of_kind(plan(london(2024, 4, 10, 10), expectations=reopened), "expectation")
    assert 30 in recipients(decisions)
    assert "C4 — reopened, all 11 answered, ready to submit" in next(
        d.text for d in decisions if d.recipient_id == 30
    )


def test_unreachable_and_unenrolled_members_are_skipped() -> None:
    now = london(2024, 4, 17, 10)
    decisions = plan(now)
    assert recipients(decisions).isdisjoint({21, 22, 40})
    members = [replace(m, reachable=False) if m.id == 2 else m for m in MEMBERS]
    assert recipients(of_kind(plan(now, members=members), "escalation")) == {1}
    lines = "\n".join(explain(ROUND, MEMBERS, EXPECTATIONS, ACTIONS, now))
    assert "skip Uma (#21" in lines and "unreachable" in lines
    assert "skip Nia (#22" in lines and "not enrolled" in lines


@pytest.mark.parametrize("status", ["closed", "draft"])
def test_a_round_that_is_not_open_is_never_chased(status: str) -> None:
    decisions = plan(london(2024, 4, 17, 10), round=replace(ROUND, status=status))
    assert [d for d in decisions if d.kind in ("expectation", "escalation", "digest")] == []
    open_ = plan(london(2024, 4, 17, 10))
    assert of_kind(open_, "expectation") and of_kind(open_, "digest")


def test_actions_outlive_the_round_unless_turned_off() -> None:
    now = london(2024, 4, 17, 10)
    closed = replace(ROUND, status="closed")
    assert [d.key for d in plan(now, round=closed)] == ["act:1:20:overdue"]
    assert plan(now, round=replace(closed, policy={"chase_actions_when_closed": False})) == []
    assert plan(now, round=replace(ROUND, status="draft")) == []


def test_a_disabled_policy_chases_nobody() -> None:
    round_ = replace(ROUND, policy={"enabled": False})
    assert plan(london(2024, 4, 17, 10), round=round_) == []


# --- idempotence ------------------------------------------------------------------------------


def test_the_same_call_twice_gives_the_same_keys() -> None:
    now = london(2024, 4, 17, 10)
    first, second = plan(now), plan(now)
    assert [d.key for d in first] == [d.key for d in second]
    assert first == second
    assert len({d.key for d in first}) == len(first)
    assert all(len(d.key) <= 200 and len(d.stage) <= 32 and len(d.kind) <= 32 for d in first)
    # What the outbox row carries survives a JSON column.
    ann = next(d for d in first if d.key == "exp:1:csc:10:after-2d")
    assert json.loads(json.dumps(ann.payload())) == {
        "text": ann.text,
        "button": ["Open C3", "open:1:C3"],
        "expectation_ids": [2, 3, 4],
    }


def test_working_the_policy_again_in_the_same_stage_repeats_keys() -> None:
    morning = {d.key for d in of_kind(plan(london(2024, 4, 10, 9, 5)), "expectation")}
    next_day = {d.key for d in of_kind(plan(london(2024, 4, 11, 15)), "expectation")}
    assert morning == next_day
    due_day = {d.key for d in of_kind(plan(london(2024, 4, 12, 9)), "expectation")}
    assert due_day.isdisjoint(morning)


# --- the action plan ------------------------------------------------------------------------------


def test_overdue_actions_are_listed_oldest_first() -> None:
    assert overdue_actions(ACTIONS, london(2024, 4, 1, 23)) == [ACTIONS[3]]
    assert [a.number for a in overdue_actions(ACTIONS, london(2024, 4, 2, 0, 1))] == [4, 1]
    assert [a.number for a in overdue_actions(ACTIONS, london(2024, 6, 1))] == [4, 1, 2]


def test_an_overdue_action_reminds_its_owner_the_morning_after() -> None:
    assert of_kind(plan(london(2024, 4, 2, 8, 59)), "action") == []
    decisions = of_kind(plan(london(2024, 4, 2, 9, 0)), "action")
    assert [(d.key, d.recipient_id, d.stage, d.action_id) for d in decisions] == [
        ("act:1:20:overdue", 20, "overdue", 1)
    ]
    assert "Action 1" in decisions[0].text and "Share strategy minutes" in decisions[0].text
    assert "Monday 1 April" in decisions[0].text
    # Action 4 is overdue but has no owner member: the dry run says so.
    assert any("action 4" in line for line in explain(ROUND, MEMBERS, EXPECTATIONS, ACTIONS,
                                                       london(2024, 4, 2, 9)))  # fmt: skip


def test_an_unreachable_owner_is_not_reminded() -> None:
    members = [replace(m, reachable=False) if m.id == 20 else m for m in MEMBERS]
    assert of_kind(plan(london(2024, 4, 3, 10), members=members), "action") == []


# --- the digest -------------------------------------------------------------------------------


def test_one_digest_per_coordinator_per_day() -> None:
    assert digest(ROUND, MEMBERS, EXPECTATIONS, ACTIONS, london(2024, 4, 11, 8, 29)) == []
    thursday = digest(ROUND, MEMBERS, EXPECTATIONS, ACTIONS, london(2024, 4, 11, 9))
    assert {d.key for d in thursday} == {"digest:1:1:2024-04-11", "digest:1:2:2024-04-11"}
    later = digest(ROUND, MEMBERS, EXPECTATIONS, ACTIONS, london(2024, 4, 11, 19))
    assert {d.key for d in later} == {d.key for d in thursday}
    friday = digest(ROUND, MEMBERS, EXPECTATIONS, ACTIONS, london(2024, 4, 12, 9))
    assert {d.key for d in friday} == {"digest:1:1:2024-04-12", "digest:1:2:2024-04-12"}
    assert {d.key for d in thursday} <= {d.key for d in plan(london(2024, 4, 11, 9))}
    text = thursday[0].text
    assert "Returns in: 2 of 7" in text
    assert "Outstanding: 5" in text
    assert "Overdue actions: 2" in text and "Action 1" in text and "Action 4" in text
    late = digest(ROUND, MEMBERS, EXPECTATIONS, ACTIONS, london(2024, 4, 15, 9))[0].text
    assert "Overdue: 5" in late


# --- the words ----------------------------------------------------------------------------------


def test_reminder_text_names_cases_progress_and_due_date() -> None:
    decisions = {d.recipient_id: d for d in of_kind(plan(london(2024, 4, 10, 9)), "expectation")}
    ann = decisions[10]
    assert "Hello Ann" in ann.text
    assert "Friday 12 April (in 2 days)" in ann.text
    for line in ("C3 — 4 of 11 answered", "C5 — not started", "C10 — 2 of 11 answered"):
        assert line in ann.text
    assert ann.text.index("C3 —") < ann.text.index("C5 —") < ann.text.index("C10 —")
    assert ann.button == ("Open C3", "open:1:C3") and ann.expectation_id == 2
    assert "agency lead" not in ann.text
    assert "agency lead; your auditors have had the same list" in decisions[12].text
    assert decisions[20].button == ("Open C2", "open:1:C2")
    assert "2024" not in ann.text.split("\n")[2].replace("Multi-agency audit 2024", "")
    due_day = of_kind(plan(london(2024, 4, 12, 9)), "expectation")[0].text
    assert "due today, Friday 12 April" in due_day
    after = of_kind(plan(london(2024, 4, 14, 9)), "expectation")[0].text
    assert "was due on Friday 12 April (2 days ago)" in after


def test_the_button_is_dropped_rather_than_overflow_callback_data() -> None:
    long_ref = "\U0001f600" * 16  # 64 bytes on its own
    exp = [replace(EXPECTATIONS[2], case_ref=long_ref)]
    decisions = of_kind(plan(london(2024, 4, 10, 9), expectations=exp), "expectation")
    assert decisions and all(d.button is None for d in decisions)
    for d in plan(london(2024, 4, 10, 9)):
        assert d.button is None or len(d.button[1].encode()) <= CALLBACK_LIMIT


def test_huge_cohorts_are_truncated_gracefully() -> None:
    many = [
        ChaseExpectation(1000 + i, "csc", CSC, f"C{i}", "expected", i, "draft", i % 11, 11)
        for i in range(1, 3001)
    ] + [
        ChaseExpectation(9000 + i, f"a{i}", f"Agency number {i} " + "x" * 150, f"C{i}", "expected")
        for i in range(400)
    ]
    members = [*MEMBERS, ChaseMember(99, 9, "\U0001f600" * 100, "auditor", "csc")]
    decisions = plan(london(2024, 4, 17, 10), expectations=many, members=members)
    assert {"expectation", "escalation", "digest"} <= {d.kind for d in decisions}
    for d in decisions:
        assert units(d.text) <= TEXT_LIMIT, d.key
        assert len(d.text) <= TEXT_LIMIT
    ann = next(d for d in decisions if d.recipient_id == 10 and d.kind == "expectation")
    assert "C1 — 1 of 11 answered" in ann.text
    assert "more cases" in ann.text and ann.text.endswith("Thank you for your time.")
    assert len(ann.expectation_ids) == 3000
    escalation = of_kind(decisions, "escalation")[0].text
    assert "more agencies" in escalation and "+2988 more" in escalation


def test_explain_says_who_at_which_stage_and_why() -> None:
    lines = explain(ROUND, MEMBERS, EXPECTATIONS, ACTIONS, london(2024, 4, 10, 21, 30))
    ann = next(line for line in lines if "Ann (#10" in line)
    assert "before-2d" in ann and "C3, C5, C10" in ann and "Thu 11 Apr 2024 08:00 BST" in ann
    early = explain(ROUND, MEMBERS, EXPECTATIONS, [], london(2024, 3, 20, 7))
    assert any("first stage falls due Fri 05 Apr 2024 09:00 BST" in line for line in early)
    closed = explain(replace(ROUND, status="closed"), MEMBERS, EXPECTATIONS, [], london(2024, 4, 9))
    assert closed == ["note: round is closed: returns are not chased"]


def test_policy_object_can_be_passed_directly() -> None:
    p = ReminderPolicy(before_days=(1,), digest=False)
    decisions = plan(london(2024, 4, 10, 10), policy=p)
    assert of_kind(decisions, "expectation") == [] and of_kind(decisions, "digest") == []
    assert {d.stage for d in of_kind(plan(london(2024, 4, 11, 10), policy=p), "expectation")} == {
        "before-1d"
    }
