"""Rounds, their cases and expectations, tallies and overdue lists."""

from typing import Any

from pydantic import BaseModel

from collector.api.routing import Api, Call
from collector.auth import ensure_member
from collector.errors import BadRequest
from collector.keys import DB
from collector.services import progress, rounds
from collector.services.lookup import round_by_slug
from models.enums import RoundStatus
from models.roundfile import RoundFile
from models.rounds import CasePublic, ExpectationPublic, RoundPublic

api = Api()


class Progress(BaseModel):
    agency: str
    agency_name: str
    case: str
    return_id: int | None
    status: str
    answered: int
    total_questions: int
    due_at: Any
    overdue: bool | None = None
    mine: bool | None = None  # allocated to the member asking (collector.services.allocation)
    auditor: str | None = None  # whom the agency lead allocated it to
    extended_to: Any = None  # an approved extension's date


class TallyAgency(BaseModel):
    code: str
    name: str
    returned: int
    expected: int
    overall_grades: dict[str, int]
    not_graded: int
    not_graded_reasons: dict[str, int]
    extended_to: str = ""  # the agency's approved extension (ISO date), "" when none


class TallyPublic(BaseModel):
    round: str
    total_returns: int
    agencies_returning: int
    agencies: list[TallyAgency]


class Coordinator(BaseModel):
    telegram_id: int
    display_name: str


@api.route(
    "GET",
    "/api/rounds",
    "List rounds, newest first",
    response=list[RoundPublic],
    query={"status": "draft, open or closed"},
)
async def list_rounds(call: Call) -> list[RoundPublic]:
    raw = call.request.query.get("status")
    if raw is not None and raw not in RoundStatus.__members__:
        raise BadRequest("status must be draft, open or closed.")
    async with call.request.app[DB].read() as session:
        return await rounds.list_rounds(session=session, status=RoundStatus(raw) if raw else None)


@api.route(
    "POST",
    "/api/rounds",
    "Create a round from a round file",
    body=RoundFile,
    response=RoundPublic,
    status=201,
)
async def create_round(call: Call) -> RoundPublic:
    async with call.request.app[DB].write() as session:
        return await rounds.create_round(session=session, actor=call.actor, data=call.body)


@api.route("GET", "/api/rounds/{slug}", "One round", response=RoundPublic)
async def get_round(call: Call) -> RoundPublic:
    async with call.request.app[DB].read() as session:
        return await rounds.get_round(session=session, slug=call.param("slug"))


@api.route("POST", "/api/rounds/{slug}/open", "Open a round for returns", response=RoundPublic)
async def open_round(call: Call) -> RoundPublic:
    async with call.request.app[DB].write() as session:
        return await rounds.set_round_status(
            session=session, actor=call.actor, slug=call.param("slug"), status=RoundStatus.open
        )


@api.route("POST", "/api/rounds/{slug}/close", "Close a round", response=RoundPublic)
async def close_round(call: Call) -> RoundPublic:
    async with call.request.app[DB].write() as session:
        return await rounds.set_round_status(
            session=session, actor=call.actor, slug=call.param("slug"), status=RoundStatus.closed
        )


@api.route("GET", "/api/rounds/{slug}/cases", "The round's cohort", response=list[CasePublic])
async def list_cases(call: Call) -> list[CasePublic]:
    ensure_member(call.actor)
    async with call.request.app[DB].read() as session:
        return await rounds.list_cases(session=session, slug=call.param("slug"))


@api.route(
    "GET",
    "/api/rounds/{slug}/expectations",
    "Who is expected to audit which case",
    response=list[ExpectationPublic],
)
async def list_expectations(call: Call) -> list[ExpectationPublic]:
    ensure_member(call.actor)
    async with call.request.app[DB].read() as session:
        return await rounds.list_expectations(
            session=session, actor=call.actor, slug=call.param("slug")
        )


@api.route(
    "GET",
    "/api/rounds/{slug}/assignments",
    "My agency's cases and their progress",
    response=list[Progress],
)
async def assignments(call: Call) -> list[dict]:
    ensure_member(call.actor)
    async with call.request.app[DB].read() as session:
        return await progress.assignments(
            session=session, actor=call.actor, slug=call.param("slug")
        )


@api.route(
    "GET", "/api/rounds/{slug}/tally", "Returns and overall grades per agency", response=TallyPublic
)
async def tally(call: Call) -> dict:
    ensure_member(call.actor)
    async with call.request.app[DB].read() as session:
        result = await progress.round_tally(
            session=session, actor=call.actor, slug=call.param("slug")
        )
    return result.as_json()


@api.route(
    "GET",
    "/api/rounds/{slug}/overdue",
    "Expected returns not yet submitted",
    response=list[Progress],
)
async def overdue(call: Call) -> list[dict]:
    ensure_member(call.actor)
    async with call.request.app[DB].read() as session:
        return await progress.overdue(session=session, actor=call.actor, slug=call.param("slug"))


@api.route(
    "GET",
    "/api/rounds/{slug}/coordinators",
    "Who to alert about a concern",
    response=list[Coordinator],
)
async def coordinators(call: Call) -> list[dict]:
    async with call.request.app[DB].read() as session:
        await round_by_slug(session, call.param("slug"))
        return await progress.coordinators(session=session)
