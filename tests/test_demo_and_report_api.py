"""The demo through the service layer, its tally against the reference figures, and the report
served by the API in every format from the same snapshot."""

import csv
import io
import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from collector.auth import SYSTEM
from collector.demo.load import load_demo, write_reports
from collector.services import progress
from collector.services.snapshot import take_snapshot
from models.enums import Role
from report.tally import tally

FIGURES = json.loads((Path(__file__).parent / "data" / "figures-2024.json").read_text())


@pytest.fixture
async def demo(collector):
    await load_demo(collector.db)
    return collector


async def test_demo_tally_reproduces_the_reference_figures_and_loading_twice_changes_nothing(demo):
    await load_demo(demo.db)  # a second run must not duplicate anything
    async with demo.db.read() as s:
        result = (await progress.round_tally(session=s, actor=SYSTEM, slug="cne-2024")).as_json()
        snapshot = await take_snapshot(session=s, slug="cne-2024")
    assert result["total_returns"] == FIGURES["total_returns"] == 60
    assert result["agencies_returning"] == FIGURES["agencies_returning"] == 12
    got = {a["name"]: a for a in result["agencies"]}
    for agency in FIGURES["agencies"]:
        mine = got[agency["name"]]
        assert mine["returned"] == agency["returned"], agency["name"]
        assert mine["expected"] == agency.get("expected", agency["returned"]), agency["name"]
        assert mine["overall_grades"] == agency["overall_grades"], agency["name"]
    # The SQL tally and the snapshot's tally are the same numbers.
    assert tally(snapshot).as_json() == result


async def test_report_api_serves_every_format_from_the_same_data(demo):
    coord = await demo.token_for(await demo.add_member("Co", Role.coordinator))
    bodies = {}
    for fmt in ("md", "html", "pdf", "docx", "csv", "xlsx", "json"):
        status, body = await demo.call(
            "GET", f"/api/rounds/cne-2024/report?format={fmt}", token=coord
        )
        assert status == 200, (fmt, body)
        bodies[fmt] = body
    line = "Children's Social Care – 7 (of 8)"
    grades = "Children's Social Care – Good 4, Requires Improvement 3"
    assert line in bodies["md"].decode() and grades in bodies["md"].decode()
    html = bodies["html"].decode()
    assert "Children&#39;s Social Care – 7 (of 8)" in html or line in html
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(bodies["pdf"])).pages)
    assert "7 (of 8)" in pdf_text
    doc = Document(io.BytesIO(bodies["docx"]))
    assert any(line in p.text for p in doc.paragraphs) or any(
        line in c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    rows = list(csv.DictReader(io.StringIO(bodies["csv"].decode("utf-8-sig"))))
    assert len(rows) == 60
    sheet = load_workbook(io.BytesIO(bodies["xlsx"]), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(min_row=2)) == 60
    assert bodies["json"]["tally"]["total_returns"] == 60  # parsed: served as application/json


async def test_report_api_refuses_auditors_and_unknown_formats(demo):
    coord = await demo.token_for(await demo.add_member("Co", Role.coordinator))
    status, body = await demo.call("GET", "/api/rounds/cne-2024/report?format=odt", token=coord)
    assert (status, body["error"]) == (400, "unknown_format")
    await demo.add_member("Aud", Role.auditor, agency="csc", telegram_id=77)
    status, body = await demo.as_member("GET", "/api/rounds/cne-2024/report", 77)
    assert (status, body["error"]) == (403, "forbidden")


async def test_demo_writes_every_format(demo, tmp_path):
    written = await write_reports(demo.db, tmp_path / "out")
    assert sorted(p.suffix for p in written) == sorted(
        [".md", ".html", ".pdf", ".docx", ".csv", ".xlsx", ".json", ".docx", ".pdf"]
    )  # the overview report, the exports and the workshop pack
    assert all(p.stat().st_size > 1000 for p in written)


async def test_next_round_of_the_partnership_is_compared_with_the_demo(demo):
    nxt = {
        "slug": "cne-2025",
        "title": "Multi-agency audit 2025",
        "theme": "Children missing education",
        "partnership": "Bromley Safeguarding Children Partnership",
        "opens_at": "2025-01-13",
        "due_at": "2025-02-21",
        "tool_version": "maa-audit-1",
        "agencies": [{"code": "csc", "name": "Children's Social Care"}],
        "cases": [{"reference": "C1"}],
        "expectations": [{"agency": "csc", "cases": "all"}],
    }
    await demo.create_round(nxt)
    async with demo.db.read() as s:
        snapshot = await take_snapshot(session=s, slug="cne-2025")
        first = await take_snapshot(session=s, slug="cne-2024")
    assert snapshot.previous is not None and snapshot.previous.slug == "cne-2024"
    assert len(snapshot.previous.submitted) == 60
    assert first.previous is None  # nothing came before the demo
    coord = await demo.token_for(await demo.add_member("Co", Role.coordinator))
    _, md = await demo.call("GET", "/api/rounds/cne-2025/report?format=md", token=coord)
    text = md.decode()
    assert "Comparison with the previous round" in text
    assert snapshot.previous.title in text


async def test_coordinators_choose_how_many_agencies_make_a_theme_cross_cutting(demo):
    coord = await demo.token_for(await demo.add_member("Co", Role.coordinator))
    path = "/api/rounds/cne-2024/report?format=md"
    _, default = await demo.call("GET", path, token=coord)
    assert "Themes raised by at least 3 agencies:" in default.decode()
    assert "Signposting to earlier support" in default.decode()
    _, strict = await demo.call("GET", path + "&theme_threshold=12", token=coord)
    text = strict.decode()
    # Only information sharing is raised by all 12 agencies in the demo.
    assert "Themes raised by at least 12 agencies:" in text
    section = text.split("Themes raised by at least 12 agencies:")[1]
    rows = [line for line in section.split("\n\n")[1].splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows] == ["| Theme", "| Information sharing"]
    status, body = await demo.call("GET", path + "&theme_threshold=none", token=coord)
    assert (status, body["error"]) == (400, "invalid_request")
