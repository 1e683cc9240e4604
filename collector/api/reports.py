"""The overview report and exports of a round, in every format, from one snapshot."""

from dataclasses import replace

from aiohttp import web

from collector.api.routing import Api, Call
from collector.auth import ensure_member
from collector.errors import BadRequest
from collector.keys import DB
from collector.services.snapshot import take_snapshot
from models.enums import Role
from models.validators import THEME_THRESHOLD_MAX
from report.formats import FORMATS, UnknownFormat, get_format, render_async

api = Api()


@api.route(
    "GET",
    "/api/rounds/{slug}/report",
    "The overview report or an export (coordinators, viewers)",
    raw=True,
    query={
        "format": f"one of {', '.join(FORMATS)} (default html)",
        "theme_threshold": "a theme is cross-cutting when this many agencies raise it (default 3)",
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
    async with call.request.app[DB].read() as session:
        snapshot = await take_snapshot(session=session, slug=call.param("slug"))
    snapshot = replace(snapshot, theme_threshold=threshold)
    body = await render_async(snapshot, fmt.name)
    return web.Response(
        body=body,
        headers={
            "Content-Type": fmt.content_type,
            "Content-Disposition": f'attachment; filename="{fmt.filename(snapshot.slug)}"',
        },
    )
