"""Health, the OpenAPI document and update de-duplication for the bot."""

from functools import partial

from aiohttp import web
from pydantic import BaseModel

from collector.api.routing import Api, Call
from collector.keys import DB
from collector.services import answers_sql, updates
from models.validators import BIGINT_MAX

api = Api()


class Health(BaseModel):
    status: str


class Seen(BaseModel):
    first: bool


@api.route("GET", "/healthz", "Liveness and database check", response=Health, auth=False)
async def healthz(call: Call) -> Health:
    from sqlalchemy import text

    async with call.request.app[DB].read() as session:
        await session.execute(text("SELECT 1"))
    return Health(status="ok")


@api.route(
    "POST",
    "/api/updates/{update_id}",
    "Mark a Telegram update handled (the bot)",
    response=Seen,
    resolve=False,
)
async def seen_update(call: Call) -> Seen:
    update_id, db = call.int_param("update_id", low=0, high=BIGINT_MAX), call.request.app[DB]
    if db.writer is not None:  # SQLite: once per update, so on the writer's fast path
        write = partial(answers_sql.mark_seen, credentials=call.credentials, update_id=update_id)
        return Seen(first=await db.writer.run(write))
    actor = await call.acting()
    async with db.write() as session:
        first = await updates.mark_seen(session=session, actor=actor, update_id=update_id)
    return Seen(first=first)


@api.route("GET", "/api/openapi.json", "This document", auth=False, raw=True)
async def openapi(call: Call) -> web.Response:
    from collector.openapi import document

    return web.json_response(document(call.request.app))
