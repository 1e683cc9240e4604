"""Audit-standards figures, the method section and the learning workshop pack, on the demo
round: pure functions of its snapshot, served by the API and written by `maa`."""

import asyncio
import dataclasses
import io
import json
from datetime import timedelta

from docx import Document
from pypdf import PdfReader
from typer.testing import CliRunner

from collector.cli import app
from collector.demo.load import load_demo
from collector.services.snapshot import take_snapshot
from models.descriptors import DEFAULT_DESCRIPTORS
from models.enums import Role
from report.formats import render
from report.standards import standards
from report.workshop import build_pack, screened


async def test_demo_round_standards_method_section_workshop_pack_api_and_cli(collector):
    """One load of the demo round (it takes seconds) for every check that reads it."""
    await load_demo(collector.db)
    async with collector.db.read() as s:
        collector.snapshot = await take_snapshot(session=s, slug="cne-2024")
    figures_per_agency(collector)
    time_to_submit_and_optional_share(collector)
    method_section(collector)
    workshop_pack_content(collector)
    await workshop_pack_from_the_api(collector)
    await asyncio.to_thread(tally_standards_on_the_command_line, collector.settings.database_url)


def docx_text(body: bytes) -> str:
    doc = Document(io.BytesIO(body))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def figures_per_agency(demo):
    rows = {r.name: r for r in standards(demo.snapshot)}
    assert len(rows) == 12 and sum(r.returns for r in rows.values()) == 60
    csc = rows["Children's Social Care"]
    assert (csc.returns, csc.median_words, csc.not_graded) == (7, 22, 0)
    assert csc.words_by_question["Good practice"] > 0
    eifs = rows["Early Intervention & Family Support"]
    assert eifs.not_graded == 7 and eifs.not_graded_share == 1.0
    assert eifs.not_graded_reasons == {
        "Too little involvement to grade": 4,
        "Historical involvement only": 3,
    }
    # The demo answers every optional question, all at once, with no cross-check confirmed.
    assert all(r.optional_share == 1.0 for r in rows.values())
    assert all(r.median_minutes is not None and r.median_minutes < 1 for r in rows.values())
    assert all(r.confirmed_checks == 0 for r in rows.values())


def time_to_submit_and_optional_share(demo):
    snap = demo.snapshot
    first = snap.submitted[0]
    later = first.first_answer_at + timedelta(days=3)
    answers = dict(first.answers) | {"learning": None, "voice_of_child": None}
    changed = type(first)(**{**first.__dict__, "submitted_at": later, "answers": answers,
                             "cross_check_reason": "Checked."})  # fmt: skip
    rows = [changed if r is first else r for r in snap.returns]
    mine = next(
        r for r in standards(dataclasses.replace(snap, returns=rows)) if r.code == first.agency
    )
    assert mine.confirmed_checks == 1
    assert mine.optional_answered == mine.optional_asked - 2


def method_section(demo):
    md = render(demo.snapshot, "md").decode()
    method = md.split("## 2. Method", 1)[1].split("## 3.", 1)[0]
    assert "### What the grades mean" in method
    assert f"**Inadequate**: {DEFAULT_DESCRIPTORS['inadequate']}" in method
    assert "### Audit standards" in method
    assert "| Early Intervention & Family Support | 7 | 20 | 100% | 100% (too little" in method
    html = render(demo.snapshot, "html").decode()
    assert '<dl class="descriptors">' in html and "Median words per answer" in html
    docx = docx_text(render(demo.snapshot, "docx"))
    assert DEFAULT_DESCRIPTORS["good"] in docx and "Confirmed despite cross-checks" in docx


def workshop_pack_content(demo):
    pack = build_pack(demo.snapshot)
    themes = {t.label: t for t in pack.themes}
    info = themes["Information sharing"]
    assert len(info.agencies) == 12 and info.cases == [f"C{i}" for i in range(1, 9)]
    assert 1 <= len(info.quotes) <= 3 and all(len(q.text) <= 221 for q in info.quotes)
    assert all(len(t.agencies) >= 3 for t in pack.themes)
    csc = next(a for a in pack.agencies if a.agency == "Children's Social Care")
    assert csc.strengths[0].case == "C1" and "escalated" in csc.strengths[0].text
    assert csc.development and all(q.text for q in csc.development)
    assert [d.case for d in pack.divergent] == ["C4", "C6"]
    columns = zip(*(d.grades for d in pack.divergent), strict=True)
    by_agency = dict(zip(pack.grid_agencies, columns, strict=True))
    assert by_agency["Bromley Y"] == ("Inadequate", "Inadequate")
    assert by_agency["Children's Social Care"] == ("Good", "Requires Improvement")
    assert any(q.startswith("Case C4:") for q in pack.questions)
    assert any("Information sharing was raised by 12 agencies" in q for q in pack.questions)
    assert len(pack.actions) == 4

    docx = docx_text(render(demo.snapshot, "workshop"))
    for part in (
        "Learning workshop pack",
        "1. Cross-cutting themes",
        "2. Strengths and areas for development by agency",
        "3. Cases where agencies' grades differ",
        "4. Questions for discussion",
        "5. Draft action plan",
        "Agreed in the workshop",
        info.quotes[0].text,
        "Case C6",
        "Steps apart",
    ):
        assert part in docx, part
    pdf = PdfReader(io.BytesIO(render(demo.snapshot, "workshop-pdf")))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    flat = " ".join(text.split())
    assert len(pdf.pages) >= 6
    assert "Learning workshop pack" in pdf.pages[0].extract_text()
    assert "5. Draft action plan" in flat and "Questions for discussion" in flat
    assert " ".join(info.quotes[0].text.split()) in flat


def test_excerpts_are_screened_before_they_are_printed():
    assert screened("Contact the mother on 07700 900123 about school.") is None
    masked = screened("Mrs Sarah Jones did not attend the meeting.")
    assert masked is not None and "Sarah" not in masked and "[name]" in masked
    long = "First point made well. " * 20
    assert screened(long).endswith(".") and len(screened(long)) <= 220


async def workshop_pack_from_the_api(demo):
    coord = await demo.token_for(await demo.add_member("Co", Role.coordinator))
    status, body = await demo.call(
        "GET", "/api/rounds/cne-2024/report?format=workshop", token=coord
    )
    assert status == 200 and "Learning workshop pack" in docx_text(body)
    status, body = await demo.call("GET", "/api/rounds/cne-2024/report?format=pack", token=coord)
    assert (status, body["error"]) == (400, "unknown_format")


def tally_standards_on_the_command_line(database_url: str) -> None:
    runner = CliRunner(env={"MAA_DATABASE_URL": database_url})
    result = runner.invoke(app, ["tally", "cne-2024", "--standards", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["Children's Social Care"]["median_words"] == 22
    assert rows["Housing"]["not_graded_reasons"] == {"Too little involvement to grade": 1}
    result = runner.invoke(app, ["tally", "cne-2024", "--standards"])
    assert result.exit_code == 0 and "audit standards by agency" in result.output
    result = runner.invoke(app, ["tally", "nope", "--standards"])
    assert result.exit_code != 0 and "There is no round 'nope'." in result.output
    assert "Traceback" not in result.output
