"""Server-Sent Events: a page that shows a round hears when that round changes."""

from aiohttp import web
from aiohttp_sse import sse_response

from collector.desk.common import HEADERS, desk
from collector.desk.keys import FEED
from collector.keys import DB
from collector.services.lookup import round_by_slug
from models.enums import Role

routes = web.RouteTableDef()


@routes.get("/desk/rounds/{slug}/events")
async def events(request: web.Request) -> web.StreamResponse:
    me = desk(request)
    async with request.app[DB].read() as session:
        round_ = await round_by_slug(session, request.match_info["slug"])
    # Agency members hear only of their own agency's returns (and round-wide changes).
    own = me.actor.agency_id if me.actor.role in (Role.agency_lead, Role.auditor) else None
    feed = request.app[FEED]
    watch = feed.watch(round_.id, own)
    try:
        headers = {k: v for k, v in HEADERS.items() if k != "Cache-Control"}
        async with sse_response(request, headers=headers) as stream:
            await stream.send("ready", event="ready")
            while stream.is_connected():
                change = await watch.queue.get()
                if change is None:
                    break
                await stream.send(str(change.event_id), event="change", id=str(change.event_id))
            return stream
    finally:
        feed.unwatch(watch)
