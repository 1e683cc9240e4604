"""Moderation over HTTP: queries on a submitted return and their threads, moderated grades,
allocation of expected cases, and extensions."""

from collector.api.routing import Api, Call
from collector.auth import ensure_member
from collector.errors import BadRequest
from collector.keys import DB
from collector.services import allocation, extensions, moderated_grades, moderation
from models.moderation import (
    AllocateBody,
    AllocateTo,
    AllocationPublic,
    AuditorPublic,
    ExtensionAsk,
    ExtensionDecide,
    ExtensionPublic,
    GradeModerate,
    ModeratedGradePublic,
    QueryAsk,
    QueryClose,
    QueryPublic,
    QueryReply,
)

api = Api()


@api.route(
    "POST",
    "/api/returns/{return_id}/queries",
    "Query one answer of a submitted return (coordinators); the agency hears of it in the chat",
    body=QueryAsk,
    response=QueryPublic,
)
async def ask(call: Call) -> QueryPublic:
    ensure_member(call.actor)
    async with call.request.app[DB].write() as session:
        return await moderation.ask_query(
            session=session, actor=call.actor, return_id=call.int_param("return_id"), data=call.body
        )


@api.route(
    "GET",
    "/api/returns/{return_id}/queries",
    "A return's moderation queries, each with its thread",
    response=list[QueryPublic],
)
async def queries(call: Call) -> list[QueryPublic]:
    ensure_member(call.actor)
    async with call.request.app[DB].read() as session:
        return await moderation.list_queries(
            session=session, actor=call.actor, return_id=call.int_param("return_id")
        )


@api.route(
    "POST",
    "/api/queries/{query_id}/reply",
    "The agency's reply to a query (screened like any narrative)",
    body=QueryReply,
    response=QueryPublic,
)
async def reply(call: Call) -> QueryPublic:
    ensure_member(call.actor)
    body: QueryReply = call.body
    async with call.request.app[DB].write() as session:
        return await moderation.reply_query(
            session=session,
            actor=call.actor,
            query_id=call.int_param("query_id"),
            text=body.text,
            names_ok=body.names_ok,
        )


@api.route(
    "POST",
    "/api/queries/{query_id}/close",
    "Close a query with a reason (coordinators)",
    body=QueryClose,
    response=QueryPublic,
)
async def close(call: Call) -> QueryPublic:
    ensure_member(call.actor)
    async with call.request.app[DB].write() as session:
        return await moderation.close_query(
            session=session,
            actor=call.actor,
            query_id=call.int_param("query_id"),
            reason=call.body.reason,
        )


@api.route(
    "PUT",
    "/api/returns/{return_id}/moderated-grade",
    "Record a moderated grade beside the agency's (coordinators); the agency's is kept",
    body=GradeModerate,
    response=ModeratedGradePublic,
)
async def moderate(call: Call) -> ModeratedGradePublic:
    ensure_member(call.actor)
    async with call.request.app[DB].write() as session:
        return await moderated_grades.moderate_grade(
            session=session, actor=call.actor, return_id=call.int_param("return_id"), data=call.body
        )


@api.route(
    "GET",
    "/api/returns/{return_id}/moderated-grades",
    "A return's moderated grades, each beside the agency's grade",
    response=list[ModeratedGradePublic],
)
async def moderated(call: Call) -> list[ModeratedGradePublic]:
    ensure_member(call.actor)
    async with call.request.app[DB].read() as session:
        return await moderated_grades.moderated_grades(
            session=session, actor=call.actor, return_id=call.int_param("return_id")
        )


def _round(call: Call) -> str:
    slug = call.request.query.get("round", "").strip()
    if not slug:
        raise BadRequest("Say which round: ?round=SLUG.")
    return slug


@api.route(
    "GET",
    "/api/allocations",
    "An agency's expected cases and whom each is allocated to (leads: their own agency)",
    response=list[AllocationPublic],
    query={"round": "round slug (required)", "agency": "agency code (coordinators)"},
)
async def list_allocations(call: Call) -> list[AllocationPublic]:
    ensure_member(call.actor)
    slug, agency = _round(call), call.request.query.get("agency") or None
    async with call.request.app[DB].read() as session:
        return await allocation.expected_cases(
            session=session, actor=call.actor, slug=slug, agency=agency
        )


@api.route(
    "GET",
    "/api/allocations/auditors",
    "Whom an agency's cases can be allocated to (leads: their own agency)",
    response=list[AuditorPublic],
    query={"agency": "agency code (coordinators)"},
)
async def list_auditors(call: Call) -> list[AuditorPublic]:
    ensure_member(call.actor)
    agency = call.request.query.get("agency") or None
    async with call.request.app[DB].read() as session:
        return await allocation.auditors(session=session, actor=call.actor, agency=agency)


@api.route(
    "POST",
    "/api/allocations",
    "Allocate an expected case to one of the agency's auditors (leads; coordinators)",
    body=AllocateBody,
    response=AllocationPublic,
)
async def allocate(call: Call) -> AllocationPublic:
    ensure_member(call.actor)
    async with call.request.app[DB].write() as session:
        return await allocation.allocate(session=session, actor=call.actor, data=call.body)


@api.route(
    "PUT",
    "/api/expectations/{expectation_id}/allocation",
    "Allocate an expected case, named by its id, to one of the agency's auditors",
    body=AllocateTo,
    response=AllocationPublic,
)
async def allocate_expectation(call: Call) -> AllocationPublic:
    ensure_member(call.actor)
    async with call.request.app[DB].write() as session:
        return await allocation.allocate_expectation(
            session=session,
            actor=call.actor,
            expectation_id=call.int_param("expectation_id"),
            auditor=call.body.auditor,
        )


@api.route(
    "POST",
    "/api/extensions",
    "Ask for more time on a case, with a reason (the agency); coordinators are messaged",
    body=ExtensionAsk,
    response=ExtensionPublic,
)
async def ask_extension(call: Call) -> ExtensionPublic:
    ensure_member(call.actor)
    async with call.request.app[DB].write() as session:
        return await extensions.ask_extension(session=session, actor=call.actor, data=call.body)


@api.route(
    "GET",
    "/api/extensions",
    "A round's extension requests (coordinators: all; an agency: its own)",
    response=list[ExtensionPublic],
    query={"round": "round slug (required)"},
)
async def list_extensions(call: Call) -> list[ExtensionPublic]:
    ensure_member(call.actor)
    slug = _round(call)
    async with call.request.app[DB].read() as session:
        return await extensions.list_extensions(session=session, actor=call.actor, slug=slug)


@api.route(
    "POST",
    "/api/extensions/{extension_id}/decide",
    "Approve or decline an extension (coordinators); approved, the agency's reminders move",
    body=ExtensionDecide,
    response=ExtensionPublic,
)
async def decide(call: Call) -> ExtensionPublic:
    ensure_member(call.actor)
    body: ExtensionDecide = call.body
    async with call.request.app[DB].write() as session:
        return await extensions.decide_extension(
            session=session,
            actor=call.actor,
            extension_id=call.int_param("extension_id"),
            approve=body.approve,
            reason=body.reason,
        )
