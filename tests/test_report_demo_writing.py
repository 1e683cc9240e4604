"""The demo round's written report: MAA's statements state the real report's facts, the authored
sections are printed, the PDF without its annex stays short, and the command line writes it."""

import io
from dataclasses import replace

from pypdf import PdfReader

from collector.demo.load import load_demo
from collector.services.report_doc import report_snapshot
from report.formats import render
from report.statements import draft_statements
from tests.test_cli import maa  # noqa: F401  (the fixture)


async def test_demo_statements_state_the_reports_facts(collector):
    await load_demo(collector.db)
    async with collector.db.read() as s:
        snapshot = await report_snapshot(session=s, slug="cne-2024")
    drafted = draft_statements(snapshot)
    by_id = {st.id: st for sts in drafted.values() for st in sts}

    returns = by_id["returns.by_agency"]
    assert "Children's Social Care 7 of 8" in returns.text
    assert (returns.figures["csc"], returns.figures["csc_expected"]) == (7, 8)
    assert "Children's Social Care (7 of 8)" in by_id["returns.short"].text

    closed = by_id["outcomes.closed_to_csc"]
    assert closed.text.startswith(
        "5 of the 8 cases audited were closed to Children's Social Care at the time of audit"
    )
    assert (closed.figures["closed"], closed.figures["cases"]) == (5, 8)
    ids = {r.id: r for r in snapshot.returns}
    assert {ids[i].case for i in closed.return_ids} == {"C1", "C3", "C4", "C6", "C8"}

    divergent = sorted(k for k in by_id if k.startswith("outcomes.divergent."))
    assert divergent == ["outcomes.divergent.C4", "outcomes.divergent.C6"]
    assert "Bromley Y graded Inadequate" in by_id["outcomes.divergent.C4"].text
    assert by_id["outcomes.sector.lowest"].text.startswith(
        "Health partners were the most likely to grade Requires Improvement or Inadequate"
    )
    assert (
        "Education most often graded Good (7 of 7 graded)"
        in by_id["outcomes.sector.education"].text
    )
    assert by_id["agency-eifs.theme.family_engagement"].text == (
        "Engagement of families with support: 6 of 7 Early Intervention & Family Support returns."
    )
    assert (
        "Children's Social Care's returns were the most detailed"
        in by_id["outcomes.audit_style"].text
    )
    assert "small (8 children)" in by_id["conclusions.caution"].text
    assert "could not grade 7 cases" in by_id["outcomes.not_graded.eifs"].text
    # Deterministic: drafted twice, the same statements.
    assert draft_statements(snapshot) == drafted

    # The authored text is printed where it exists; statements where it does not.
    pdf = render(snapshot, "pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Education audits give strong assurance" in text.replace("\n", " ")
    short = render(replace(snapshot, annex=False), "pdf")
    assert len(PdfReader(io.BytesIO(short)).pages) <= 12
    assert len(PdfReader(io.BytesIO(short)).pages) < len(PdfReader(io.BytesIO(pdf)).pages)


def test_overview_commands_and_no_annex(maa, tmp_path):  # noqa: F811
    assert maa("demo", "--no-serve").exit_code == 0
    listed = maa("overview", "sections", "cne-2024")
    assert listed.exit_code == 0 and "agency-csc" in listed.output
    result = maa("overview", "statements", "cne-2024", "outcomes")
    assert "5 of the 8 cases audited were closed" in result.output
    (tmp_path / "c.md").write_text("Our conclusion.", encoding="utf-8")
    stale = maa("overview", "save", "cne-2024", "conclusions", "--file", "c.md", "--base", "0")
    assert stale.exit_code == 1 and "Nothing was saved" in stale.output
    assert "Traceback" not in stale.output
    ok = maa("overview", "save", "cne-2024", "conclusions", "--file", "c.md", "--base", "1")
    assert ok.exit_code == 0 and "version 2" in ok.output
    result = maa("report", "cne-2024", "--format", "md", "--no-annex", "-o", "short.md")
    assert result.exit_code == 0, result.output
    short = (tmp_path / "short.md").read_text()
    assert "Our conclusion." in short and "Evidence annex" not in short
    assert maa("overview", "finalise", "cne-2024").exit_code == 0
    again = maa("overview", "save", "cne-2024", "conclusions", "--file", "c.md", "--base", "2")
    assert again.exit_code == 1 and "final" in again.output
    assert maa("overview", "reopen", "cne-2024", "--reason", "typo").exit_code == 0
