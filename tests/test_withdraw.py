"""Members and credentials that can be withdrawn: disable/enable, revoke tokens (API, chat)."""

from sqlalchemy import select

from models.enums import Role
from models.ops import AuditEvent
from tests.bot_helpers import COORD, POLICE, User
from tests.conftest import small_round

pytest_plugins = ["tests.bot_fixtures"]


async def _setup(c):
    await c.create_round(small_round())
    coord_id = await c.add_member("Co", Role.coordinator, telegram_id=99)
    aud_id = await c.add_member("Aud", Role.auditor, agency="csc", telegram_id=11)
    return await c.token_for(coord_id), aud_id, await c.token_for(aud_id)


async def test_a_disabled_member_is_refused_everywhere_and_their_history_stays(collector):
    c = collector
    coord, aud_id, aud_token = await _setup(c)
    status, draft = await c.call(
        "POST", "/api/returns", token=aud_token, json={"round": "r-2026", "case": "C1"}
    )
    assert status == 200
    rid = draft["id"]
    answer = f"/api/returns/{rid}/answers/learning"
    assert (await c.call("PUT", answer, token=aud_token, json={"value": "Share it."}))[0] == 200

    status, member = await c.call("POST", f"/api/members/{aud_id}/disable", token=coord)
    assert status == 200 and member["disabled_at"] is not None
    # Refused at once: the personal token, the bot acting for them, and the answer write path.
    for call in (
        c.call("GET", "/api/me", token=aud_token),
        c.as_member("GET", "/api/me", 11),
        c.call("PUT", answer, token=aud_token, json={"value": "Again."}),
        c.as_member("PUT", answer, 11, json={"value": "Again."}),
        c.as_member("POST", f"{answer}/parts", 11, json={"text": "More."}),
    ):
        status, body = await call
        assert (status, body["error"]) == (403, "member_disabled"), body
    # Their answer stays, attributed, and so does the audit trail.
    status, ret = await c.call("GET", f"/api/returns/{rid}", token=coord)
    assert ret["answers"]["learning"] == "Share it."
    async with c.db.read() as s:
        events = (await s.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars().all()
    put = next(e for e in events if e.action == "answer.put")
    assert put.actor_id == aud_id
    disable = next(e for e in events if e.action == "member.disable")
    assert (disable.entity_id, disable.before) == (aud_id, {"disabled_at": None})

    # Twice is one change; then enabled again, the same token works.
    await c.call("POST", f"/api/members/{aud_id}/disable", token=coord)
    status, member = await c.call("POST", f"/api/members/{aud_id}/enable", token=coord)
    assert status == 200 and member["disabled_at"] is None
    assert (await c.call("PUT", answer, token=aud_token, json={"value": "Again."}))[0] == 200
    async with c.db.read() as s:
        actions = [e.action for e in (await s.execute(select(AuditEvent))).scalars()]
    assert actions.count("member.disable") == 1 and actions.count("member.enable") == 1


async def test_only_coordinators_withdraw_and_not_themselves(collector):
    c = collector
    coord, aud_id, aud_token = await _setup(c)
    status, body = await c.call("POST", f"/api/members/{aud_id}/disable", token=aud_token)
    assert (status, body["error"]) == (403, "forbidden")
    status, me = await c.call("GET", "/api/me", token=coord)
    status, body = await c.call("POST", f"/api/members/{me['id']}/disable", token=coord)
    assert (status, body["error"]) == (409, "self_disable")
    status, body = await c.call("POST", "/api/members/4000/disable", token=coord)
    assert (status, body["error"]) == (404, "not_found")
    path = f"/api/members/{aud_id}/tokens/revoke"
    status, body = await c.call("POST", path, token=aud_token, json={})
    assert (status, body["error"]) == (403, "forbidden")


async def test_revoked_tokens_are_refused_at_once(collector):
    c = collector
    coord, aud_id, aud_token = await _setup(c)
    second = await c.token_for(aud_id)
    status, tokens = await c.call("GET", f"/api/members/{aud_id}/tokens", token=coord)
    assert status == 200 and [t["revoked_at"] for t in tokens] == [None, None]
    assert all("token" not in t and "token_hash" not in t for t in tokens)
    path = f"/api/members/{aud_id}/tokens/revoke"
    status, body = await c.call("POST", path, token=coord, json={"token_id": tokens[0]["id"]})
    assert (status, body) == (200, {"revoked": 1})
    status, body = await c.call("GET", "/api/me", token=aud_token)
    assert (status, body["error"]) == (401, "unauthorized")
    assert (await c.call("GET", "/api/me", token=second))[0] == 200
    status, body = await c.call("POST", path, token=coord, json={})
    assert (status, body) == (200, {"revoked": 1})
    assert (await c.call("GET", "/api/me", token=second))[0] == 401
    assert (await c.call("POST", path, token=coord, json={}))[1] == {"revoked": 0}
    status, body = await c.call("POST", path, token=coord, json={"token_id": 2**40})
    assert (status, body["error"]) == (400, "invalid_request")


async def test_coordinator_disables_in_the_chat_and_the_member_is_told(bot, loopback):
    coord, police = User(loopback, COORD), User(loopback, POLICE)
    listing = await coord.cmd("/disable", expect="Please give the member's number")
    assert "2 · Pat Police · auditor of police" in listing["text"]
    await coord.cmd("/disable 2", expect="Pat Police (member 2) is now disabled")
    await police.cmd("/audit", expect="switched off by your coordinator")
    await police.say("hello", expect=lambda m: "switched off" in (m.get("text") or ""))
    await police.cmd("/disable 1", expect="switched off by your coordinator")
    await coord.cmd("/enable 2", expect="Pat Police (member 2) is enabled again")
    await police.cmd("/audit", expect="Which case")


async def test_a_disabled_member_is_not_chased(collector):
    c = collector
    coord, aud_id, _ = await _setup(c)
    plan = {"round": "r-2026", "dry_run": True, "at": "2026-02-16T10:00:00Z"}

    async def recipients() -> set[int]:
        status, body = await c.call("POST", "/api/reminders/plan", token=coord, json=plan)
        assert status == 200, body
        return {d["recipient_id"] for d in body["decisions"]}

    assert aud_id in await recipients()
    await c.call("POST", f"/api/members/{aud_id}/disable", token=coord)
    assert aud_id not in await recipients()
