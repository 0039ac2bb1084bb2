"""Text that would run or break something downstream (issue 12, cases 3 and 5).

Every CSV the library writes neutralises cells a spreadsheet would run as a formula, the
claims CSV included, and reads its own quoting back; a lone surrogate in a claims file is a
located error at load time, not a bare encoding error when the table is written.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from evidence.claims import dump_claims, parse_claims
from evidence.cli import main
from evidence.errors import ClaimFileError
from evidence.spreadsheet import FORMULA_START, neutralise, restore

FORMULAS = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tTAB"]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_a_lone_surrogate_is_a_located_error(fmt: str) -> None:
    text = (
        '{"claims": [{"id": "a", "text": "Pain \\ud800 relief"}]}'
        if fmt == "json"
        else 'claims:\n  - id: a\n    text: "Pain \\ud800 relief"\n'
    )
    with pytest.raises(ClaimFileError) as caught:
        parse_claims(text, fmt, source=f"c.{fmt}")
    (problem,) = caught.value.problems
    assert problem.code == "bad-character"
    assert str(problem.location) == ("c.json:1" if fmt == "json" else "c.yaml:3")


def test_a_whole_surrogate_pair_is_fine() -> None:
    claims = parse_claims('{"claims": [{"id": "a", "text": "x \\ud83d\\ude00"}]}', "json")
    assert claims[0].text == "x \U0001f600"


def test_the_claims_csv_neutralises_formulas_and_reads_them_back() -> None:
    citation = "    citations:\n      - {{key: k{}, stance: supports}}\n"
    yaml_text = "claims:\n" + "".join(
        f"  - id: c{i}\n    text: {text!r}\n" + citation.format(i)
        for i, text in enumerate(FORMULAS)
    )
    claims = parse_claims(yaml_text, "yaml")
    written = dump_claims(claims, "csv")
    rows = list(csv.reader(io.StringIO(written)))
    texts = [row[1] for row in rows[1:]]
    assert texts
    assert not [t for t in texts if t.startswith(FORMULA_START)]
    back = parse_claims(written, "csv")
    assert [c.text for c in back] == [c.text for c in claims]


def test_extract_to_csv_writes_no_live_formula(tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text(
        '=HYPERLINK("http://evil") is what the trial found [@adams2019].\n\n'
        "@SUM(1) patients improved [@adams2019].\n",
        encoding="utf-8",
    )
    out = tmp_path / "claims.csv"
    assert main(["extract", str(article), "-o", str(out), "--offline"]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]


def test_neutralise_and_restore_are_inverse() -> None:
    for text in [*FORMULAS, "plain", "'quoted", "", "'"]:
        assert restore(neutralise(text)) == text or text.startswith("'=")
