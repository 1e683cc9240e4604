"""One error middleware: domain errors and aiohttp's own become `{"error", "message"}`."""

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from collector.errors import DomainError

log = logging.getLogger("maa.collector")

_HTTP_CODES = {
    404: ("not_found", "There is no such address in the API."),
    405: ("method_not_allowed", "That method is not allowed here."),
    413: ("too_large", "The request body is too large."),
}


@web.middleware
async def errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as exc:
        return web.json_response(exc.body(), status=exc.status)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code, message = _HTTP_CODES.get(exc.status, ("http_error", exc.reason))
        return web.json_response({"error": code, "message": message}, status=exc.status)
    except Exception:
        # Log where it broke, never the request body: it may hold narrative text.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response(
            {
                "error": "internal",
                "message": "Something went wrong on our side; nothing was saved.",
            },
            status=500,
        )
