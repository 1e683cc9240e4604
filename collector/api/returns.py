"""Returns: open the draft, answer one question at a time, submit, reopen, audit trail."""

from functools import partial
from typing import Any

from collector.api.routing import Api, Call
from collector.auth import ensure_member
from collector.errors import Forbidden
from collector.keys import DB
from collector.services import answers_sql, returns
from models.ops import AuditEventPublic
from models.returns import (
    AnswerPart,
    AnswerPut,
    AnswerResult,
    ReopenRequest,
    ReturnOpen,
    ReturnPublic,
)

api = Api()


@api.route(
    "POST",
    "/api/returns",
    "Open the draft for a case, or fetch it",
    body=ReturnOpen,
    response=ReturnPublic,
)
async def open_return(call: Call) -> ReturnPublic:
    ensure_member(call.actor)
    async with call.request.app[DB].write() as session:
        return await returns.open_return(session=session, actor=call.actor, data=call.body)


@api.route("GET", "/api/returns/{return_id}", "One return with its answers", response=ReturnPublic)
async def get_return(call: Call) -> ReturnPublic:
    ensure_member(call.actor)
    async with call.request.app[DB].read() as session:
        return await returns.get_return(
            session=session, actor=call.actor, return_id=call.int_param("return_id")
        )


@api.route(
    "PUT",
    "/api/returns/{return_id}/answers/{key}",
    "Answer one question (idempotent)",
    body=AnswerPut,
    response=AnswerResult,
    resolve=False,
)
async def put_answer(call: Call) -> AnswerResult:
    body: AnswerPut = call.body
    return await _write(call, value=body.value, update_id=body.update_id, names_ok=body.names_ok)


@api.route(
    "POST",
    "/api/returns/{return_id}/answers/{key}/parts",
    "Add one message to a narrative (joined to what is stored)",
    body=AnswerPart,
    response=AnswerResult,
    resolve=False,
)
async def add_part(call: Call) -> AnswerResult:
    part: AnswerPart = call.body
    return await _write(
        call,
        value=part.text,
        part=True,
        update_id=part.update_id,
        fresh=part.fresh,
        names_ok=part.names_ok,
    )


async def _write(call: Call, **answer: Any) -> AnswerResult:
    """An answer write. SQLite: the hot path, who is asking included, in one queued transaction
    on the writer thread; PostgreSQL: the ORM service."""
    if answer.get("update_id") is not None and not call.credentials.service:
        raise Forbidden("Only the bot's service token may name a Telegram update.")
    db = call.request.app[DB]
    target = {"return_id": call.int_param("return_id"), "key": call.param("key"), **answer}
    if db.writer is not None:
        return await db.writer.run(
            partial(answers_sql.put_answer, credentials=call.credentials, **target)
        )
    actor = await call.acting()
    ensure_member(actor)
    async with db.write() as session:
        return await returns.put_answer(session=session, actor=actor, **target)


@api.route(
    "POST", "/api/returns/{return_id}/submit", "Submit a complete return", response=ReturnPublic
)
async def submit(call: Call) -> ReturnPublic:
    ensure_member(call.actor)
    return_id = call.int_param("return_id")
    async with call.request.app[DB].write() as session:
        return await returns.submit_return(session=session, actor=call.actor, return_id=return_id)


@api.route(
    "POST",
    "/api/returns/{return_id}/reopen",
    "Reopen a submitted return (coordinators)",
    body=ReopenRequest,
    response=ReturnPublic,
)
async def reopen(call: Call) -> ReturnPublic:
    ensure_member(call.actor)
    return_id = call.int_param("return_id")
    async with call.request.app[DB].write() as session:
        return await returns.reopen_return(
            session=session, actor=call.actor, return_id=return_id, reason=call.body.reason
        )


@api.route(
    "GET",
    "/api/returns/{return_id}/audit",
    "The return's audit trail",
    response=list[AuditEventPublic],
)
async def audit_trail(call: Call) -> list[AuditEventPublic]:
    ensure_member(call.actor)
    return_id = call.int_param("return_id")
    async with call.request.app[DB].read() as session:
        return await returns.return_audit(session=session, actor=call.actor, return_id=return_id)
