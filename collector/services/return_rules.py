"""The rules of a return, free of storage: who may write it, when, what an answer may be.

The answer write (`answers`, one procedure for both databases) and the ORM services
(`returns`: open, submit, reopen) apply them.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from collector.auth import Actor
from collector.errors import Conflict, Forbidden, Unprocessable
from models.cross_checks import CrossCheckFinding
from models.cross_checks import findings as cross_check_findings
from models.enums import ReturnStatus, Role, RoundStatus
from models.returns import AnswerResult, ConcernAlert, ReturnPublic
from models.screening import Finding, describe, describe_names, find_names, screen
from models.tool import AnswerInvalid, AuditTool, Question, TextQuestion, YesNoQuestion, load_tool

NOT_YOURS = "You can only see and answer returns your agency is expected to complete."
WRITERS = (Role.auditor, Role.agency_lead, Role.coordinator)
PART_JOIN = "\n\n"  # between the messages of a narrative written in parts


@dataclass(frozen=True)
class ReturnFacts:
    """A return with the names it is known by."""

    id: int
    status: ReturnStatus
    agency_id: int
    agency_code: str
    agency_name: str
    case_reference: str
    round_slug: str
    round_status: RoundStatus
    tool_version: str
    submitted_at: datetime | None = None
    reopened_reason: str | None = None
    allow: tuple[str, ...] = ()  # the round's words that are not names (screening.allow)
    cross_check_reason: str | None = None  # submitted despite the cross-checks (only then set)


def may_write(actor: Actor, facts: ReturnFacts | None) -> ReturnFacts:
    """The return if this actor may write it; otherwise the same 403 whether it exists or not."""
    if facts is None or actor.role not in WRITERS or actor.agency_id != facts.agency_id:
        raise Forbidden(NOT_YOURS)
    return facts


def check_writable(facts: ReturnFacts) -> None:
    if facts.round_status != RoundStatus.open:
        raise Conflict(
            f"Round '{facts.round_slug}' is not open for returns.", code="round_not_open"
        )
    if facts.status == ReturnStatus.submitted:
        raise Conflict(
            f"The return for {facts.case_reference} has been submitted, so it can no longer be "
            "changed. A coordinator can reopen it.",
            code="return_submitted",
        )


def question_of(facts: ReturnFacts, key: str) -> Question:
    tool = load_tool(facts.tool_version)
    question = tool.question(key)
    if question is None:
        raise Unprocessable(
            f"The audit tool {tool.version} has no question '{key}'.", code="unknown_question"
        )
    return question


def validate(
    question: Question, value: Any, *, allow: Iterable[str] = (), names_ok: bool = False
) -> Any:
    """The clean value to store, or a 422 a person can act on (identifiers are never stored).

    Text is screened: identifiers are refused; possible names are refused with `names_found`
    unless the author has confirmed (`names_ok`). `allow`: the round's words that are not names.
    """
    if value is None:
        if question.required:
            raise Unprocessable(
                "This question needs an answer; it cannot be skipped.", code="required"
            )
        return None
    try:
        clean = question.check(value)
    except AnswerInvalid as exc:
        raise Unprocessable(exc.message, code=exc.code) from None
    if isinstance(question, TextQuestion):
        refuse_identifiers(clean)
        if not names_ok:
            warn_names(clean, allow)
    return clean


def _findings(findings: list[Finding]) -> list[dict[str, str]]:
    return [{"kind": f.kind, "label": f.label, "text": f.text} for f in findings]


def refuse_identifiers(text: str) -> None:
    """A 422 naming what identifies a child or family; the text itself is never stored."""
    findings = screen(text)
    if findings:
        raise Unprocessable(
            describe(findings), code="identifiers_found", findings=_findings(findings)
        )


def warn_names(text: str, allow: Iterable[str] = ()) -> None:
    """A 422 `names_found` for what may be a person's name: sent again with names_ok, it is
    stored (and `names_sent` records that, without the text)."""
    findings = find_names(text, allow)
    if findings:
        raise Unprocessable(
            describe_names(findings), code="names_found", findings=_findings(findings)
        )


def names_sent(question: Question, sent: Any, *, allow: Iterable[str], names_ok: bool) -> int:
    """How many possible names the author confirmed in what they just sent (0: no warning was
    overruled). Both write paths record a `names.sent` audit event when this is not 0: the
    event holds the question and the count, never the text or the names."""
    if not names_ok or not isinstance(question, TextQuestion) or not isinstance(sent, str):
        return 0
    return len(find_names(sent, allow))


def names_sent_event(key: str, count: int) -> dict[str, Any]:
    """The `after` of the `names.sent` audit event: what a DPO needs, nothing that identifies."""
    return {"question": key, "possible_names": count, "warning": "overruled by the author"}


def with_part(
    question: Question, so_far: Any, part: str, *, allow: Iterable[str] = (), names_ok: bool = False
) -> str:
    """A narrative after one more part: the parts joined, then validated as a whole."""
    if not isinstance(question, TextQuestion):
        raise Unprocessable("Only a written answer can be sent in parts.", code="not_text")
    if not isinstance(so_far, str) or not so_far.strip():
        return validate(question, part, allow=allow, names_ok=names_ok)
    refuse_identifiers(part)  # a finding quotes the part just sent, not older ones
    if not names_ok:
        warn_names(part, allow)  # earlier parts' names were warned about when they were sent
    joined = f"{so_far.rstrip()}{PART_JOIN}{part.strip()}"
    try:
        return validate(question, joined, names_ok=True)
    except Unprocessable as exc:
        if exc.code == "too_long":  # the bot says how long the whole answer would have been
            exc.extra.update(length=len(joined), max=question.max_length)
        raise


def raises_alert(question: Question, clean: Any) -> bool:
    return isinstance(question, YesNoQuestion) and question.alert_on_yes and clean is True


def public(facts: ReturnFacts, answers: dict[str, Any]) -> dict[str, Any]:
    """The fields of ReturnPublic: answers in tool order and where the auditor resumes."""
    tool: AuditTool = load_tool(facts.tool_version)
    # One pass over the tool for the answers in order and the first unanswered question
    # (every answer write builds this); what is missing stays the tool's one rule.
    ordered: dict[str, Any] = {}
    next_question = None
    for q in tool.questions:
        if q.key in answers:
            ordered[q.key] = answers[q.key]
        elif next_question is None:
            next_question = q.key
    given = {k for k, v in answers.items() if v is not None}
    return {
        "id": facts.id,
        "round": facts.round_slug,
        "agency": facts.agency_code,
        "case": facts.case_reference,
        "status": facts.status,
        "tool_version": tool.version,
        "answers": ordered,
        "answered": len(answers),  # skipped optional questions count as dealt with
        "total_questions": len(tool.questions),
        "next_question": next_question,
        "missing": tool.missing(given),
        "submitted_at": facts.submitted_at,
        "reopened_reason": facts.reopened_reason,
        "cross_checks": cross_check_findings(tool, answers),
        "cross_check_reason": facts.cross_check_reason,
    }


# Built without a second validation: every field comes typed from ReturnFacts and the tool.
def return_public(facts: ReturnFacts, answers: dict[str, Any]) -> ReturnPublic:
    return ReturnPublic(**public(facts, answers))


def answer_result(
    facts: ReturnFacts, answers: dict[str, Any], alert: ConcernAlert | None, repeat: bool = False
) -> AnswerResult:
    return AnswerResult(**public(facts, answers), alert=alert, repeat=repeat)


def confirm_cross_checks(found: list[CrossCheckFinding], reason: str | None) -> str | None:
    """The reason to store with a submission the cross-checks question, or a 422 `cross_check`
    with the findings (fix the answers, or confirm them with a reason). The reason is screened
    like a narrative; with nothing to confirm it is not kept."""
    if not found:
        return None
    text = (reason or "").strip()
    if len(text) < 3:
        raise Unprocessable(
            "Please check these answers before submitting: "
            + " ".join(f.message for f in found)
            + " Change the answers, or confirm them with a reason.",
            code="cross_check",
            findings=[f.model_dump() for f in found],
        )
    refuse_identifiers(text)
    return text
