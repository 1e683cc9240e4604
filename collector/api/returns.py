"""Returns: open the draft, answer one question at a time, submit, reopen, audit trail."""

from functools import partial
from typing import Any

from collector.api.routing import Api, Call
from collector.auth import ensure_member
from collector.errors import Forbidden
from collector.keys import DB
from collector.services import answers, returns
from models.ops import AuditEventPublic
from models.returns import (
    AnswerPart,
    AnswerPut,
    AnswerResult,
    ReopenRequest,
    ReturnOpen,
    ReturnPublic,
    SubmitRequest,
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
    """An answer write, who is asking included, in one transaction (on SQLite one hand-off to
    the writer thread): the same procedure on both databases."""
    if answer.get("update_id") is not None and not call.credentials.service:
        raise Forbidden("Only the bot's service token may name a Telegram update.")
    target = {"return_id": call.int_param("return_id"), "key": call.param("key"), **answer}
    write = partial(answers.put_answer, who=call.credentials, **target)
    return await call.request.app[DB].run(write)


@api.route(
    "POST",
    "/api/returns/{return_id}/submit",
    "Submit a complete return (422 cross_check: confirm with a reason)",
    body=SubmitRequest,
    body_optional=True,
    response=ReturnPublic,
)
async def submit(call: Call) -> ReturnPublic:
    ensure_member(call.actor)
    return_id = call.int_param("return_id")
    reason = call.body.confirm_reason if call.body is not None else None
    async with call.request.app[DB].write() as session:
        return await returns.submit_return(
            session=session, actor=call.actor, return_id=return_id, confirm_reason=reason
        )


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
