"""Returns: open the draft, answer one question at a time, submit, reopen, audit trail."""

from functools import partial

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


def bot_only(call: Call, update_id: int | None) -> None:
    """Only the bot deals in Telegram updates, so only its token may name one."""
    if update_id is not None and not call.credentials.service:
        raise Forbidden("Only the bot's service token may name a Telegram update.")


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
    return_id, key, db = call.int_param("return_id"), call.param("key"), call.request.app[DB]
    body: AnswerPut = call.body
    bot_only(call, body.update_id)
    if db.writer is not None:
        # SQLite: the hot path. Who is asking, the checks and the write: one queued transaction.
        write = partial(
            answers_sql.put_answer,
            credentials=call.credentials,
            return_id=return_id,
            key=key,
            value=body.value,
            update_id=body.update_id,
        )
        return await db.writer.run(write)
    actor = await call.acting()
    ensure_member(actor)
    async with db.write() as session:
        return await returns.put_answer(
            session=session,
            actor=actor,
            return_id=return_id,
            key=key,
            value=body.value,
            update_id=body.update_id,
        )


@api.route(
    "POST",
    "/api/returns/{return_id}/answers/{key}/parts",
    "Add one message to a narrative (joined to what is stored)",
    body=AnswerPart,
    response=AnswerResult,
    resolve=False,
)
async def add_part(call: Call) -> AnswerResult:
    return_id, key, db = call.int_param("return_id"), call.param("key"), call.request.app[DB]
    part: AnswerPart = call.body
    bot_only(call, part.update_id)
    if db.writer is not None:
        write = partial(
            answers_sql.put_answer,
            credentials=call.credentials,
            return_id=return_id,
            key=key,
            value=part.text,
            part=True,
            update_id=part.update_id,
            fresh=part.fresh,
        )
        return await db.writer.run(write)
    actor = await call.acting()
    ensure_member(actor)
    async with db.write() as session:
        return await returns.add_part(
            session=session,
            actor=actor,
            return_id=return_id,
            key=key,
            text=part.text,
            update_id=part.update_id,
            fresh=part.fresh,
        )


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
