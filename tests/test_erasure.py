"""Erasing a person: name and Telegram id gone, credentials void, history still adds up."""

from typer.testing import CliRunner

from collector.cli import app as cli_app
from models.enums import Role
from tests.conftest import SERVICE_TOKEN, full_answers, small_round


async def test_erase_member_voids_access_and_keeps_the_history_attributed(collector):
    c = collector
    await c.create_round(small_round())
    coord = await c.token_for(await c.add_member("Cora", Role.coordinator, telegram_id=1))
    lead = await c.add_member("Lee Leadsworth", Role.agency_lead, agency="csc", telegram_id=555)
    lead_token = await c.token_for(lead)
    status, invite = await c.call(
        "POST", "/api/invites", token=lead_token, json={"role": "auditor"}
    )
    assert status == 201
    _, draft = await c.as_member(
        "POST", "/api/returns", 555, json={"round": "r-2026", "case": "C1"}
    )
    for key, value in full_answers().items():
        await c.as_member(
            "PUT", f"/api/returns/{draft['id']}/answers/{key}", 555, json={"value": value}
        )
    assert (await c.as_member("POST", f"/api/returns/{draft['id']}/submit", 555))[0] == 200
    _, tally_before = await c.call("GET", "/api/rounds/r-2026/tally", token=coord)

    # Only a coordinator may erase, and not themselves.
    status, body = await c.call("POST", f"/api/members/{lead}/erase", token=lead_token)
    assert status == 403
    _, me = await c.call("GET", "/api/me", token=coord)
    status, body = await c.call("POST", f"/api/members/{me['id']}/erase", token=coord)
    assert status == 400 and body["error"] == "erase_self"

    status, erased = await c.call("POST", f"/api/members/{lead}/erase", token=coord)
    assert status == 200, erased
    assert erased["display_name"] == f"Erased member #{lead}" and erased["telegram_id"] is None
    assert (await c.call("POST", f"/api/members/{lead}/erase", token=coord))[0] == 200  # again

    # Their token, their Telegram account and the invite they issued no longer work.
    assert (await c.call("GET", "/api/me", token=lead_token))[0] == 401
    status, body = await c.as_member("GET", "/api/me", 555)
    assert status == 404 and body["error"] == "not_enrolled"
    status, body = await c.call(
        "POST", "/api/invites/redeem", token=SERVICE_TOKEN,
        json={"code": invite["code"], "telegram_id": 777, "display_name": "New"},
    )  # fmt: skip
    assert status in (404, 410), body

    # Nobody sees who they were; what they did still adds up, under the member id.
    _, people = await c.call("GET", "/api/members", token=coord)
    assert "Lee Leadsworth" not in str(people) and "555" not in str(people)
    _, trail = await c.call("GET", f"/api/returns/{draft['id']}/audit", token=coord)
    assert {e["actor"] for e in trail} == {f"member:{lead}"}
    assert [e["action"] for e in trail][-1] == "return.submit"
    assert (await c.call("GET", "/api/rounds/r-2026/tally", token=coord))[1] == tally_before
    async with c.db.read() as session:
        from sqlalchemy import select

        from models.ops import AuditEvent

        events = (await session.execute(select(AuditEvent))).scalars().all()
    assert "Lee Leadsworth" not in str([(e.before, e.after) for e in events])
    assert "member.erase" in [e.action for e in events]


def test_erase_command(database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAA_DATABASE_URL", database_url)
    runner = CliRunner()
    result = runner.invoke(cli_app, ["member", "add", "--name", "Pat Person", "--role", "viewer"])
    assert result.exit_code == 0
    result = runner.invoke(cli_app, ["member", "erase", "1"])
    assert result.exit_code == 0 and "Erased member 1" in result.output
    result = runner.invoke(cli_app, ["member", "erase", "99"])
    assert result.exit_code == 1 and result.output.strip() == "error: There is no member 99."
