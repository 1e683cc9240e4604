"""Writing the overview report over HTTP: sections and their versions (If-Match/ETag), drafted
statements, the evidence beside a section, the report's settings, finalising and reopening.

The desk's writing page calls the same services (collector/services/report_text.py), and both
read through the same per-round cache of the report and its drafts (app[REPORTS])."""

from dataclasses import asdict
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from collector.api.routing import Api, Call
from collector.errors import BadRequest, DomainError
from collector.keys import DB, REPORTS
from collector.services import report_doc, report_text
from models.report_doc import (
    ReopenBody,
    ReportInfoPublic,
    ReportInfoUpdate,
    SectionSave,
    SectionTextPublic,
)

api = Api()
BASE = "/api/rounds/{slug}/report"


class PreconditionRequired(DomainError):
    status, code = 428, "if_match_required"


class FinaliseBody(BaseModel):
    theme_threshold: int | None = Field(None, ge=1, description="default: the round's (3)")


def etag(version: int) -> str:
    return f'"{version}"'


def base_version(call: Call) -> int:
    """The version the writer started from, from If-Match ("0" before the first save)."""
    raw = call.request.headers.get("If-Match")
    if raw is None:
        raise PreconditionRequired(
            'Send If-Match with the ETag of the version you edited ("0" for a first text), '
            "so that nobody's text is overwritten."
        )
    value = raw.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise BadRequest('If-Match must be the section\'s ETag, such as "3".')
    return int(value)


def text_response(section: SectionTextPublic, status: int = 200) -> web.Response:
    return web.Response(
        body=section.model_dump_json().encode(),
        status=status,
        content_type="application/json",
        headers={"ETag": etag(section.version)},
    )


def _int_query(call: Call, name: str, default: int) -> int:
    raw = call.request.query.get(name, str(default))
    if not raw.isdigit():
        raise BadRequest(f"{name} must be a whole number.")
    return int(raw)


@api.route(
    "GET",
    BASE + "/info",
    "The report's status, authors, date, distribution line",
    response=ReportInfoPublic,
)
async def get_info(call: Call) -> ReportInfoPublic:
    async with call.request.app[DB].read() as session:
        return await report_doc.get_info(session=session, actor=call.actor, slug=call.param("slug"))


@api.route(
    "PATCH",
    BASE + "/info",
    "Set authors, date, distribution line, caution size (coordinators; draft reports)",
    body=ReportInfoUpdate,
    response=ReportInfoPublic,
)
async def update_info(call: Call) -> ReportInfoPublic:
    async with call.request.app[DB].write() as session:
        return await report_doc.update_info(
            session=session, actor=call.actor, slug=call.param("slug"), data=call.body
        )


@api.route(
    "POST",
    BASE + "/finalise",
    "Finalise: freeze the text and figures (coordinators)",
    body=FinaliseBody,
    response=ReportInfoPublic,
)
async def finalise(call: Call) -> ReportInfoPublic:
    async with call.request.app[DB].write() as session:
        return await report_doc.finalise(
            session=session,
            actor=call.actor,
            slug=call.param("slug"),
            theme_threshold=call.body.theme_threshold,
        )


@api.route(
    "POST",
    BASE + "/reopen",
    "Reopen a final report, with a reason (coordinators)",
    body=ReopenBody,
    response=ReportInfoPublic,
)
async def reopen(call: Call) -> ReportInfoPublic:
    async with call.request.app[DB].write() as session:
        return await report_doc.reopen(
            session=session, actor=call.actor, slug=call.param("slug"), reason=call.body.reason
        )


@api.route("GET", BASE + "/sections", "The report's sections in order (coordinators, viewers)")
async def list_sections(call: Call) -> list[dict]:
    async with call.request.app[DB].read() as session:
        return await report_text.list_sections(
            session=session,
            actor=call.actor,
            slug=call.param("slug"),
            cache=call.request.app[REPORTS],
        )


@api.route(
    "GET", BASE + "/sections/{key}", "A section's current text; its ETag is the version", raw=True
)
async def get_section(call: Call) -> web.Response:
    async with call.request.app[DB].read() as session:
        found = await report_text.get_section(
            session=session, actor=call.actor, slug=call.param("slug"), key=call.param("key")
        )
    return text_response(found)


@api.route(
    "PUT",
    BASE + "/sections/{key}",
    "Save a section's text (coordinators). If-Match: "
    "the ETag it was edited from; 409 with both texts if someone saved since",
    raw=True,
    body=SectionSave,
)
async def save_section(call: Call) -> web.Response:
    base = base_version(call)
    async with call.request.app[DB].write() as session:
        saved = await report_text.save_section(
            session=session,
            actor=call.actor,
            slug=call.param("slug"),
            key=call.param("key"),
            text=call.body.text,
            base_version=base,
            cache=call.request.app[REPORTS],
        )
    return text_response(saved)


@api.route(
    "GET",
    BASE + "/sections/{key}/versions",
    "Every saved version of a section",
    response=list[SectionTextPublic],
)
async def list_versions(call: Call) -> list[SectionTextPublic]:
    async with call.request.app[DB].read() as session:
        return await report_text.list_versions(
            session=session, actor=call.actor, slug=call.param("slug"), key=call.param("key")
        )


@api.route(
    "GET",
    BASE + "/sections/{key}/statements",
    "Statements MAA drafts for a section, with figures and return ids",
)
async def statements(call: Call) -> list[dict[str, Any]]:
    async with call.request.app[DB].read() as session:
        found = await report_text.section_statements(
            session=session,
            actor=call.actor,
            slug=call.param("slug"),
            key=call.param("key"),
            cache=call.request.app[REPORTS],
        )
    return [asdict(s) for s in found]


@api.route(
    "POST",
    BASE + "/sections/{key}/statements/{statement_id}/insert",
    "Append a drafted statement to the section's text (coordinators; If-Match)",
    raw=True,
)
async def insert_statement(call: Call) -> web.Response:
    base = base_version(call)
    async with call.request.app[DB].write() as session:
        saved = await report_text.insert_statement(
            session=session,
            actor=call.actor,
            slug=call.param("slug"),
            key=call.param("key"),
            statement_id=call.param("statement_id"),
            base_version=base,
        )
    return text_response(saved)


@api.route(
    "GET",
    BASE + "/sections/{key}/evidence",
    "The answers behind a section: an agency's by question, a theme's by agency",
    query={
        "theme": "an option key of the themes question (themes section only)",
        "case": "only this case reference",
        "grade": "only returns with this overall grade key (or not_graded)",
        "page": "1 or more (default 1)",
        "per_page": "1 to 200 (default 50)",
    },
)
async def section_evidence(call: Call) -> dict[str, Any]:
    q = call.request.query
    async with call.request.app[DB].read() as session:
        found = await report_text.section_evidence(
            session=session,
            actor=call.actor,
            slug=call.param("slug"),
            key=call.param("key"),
            theme=q.get("theme"),
            case=q.get("case"),
            grade=q.get("grade"),
            page=_int_query(call, "page", 1),
            per_page=_int_query(call, "per_page", 50),
            cache=call.request.app[REPORTS],
        )
    return asdict(found) | {"pages": found.pages}
