"""The action plan over HTTP: a round's actions, one action, and progress from its owner."""

from datetime import datetime

from pydantic import BaseModel, Field

from collector.api.routing import Api, Call
from collector.keys import DB
from collector.services import actions
from models.enums import ActionStatus

api = Api()


class ActionView(BaseModel):
    id: int
    round: str = Field(description="the round's slug")
    number: int
    recommendation: str
    owner: str = Field(description="the owner as the round file names them (text)")
    owner_member_id: int | None = Field(description="the member reminded when it is overdue")
    owner_name: str | None
    due_at: datetime | None
    progress: str
    status: ActionStatus
    overdue: bool = Field(description="past its due date (a local day) and not done")


class ActionProgress(BaseModel):
    progress: str | None = Field(
        None, max_length=4000, description="what has happened; screened for identifiers"
    )
    status: ActionStatus | None = Field(None, description="omitted: unchanged")


@api.route(
    "GET",
    "/api/rounds/{slug}/actions",
    "The round's action plan, overdue actions first (coordinators, viewers)",
    response=list[ActionView],
)
async def list_actions(call: Call) -> list[dict]:
    async with call.request.app[DB].read() as session:
        return await actions.list_actions(
            session=session, actor=call.actor, slug=call.param("slug")
        )


@api.route(
    "GET",
    "/api/actions/{action_id}",
    "One action (its owner, coordinators, viewers)",
    response=ActionView,
)
async def get_action(call: Call) -> dict:
    async with call.request.app[DB].read() as session:
        return await actions.get_action(
            session=session, actor=call.actor, action_id=call.int_param("action_id")
        )


@api.route(
    "POST",
    "/api/actions/{action_id}/progress",
    "Record progress on an action (its owner or a coordinator)",
    body=ActionProgress,
    response=ActionView,
)
async def record_progress(call: Call) -> dict:
    body: ActionProgress = call.body
    async with call.request.app[DB].write() as session:
        return await actions.record_progress(
            session=session,
            actor=call.actor,
            action_id=call.int_param("action_id"),
            progress=body.progress,
            status=body.status,
        )
