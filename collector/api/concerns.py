"""Concern alerts over HTTP: the list by state (coordinators; a lead their agency's), and
"I'm dealing with this"."""

from collector.api.routing import Api, Call
from collector.errors import BadRequest
from collector.keys import DB
from collector.services import concern_acks
from models.concerns import ConcernAckResult, ConcernPublic

api = Api()


@api.route(
    "GET",
    "/api/concerns",
    "A round's concern alerts with their state (coordinators; an agency lead: their agency's)",
    response=list[ConcernPublic],
    query={"round": "round slug (required)"},
)
async def list_concerns(call: Call) -> list[ConcernPublic]:
    slug = call.request.query.get("round", "").strip()
    if not slug:
        raise BadRequest("Say which round: /api/concerns?round=SLUG.")
    async with call.request.app[DB].read() as session:
        return await concern_acks.list_concerns(session=session, actor=call.actor, slug=slug)


@api.route(
    "POST",
    "/api/concerns/{concern_id}/ack",
    "I'm dealing with this: the first to press owns the concern; the others are told who",
    response=ConcernAckResult,
)
async def acknowledge(call: Call) -> ConcernAckResult:
    async with call.request.app[DB].write() as session:
        return await concern_acks.acknowledge(
            session=session, actor=call.actor, concern_id=call.int_param("concern_id")
        )
