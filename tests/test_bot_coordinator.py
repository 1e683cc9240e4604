"""Coordinators in the chat: tally, overdue, report, invites and rounds; and the console chat."""

import io

from bot.console import run_console
from tests.bot_fixtures import bot_settings
from tests.bot_helpers import COORD, POLICE, User, labels

pytest_plugins = ["tests.bot_fixtures"]


async def test_overdue_report_and_invite_usage(bot, loopback):
    coord = User(loopback, COORD)
    overdue = await coord.cmd("/overdue", expect="Outstanding returns for Test audit")
    assert "Police · C1 · not started" in overdue["text"]
    assert "ICB/GPs · C4" not in overdue["text"]  # not required
    await coord.cmd("/report pdf", expect=lambda m: m.get("document") is not None)
    pdf = loopback.uploads[-1]
    assert (pdf.chat_id, pdf.filename) == (COORD, "r-2026-overview.pdf")
    assert pdf.data.startswith(b"%PDF")
    await coord.cmd("/report docx", expect=lambda m: m.get("document") is not None)
    assert loopback.uploads[-1].filename == "r-2026-overview.docx"
    assert loopback.uploads[-1].data[:2] == b"PK"  # a zip: the Word format
    await coord.cmd("/invite police", expect="Please say which agency and role")
    await coord.cmd("/invite nowhere auditor", expect="I couldn't make that invite")


async def test_round_close_and_open_from_the_chat(bot, loopback):
    coord = User(loopback, COORD)
    listing = await coord.cmd("/round", expect="r-2026 · open")
    confirm = await coord.press(listing, "Close r-2026", expect="Close round r-2026?")
    await coord.press(confirm, "Yes, close", expect="Round r-2026 is now closed.")
    await User(loopback, POLICE).cmd("/audit", expect="There's no audit round open")
    choose = await coord.cmd("/tally", expect="Which round?")
    assert labels(choose) == ["r-2026 (closed)"]
    await coord.press(choose, "r-2026", expect="Police: 0 (of 2)")
    await coord.cmd("/round open r-2026", expect="Round r-2026 is now open.")
    await User(loopback, POLICE).cmd("/audit", expect="Which case")


async def test_console_chat_walks_the_same_flow(world, loopback):
    lines = ["/audit", "1", "1", "2", "/back", "/skip", "quit"]
    out = io.StringIO()
    await run_console(
        bot_settings(world, loopback), POLICE, io.StringIO("\n".join(lines) + "\n"), out
    )
    text = out.getvalue()
    assert "[1] C1 · 0 of 11 answered" in text
    assert "Case C1 · Question 1 of 11 · Involvement" in text
    # A button answer shows the next question with the answer on top (one edited message).
    assert "\n✓ Involvement: Involved throughout the scope window\n\nCase C1 · Question 2" in text
    assert "\n✓ Quality of practice: Good\n\nCase C1 · Question 3 of 11" in text
    assert "(updated)" not in text
    assert "Case C1 · Question 3 of 11 · Joint working" in text
    assert "Current answer: Good" in text and "This question is needed" in text
    status, ret = await world.as_member(
        "POST", "/api/returns", POLICE, json={"round": "r-2026", "case": "C1"}
    )
    assert status == 200
    assert ret["answers"] == {"involvement": "throughout", "practice": {"grade": "good"}}
