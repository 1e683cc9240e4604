"""`/metrics` and the middleware that counts every request (see collector/metrics.py)."""

import hmac
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.exposition import generate_latest

from collector.api.routing import Api, Call
from collector.errors import NotFound, Unauthorized
from collector.keys import DB, METRICS, SETTINGS
from collector.metrics import ANSWER_ROUTES, SUBMIT_ROUTE, read_gauges
from models.base import utcnow

api = Api()


def route_of(request: web.Request) -> str:
    """The route pattern (never the raw path, which carries ids); 'unmatched' for a 404."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def measure(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Outermost middleware: it sees the status the error middleware settled on."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        metrics = request.app[METRICS]
        method, route = request.method, route_of(request)
        metrics.count(method, route, str(status), time.perf_counter() - started)
        if 200 <= status < 300:
            if (method, route) in ANSWER_ROUTES:
                metrics.answers.inc()
            elif (method, route) == SUBMIT_ROUTE:
                metrics.submissions.inc()


@api.route(
    "GET", "/metrics", "Prometheus metrics (Bearer MAA_METRICS_TOKEN; 404 when unset)",
    auth=False, raw=True,
)  # fmt: skip
async def metrics_page(call: Call) -> web.Response:
    """Off (404) unless MAA_METRICS_TOKEN is set; then it needs that bearer token."""
    request = call.request
    token = request.app[SETTINGS].metrics_token.get_secret_value()
    if not token:
        raise NotFound("Metrics are off: set MAA_METRICS_TOKEN to turn them on.")
    given = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
    if not hmac.compare_digest(given, f"Bearer {token}".encode()):
        raise Unauthorized("/metrics needs `Authorization: Bearer <MAA_METRICS_TOKEN>`.")
    metrics = request.app[METRICS]
    async with request.app[DB].read() as session:
        await read_gauges(session, metrics, utcnow())
    body = generate_latest(metrics.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
