"""The `maa` command, run in-process against a real database."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from collector.cli import app
from tests.conftest import small_round

FIGURES = json.loads((Path(__file__).parent / "data" / "figures-2024.json").read_text())


@pytest.fixture
def maa(database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAA_DATABASE_URL", database_url)
    monkeypatch.setenv("MAA_TELEGRAM_BOT_USERNAME", "maa_test_bot")
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def test_demo_then_tally_json_reproduces_the_reference_figures(maa, tmp_path):
    result = maa("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == sorted(
        [".csv", ".docx", ".html", ".json", ".md", ".pdf", ".xlsx", ".docx", ".pdf"]
    )
    assert maa("demo", "--no-serve").exit_code == 0  # twice: same result, no duplicates
    result = maa("tally", "cne-2024", "--json")
    assert result.exit_code == 0, result.output
    tally = json.loads(result.stdout)
    assert (tally["total_returns"], tally["agencies_returning"]) == (60, 12)
    by_name = {a["name"]: a for a in tally["agencies"]}
    for agency in FIGURES["agencies"]:
        got = by_name[agency["name"]]
        assert got["returned"] == agency["returned"]
        assert got["overall_grades"] == agency["overall_grades"]
        if "expected" in agency:
            assert got["expected"] == agency["expected"]


def test_round_member_token_invite_and_tally_table(maa, tmp_path):
    (tmp_path / "round.yaml").write_text(yaml.safe_dump(small_round()))
    result = maa("round", "create", "round.yaml", "--open")
    assert result.exit_code == 0 and "r-2026" in result.output
    result = maa(
        "member", "add", "--name", "Coordinator", "--role", "coordinator", "--telegram-id", "42"
    )
    assert result.exit_code == 0 and "Added member 1" in result.output
    result = maa("token", "create", "--member", "1")
    assert result.exit_code == 0 and len(result.stdout.strip()) == 32
    result = maa("invite", "--agency", "police", "--role", "auditor", "--expires-in", "3d")
    assert result.exit_code == 0
    assert result.stdout.startswith("https://t.me/maa_test_bot?start=")
    result = maa("tally", "r-2026")
    assert result.exit_code == 0 and "Children's Social Care" in result.output
    assert "0 (of 4)" in result.output


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["tally", "nope"], {}, "There is no round 'nope'."),
        (["round", "create", "missing.yaml"], {}, "no such file: missing.yaml"),
        (["invite", "--agency", "nope", "--role", "auditor"], {}, "There is no agency 'nope'."),
        (["invite", "--role", "auditor", "--expires-in", "soon"], {}, "7d or 12h"),
        (["tally", "x"], {"MAA_DATABASE_URL": "mysql://db"}, "setting MAA_DATABASE_URL"),
    ],
)
def test_mistakes_get_one_clear_line_not_a_traceback(maa, monkeypatch, args, env, expected):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = maa(*args)
    assert result.exit_code != 0
    assert expected in result.output
    assert "Traceback" not in result.output
