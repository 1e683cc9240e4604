"""`maa screen SLUG`: stored narratives re-screened with the current rules, run in-process
against a real database. The answers are written straight to the tables, as older rules let
them through."""

import asyncio

import yaml
from sqlalchemy import select

from collector.db import Database
from models.people import Agency
from models.returns import Answer, AuditReturn
from models.rounds import Case, Round
from tests.conftest import small_round
from tests.test_cli import maa  # noqa: F401  (the fixture)

STORED = {
    "voice_of_child": "Mum can be reached on 07700 900461 after school.",
    "good_practice": "Her brother Tyrese was spoken to alone.",
    "development": "Information was shared promptly at the strategy meeting.",
}


async def _store(url: str) -> int:
    db = Database(url)
    try:
        async with db.write() as session:
            round_ = (await session.execute(select(Round))).scalar_one()
            agency = (
                await session.execute(select(Agency).where(Agency.code == "csc"))
            ).scalar_one()
            case = (await session.execute(select(Case).where(Case.reference == "C2"))).scalar_one()
            ret = AuditReturn(round_id=round_.id, agency_id=agency.id, case_id=case.id)
            session.add(ret)
            await session.flush()
            for key, text in STORED.items():
                session.add(Answer(return_id=ret.id, question_key=key, value=text))
            return ret.id
    finally:
        await db.dispose()


def test_maa_screen_lists_return_question_and_kind_never_the_text(maa, database_url, tmp_path):  # noqa: F811
    (tmp_path / "round.yaml").write_text(yaml.safe_dump(small_round()))
    assert maa("round", "create", "round.yaml", "--open").exit_code == 0
    result = maa("screen", "r-2026")
    assert result.exit_code == 0 and "every stored narrative passes" in result.output
    rid = asyncio.run(_store(database_url))
    result = maa("screen", "r-2026")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == f"return {rid} (csc, C2) · good_practice · name (warning only)"
    assert lines[1] == f"return {rid} (csc, C2) · voice_of_child · phone (refused now)"
    assert "2 answer(s) to look at: 1 with identifiers" in result.output
    for secret in ("07700", "900461", "Tyrese", "Mum can be"):
        assert secret not in result.output


def test_maa_screen_of_an_unknown_round_is_one_line(maa):  # noqa: F811
    result = maa("screen", "no-such-round")
    assert result.exit_code == 1
    assert "There is no round 'no-such-round'" in result.output
    assert "Traceback" not in result.output
