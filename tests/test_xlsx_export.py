"""The streamed XLSX export read back by openpyxl: text that is hard for XML and for Excel."""

import io

import openpyxl

from bench.synthetic import CSC, TOOL, ret, snapshot
from report.formats import render

HEADER = ["Agency", "Case", "Status", "Submitted at"] + [q.title for q in TOOL.questions]


def test_xlsx_survives_control_characters_quotes_and_long_narratives() -> None:
    long_text = "Visit recorded; plan reviewed. " * 640  # ~20,000 characters, the narrative limit
    rets = [
        ret(1, "csc", "C1", good="Bell\x07 and tab\tkept ‘quoted’ “text” – ✓ café"),
        ret(2, "csc", "C2", good=long_text, learning="]]></t></is></c><c>injected"),
    ]
    wb = openpyxl.load_workbook(io.BytesIO(render(snapshot([CSC], 2, [], rets), "xlsx")))
    rows = list(wb["Returns"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER and len(rows) == 3
    c1, c2 = (dict(zip(HEADER, r, strict=True)) for r in rows[1:])
    # XML cannot hold a bell character: it is dropped, everything else is kept as typed.
    assert c1["Good practice"] == "Bell and tab\tkept ‘quoted’ “text” – ✓ café"
    assert c2["Good practice"] == long_text
    assert c2["Learning"] == "]]></t></is></c><c>injected"
    assert wb["Returns"].max_column == len(HEADER)
