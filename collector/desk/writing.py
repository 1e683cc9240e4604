"""The desk's writing pages, part 1: a round's report at a glance (its sections with their
status, the report's status and settings, finalising and reopening, downloads).

Every write goes through the services the API calls (services/report_doc.py, report_text.py):
the same roles, rules and audit events. The section page is writing_section.py."""

from aiohttp import web
from pydantic import ValidationError

from collector.desk.common import desk, render, see_other
from collector.errors import BadRequest
from collector.keys import DB, REPORTS
from collector.services import report_doc, report_text, rounds
from models.enums import Role
from models.report_doc import ReopenBody, ReportInfoUpdate
from report.formats import FORMATS, get_format

routes = web.RouteTableDef()


def first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = " ".join(str(p).replace("_", " ") for p in err["loc"])
    return f"{where.capitalize()}: {err['msg']}." if where else f"{err['msg']}."


async def _index(request: web.Request, *, status: int = 200, notice: str = "", error: str = ""):
    me = desk(request)
    me.actor.require(Role.coordinator, Role.viewer)
    slug = request.match_info["slug"]
    async with request.app[DB].read() as session:
        round_ = await rounds.get_round(session=session, slug=slug)
        info = await report_doc.get_info(session=session, actor=me.actor, slug=slug)
        sections = await report_text.list_sections(
            session=session, actor=me.actor, slug=slug, cache=request.app[REPORTS]
        )
    context = {
        "round": round_,
        "info": info,
        "sections": sections,
        "formats": [get_format(name) for name in FORMATS],
        "notice": notice,
        "error": error,
    }
    return render(request, "writing.html", context, status=status)


DONE = {
    "info": "The report's details are saved.",
    "final": "The report is final: its text and figures are frozen.",
    "reopened": "The report is a draft again; the reason is kept.",
}


@routes.get("/desk/rounds/{slug}/writing")
async def writing_index(request: web.Request) -> web.StreamResponse:
    return await _index(request, notice=DONE.get(request.query.get("done", ""), ""))


def _here(request: web.Request, done: str) -> web.HTTPSeeOther:
    return see_other(f"/desk/rounds/{request.match_info['slug']}/writing?done={done}")


@routes.post("/desk/rounds/{slug}/writing/info")
async def writing_info(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    form = await request.post()
    raw = {k: str(form.get(k, "")).strip() for k in ("authors", "report_date", "distribution")}
    caution = str(form.get("caution_size", "")).strip()
    try:
        data = ReportInfoUpdate.model_validate({**raw, "caution_size": caution or None})
    except ValidationError as exc:
        return await _index(request, status=400, error=first_error(exc))
    async with request.app[DB].write() as session:
        await report_doc.update_info(
            session=session, actor=me.actor, slug=request.match_info["slug"], data=data
        )
    raise _here(request, "info")


@routes.post("/desk/rounds/{slug}/writing/finalise")
async def writing_finalise(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    async with request.app[DB].write() as session:
        await report_doc.finalise(session=session, actor=me.actor, slug=request.match_info["slug"])
    raise _here(request, "final")


@routes.post("/desk/rounds/{slug}/writing/reopen")
async def writing_reopen(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    reason = str((await request.post()).get("reason", "")).strip()
    try:
        body = ReopenBody.model_validate({"reason": reason})
    except ValidationError:
        raise BadRequest(
            "Say why the report is reopened (3 to 2,000 characters): the reason is kept."
        ) from None
    async with request.app[DB].write() as session:
        await report_doc.reopen(
            session=session, actor=me.actor, slug=request.match_info["slug"], reason=body.reason
        )
    raise _here(request, "reopened")
