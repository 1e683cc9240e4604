"""An in-memory double of the collector client, for fast tests of the conversation engine.

It has the interface of `bot.client.CollectorClient` (the calls an auditor's conversation
makes) and answers with the same typed objects, but keeps one round in memory instead of
calling HTTP. Every rule is the real one: the audit tool from models/, and the collector's pure
answer rules (collector/services/return_rules.py: question checks, identifier screening, the
possible-name warning, narrative parts, submitted and closed returns, the concern alert
trigger). `down = True` makes every call fail as an unreachable collector does. The end-to-end
tests on the loopback Bot API check the real collector and the real bot together; these check
the conversation, quickly.
"""

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.client import CollectorError, CollectorUnavailable
from collector.errors import DomainError
from collector.services import return_rules as rules
from models.enums import ReturnStatus, RoundStatus
from models.returns import ANSWER_RESULT, RETURN_PUBLIC, AnswerResult, ConcernAlert, ReturnPublic
from models.tool import load_tool

TOOL_VERSION = "maa-audit-1"


@dataclass
class _Return:
    base: rules.ReturnFacts
    status: ReturnStatus = ReturnStatus.draft
    answers: dict[str, Any] = field(default_factory=dict)
    round_status: RoundStatus = RoundStatus.open

    @property
    def facts(self) -> rules.ReturnFacts:
        return replace(self.base, status=self.status, round_status=self.round_status)


class FakeCollector:
    """One open round `r-1` (id 1) with cases C1..C3 expected from agency `police`."""

    def __init__(self, auditor: int = 2001, cases: tuple[str, ...] = ("C1", "C2", "C3")) -> None:
        self.auditor = auditor
        self.round_status = RoundStatus.open
        self.cases = cases
        self.returns: dict[int, _Return] = {}
        self.updates: set[int] = set()
        self.down = False
        self.calls: list[str] = []  # the calls made, by name (how many turns cost)
        self.alerts = 0

    # ---- plumbing
    def _call(self, name: str, tid: int | None = None) -> None:
        self.calls.append(name)
        if self.down:
            raise CollectorUnavailable(name)
        if tid is not None and tid != self.auditor:
            raise CollectorError(404, "not_enrolled", "This Telegram account is not enrolled.")

    @staticmethod
    def _refusal(exc: DomainError) -> CollectorError:
        return CollectorError(exc.status, exc.code, exc.message, dict(exc.extra))

    def _first(self, update_id: int | None) -> bool:
        if update_id is None:
            return True
        if update_id in self.updates:
            return False
        self.updates.add(update_id)
        return True

    def _ret(self, rid: int) -> _Return:
        if rid not in self.returns:
            raise CollectorError(403, "forbidden", "Not your agency's return.")
        return self.returns[rid]

    def _public(self, r: _Return) -> ReturnPublic:
        r.round_status = self.round_status
        return RETURN_PUBLIC.validate_python(rules.public(r.facts, r.answers))

    def _result(self, r: _Return, alert: ConcernAlert | None = None, repeat=False) -> AnswerResult:
        return ANSWER_RESULT.validate_python(
            {**rules.public(r.facts, r.answers), "alert": alert, "repeat": repeat}
        )

    # ---- people
    async def me(self, tid: int) -> dict:
        self._call("me", tid)
        return {
            "telegram_id": tid,
            "display_name": "Pat Auditor",
            "role": "auditor",
            "agency": "police",
            "agency_name": "Police",
        }

    async def mark_update(self, update_id: int) -> bool:
        self._call("mark_update")
        return self._first(update_id)

    # ---- rounds
    async def rounds(self, tid: int, status: str | None = None) -> list[dict]:
        self._call("rounds", tid)
        due = (datetime.now(UTC) + timedelta(days=14)).isoformat()
        r = {"id": 1, "slug": "r-1", "title": "Neglect", "status": self.round_status, "due_at": due}
        return [r] if status in (None, self.round_status) else []

    async def assignments(self, tid: int, slug: str) -> list[dict]:
        self._call("assignments", tid)
        total = len(load_tool(TOOL_VERSION).questions)
        by_case = {r.facts.case_reference: (rid, r) for rid, r in self.returns.items()}
        out = []
        for case in self.cases:
            rid, r = by_case.get(case, (None, None))
            out.append(
                {
                    "case": case,
                    "return_id": rid,
                    "status": r.status if r else None,
                    "answered": len(r.answers) if r else 0,
                    "total_questions": total,
                }
            )
        return out

    # ---- returns
    async def open_return(self, tid: int, slug: str, case: str) -> ReturnPublic:
        self._call("open_return", tid)
        for r in self.returns.values():
            if r.facts.case_reference == case:
                return self._public(r)
        rid = 100 + len(self.returns)
        facts = rules.ReturnFacts(
            id=rid,
            status=ReturnStatus.draft,
            agency_id=1,
            agency_code="police",
            agency_name="Police",
            case_reference=case,
            round_slug=slug,
            round_status=self.round_status,
            tool_version=TOOL_VERSION,
        )
        self.returns[rid] = _Return(facts)
        return self._public(self.returns[rid])

    async def get_return(self, tid: int, rid: int) -> ReturnPublic:
        self._call("get_return", tid)
        return self._public(self._ret(rid))

    async def put_answer(
        self,
        tid: int,
        rid: int,
        key: str,
        value: Any,
        update_id: int | None = None,
        names_ok: bool = False,
    ) -> AnswerResult:
        self._call("put_answer", tid)
        r = self._ret(rid)
        r.round_status = self.round_status
        try:
            rules.check_writable(r.facts)
            question = rules.question_of(r.facts, key)
            clean = rules.validate(question, value, names_ok=names_ok)
        except DomainError as exc:
            raise self._refusal(exc) from None
        if not self._first(update_id):
            return self._result(r, repeat=True)
        r.answers[key] = clean
        alert = None
        if rules.raises_alert(question, clean):
            self.alerts += 1
            alert = ConcernAlert(
                id=self.alerts,
                round=r.facts.round_slug,
                case=r.facts.case_reference,
                agency="police",
                agency_name="Police",
                queued_to=["Casey Coordinator (coordinator)"],
                deliverable=True,
                message="Your concern alert is queued to Casey Coordinator (coordinator).",
            )
        return self._result(r, alert)

    async def add_part(
        self,
        tid: int,
        rid: int,
        key: str,
        text: str,
        update_id: int | None,
        fresh: bool,
        names_ok: bool = False,
    ) -> AnswerResult:
        self._call("add_part", tid)
        r = self._ret(rid)
        r.round_status = self.round_status
        try:
            rules.check_writable(r.facts)
            question = rules.question_of(r.facts, key)
            so_far = None if fresh else r.answers.get(key)
            clean = rules.with_part(question, so_far, text, names_ok=names_ok)
        except DomainError as exc:
            raise self._refusal(exc) from None
        if not self._first(update_id):
            return self._result(r, repeat=True)
        r.answers[key] = clean
        return self._result(r)

    async def submit(self, tid: int, rid: int) -> dict:
        self._call("submit", tid)
        r = self._ret(rid)
        missing = self._public(r).missing
        if missing:
            raise CollectorError(409, "incomplete", "Not complete.", {"missing": missing})
        r.status = ReturnStatus.submitted
        return {"id": rid, "status": "submitted"}

    async def close(self) -> None:
        pass
