"""Real R Markdown and Quarto manuscripts: every citation key mapped or reported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evidence import extract_claims

ROOT = Path(__file__).resolve().parent.parent
MANUSCRIPTS = ROOT.parent / "shared" / "fixtures" / "manuscripts"
needs_fixtures = pytest.mark.skipif(
    not MANUSCRIPTS.is_dir(),
    reason="the shared manuscripts (../shared/fixtures/manuscripts) are absent",
)
CASES = [
    ("capnopred/manuscript.Rmd", "capnopred/Extras/references.bib"),
    ("hellp_manuscript/manuscript.qmd", "hellp_manuscript/hellp.bib"),
]


def count_keys(text: str) -> list[str]:
    """pandoc ``@key`` occurrences counted with regular expressions (not the extractor):
    outside the YAML header, code chunks, inline R and comments; e-mail addresses,
    ``\\@ref()`` and Quarto/pandoc-crossref labels (``@fig-``, ``@tbl-``...) excluded."""
    body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    body = re.sub(r"```.*?```", "", body, flags=re.S)
    body = re.sub(r"`r [^`]*`", "", body)
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    keys = re.findall(r"(?<![\w.+@\\-])-?@(\w(?:[\w:.#$%&+?<>~/=-]*[\w/])?)", body)
    return [k for k in keys if not re.match(r"(?:fig|tbl|sec|eq)[-:]", k)]


@needs_fixtures
@pytest.mark.parametrize(("article", "bib"), CASES, ids=[c[0] for c in CASES])
def test_every_key_is_mapped_or_reported(article: str, bib: str) -> None:
    text = (MANUSCRIPTS / article).read_text(encoding="utf-8")
    result = extract_claims(MANUSCRIPTS / article, references=MANUSCRIPTS / bib)
    keyed = sorted(c for m in result.markers if m.kind == "pandoc" for c in m.cited)
    assert keyed == sorted(count_keys(text))
    census = result.census
    assert census["found"] == census["mapped"] + census["reported"]
    assert census["found"] == len(keyed)  # no number or statistic taken for a citation
    assert not any("@" in claim.text for claim in result.claims)
