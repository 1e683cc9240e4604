"""Writing the overview report through the API: section versions and conflicts, finalising and
byte-identical final downloads, raw HTML shown as text, and the annex left out on request."""

import io
import zipfile

from docx import Document
from sqlalchemy import select

from models.enums import Role
from models.ops import AuditEvent
from tests.conftest import full_answers, small_round

BASE = "/api/rounds/r-2026/report"


async def _http(c, method, path, token, *, json=None, if_match=None):
    headers = {"Authorization": f"Bearer {token}"}
    if if_match is not None:
        headers["If-Match"] = if_match
    async with c.http.request(method, c.url + path, json=json, headers=headers) as r:
        body = await r.json() if r.content_type == "application/json" else await r.read()
        return r.status, body, r.headers.get("ETag")


async def _round_with_returns(c, *, close: bool = True) -> str:
    """The small round with two submitted returns, closed; a coordinator's token."""
    await c.create_round(small_round())
    coord = await c.token_for(await c.add_member("Cora Ordinator", Role.coordinator))
    for agency, tid in (("csc", 901), ("police", 902)):
        await c.add_member(f"Aud {agency}", Role.auditor, agency=agency, telegram_id=tid)
        status, ret = await c.as_member(
            "POST", "/api/returns", tid, json={"round": "r-2026", "case": "C1"}
        )
        assert status in (200, 201), ret
        for key, value in full_answers("good" if agency == "csc" else "inadequate").items():
            status, body = await c.as_member(
                "PUT", f"/api/returns/{ret['id']}/answers/{key}", tid, json={"value": value}
            )
            assert status == 200, body
        status, body = await c.as_member("POST", f"/api/returns/{ret['id']}/submit", tid)
        assert status == 200, body
    if close:
        async with c.db.write() as session:
            from collector.auth import SYSTEM
            from collector.services import rounds
            from models.enums import RoundStatus

            await rounds.set_round_status(
                session=session, actor=SYSTEM, slug="r-2026", status=RoundStatus.closed
            )
    return coord


async def test_sections_keep_every_version_and_a_stale_save_is_a_conflict(collector):
    coord = await _round_with_returns(collector, close=False)
    status, sections, _ = await _http(collector, "GET", BASE + "/sections", coord)
    assert status == 200
    keys = [s["key"] for s in sections]
    assert keys == [
        "introduction",
        "method",
        "returns",
        "outcomes",
        "agency-csc",
        "agency-police",
        "themes",
        "conclusions",
        "recommendations",
        "annex",
    ]
    status, first, tag = await _http(collector, "GET", BASE + "/sections/outcomes", coord)
    assert (status, first["version"], tag) == (200, 0, '"0"')

    # No If-Match: refused, nothing saved.
    status, body, _ = await _http(
        collector, "PUT", BASE + "/sections/outcomes", coord, json={"text": "x"}
    )
    assert (status, body["error"]) == (428, "if_match_required")

    status, saved, tag = await _http(
        collector,
        "PUT",
        BASE + "/sections/outcomes",
        coord,
        json={"text": "Mine."},
        if_match='"0"',
    )
    assert (status, saved["version"], tag) == (200, 1, '"1"')
    # A second writer who also started from version 0 gets both texts and saves nothing.
    status, body, _ = await _http(
        collector,
        "PUT",
        BASE + "/sections/outcomes",
        coord,
        json={"text": "Theirs."},
        if_match='"0"',
    )
    assert status == 409
    assert body["error"] == "edit_conflict"
    assert (body["current_text"], body["your_text"], body["current_version"]) == (
        "Mine.",
        "Theirs.",
        1,
    )
    status, saved, tag = await _http(
        collector,
        "PUT",
        BASE + "/sections/outcomes",
        coord,
        json={"text": "Mine, edited."},
        if_match=tag,
    )
    assert (status, saved["version"]) == (200, 2)
    status, versions, _ = await _http(collector, "GET", BASE + "/sections/outcomes/versions", coord)
    assert [(v["version"], v["text"]) for v in versions] == [(1, "Mine."), (2, "Mine, edited.")]
    assert all(v["author"].startswith("member:") and v["created_at"] for v in versions)
    async with collector.db.read() as s:
        saves = (
            (await s.execute(select(AuditEvent).where(AuditEvent.action == "report.section.save")))
            .scalars()
            .all()
        )
    assert [e.after["version"] for e in saves] == [1, 2]

    # Unknown sections and identifiers in the text are refused with a 4xx.
    status, body, _ = await _http(
        collector, "PUT", BASE + "/sections/nope", coord, json={"text": "x"}, if_match='"0"'
    )
    assert status == 404
    status, body, _ = await _http(
        collector,
        "PUT",
        BASE + "/sections/method",
        coord,
        json={"text": "Call 020 7946 0018."},
        if_match='"0"',
    )
    assert (status, body["error"]) == (422, "identifiers_found")
    # Viewers read but do not write.
    viewer = await collector.token_for(await collector.add_member("Vi", Role.viewer))
    status, _, _ = await _http(collector, "GET", BASE + "/sections/outcomes", viewer)
    assert status == 200
    status, body, _ = await _http(
        collector, "PUT", BASE + "/sections/outcomes", viewer, json={"text": "x"}, if_match='"2"'
    )
    assert status == 403


async def test_markdown_is_rendered_with_raw_html_shown_as_text(collector):
    coord = await _round_with_returns(collector, close=False)
    text = "Partners **agreed** <script>alert(1)</script> and <b>this</b>."
    status, _, _ = await _http(
        collector,
        "PUT",
        BASE + "/sections/conclusions",
        coord,
        json={"text": text},
        if_match='"0"',
    )
    assert status == 200
    _, html, _ = await _http(collector, "GET", "/api/rounds/r-2026/report?format=html", coord)
    page = html.decode()
    assert "<strong>agreed</strong>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "&lt;b&gt;this&lt;/b&gt;" in page
    _, md, _ = await _http(collector, "GET", "/api/rounds/r-2026/report?format=md", coord)
    assert "Partners **agreed** \\<script>alert(1)\\</script>" in md.decode()
    # A section without text prints MAA's statements instead.
    assert "Returns against those expected, by agency:" in md.decode()


async def test_annex_can_be_left_out(collector):
    coord = await _round_with_returns(collector, close=False)
    narrative = full_answers()["good_practice"]
    _, md, _ = await _http(collector, "GET", "/api/rounds/r-2026/report?format=md", coord)
    assert "Evidence annex" in md.decode() and narrative in md.decode()
    _, md, _ = await _http(collector, "GET", "/api/rounds/r-2026/report?format=md&annex=0", coord)
    assert "Evidence annex" not in md.decode() and narrative not in md.decode()
    status, body, _ = await _http(
        collector, "GET", "/api/rounds/r-2026/report?format=md&annex=maybe", coord
    )
    assert (status, body["error"]) == (400, "invalid_request")


async def test_final_report_is_frozen_and_downloads_byte_identical(collector):
    coord = await _round_with_returns(collector, close=False)
    status, body, _ = await _http(collector, "POST", BASE + "/finalise", coord, json={})
    assert (status, body["error"]) == (409, "round_not_closed")
    async with collector.db.write() as session:
        from collector.auth import SYSTEM
        from collector.services import rounds
        from models.enums import RoundStatus

        await rounds.set_round_status(
            session=session, actor=SYSTEM, slug="r-2026", status=RoundStatus.closed
        )
    await _http(
        collector,
        "PATCH",
        BASE + "/info",
        coord,
        json={"authors": "A. Writer", "distribution": "Board members"},
    )
    await _http(
        collector,
        "PUT",
        BASE + "/sections/conclusions",
        coord,
        json={"text": "Frozen words."},
        if_match='"0"',
    )
    status, info, _ = await _http(collector, "POST", BASE + "/finalise", coord, json={})
    assert (status, info["status"], info["finalised_by"]) == (200, "final", "Cora Ordinator")

    first = {}
    for fmt in ("md", "docx", "pdf"):
        _, first[fmt], _ = await _http(
            collector, "GET", f"/api/rounds/r-2026/report?format={fmt}", coord
        )
    # Text saved after finalising is refused, and nothing changes the final documents.
    status, body, _ = await _http(
        collector,
        "PUT",
        BASE + "/sections/conclusions",
        coord,
        json={"text": "Later words."},
        if_match='"1"',
    )
    assert (status, body["error"]) == (409, "report_final")
    await collector.add_member("Late", Role.viewer)  # the database moves on meanwhile
    for fmt in ("md", "docx", "pdf"):
        _, again, _ = await _http(
            collector, "GET", f"/api/rounds/r-2026/report?format={fmt}", coord
        )
        assert again == first[fmt], fmt
    md = first["md"].decode()
    assert "Frozen words." in md and "Final report, finalised on" in md and "A. Writer" in md
    doc = Document(io.BytesIO(first["docx"]))
    assert any("Frozen words." in p.text for p in doc.paragraphs)
    assert len(doc.inline_shapes) == 2  # both charts, drawn from the report's SVG
    dates = {i.date_time for i in zipfile.ZipFile(io.BytesIO(first["docx"])).infolist()}
    assert len(dates) == 1

    # Reopening needs a reason, and is recorded.
    status, body, _ = await _http(collector, "POST", BASE + "/reopen", coord, json={})
    assert status == 400
    status, info, _ = await _http(
        collector, "POST", BASE + "/reopen", coord, json={"reason": "Police figures corrected"}
    )
    assert (status, info["status"], info["reopen_reason"]) == (
        200,
        "draft",
        "Police figures corrected",
    )
    status, saved, _ = await _http(
        collector,
        "PUT",
        BASE + "/sections/conclusions",
        coord,
        json={"text": "Later words."},
        if_match='"1"',
    )
    assert (status, saved["version"]) == (200, 2)
    async with collector.db.read() as s:
        actions = (
            (await s.execute(select(AuditEvent.action).where(AuditEvent.entity == "report")))
            .scalars()
            .all()
        )
    assert actions == ["report.info", "report.finalise", "report.reopen"]


async def test_statements_can_be_inserted_and_evidence_paginates(collector):
    coord = await _round_with_returns(collector)
    status, found, _ = await _http(collector, "GET", BASE + "/sections/outcomes/statements", coord)
    assert status == 200
    divergent = next(s for s in found if s["id"] == "outcomes.divergent.C1")
    assert "differ by 2 steps" in divergent["text"] and len(divergent["return_ids"]) == 2
    status, saved, tag = await _http(
        collector,
        "POST",
        BASE + "/sections/outcomes/statements/outcomes.divergent.C1/insert",
        coord,
        if_match='"0"',
    )
    assert (status, saved["text"], tag) == (200, divergent["text"], '"1"')

    status, page, _ = await _http(
        collector, "GET", BASE + "/sections/agency-csc/evidence?per_page=2", coord
    )
    assert status == 200
    assert (
        page["total"] == 5 and page["pages"] == 3 and page["groups"][0]["label"] == "Good practice"
    )
    assert all(i["agency"] == "csc" and i["return_id"] for g in page["groups"] for i in g["items"])
    status, page, _ = await _http(
        collector,
        "GET",
        BASE + "/sections/themes/evidence?theme=signposting&grade=inadequate",
        coord,
    )
    assert [g["label"] for g in page["groups"]] == ["Police"]
    status, body, _ = await _http(collector, "GET", BASE + "/sections/themes/evidence", coord)
    assert (status, body["error"]) == (400, "invalid_filter")
