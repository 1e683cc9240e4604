"""Health, the OpenAPI document and update de-duplication for the bot."""

from functools import partial

from aiohttp import web
from pydantic import BaseModel

from collector.api.routing import Api, Call
from collector.db import unavailable
from collector.errors import Unavailable
from collector.keys import DB
from collector.services import answers
from models.validators import BIGINT_MAX

api = Api()


class Health(BaseModel):
    status: str


class Seen(BaseModel):
    first: bool


@api.route(
    "GET",
    "/healthz",
    "Liveness and database check (503 while the database cannot be reached)",
    response=Health,
    auth=False,
)
async def healthz(call: Call) -> Health:
    try:
        await call.request.app[DB].ping()
    except Exception as exc:
        if not unavailable(exc):
            raise
        raise Unavailable("The database cannot be reached.", code="database_unavailable") from None
    return Health(status="ok")


@api.route(
    "POST",
    "/api/updates/{update_id}",
    "Mark a Telegram update handled (the bot)",
    response=Seen,
    resolve=False,
)
async def seen_update(call: Call) -> Seen:
    write = partial(
        answers.mark_seen,
        credentials=call.credentials,
        update_id=call.int_param("update_id", low=0, high=BIGINT_MAX),
    )
    return Seen(first=await call.request.app[DB].run(write))


@api.route("GET", "/api/openapi.json", "This document", auth=False, raw=True)
async def openapi(call: Call) -> web.Response:
    from collector.openapi import document

    return web.json_response(document(call.request.app))
