"""The audit tool: a versioned questionnaire, defined in YAML and validated on load.

Every channel (Telegram, console, API) validates answers with `Question.check`, so an answer
means the same thing whichever way it arrived.
"""

from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from models.cross_check_rules import DEFAULT_RULES, Rule
from models.descriptors import check_descriptors, merged
from models.grades import BY_KEY, NOT_GRADED, NOT_GRADED_REASONS

TOOLS_DIR = Path(__file__).parent / "tools"
MAX_TEXT = 20_000  # no narrative answer may be longer, whatever a tool says


class AnswerInvalid(ValueError):
    """An answer that does not fit its question; `message` is written for the person answering."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Option(BaseModel):
    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    label: str


class QuestionBase(BaseModel):
    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    title: str  # short, for progress lines and the review ("Impact")
    prompt: str
    required: bool = True
    section: str = ""  # filled from the enclosing section on load


class GradeQuestion(QuestionBase):
    type: Literal["grade"]
    overall: bool = False
    domain: str = ""

    def check(self, value: Any) -> dict[str, str]:
        if isinstance(value, str):
            value = {"grade": value}
        if not isinstance(value, dict) or not isinstance(value.get("grade"), str):
            raise AnswerInvalid(
                "invalid_answer", "A grade answer needs a grade, for example 'good'."
            )
        grade = value["grade"]
        if grade == NOT_GRADED:
            reason = value.get("reason")
            if reason not in NOT_GRADED_REASONS:
                choices = ", ".join(NOT_GRADED_REASONS)
                raise AnswerInvalid(
                    "reason_required", f"'Not graded' needs a reason, one of: {choices}."
                )
            return {"grade": NOT_GRADED, "reason": reason}
        if grade not in BY_KEY:
            choices = ", ".join([*BY_KEY, NOT_GRADED])
            raise AnswerInvalid(
                "invalid_grade", f"'{grade}' is not on the scale. Use one of: {choices}."
            )
        return {"grade": grade}


class TextQuestion(QuestionBase):
    type: Literal["text"]
    guidance: str = ""
    min_length: int = Field(default=1, ge=0)
    max_length: int = Field(default=4000, le=MAX_TEXT)

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise AnswerInvalid("invalid_answer", "This question needs a written answer.")
        text = value.strip()
        if len(text) > self.max_length:
            raise AnswerInvalid(
                "too_long",
                f"That answer is {len(text):,} characters; the limit here is {self.max_length:,}. "
                "Please shorten it.",
            )
        if len(text) < max(self.min_length, 1):
            raise AnswerInvalid(
                "too_short",
                f"Please write at least {max(self.min_length, 1)} characters.",
            )
        return text


class ChoiceQuestion(QuestionBase):
    type: Literal["choice"]
    options: list[Option] = Field(min_length=2)

    def check(self, value: Any) -> str:
        keys = [o.key for o in self.options]
        if value not in keys:
            raise AnswerInvalid("invalid_choice", f"Choose one of: {', '.join(keys)}.")
        return value


class MultichoiceQuestion(QuestionBase):
    type: Literal["multichoice"]
    options: list[Option] = Field(min_length=1)

    def check(self, value: Any) -> list[str]:
        keys = [o.key for o in self.options]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AnswerInvalid("invalid_answer", "This question needs a list of choices.")
        unknown = [v for v in value if v not in keys]
        if unknown:
            raise AnswerInvalid(
                "invalid_choice",
                f"Not an option here: {', '.join(unknown)}. Use: {', '.join(keys)}.",
            )
        if self.required and not value:
            raise AnswerInvalid("too_short", "Please choose at least one.")
        return [k for k in keys if k in value]  # tool order, no repeats


class YesNoQuestion(QuestionBase):
    type: Literal["yesno"]
    alert_on_yes: bool = False  # "yes" alerts the round's coordinators at once

    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise AnswerInvalid("invalid_answer", "Answer yes (true) or no (false).")
        return value


Question = Annotated[
    GradeQuestion | TextQuestion | ChoiceQuestion | MultichoiceQuestion | YesNoQuestion,
    Field(discriminator="type"),
]


class Section(BaseModel):
    key: str
    title: str
    questions: list[Question] = Field(min_length=1)


class AuditTool(BaseModel):
    version: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{0,63}$")
    title: str
    sections: list[Section] = Field(min_length=1)
    # What each grade means (models/descriptors.py has the defaults; these replace them).
    descriptors: dict[str, str] = Field(default_factory=dict)
    # Cross-checks before submit (models/cross_check_rules.py); None: MAA's default rules.
    cross_checks: list[Rule] | None = None

    @model_validator(mode="after")
    def _one_overall_and_unique_keys(self) -> "AuditTool":
        keys = [q.key for q in self.questions]
        if len(keys) != len(set(keys)):
            raise ValueError("question keys must be unique across the tool")
        overall = [q for q in self.questions if isinstance(q, GradeQuestion) and q.overall]
        if len(overall) != 1:
            raise ValueError("exactly one grade question must be marked overall")
        for section in self.sections:
            for q in section.questions:
                q.section = section.title
        self.descriptors = check_descriptors(self.descriptors)
        return self

    # Cached: a tool is read on every answer and never changes once loaded (see load_tool).
    @cached_property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    @cached_property
    def _by_key(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions}

    def question(self, key: str) -> Question | None:
        return self._by_key.get(key)

    @cached_property
    def position(self) -> dict[str, int]:
        """Each question's place in the tool (to put keys in tool order)."""
        return {q.key: i for i, q in enumerate(self.questions)}

    @cached_property
    def overall(self) -> GradeQuestion:
        return next(q for q in self.questions if isinstance(q, GradeQuestion) and q.overall)

    @cached_property
    def grade_questions(self) -> tuple[GradeQuestion, ...]:
        return tuple(q for q in self.questions if isinstance(q, GradeQuestion))

    @property
    def grade_descriptors(self) -> list[tuple[str, str, str]]:
        """(grade key, grade name, what it means) in scale order, this tool's where it has one."""
        return merged(self.descriptors)

    @property
    def rules(self) -> list[Rule]:
        return DEFAULT_RULES if self.cross_checks is None else self.cross_checks

    def missing(self, answered: set[str]) -> list[str]:
        """Keys of required questions not yet answered, in tool order."""
        return [q.key for q in self.questions if q.required and q.key not in answered]


class ToolNotFound(LookupError):
    pass


def parse_tool(text: str) -> AuditTool:
    """Parse and validate a tool definition from YAML text."""
    try:
        return AuditTool.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"invalid audit tool: {exc}") from exc


@cache
def load_tool(version: str) -> AuditTool:
    """The shipped tool of that version; tools are immutable once shipped, so cache them."""
    path = TOOLS_DIR / f"{version}.yaml"
    if not path.is_file():
        raise ToolNotFound(version)
    tool = parse_tool(path.read_text(encoding="utf-8"))
    if tool.version != version:
        raise ValueError(f"{path.name} declares version {tool.version}")
    return tool


def available_tools() -> list[str]:
    return sorted(p.stem for p in TOOLS_DIR.glob("*.yaml"))


DEFAULT_TOOL = "maa-audit-1"
