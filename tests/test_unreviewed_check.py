"""``evidence check`` notices citations nobody has reviewed, and checks .bib abstracts offline:
the real HELLP manuscript, extracted and checked without a network."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT, shared_path

from evidence import load_references
from evidence.assess.abstracts import reference_abstract
from evidence.claims import load_claims
from evidence.cli import main
from evidence.table import build_table


def _hellp(tmp_path: Path) -> tuple[Path, Path]:
    folder = shared_path("fixtures", "manuscripts", "hellp_manuscript")
    bib = folder / "hellp.bib"
    claims = tmp_path / "hellp.yaml"
    code = main(["-q", "extract", str(folder / "manuscript.qmd"), "--bib", str(bib),
                 "--offline", "-o", str(claims)])  # fmt: skip
    assert code == 0
    return claims, bib


def test_every_cited_entry_with_an_abstract_gets_its_best_sentence_offline(
    tmp_path: Path,
) -> None:
    claims_path, bib = _hellp(tmp_path)
    claims = load_claims(claims_path)
    references = load_references(bib)
    table = build_table(claims, references)
    rows = table.evidence.to_dict("records")
    with_abstract = [r for r in rows if r["key"] in references and reference_abstract(
        references[r["key"]])]  # fmt: skip
    assert len(with_abstract) >= 20  # the manuscript's .bib carries abstracts
    for row in with_abstract:
        assert row["best_sentence"], row["key"]
        assert row["mentions"] in (True, False)
        assert row["abstract_source"] == ".bib abstract field"
    for row in rows:
        if row["key"] in references and not reference_abstract(references[row["key"]]):
            assert row["best_sentence"] == ""


def test_check_exits_1_naming_each_unreviewed_citation_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claims_path, bib = _hellp(tmp_path)
    capsys.readouterr()
    code = main(["check", str(claims_path), "--bib", str(bib), "--offline"])
    out, err = capsys.readouterr()
    assert code == 1
    unknown = sum(
        c.stance.value == "unknown" for claim in load_claims(claims_path) for c in claim.citations
    )
    flagged = [line for line in out.splitlines() if "nobody has reviewed" in line]
    assert len(flagged) == unknown > 0
    lines = claims_path.read_text(encoding="utf-8").splitlines()
    for line in flagged:
        match = re.match(rf"{re.escape(str(claims_path))}:(\d+): warning: claim '([^']+)' "
                         r".*cites '([^']+)'", line)  # fmt: skip
        assert match, line
        assert match[3] in lines[int(match[1]) - 1]  # the line of that very citation
    assert f"{unknown} citations in" in err
    assert "not yet reviewed" in err
    code = main(["check", str(claims_path), "--bib", str(bib), "--offline",
                 "--ignore", "unreviewed", "--ignore", "no-mention", "--ignore", "uncited",
                 "--ignore", "unused-reference"])  # fmt: skip
    out, err = capsys.readouterr()
    assert "nobody has reviewed" not in out
    assert "not yet reviewed" not in err


def test_reviewed_example_has_no_unreviewed_citations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    example = ROOT / "docs" / "examples" / "sacroiliac.yaml"
    main(["check", str(example), "--bib", str(ROOT / "references.bib"), "--offline"])
    out, _ = capsys.readouterr()
    assert "nobody has reviewed" not in out
