"""The desk over plain HTTP: links, sessions, CSRF, bad input, roles. No browser needed."""

import re
from datetime import timedelta

import aiohttp
from sqlalchemy import select, update

from collector.auth import SYSTEM
from collector.services import desk_auth
from models.base import utcnow
from models.desk import DeskLink, DeskSession
from models.enums import Role
from models.ops import AuditEvent
from models.rounds import Round
from tests.conftest import full_answers, small_round


async def _link(collector, member_id: int) -> str:
    async with collector.db.write() as session:
        issued = await desk_auth.issue_link(session=session, actor=SYSTEM, member_id=member_id)
    return issued.secret


class Desk:
    """A browser-like client: its own cookie jar, signed in by a one-time link."""

    def __init__(self, collector) -> None:
        self.collector = collector
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def sign_in(self, member_id: int) -> "Desk":
        secret = await _link(self.collector, member_id)
        status, _ = await self.post(f"/desk/signin/{secret}", {}, csrf=False)
        assert status == 200  # followed the 303 to the rounds page
        return self

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.collector.url + path) as r:
            return r.status, await r.text()

    async def post(self, path: str, data, *, csrf: bool = True) -> tuple[int, str]:
        if csrf:
            data = dict(data, csrf=await self.csrf())
        async with self.http.post(self.collector.url + path, data=data) as r:
            return r.status, await r.text()

    async def csrf(self) -> str:
        _, page = await self.get("/desk/account")
        return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)

    async def close(self) -> None:
        await self.http.close()


async def _events(collector, action: str) -> list[AuditEvent]:
    async with collector.db.read() as session:
        rows = await session.execute(select(AuditEvent).where(AuditEvent.action == action))
        return list(rows.scalars())


async def test_a_link_works_once_and_an_expired_or_forged_one_changes_nothing(collector):
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    secret = await _link(collector, coord)
    desk = Desk(collector)
    status, page = await desk.get(f"/desk/signin/{secret}")  # a link preview uses nothing
    assert status == 200 and "Sign in" in page
    status, page = await desk.post(f"/desk/signin/{secret}", {}, csrf=False)
    assert status == 200 and "Audit rounds" in page
    again = Desk(collector)
    status, page = await again.post(f"/desk/signin/{secret}", {}, csrf=False)
    assert status == 403 and "has been used already or has expired" in page
    status, _ = await again.get("/desk/rounds")
    assert status == 401

    expired = await _link(collector, coord)
    async with collector.db.write() as session:
        await session.execute(
            update(DeskLink)
            .where(DeskLink.used_at.is_(None))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    status, _ = await again.post(f"/desk/signin/{expired}", {}, csrf=False)
    assert status == 403
    status, _ = await again.post("/desk/signin/forged-" + "x" * 30, {}, csrf=False)
    assert status == 403
    refused = await _events(collector, "desk.link_refused")
    assert [e.after["why"] for e in refused] == ["used", "expired", "unknown"]
    assert len(await _events(collector, "desk.sign_in")) == 1
    for d in (desk, again):
        await d.close()


async def test_csrf_token_required_and_sign_out_everywhere(collector):
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    await collector.create_round(small_round(), open_it=True)
    one = await Desk(collector).sign_in(coord)
    two = await Desk(collector).sign_in(coord)

    status, page = await one.post("/desk/rounds/r-2026/status", {"status": "closed"}, csrf=False)
    assert status == 403 and "This form has expired" in page
    async with collector.db.read() as session:
        assert (await session.execute(select(Round.status))).scalar() == "open"
    status, _ = await one.post("/desk/rounds/r-2026/status", {"status": "closed"})
    assert status == 200
    async with collector.db.read() as session:
        assert (await session.execute(select(Round.status))).scalar() == "closed"

    status, page = await one.post("/desk/signout-everywhere", {})
    assert status == 200 and "2 sessions ended" in page
    assert (await two.get("/desk/rounds"))[0] == 401
    assert (await one.get("/desk/rounds"))[0] == 401
    assert len(await _events(collector, "desk.sign_out_everywhere")) == 1
    for d in (one, two):
        await d.close()


async def test_an_idle_session_ends_and_a_form_sent_then_is_given_back(collector):
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    desk = await Desk(collector).sign_in(coord)
    token = await desk.csrf()
    async with collector.db.write() as session:
        await session.execute(update(DeskSession).values(seen_at=utcnow() - timedelta(minutes=31)))
    status, page = await desk.post(
        "/desk/returns/1/reopen", {"csrf": token, "reason": "Needs <b>the</b> GP view"}, csrf=False
    )
    assert status == 401 and "Please sign in" in page
    assert "Needs &lt;b&gt;the&lt;/b&gt; GP view" in page  # kept, and shown as text
    await desk.close()


async def test_bad_uploads_get_a_clear_page_and_create_nothing(collector):
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    desk = await Desk(collector).sign_in(coord)
    token = await desk.csrf()

    async def upload(raw: bytes) -> tuple[int, str]:
        form = aiohttp.FormData()
        form.add_field("csrf", token)
        form.add_field("roundfile", raw, filename="r.yaml", content_type="text/yaml")
        async with desk.http.post(collector.url + "/desk/rounds", data=form) as r:
            return r.status, await r.text()

    status, page = await upload(b"slug: r\ntitle: \xff\xfe\n")
    assert status == 422 and "not UTF-8" in page
    status, page = await upload(b"slug: [unclosed\n")
    assert status == 422 and "not valid YAML" in page and "Line 2" in page
    status, page = await upload(b"- just\n- a list\n")
    assert status == 422 and "YAML mapping" in page
    import yaml

    wrong = yaml.safe_dump(small_round(tool_version="no-such-tool")).encode()
    status, page = await upload(wrong)
    assert status == 422 and "There is no audit tool" in page
    status, page = await upload(b"#" * (1024 * 1024 + 10))
    assert status == 413 and "over 1 MB" in page
    async with collector.db.read() as session:
        assert (await session.execute(select(Round.id))).first() is None
    ok = yaml.safe_dump(small_round(title="<i>Markup</i> audit")).encode()
    status, page = await upload(ok)
    assert status == 200 and "&lt;i&gt;Markup&lt;/i&gt; audit" in page
    await desk.close()


async def test_roles_on_the_desk_never_show_other_agencies(collector):
    await collector.create_round(small_round(), open_it=True)
    await collector.add_member("Cas", Role.auditor, agency="csc", telegram_id=4)
    lead = await collector.add_member("Lee", Role.agency_lead, agency="police", telegram_id=3)
    viewer = await collector.add_member("Vi", Role.viewer, telegram_id=5)
    status, draft = await collector.as_member(
        "POST", "/api/returns", 4, json={"round": "r-2026", "case": "C1"}
    )
    await collector.as_member(
        "PUT",
        f"/api/returns/{draft['id']}/answers/immediate_concern",
        4,
        json={"value": True},
    )
    d = await Desk(collector).sign_in(lead)
    status, page = await d.get("/desk/rounds/r-2026")
    assert status == 200 and "Police" in page
    assert "Social Care" not in page and "ICB" not in page and "Immediate concerns" in page
    assert "None raised." in page  # csc's concern is not shown to police
    for path, code in (
        (f"/desk/returns/{draft['id']}", 403),
        ("/desk/returns/999999", 403),
        ("/desk/returns/abc", 400),
        ("/desk/rounds/r-2026/agencies/csc", 403),
        ("/desk/rounds/r-2026/agencies/nowhere", 403),
        ("/desk/rounds/nope", 404),
        ("/desk/rounds/r-2026/reminders", 403),
        ("/desk/rounds/r-2026/report?format=csv", 403),
        ("/desk/members", 403),
        ("/desk/no-such-page", 404),
    ):
        status, page = await d.get(path)
        assert status == code, (path, status)
        assert "<h1>" in page and "Social Care" not in page
    await d.close()

    v = await Desk(collector).sign_in(viewer)
    status, page = await v.get("/desk/rounds/r-2026")
    assert status == 200 and "Returns per agency" in page
    assert "Overall grade by case and agency" not in page and "Immediate concerns" not in page
    assert (await v.get(f"/desk/returns/{draft['id']}"))[0] == 403
    status, _ = await v.get("/desk/rounds/r-2026/report?format=csv")
    assert status == 200
    await v.close()


async def test_events_stream_needs_a_session_and_reports_changes(collector):
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    await collector.create_round(small_round(), open_it=True)
    await collector.add_member("Pat", Role.auditor, agency="police", telegram_id=2)
    anon = Desk(collector)
    assert (await anon.get("/desk/rounds/r-2026/events"))[0] == 401
    await anon.close()
    d = await Desk(collector).sign_in(coord)
    async with d.http.get(collector.url + "/desk/rounds/r-2026/events") as stream:
        assert stream.status == 200
        assert (await stream.content.readline()).startswith(b"event: ready")
        _status, draft = await collector.as_member(
            "POST", "/api/returns", 2, json={"round": "r-2026", "case": "C1"}
        )
        await collector.as_member(
            "PUT",
            f"/api/returns/{draft['id']}/answers/involvement",
            2,
            json={"value": full_answers()["involvement"]},
        )
        seen = b""
        while b"event: change" not in seen:
            seen += await stream.content.readline()
    await d.close()


async def test_reminders_actions_and_invites_pages_write_through_the_services(collector):
    await collector.create_round(small_round(due_at="2026-01-06"), open_it=True)  # overdue
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    pat = await collector.add_member("Pat", Role.auditor, agency="police", telegram_id=2)
    d = await Desk(collector).sign_in(coord)

    status, page = await d.get("/desk/rounds/r-2026/reminders")
    assert status == 200 and "Pat" in page and "Send these now" in page
    status, page = await d.post("/desk/rounds/r-2026/reminders", {})
    queued = int(re.search(r"(\d+) reminders? queued now", page).group(1))
    assert status == 200 and queued >= 1 and "none had been sent" in page
    status, page = await d.post("/desk/rounds/r-2026/reminders", {})
    assert "0 reminders queued now" in page  # each reminder once
    # Recorded as the coordinator who pressed it, not the server.
    assert [(e.actor_id, e.actor) for e in await _events(collector, "reminder.queue")] == [
        (coord, f"member:{coord}")
    ]

    async with collector.db.read() as session:
        from models.rounds import Action

        action_id = (await session.execute(select(Action.id))).scalar()
    status, page = await d.post(
        f"/desk/actions/{action_id}",
        {"owner": str(pat), "due": "2026-03-31", "status": "in_progress", "progress": "Booked."},
    )
    assert status == 200 and "Owner: Pat" in page and "31 Mar 2026" in page
    assert "Booked." in page and "In progress" in page.replace("in progress", "In progress")
    assert [e.after["owner_member_id"] for e in await _events(collector, "action.assign")] == [pat]
    status, page = await d.post(f"/desk/actions/{action_id}", {"due": "31/03/2026"})
    assert status == 400 and "YYYY-MM-DD" in page

    status, page = await d.post("/desk/invites", {"role": "auditor", "agency": "csc", "days": "7"})
    assert status == 200 and "https://t.me/maa_test_bot?start=" in page and "<svg" in page
    invite_id = re.search(r"/desk/invites/(\d+)/revoke", page).group(1)
    status, page = await d.post(f"/desk/invites/{invite_id}/revoke", {})
    assert status == 200 and "No invites waiting to be used." in page
    assert len(await _events(collector, "invite.revoke")) == 1
    status, page = await d.post("/desk/invites", {"role": "auditor", "agency": "nowhere"})
    assert status == 404 and "There is no agency" in page
    await d.close()


async def test_a_second_collector_replica_streams_writes_made_through_the_first(collector):
    from aiohttp.test_utils import TestServer

    from collector.app import create_app

    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    await collector.create_round(small_round(), open_it=True)
    await collector.add_member("Pat", Role.auditor, agency="police", telegram_id=2)
    replica = TestServer(create_app(collector.settings), host="127.0.0.1")
    await replica.start_server()
    other = type(collector)(
        str(replica.make_url("")).rstrip("/"), collector.settings, collector.db, collector.http
    )
    d = await Desk(other).sign_in(coord)
    async with d.http.get(other.url + "/desk/rounds/r-2026/events") as stream:
        assert (await stream.content.readline()).startswith(b"event: ready")
        _, draft = await collector.as_member(  # through the first replica
            "POST", "/api/returns", 2, json={"round": "r-2026", "case": "C1"}
        )
        seen = b""
        while b"event: change" not in seen:
            seen += await stream.content.readline()
    # Reopening a submitted return needs a reason, and is in its history.
    rid = draft["id"]
    for key, value in full_answers().items():
        await collector.as_member(
            "PUT", f"/api/returns/{rid}/answers/{key}", 2, json={"value": value}
        )
    await collector.as_member("POST", f"/api/returns/{rid}/submit", 2)
    status, page = await d.post(f"/desk/returns/{rid}/reopen", {"reason": " "})
    assert status == 400 and "Say why" in page
    status, page = await d.post(f"/desk/returns/{rid}/reopen", {"reason": "Check C1's GP <notes>"})
    assert status == 200 and "Reopened: Check C1&#39;s GP &lt;notes&gt;" in page
    assert re.search(r">Cora</td>\s*<td[^>]*>reopened<", page)  # in the history
    await d.close()
    await replica.close()


async def test_disabling_or_erasing_a_member_ends_their_desk_sessions_at_once(collector):
    coord = await collector.add_member("Cora", Role.coordinator, telegram_id=1)
    lead = await collector.add_member("Lee", Role.coordinator, telegram_id=2)
    other = await collector.add_member("Ola", Role.coordinator, telegram_id=3)
    token = await collector.token_for(coord)
    lead_desk = await Desk(collector).sign_in(lead)
    other_desk = await Desk(collector).sign_in(other)
    assert (await lead_desk.get("/desk/rounds"))[0] == 200

    status, _ = await collector.call("POST", f"/api/members/{lead}/disable", token=token)
    assert status == 200
    assert (await lead_desk.get("/desk/rounds"))[0] == 401
    async with collector.db.read() as session:
        open_rows = await session.execute(
            select(DeskSession).where(DeskSession.member_id == lead, DeskSession.ended_at.is_(None))
        )
        assert open_rows.first() is None
    # Enabled again, the old session stays ended: they sign in afresh.
    assert (await collector.call("POST", f"/api/members/{lead}/enable", token=token))[0] == 200
    assert (await lead_desk.get("/desk/rounds"))[0] == 401

    status, _ = await collector.call("POST", f"/api/members/{other}/erase", token=token)
    assert status == 200
    assert (await other_desk.get("/desk/rounds"))[0] == 401
    for d in (lead_desk, other_desk):
        await d.close()
