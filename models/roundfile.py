"""The round file: what a coordinator writes to set up a round (see docs/round-file.md)."""

from datetime import date, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, field_validator, model_validator

from models.concerns import DEFAULT_ESCALATE_MINUTES
from models.enums import ExpectationStatus
from models.validators import TelegramId

LONDON = ZoneInfo("Europe/London")


def _when(value: Any, end_of_day: bool) -> Any:
    """A bare date is a day in London: its start, or for a due date its last second."""
    if isinstance(value, str) and len(value) == 10:
        value = date.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        at = time(23, 59, 59) if end_of_day else time(0, 0)
        return datetime.combine(value, at, LONDON)
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=LONDON)
    return value


class AgencyEntry(BaseModel):
    code: str = Field(pattern=r"^[a-z0-9_-]{1,32}$")
    name: str = Field(min_length=1, max_length=200)
    # Told to this agency's auditors when a concern alert can reach nobody through MAA.
    safeguarding_procedure: str | None = Field(default=None, min_length=1, max_length=1000)


class ConcernSettings(BaseModel):
    model_config = {"extra": "forbid"}

    # Quiet hours never apply to concern alerts.
    escalate_after_minutes: int = Field(default=DEFAULT_ESCALATE_MINUTES, ge=1, le=24 * 60)


class CaseEntry(BaseModel):
    reference: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")
    note: str = Field(default="", max_length=500)


class ExpectationEntry(BaseModel):
    agency: str
    cases: Literal["all"] | list[str]
    status: ExpectationStatus = ExpectationStatus.expected


class ActionEntry(BaseModel):
    recommendation: str = Field(min_length=1, max_length=2000)
    owner: str = Field(default="", max_length=200)
    # The owner's Telegram user id, if they are a member: overdue reminders then go to them.
    owner_telegram_id: TelegramId | None = None
    due_at: datetime | None = None

    @field_validator("due_at", mode="before")
    @classmethod
    def _due(cls, v: Any) -> Any:
        return _when(v, end_of_day=True)


class ScreeningEntry(BaseModel):
    """Local places, services and teams whose names look like people's ("Hollybrook", "Jubilee
    Ward"): the name warning leaves them alone in this round's narratives."""

    model_config = {"extra": "forbid"}

    allow: list[str] = Field(default_factory=list, max_length=1000)

    @field_validator("allow")
    @classmethod
    def _short(cls, v: list[str]) -> list[str]:
        if any(not 0 < len(w.strip()) <= 100 for w in v):
            raise ValueError("each allowed word or phrase is 1 to 100 characters")
        return [w.strip() for w in v]


class RoundFile(BaseModel):
    model_config = {"extra": "forbid"}

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    title: str = Field(min_length=1, max_length=300)
    theme: str = Field(min_length=1, max_length=300)
    partnership: str = Field(min_length=1, max_length=300)
    scope: str = Field(default="", max_length=2000)
    opens_at: datetime
    due_at: datetime
    tool_version: str
    agencies: list[AgencyEntry] = Field(min_length=1)
    cases: list[CaseEntry] = Field(min_length=1)
    expectations: list[ExpectationEntry] = Field(default_factory=list)
    actions: list[ActionEntry] = Field(default_factory=list)
    reminders: dict[str, Any] | None = None
    concerns: ConcernSettings = Field(default_factory=ConcernSettings)
    screening: ScreeningEntry | None = None

    @field_validator("opens_at", mode="before")
    @classmethod
    def _opens(cls, v: Any) -> Any:
        return _when(v, end_of_day=False)

    @field_validator("due_at", mode="before")
    @classmethod
    def _due(cls, v: Any) -> Any:
        return _when(v, end_of_day=True)

    @model_validator(mode="after")
    def _consistent(self) -> "RoundFile":
        codes = [a.code for a in self.agencies]
        refs = [c.reference for c in self.cases]
        if len(set(codes)) != len(codes):
            raise ValueError("agency codes must be unique")
        if len(set(refs)) != len(refs):
            raise ValueError("case references must be unique")
        if self.due_at <= self.opens_at:
            raise ValueError("due_at must be after opens_at")
        for e in self.expectations:
            if e.agency not in codes:
                raise ValueError(f"expectation names agency '{e.agency}', not listed in agencies")
            if e.cases != "all":
                unknown = sorted(set(e.cases) - set(refs))
                if unknown:
                    raise ValueError(f"expectation for '{e.agency}' names unknown cases {unknown}")
        return self

    def expectation_pairs(self) -> dict[tuple[str, str], ExpectationStatus]:
        """(agency code, case reference) -> status; later lines override earlier ones."""
        pairs: dict[tuple[str, str], ExpectationStatus] = {}
        refs = [c.reference for c in self.cases]
        for e in self.expectations:
            for ref in refs if e.cases == "all" else e.cases:
                pairs[(e.agency, ref)] = e.status
        return pairs
