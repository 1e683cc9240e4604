"""The answer write: one procedure for SQLite and PostgreSQL (`collector.dbport.Port`).

Every answer goes through here: the API's answer and part routes, the demo loader, the
benches. The rules (who may write, when, what an answer may be) live in `return_rules`; this is
the procedure around them, in one transaction: who is asking (and the reachable mark), lock the
return, read its answers, de-duplicate a redelivered Telegram update, validate, then write only
when the value changed: the answer, the return's `updated_at`, the audit event, and when the
answer raises a concern, the concern row, its outbox messages and its event (`raise_concern`).

Where later additions go: a check on the actor -> `acting.resolve`; a check on the return or
the answer -> `return_rules` (called from `put_answer`); another row written with a changed
answer (an outbox row, ...) -> `_store`; how a value is stored: `collector.sealing` (`seal` in
`_store`, `unseal` in `load_value`), the one codec.
"""

import json
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from collector.auth import Actor, Credentials, ensure_member
from collector.dbport import Port, insert_sql, row_values
from collector.sealing import seal, seal_all, unseal
from collector.services import audit, query_rules
from collector.services.acting import acting
from collector.services.concern_rules import (
    CONTEXT_SQL,
    RECIPIENTS_SQL,
    context_of,
    plan_concern,
    recipients_of,
)
from collector.services.return_rules import (
    ReturnFacts,
    answer_result,
    check_writable,
    may_write,
    names_sent,
    names_sent_event,
    question_of,
    raises_alert,
    validate,
    with_part,
)
from models.enums import ReturnStatus, RoundStatus
from models.returns import AnswerResult, ConcernAlert
from models.tool import Question

RETURN_FACTS = (
    "SELECT r.id, r.status, r.agency_id, ag.code, ag.name, c.reference, ro.slug, ro.status,"
    " ro.tool_version, r.submitted_at, r.reopened_reason, ro.screen_allow"
    " FROM audit_return r JOIN round ro ON ro.id = r.round_id"
    ' JOIN agency ag ON ag.id = r.agency_id JOIN "case" c ON c.id = r.case_id WHERE r.id = ?'
)
ANSWERS = "SELECT question_key, value FROM answer WHERE return_id = ?"
UPSERT_ANSWER = (
    "INSERT INTO answer (return_id, question_key, value, answered_by, answered_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (return_id, question_key) DO UPDATE SET"
    " value = excluded.value, answered_by = excluded.answered_by,"
    " answered_at = excluded.answered_at"
)
TOUCH_RETURN = "UPDATE audit_return SET updated_at = ? WHERE id = ?"
MARK_SEEN = (
    "INSERT INTO seen_update (update_id, seen_at) VALUES (?, ?) ON CONFLICT (update_id) DO NOTHING"
)


def load_value(stored: str) -> Any:
    """A stored answer's value as it was given (JSON text; narrative text opened)."""
    return unseal(json.loads(stored))  # SEALING: read


async def return_facts(port: Port, return_id: int) -> ReturnFacts | None:
    """The return with the names it is known by, its row locked until the write commits (one
    writer per return on PostgreSQL; on SQLite the writer already holds the write lock)."""
    await port.begin()
    row = await port.fetch_one(RETURN_FACTS + port.for_update("r"), return_id)
    if row is None:
        return None
    rid, status, agency_id, code, name, ref, slug, round_status, tool, submitted, reason, allow = (
        row
    )
    return ReturnFacts(
        id=rid,
        status=ReturnStatus(status),
        agency_id=agency_id,
        agency_code=code,
        agency_name=name,
        case_reference=ref,
        round_slug=slug,
        round_status=RoundStatus(round_status),
        tool_version=tool,
        submitted_at=port.read_stamp(submitted),
        reopened_reason=reason,
        allow=round_allow(allow) if allow else (),
    )


@lru_cache(maxsize=256)
def round_allow(stored: str) -> tuple[str, ...]:
    """A round's `screen_allow` (JSON text) as words: every write reads it, and the same few
    rounds' lists recur, so each is parsed once."""
    return tuple(json.loads(stored) or ())


async def first_sight(port: Port, update_id: int, now: datetime) -> bool:
    """Record a Telegram update id in this transaction; True unless it was recorded before."""
    return await port.execute(MARK_SEEN, update_id, now) == 1


async def put_answer(
    port: Port,
    *,
    who: Credentials | Actor,
    return_id: int,
    key: str,
    value: Any,
    part: bool = False,
    update_id: int | None = None,
    fresh: bool = False,
    names_ok: bool = False,
) -> AnswerResult:
    """Store one answer; with part=True, `value` is one more message of a narrative, joined to
    the stored text (unless `fresh`). The same answer again changes nothing and records nothing,
    and so does an update (`update_id`) seen before. `names_ok`: the author saw the
    possible-name warning and sends the text as it is. `who`: a request's credentials (resolved
    here, in the same transaction), or an actor already known (the demo loader)."""
    now = datetime.now(UTC)
    actor = await acting(port, who, now) if isinstance(who, Credentials) else who
    ensure_member(actor)
    facts = may_write(actor, await return_facts(port, return_id))
    queried = await query_rules.open_queries(port, facts.status, return_id, key)
    if not queried:  # a queried answer of a submitted return stays writable (query_rules)
        check_writable(facts)
    question = question_of(facts, key)
    # One read of the return's answers serves the join, the before-value and the response.
    rows = await port.fetch_all(ANSWERS, return_id)
    answers = {k: load_value(v) for k, v in rows}
    if update_id is not None and not await first_sight(port, update_id, now):
        return answer_result(facts, answers, None, repeat=True)
    screening = {"allow": facts.allow, "names_ok": names_ok}
    if part:
        clean = with_part(question, None if fresh else answers.get(key), value, **screening)
    else:
        clean = validate(question, value, **screening)
    if key in answers and answers[key] == clean:
        return answer_result(facts, answers, None)
    names = names_sent(question, value, **screening)
    result = await _store(port, actor, facts, question, key, clean, answers, now, names)
    if queried:
        await query_rules.answered_by_edit(port, actor, return_id, key, queried, now)
    return result


async def _store(
    port: Port,
    actor: Actor,
    facts: ReturnFacts,
    question: Question,
    key: str,
    clean: Any,
    answers: dict[str, Any],
    now: datetime,
    names: int = 0,
) -> AnswerResult:
    """Write a changed answer, with everything that goes with it, in the caller's transaction."""
    return_id, existed = facts.id, key in answers
    sealed = seal(clean)  # SEALING: write (the value and its audit event), sealed once
    stored = json.dumps(sealed)  # JSON text, as SQLAlchemy's JSON type writes it
    await port.execute(UPSERT_ANSWER, return_id, key, stored, actor.member_id, now)
    await port.execute(TOUCH_RETURN, now, return_id)
    await audit.insert(
        port,
        at=now,
        actor=actor,
        action="answer.put",
        entity="return",
        entity_id=return_id,
        before=seal_all({key: answers[key]}) if existed else None,
        after={key: sealed},
    )
    if names:  # the author overruled the possible-name warning: how many, never the text
        await audit.insert(
            port,
            at=now,
            actor=actor,
            action="names.sent",
            entity="return",
            entity_id=return_id,
            after=names_sent_event(key, names),
        )
    alert = await raise_concern(port, facts, actor, now) if raises_alert(question, clean) else None
    answers[key] = clean
    return answer_result(facts, answers, alert)


async def raise_concern(
    port: Port, facts: ReturnFacts, actor: Actor, now: datetime
) -> ConcernAlert:
    """The concern this answer raises: read, plan (`concern_rules`, the one source of the
    rows), insert its row and one outbox message per recipient, and its audit event."""
    context = context_of(await port.fetch_one(CONTEXT_SQL, {"return_id": facts.id}))
    members = recipients_of(await port.fetch_all(RECIPIENTS_SQL, {"agency_id": facts.agency_id}))
    plan = plan_concern(facts, context, members, actor.member_id, now)
    concern = plan.concern
    row = await port.write_returning(
        insert_sql("concern", list(concern), " RETURNING id"), row_values(concern)
    )
    assert row is not None
    cid = row[0]
    for message in plan.messages(cid):
        sql = insert_sql("reminder", list(message), " ON CONFLICT (key) DO NOTHING")
        await port.execute(sql, row_values(message))
    await audit.insert(
        port,
        at=now,
        actor=actor,
        action="concern.raised",
        entity="return",
        entity_id=facts.id,
        after=plan.audit_after(cid),
    )
    return plan.alert(cid)


async def mark_seen(port: Port, *, credentials: Credentials, update_id: int) -> bool:
    """True the first time the bot reports a Telegram update id, False ever after."""
    (await acting(port, credentials)).require_service()
    return await first_sight(port, update_id, datetime.now(UTC))
