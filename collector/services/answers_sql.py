"""The answer write in plain SQL, for the SQLite writer thread (`collector.sqlite_writer`).

The same rules as `returns.put_answer` (they live in `return_rules`), the same rows and audit
events, in one transaction that also settles who is asking. Functions here are synchronous:
they run in the writer's thread with its `sqlite3` connection, never on the event loop.
The test suite runs every answer test through this path on SQLite and through the ORM on
PostgreSQL, which is what keeps the two alike.
"""

import json
import sqlite3
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from collector.auth import (
    BAD_TOKEN,
    NOT_ENROLLED,
    Actor,
    Credentials,
    ensure_member,
    refuse_disabled,
)
from collector.errors import NotFound, Unauthorized
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
from models.enums import ReturnStatus, Role, RoundStatus
from models.returns import AnswerResult, ConcernAlert

_MEMBER = (
    "SELECT m.id, m.role, m.agency_id, a.code, m.telegram_id, m.reachable, m.disabled_at"
    " FROM member m LEFT JOIN agency a ON a.id = m.agency_id"
)
ACTOR_BY_TELEGRAM = f"{_MEMBER} WHERE m.telegram_id = ?"
ACTOR_BY_TOKEN = (
    f"{_MEMBER} JOIN api_token t ON t.member_id = m.id"
    " WHERE t.token_hash = ? AND t.revoked_at IS NULL"
)
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
AUDIT_EVENT = (
    'INSERT INTO audit_event (at, actor_id, actor, action, entity, entity_id, "before", "after")'
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
MARK_REACHABLE = "UPDATE member SET reachable = 1 WHERE id = ? AND reachable = 0"
MARK_SEEN = (
    "INSERT INTO seen_update (update_id, seen_at) VALUES (?, ?) ON CONFLICT (update_id) DO NOTHING"
)


def stamp(moment: datetime) -> str:
    """A UTC timestamp as SQLAlchemy stores one on SQLite (models.base.UTCDateTime)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _read_stamp(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


def _event(
    con: sqlite3.Connection,
    actor: Actor,
    at: str,
    action: str,
    entity: str,
    entity_id: int,
    before: Any,
    after: Any,
) -> None:
    con.execute(
        AUDIT_EVENT,
        (
            at,
            actor.member_id,
            actor.label,
            action,
            entity,
            entity_id,
            json.dumps(before),
            json.dumps(after),
        ),
    )


def acting(con: sqlite3.Connection, credentials: Credentials, now: str) -> Actor:
    """collector.auth.resolve_actor and the reachable mark of routing.actor_for, in SQL."""
    if credentials.service and credentials.telegram_id is None:
        return Actor(member_id=None, role=None)
    if credentials.service:
        row = con.execute(ACTOR_BY_TELEGRAM, (credentials.telegram_id,)).fetchone()
        if row is None:
            raise NotFound(NOT_ENROLLED, code="not_enrolled")
    else:
        row = con.execute(ACTOR_BY_TOKEN, (credentials.token_hash,)).fetchone()
        if row is None:
            raise Unauthorized(BAD_TOKEN)
    member_id, role, agency_id, code, telegram_id, reachable, disabled_at = row
    refuse_disabled(disabled_at)
    actor = Actor(member_id, Role(role), agency_id, code, telegram_id)
    # Conditional, as in members.mark_reachable: two requests at once record it once.
    if credentials.service and not reachable and con.execute(MARK_REACHABLE, (member_id,)).rowcount:
        _event(
            con,
            actor,
            now,
            "member.reachable",
            "member",
            member_id,
            {"reachable": False},
            {"reachable": True},
        )
    return actor


def facts(con: sqlite3.Connection, return_id: int) -> ReturnFacts | None:
    row = con.execute(RETURN_FACTS, (return_id,)).fetchone()
    if row is None:
        return None
    rid, status, agency_id, code, name, ref, slug, round_status, tool, submitted, reason = row[:11]
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
        submitted_at=_read_stamp(submitted),
        reopened_reason=reason,
        allow=tuple(json.loads(row[11]) or ()) if row[11] else (),
    )


def put_answer(
    con: sqlite3.Connection,
    *,
    credentials: Credentials,
    return_id: int,
    key: str,
    value: Any,
    part: bool = False,
    update_id: int | None = None,
    fresh: bool = False,
    names_ok: bool = False,
) -> AnswerResult:
    """returns.put_answer in SQL; with part=True, returns.add_part (`value` is the part)."""
    now = stamp(datetime.now(UTC))
    actor = acting(con, credentials, now)
    ensure_member(actor)
    found = may_write(actor, facts(con, return_id))
    check_writable(found)
    question = question_of(found, key)
    answers = {k: json.loads(v) for k, v in con.execute(ANSWERS, (return_id,))}
    # A redelivered update (the route has checked the bot sent it): nothing changes.
    if update_id is not None and not con.execute(MARK_SEEN, (update_id, now)).rowcount:
        return answer_result(found, answers, None, repeat=True)
    existed = key in answers
    screening = {"allow": found.allow, "names_ok": names_ok}
    if part:
        clean = with_part(question, None if fresh else answers.get(key), value, **screening)
    else:
        clean = validate(question, value, **screening)
    names = names_sent(question, value, **screening)
    alert = None
    if not existed or answers[key] != clean:
        stored = json.dumps(clean)
        con.execute(UPSERT_ANSWER, (return_id, key, stored, actor.member_id, now))
        con.execute(TOUCH_RETURN, (now, return_id))
        before = {key: answers[key]} if existed else None
        _event(con, actor, now, "answer.put", "return", return_id, before, {key: clean})
        if names:
            after = names_sent_event(key, names)
            _event(con, actor, now, "names.sent", "return", return_id, None, after)
        if raises_alert(question, clean):
            # Concern alert: its row and outbox messages, in this transaction (concern_rules).
            alert = raise_concern(con, found, actor, now)
        answers[key] = clean
    return answer_result(found, answers, alert)


INSERT_CONCERN = (
    "INSERT INTO concern (round_id, return_id, agency_id, case_reference, raised_by, raised_at,"
    " escalate_at, deliverable) VALUES (:round_id, :return_id, :agency_id, :case_reference,"
    " :raised_by, :raised_at, :escalate_at, :deliverable)"
)
INSERT_MESSAGE = (
    "INSERT INTO reminder (key, round_id, kind, stage, recipient_id, expectation_id, action_id,"
    " payload, send_after, status, attempts, created_at, priority, concern_id) VALUES (:key,"
    " :round_id, :kind, :stage, :recipient_id, :expectation_id, :action_id, :payload,"
    " :send_after, :status, :attempts, :created_at, :priority, :concern_id)"
    " ON CONFLICT (key) DO NOTHING"
)


def _sql_values(row: dict[str, Any]) -> dict[str, Any]:
    """Values as SQLAlchemy stores them on SQLite: UTC stamps, JSON text, enum names."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, datetime):
            v = stamp(v)
        elif isinstance(v, dict):
            v = json.dumps(v)
        elif isinstance(v, StrEnum):
            v = v.name
        out[k] = v
    return out


def raise_concern(
    con: sqlite3.Connection, found: ReturnFacts, actor: Actor, now: str
) -> ConcernAlert:
    """concerns.raise_concern in SQL: read, plan (concern_rules), insert; same transaction."""
    context = context_of(con.execute(CONTEXT_SQL, {"return_id": found.id}).fetchone())
    members = recipients_of(con.execute(RECIPIENTS_SQL, {"agency_id": found.agency_id}))
    moment = _read_stamp(now)
    assert moment is not None
    plan = plan_concern(found, context, members, actor.member_id, moment)
    cid = con.execute(INSERT_CONCERN, _sql_values(plan.concern)).lastrowid
    assert cid is not None
    con.executemany(INSERT_MESSAGE, [_sql_values(m) for m in plan.messages(cid)])
    _event(con, actor, now, "concern.raised", "return", found.id, None, plan.audit_after(cid))
    return plan.alert(cid)


def mark_seen(con: sqlite3.Connection, *, credentials: Credentials, update_id: int) -> bool:
    """updates.mark_seen in SQL: True the first time an update id is seen."""
    now = stamp(datetime.now(UTC))
    acting(con, credentials, now).require_service()
    return con.execute(MARK_SEEN, (update_id, now)).rowcount == 1
