"""The reminder outbox over HTTP: plan (queue what the policy says), claim, acknowledge."""

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from collector.api.routing import Api, Call
from collector.keys import DB
from collector.services import reminder_delivery, reminders
from models.enums import ReminderStatus

api = Api()


class ReminderPlanRequest(BaseModel):
    round: str | None = Field(None, description="round slug; omitted: every open or closed round")
    at: AwareDatetime | None = Field(None, description="the clock to plan at; default now")
    dry_run: bool = False


class PlannedReminder(BaseModel):
    key: str
    kind: str
    stage: str
    recipient_id: int
    round_id: int
    send_after: datetime
    reason: str
    text: str
    button: list[str] | None


class ReminderPlan(BaseModel):
    round: str | None
    at: datetime
    dry_run: bool
    queued: int = Field(description="rows newly queued (0 in a dry run or when all existed)")
    decisions: list[PlannedReminder]
    lines: list[str] = Field(description="dry run: who would be chased, at which stage and why")


class ReminderClaimRequest(BaseModel):
    limit: int = Field(50, ge=1, le=500)
    lease_seconds: float = Field(60, ge=1, le=3600)
    at: AwareDatetime | None = Field(None, description="the clock; default now (for tests)")
    urgent_only: bool = Field(False, description="only concern alerts (priority > 0)")


class ClaimedReminder(BaseModel):
    id: int
    key: str
    kind: str
    stage: str
    recipient_id: int
    telegram_id: int
    text: str
    button: list[str] | list[list[str]] | None = Field(
        description="[label, callback_data], a row of them (Approve / Decline), or null"
    )
    attempts: int
    claimed_until: datetime
    priority: int = Field(0, description="higher goes first (concern alerts); pace it so too")


class ReminderAck(BaseModel):
    outcome: Literal["sent", "failed", "unreachable"]
    error: str | None = Field(None, max_length=500, description="why it failed; never the text")
    retry_after: float | None = Field(None, ge=0, le=86400, description="seconds, from a 429")


class ReminderState(BaseModel):
    id: int
    status: ReminderStatus
    attempts: int
    send_after: datetime
    last_error: str | None


def _decision(d: Any) -> PlannedReminder:
    button = list(d.button) if d.button else None
    fields = ("key", "kind", "stage", "recipient_id", "round_id", "send_after", "reason", "text")
    return PlannedReminder(**{f: getattr(d, f) for f in fields}, button=button)


@api.route(
    "POST",
    "/api/reminders/plan",
    "Work the reminder policy and queue what is due (service; coordinators: dry run)",
    body=ReminderPlanRequest,
    response=ReminderPlan,
)
async def plan_reminders(call: Call) -> ReminderPlan:
    body: ReminderPlanRequest = call.body
    db = call.request.app[DB]
    # A dry run writes nothing, so it needs no place in the writers' queue.
    session_ctx = db.read() if body.dry_run else db.write()
    async with session_ctx as session:
        result = await reminders.plan(
            session=session, actor=call.actor, slug=body.round, at=body.at, dry_run=body.dry_run
        )
    return ReminderPlan(**{**result, "decisions": [_decision(d) for d in result["decisions"]]})


@api.route(
    "POST",
    "/api/reminders/claim",
    "Lease due reminders to this sender (service)",
    body=ReminderClaimRequest,
    response=list[ClaimedReminder],
)
async def claim_reminders(call: Call) -> list[dict]:
    body: ReminderClaimRequest = call.body
    async with call.request.app[DB].write() as session:
        return await reminder_delivery.claim(
            session=session,
            actor=call.actor,
            limit=body.limit,
            lease_seconds=body.lease_seconds,
            at=body.at,
            urgent_only=body.urgent_only,
        )


@api.route(
    "POST",
    "/api/reminders/{reminder_id}/ack",
    "Say what happened to a claimed reminder (service)",
    body=ReminderAck,
    response=ReminderState,
)
async def ack_reminder(call: Call) -> dict:
    body: ReminderAck = call.body
    async with call.request.app[DB].write() as session:
        return await reminder_delivery.ack(
            session=session,
            actor=call.actor,
            reminder_id=call.int_param("reminder_id"),
            outcome=body.outcome,
            error=body.error,
            retry_after=body.retry_after,
        )
