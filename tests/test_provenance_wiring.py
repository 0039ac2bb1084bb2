"""Claims extracted from a document lead back to it (issues 13 and 15).

A remark about an extracted claim names the manuscript line it came from beside the claims
file's own line, and ``extract --with-uncited`` leaves out lines that state nothing
(headings, captions, author lists), never a cited sentence.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evidence.bibliography import parse_references
from evidence.claims import parse_claims
from evidence.cli import main
from evidence.table import build_table


def test_a_remark_names_the_manuscript_line_of_an_extracted_claim() -> None:
    claims = parse_claims(
        "claims:\n  - id: a\n    text: Pain is common.\n    source: paper.md:12\n"
        "  - id: b\n    text: Rest helps.\n",
        "yaml",
        source="claims.yaml",
    )
    table = build_table(claims, parse_references("", source="r.bib"))
    messages = {p.message.split(" ")[1]: p for p in table.remarks if p.code == "uncited"}
    assert "claim 'a' (from paper.md:12) cites no study" in messages["'a'"].message
    assert str(messages["'a'"].location) == "claims.yaml:2"
    assert messages["'b'"].message.startswith("claim 'b' cites no study")


def test_with_uncited_leaves_out_lines_that_state_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.md"
    article.write_text(
        "# Pain after fusion\n\n"
        "Jane Smith, John Doe, Ann Lee\n\n"
        "Sacroiliac pain follows some fusions [@adams2019].\n\n"
        "Rest alone rarely resolves it.\n\n"
        "Figure 1: Dual block results.\n",
        encoding="utf-8",
    )
    bib = tmp_path / "r.bib"
    bib.write_text("@article{adams2019, title={T}, year={2019}}\n", encoding="utf-8")
    out = tmp_path / "claims.yaml"
    code = main(["extract", str(article), "--bib", str(bib), "--with-uncited", "--offline",
                 "-o", str(out)])  # fmt: skip
    assert code == 0
    texts = [c["text"] for c in yaml.safe_load(out.read_text(encoding="utf-8"))["claims"]]
    assert any("Sacroiliac pain follows some fusions" in t for t in texts)
    assert any("Rest alone rarely resolves it" in t for t in texts)
    assert not any("Figure 1" in t or "Jane Smith" in t for t in texts)
