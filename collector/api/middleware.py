"""One error middleware: domain errors and aiohttp's own become `{"error", "message"}`."""

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from collector.db import unavailable
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
    except Exception as exc:
        if unavailable(exc):
            # The database is away (or gave up on a statement): nothing was saved, and the
            # same request may be sent again (every write is idempotent).
            log.warning("database unavailable on %s %s: %s", request.method, request.path,
                        type(exc).__name__)  # fmt: skip
            return web.json_response(
                {
                    "error": "unavailable",
                    "message": "The database cannot be reached just now; nothing was saved. "
                    "Try again in a moment.",
                },
                status=503,
            )
        # Log where it broke, never the request body: it may hold narrative text.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response(
            {
                "error": "internal",
                "message": "Something went wrong on our side; nothing was saved.",
            },
            status=500,
        )
