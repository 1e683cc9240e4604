"""The reminder policy of a round, the chase inputs and decisions, and the clock arithmetic.

Pure data and pure functions: no I/O, no database, no telegram. The collector builds the
`Chase*` rows in one read and turns each `ReminderDecision` into a Reminder outbox row.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from models.buttons import MAX_CALLBACK

TEXT_LIMIT = 4096  # Telegram's limit for one text message
CALLBACK_LIMIT = MAX_CALLBACK  # Telegram's limit for callback_data, in bytes (models/buttons.py)


# --- inputs: what the collector reads for one round --------------------------------------------


@dataclass(frozen=True)
class ChaseRound:
    id: int
    slug: str
    title: str
    due_at: datetime  # aware; a bare due date in the round file is 23:59:59 Europe/London
    status: str  # RoundStatus
    policy: Mapping[str, Any] | None = None  # Round.reminder_policy as given in the round file


@dataclass(frozen=True)
class ChaseMember:
    id: int
    telegram_id: int | None
    display_name: str
    role: str  # Role
    agency_code: str | None
    reachable: bool = True


@dataclass(frozen=True)
class ChaseExpectation:
    id: int
    agency_code: str
    agency_name: str
    case_ref: str
    status: str  # ExpectationStatus
    return_id: int | None = None
    return_status: str | None = None  # ReturnStatus; None = not started
    answered: int = 0
    total_questions: int = 0
    allocated_to: int | None = None  # the member the agency lead allocated the case to
    extended_to: date | None = None  # an approved extension: the agency's new due date


@dataclass(frozen=True)
class ChaseAction:
    id: int
    number: int
    recommendation: str
    owner_member_id: int | None
    due_at: datetime | None
    status: str  # ActionStatus


# --- output: one message to one member ---------------------------------------------------------


@dataclass(frozen=True)
class ReminderDecision:
    key: str  # unique in the outbox: queueing the same decision twice is a no-op
    kind: str  # expectation / escalation / action / digest
    stage: str  # e.g. before-7d, due, after-2d, escalate-5d, overdue, daily
    recipient_id: int
    round_id: int
    expectation_id: int | None
    action_id: int | None
    send_after: datetime  # aware UTC, never inside quiet hours
    text: str  # plain text (no parse mode), at most TEXT_LIMIT characters
    button: tuple[str, str] | None  # (label, callback_data ≤ 64 bytes) or None
    reason: str  # one line for `maa remind SLUG --dry-run`
    expectation_ids: tuple[int, ...] = ()  # every expectation the message chases

    def payload(self) -> dict[str, Any]:
        """The JSON the outbox row carries for the sender."""
        return {
            "text": self.text,
            "button": list(self.button) if self.button else None,
            "expectation_ids": list(self.expectation_ids),
        }


# --- the policy --------------------------------------------------------------------------------

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
Days = Annotated[StrictInt, Field(ge=1, le=365)]
DaysOrZero = Annotated[StrictInt, Field(ge=0, le=365)]


def _as_time(value: Any) -> Any:
    """Accept "HH:MM"; also the integer YAML 1.1 makes of an unquoted 20:00 (20*60 + 0)."""
    if isinstance(value, bool):
        raise ValueError("a time of day is needed, e.g. '20:00'")
    if isinstance(value, int):
        if not 0 <= value < 24 * 60:
            raise ValueError(f"{value} is not a time of day; write it in quotes, e.g. '20:00'")
        return time(value // 60, value % 60)
    if isinstance(value, str):
        match = _HHMM.match(value.strip())
        if not match:
            raise ValueError(f"{value!r} is not a time of day; use HH:MM, e.g. '08:00'")
        return time(int(match[1]), int(match[2]))
    return value


def _as_list(value: Any) -> Any:
    """Let `before_days: 7` mean `[7]`."""
    return [value] if isinstance(value, int) and not isinstance(value, bool) else value


def _distinct_sorted(days: tuple[int, ...]) -> tuple[int, ...]:
    if len(set(days)) != len(days):
        raise ValueError("each number of days may appear once")
    return tuple(sorted(days))


class QuietHours(BaseModel):
    """A daily window, in the policy's time zone, in which nothing is sent."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    start: time = time(20, 0)
    end: time = time(8, 0)

    _times = field_validator("start", "end", mode="before")(_as_time)

    @model_validator(mode="after")
    def _not_empty(self) -> "QuietHours":
        if self.start == self.end:
            raise ValueError(
                "quiet hours start and end at the same time; use null to turn them off"
            )
        return self

    def contains(self, t: time) -> bool:
        """Whether a local time of day falls in the window (which may wrap past midnight)."""
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


class ReminderPolicy(BaseModel):
    """A round's reminder policy: the round file's `reminders:` mapping with defaults filled in."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    before_days: tuple[Days, ...] = (2, 7)  # reminders this many days before the due date
    on_due: bool = True  # a reminder on the due day
    after_days: tuple[Days, ...] = (2,)  # reminders this many days after the due date
    escalate_after_days: tuple[DaysOrZero, ...] = (5,)  # to coordinators, every agency outstanding
    send_at: time = time(9, 0)  # local time of day a stage falls due
    timezone: str = "Europe/London"
    quiet_hours: QuietHours | None = QuietHours()
    quiet_weekends: bool = False
    digest: bool = True  # a daily digest to coordinators while the round is open
    digest_at: time = time(8, 30)
    # The action plan usually outlives the audit window, so overdue actions are still chased
    # after the round is closed unless this is turned off. Draft rounds are never chased.
    chase_actions_when_closed: bool = True

    _times = field_validator("send_at", "digest_at", mode="before")(_as_time)
    _lists = field_validator("before_days", "after_days", "escalate_after_days", mode="before")(
        _as_list
    )

    @field_validator("before_days", "after_days", "escalate_after_days")
    @classmethod
    def _distinct(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        return _distinct_sorted(days)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            zone(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {name!r}; use an IANA name such as Europe/London"
            ) from None
        return name

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)


def policy_from(raw: Mapping[str, Any] | ReminderPolicy | None) -> ReminderPolicy:
    """Parse a round file's reminder policy (None or partial: defaults fill gaps)."""
    if raw is None:
        return ReminderPolicy()
    if isinstance(raw, ReminderPolicy):
        return raw
    if not isinstance(raw, Mapping):
        raise ValueError(f"invalid reminder policy: expected a mapping, got {type(raw).__name__}")
    try:
        return ReminderPolicy.model_validate(dict(raw))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'reminders'}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(f"invalid reminder policy: {problems}") from exc


# --- clock arithmetic (DST-correct: wall times are resolved through zoneinfo) -----------------


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def require_aware(name: str, value: datetime) -> None:
    """Naive datetimes are ambiguous; the clock and the stored dates are always aware."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def local_date(t: datetime, tz: ZoneInfo) -> date:
    return t.astimezone(tz).date()


def at_local(day: date, t: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local date."""
    return datetime.combine(day, t, tzinfo=tz).astimezone(UTC)


def next_allowed(t: datetime, policy: ReminderPolicy) -> datetime:
    """The first instant at or after `t` outside quiet hours (and weekends, if they are quiet)."""
    tz = policy.tz
    quiet = policy.quiet_hours
    t = t.astimezone(UTC)
    # Each step lands on the end of a quiet period; a few steps settle any combination.
    for _ in range(4):
        local = t.astimezone(tz)
        if policy.quiet_weekends and local.weekday() >= 5:
            monday = local.date() + timedelta(days=7 - local.weekday())
            t = at_local(monday, quiet.end if quiet else time(0), tz)
            continue
        if quiet and quiet.contains(local.time()):
            day = local.date()
            if quiet.start > quiet.end and local.time() >= quiet.start:
                day += timedelta(days=1)  # the evening part of a window that wraps midnight
            t = at_local(day, quiet.end, tz)
            continue
        return t
    return t


def fmt_local(t: datetime, tz: ZoneInfo) -> str:
    """E.g. "Wed 10 Apr 2024 09:00 BST", for dry-run reasons."""
    return t.astimezone(tz).strftime("%a %d %b %Y %H:%M %Z")
