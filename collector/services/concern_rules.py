"""The one rule for what a concern alert writes, with the answer that raises it.

When an answer raises a concern, the write that stores it also stores (in the same transaction)
one `concern` row and one outbox row per recipient: every coordinator and the agency's lead(s)
who can receive messages. `plan_concern` decides those rows from the return's facts and the
members read in that transaction (`CONTEXT_SQL`, `RECIPIENTS_SQL`: plain SQL with named
parameters). The answer write (`answers.raise_concern`, one procedure for both databases) only
inserts what it returns.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from collector.services.return_rules import ReturnFacts
from models.concerns import KIND, PRIORITY, ConcernStage
from models.enums import ReminderStatus, Role
from models.returns import ConcernAlert
from report import concern_text
from report.reminder_text import concern_button

CONTEXT_SQL = (
    "SELECT r.round_id, ro.title, ro.concern_escalate_minutes, ag.safeguarding_procedure"
    " FROM audit_return r JOIN round ro ON ro.id = r.round_id"
    " JOIN agency ag ON ag.id = r.agency_id WHERE r.id = :return_id"
)
RECIPIENTS_SQL = (
    "SELECT id, display_name, role, telegram_id, reachable FROM member"
    " WHERE role = 'coordinator' OR (role = 'agency_lead' AND agency_id = :agency_id)"
    " ORDER BY id"
)


@dataclass(frozen=True)
class Recipient:
    member_id: int
    name: str
    role: str
    telegram_id: int | None
    reachable: bool

    @property
    def label(self) -> str:
        return concern_text.who(self.name, self.role)

    @property
    def can_receive(self) -> bool:
        return self.reachable and self.telegram_id is not None


@dataclass(frozen=True)
class ConcernContext:
    round_id: int
    round_title: str
    escalate_minutes: int
    procedure: str | None


def context_of(row: Any) -> ConcernContext:
    round_id, title, minutes, procedure = row
    return ConcernContext(round_id, title, int(minutes), procedure)


def recipients_of(rows: Any) -> list[Recipient]:
    """Members who may be alerted, from RECIPIENTS_SQL rows (SQLite gives 0/1 for booleans)."""
    return [Recipient(i, n, str(r), t, bool(ok)) for i, n, r, t, ok in rows]


def message_row(
    *,
    concern_id: int,
    round_id: int,
    stage: ConcernStage,
    recipient_id: int,
    text: str,
    now: datetime,
    button: tuple[str, str] | None = None,
    key_suffix: str = "",
) -> dict[str, Any]:
    """One outbox row about a concern: ahead of every reminder, never held for quiet hours.
    The key makes queueing it twice (a repeated claim, two senders) a no-op."""
    return {
        "key": f"concern:{concern_id}:{stage}:{recipient_id}{key_suffix}",
        "round_id": round_id,
        "kind": KIND,
        "stage": str(stage),
        "recipient_id": recipient_id,
        "expectation_id": None,
        "action_id": None,
        "payload": {"text": text, "button": list(button) if button else None},
        "send_after": now,
        "status": ReminderStatus.queued,
        "attempts": 0,
        "created_at": now,
        "priority": PRIORITY,
        "concern_id": concern_id,
    }


@dataclass(frozen=True)
class ConcernPlan:
    """What one raised concern writes: its row, then (given its id) the messages."""

    facts: ReturnFacts
    context: ConcernContext
    recipients: list[Recipient]  # those who can receive a message now
    raised_by: int | None
    now: datetime

    @property
    def concern(self) -> dict[str, Any]:
        return {
            "round_id": self.context.round_id,
            "return_id": self.facts.id,
            "agency_id": self.facts.agency_id,
            "case_reference": self.facts.case_reference,
            "raised_by": self.raised_by,
            "raised_at": self.now,
            "escalate_at": self.now + timedelta(minutes=self.context.escalate_minutes),
            "deliverable": bool(self.recipients),
        }

    def messages(self, concern_id: int) -> list[dict[str, Any]]:
        text = concern_text.alert_text(
            round_title=self.context.round_title,
            case=self.facts.case_reference,
            agency=self.facts.agency_name,
            raised_at=self.now,
            minutes=self.context.escalate_minutes,
        )
        return [
            message_row(
                concern_id=concern_id,
                round_id=self.context.round_id,
                stage=ConcernStage.alert,
                recipient_id=r.member_id,
                text=text,
                now=self.now,
                button=concern_button(concern_id),
            )
            for r in self.recipients
        ]

    def alert(self, concern_id: int) -> ConcernAlert:
        """What the auditor is told now: queued (to whom), or that nobody can be reached."""
        names = [r.label for r in self.recipients]
        case = self.facts.case_reference
        if names:
            message = concern_text.queued_text(case=case, recipients=names)
        else:
            message = concern_text.undeliverable_text(case=case, procedure=self.context.procedure)
        return ConcernAlert(
            id=concern_id,
            round=self.facts.round_slug,
            case=case,
            agency=self.facts.agency_code,
            agency_name=self.facts.agency_name,
            queued_to=names,
            deliverable=bool(names),
            message=message,
        )

    def audit_after(self, concern_id: int) -> dict[str, Any]:
        """The concern.raised event: who was queued, by member id; never any text."""
        return {
            "concern": concern_id,
            "case": self.facts.case_reference,
            "agency": self.facts.agency_code,
            "queued_to": [r.member_id for r in self.recipients],
        }


def plan_concern(
    facts: ReturnFacts,
    context: ConcernContext,
    members: list[Recipient],
    raised_by: int | None,
    now: datetime,
) -> ConcernPlan:
    """Every coordinator and the agency's lead(s) who can receive messages, minus the raiser."""
    wanted = (Role.coordinator, Role.agency_lead)
    reach = [m for m in members if m.can_receive and m.role in wanted and m.member_id != raised_by]
    return ConcernPlan(facts, context, reach, raised_by, now)
