"""`maa moderate`, `maa allocate`, `maa extension` in-process against a real database: what
they print, and one clear line (exit 1, no traceback) for bad input."""

import pytest
import yaml
from typer.testing import CliRunner

from collector.cli import app
from tests.conftest import small_round


@pytest.fixture
def maa(database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAA_DATABASE_URL", database_url)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    (tmp_path / "round.yaml").write_text(yaml.safe_dump(small_round()))
    assert invoke("round", "create", "round.yaml", "--open").exit_code == 0
    for name, agency in (("Pat", "police"), ("Cass", "csc")):
        added = invoke("member", "add", "--name", name, "--role", "auditor", "--agency", agency)
        assert added.exit_code == 0, added.output
    return invoke


def test_allocate_from_the_command_line(maa):
    result = maa("allocate", "set", "r-2026", "police", "C2", "1")
    assert result.exit_code == 0, result.output
    assert "police C2 allocated to Pat (#1)." in result.output
    result = maa("allocate", "list", "r-2026", "--agency", "police")
    assert result.exit_code == 0
    assert result.output.splitlines() == ["police C1: not allocated", "police C2: Pat (#1)"]
    assert "No extension requests." in maa("extension", "list", "r-2026").output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["allocate", "set", "r-2026", "police", "C1", "2"], "is not an auditor of Police"),
        (["allocate", "set", "r-2026", "police", "C3", "1"], "Police is not expected to audit C3"),
        (["moderate", "ask", "99", "impact", "Why Good?"], "There is no return 99."),
        (["moderate", "close", "5", "Settled."], "There is no query 5."),
        (["extension", "decide", "7", "approve"], "There is no extension request 7."),
        (["extension", "decide", "7", "maybe"], "say approve or decline"),
    ],
)
def test_mistakes_get_one_clear_line(maa, args, expected):
    result = maa(*args)
    assert result.exit_code == 1
    assert expected in result.output and "Traceback" not in result.output
