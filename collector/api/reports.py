"""The overview report and exports of a round, in every format, from one snapshot."""

from aiohttp import web

from collector.api.routing import Api, Call
from collector.auth import ensure_member
from collector.errors import BadRequest
from collector.keys import DB
from collector.services.report_files import report_file
from models.enums import Role
from models.validators import THEME_THRESHOLD_MAX
from report.formats import FORMATS, Format, UnknownFormat, get_format
from report.moderated import AGENCY, MODERATED

api = Api()


@api.route(
    "GET",
    "/api/rounds/{slug}/report",
    "The overview report or an export (coordinators, viewers)",
    raw=True,
    query={
        "format": f"one of {', '.join(FORMATS)} (default html)",
        "theme_threshold": "a theme is cross-cutting when this many agencies raise it (default 3)",
        "annex": "0 leaves out the evidence annex of verbatim answers (default 1)",
        "grades": "agency (default) or moderated: the grades the case grid and its "
        "'grades differ' analysis use",
    },
)
async def report(call: Call) -> web.Response:
    ensure_member(call.actor)
    call.actor.require(Role.coordinator, Role.viewer)
    try:
        fmt = get_format(call.request.query.get("format", "html"))
    except UnknownFormat:
        raise BadRequest(
            f"Unknown report format. Use one of: {', '.join(FORMATS)}.", code="unknown_format"
        ) from None
    threshold = call.int_query("theme_threshold", 3, high=THEME_THRESHOLD_MAX)
    annex = call.request.query.get("annex", "1")
    if annex not in ("0", "1"):
        raise BadRequest("annex must be 0 (leave the evidence annex out) or 1.")
    grades = call.request.query.get("grades", AGENCY)
    if grades not in (AGENCY, MODERATED):
        raise BadRequest(f"grades must be {AGENCY} or {MODERATED}.")
    slug = call.param("slug")
    body = await report_file(
        db=call.request.app[DB],
        slug=slug,
        fmt=fmt.name,
        annex=annex == "1",
        theme_threshold=threshold,
        grades=grades,
    )
    return web.Response(body=body, headers=_download(fmt, slug))


def _download(fmt: Format, slug: str) -> dict[str, str]:
    return {
        "Content-Type": fmt.content_type,
        "Content-Disposition": f'attachment; filename="{fmt.filename(slug)}"',
    }
