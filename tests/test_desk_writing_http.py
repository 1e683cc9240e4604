"""The desk's writing pages over plain HTTP: bad input gets a clear page with the text kept,
a form without the session's CSRF token changes nothing, identifiers are refused, reopening
needs a reason, and every save is an audit event through the same service as the API."""

from models.enums import Role
from tests.conftest import full_answers, small_round
from tests.test_desk_http import Desk, _events

PAGE = "/desk/rounds/r-2026/writing/introduction"


async def _setup(collector) -> Desk:
    coord = await collector.add_member("Cora Ordinator", Role.coordinator, telegram_id=1)
    await collector.create_round(small_round(), open_it=True)
    await collector.add_member("Cas Social", Role.auditor, agency="csc", telegram_id=2)
    status, draft = await collector.as_member(
        "POST", "/api/returns", 2, json={"round": "r-2026", "case": "C1"}
    )
    assert status == 200, draft
    for key, value in full_answers("good").items():
        await collector.as_member(
            "PUT", f"/api/returns/{draft['id']}/answers/{key}", 2, json={"value": value}
        )
    status, _ = await collector.as_member("POST", f"/api/returns/{draft['id']}/submit", 2)
    assert status == 200
    return await Desk(collector).sign_in(coord)


async def test_writing_pages_refuse_bad_input_clearly_and_keep_the_text(collector):
    desk = await _setup(collector)
    try:
        status, page = await desk.get("/desk/rounds/r-2026/writing/no-such-section")
        assert status == 404 and "no section" in page
        # No CSRF token: nothing saved.
        status, page = await desk.post(PAGE, {"text": "Words.", "base": "0"}, csrf=False)
        assert status == 403 and "nothing was changed" in page
        assert await _events(collector, "report.section.save") == []
        # A lost base version, and an over-long text: clear pages, the text still in the editor.
        status, page = await desk.post(PAGE, {"text": "Words.", "base": "x"})
        assert status == 400 and "version it was edited from" in page
        status, page = await desk.post(PAGE, {"text": "y" * 60_001 + "END", "base": "0"})
        assert status == 400 and "END</textarea>" in page
        # An identifier in the text: refused, the text kept.
        status, page = await desk.post(PAGE, {"text": "Call 07700 900123 today.", "base": "0"})
        assert status == 422 and "07700 900123 today.</textarea>" in page
        # Raw HTML is shown as text in the preview, never acted on.
        status, page = await desk.post(
            PAGE, {"text": "<script>alert(1)</script> **ok**", "base": "0", "action": "preview"}
        )
        assert status == 200 and "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; <strong>ok</strong>" in page
        # A save: one audit event, through the service the API calls.
        status, page = await desk.post(PAGE, {"text": "Our words.", "base": "0"})
        assert status == 200 and "Saved as version 1." in page
        saved = await _events(collector, "report.section.save")
        assert len(saved) == 1 and saved[0].after["version"] == 1
        # Reopening needs a reason; finalising needs a closed round.
        status, page = await desk.post("/desk/rounds/r-2026/writing/finalise", {})
        assert status == 409 and "Close the round" in page
        status, page = await desk.post("/desk/rounds/r-2026/writing/reopen", {"reason": ""})
        assert status == 400 and "Say why" in page
        status, page = await desk.post(
            "/desk/rounds/r-2026/writing/info", {"caution_size": "0", "authors": "A. Writer"}
        )
        assert status == 400 and "Caution size" in page
        status, page = await desk.post(
            "/desk/rounds/r-2026/writing/info", {"caution_size": "8", "authors": "A. Writer"}
        )
        assert status == 200 and "Authors: A. Writer" in page
    finally:
        await desk.close()
