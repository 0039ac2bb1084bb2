"""Printed tables (issue 17, item 1): PDFs built with TeX Live from the LaTeX renderer's
standalone output and from a Sphinx project's LaTeX build, each with the seed table and a
40-row table. No overfull box may come from a table, and ``pdftotext`` must find every
number of the tables whole (a clipped or wrapped "62/150" would not be found).

TeX Live, latexmk and poppler come from ``scripts/install-tex`` (the README's test command
runs it first).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT
from test_sphinxext import project, sphinx_build

import evidence
from evidence.render import Grid, table_parts
from evidence.render.latex import _NUMBER

BIB = ROOT / "references.bib"
EXAMPLE = ROOT / "docs" / "examples" / "sacroiliac.yaml"

needs_tex = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("latexmk", "pdflatex", "pdftotext")),
    reason="needs TeX Live, latexmk and poppler-utils: run scripts/install-tex",
)


def forty_claims(path: Path) -> Path:
    """A claims file of 40 claims with long prose, long ids and numbers of every width."""
    lines = ["version: 1", "title: Forty claims", "claims:"]
    for i in range(40):
        key = "liliang2011" if i % 2 else "katz2003"
        n = 150 + 37 * i
        events = (62 + 11 * i) % n
        lines += [
            f"  - id: claim-number-{i:02d}-about-sacroiliac-pain",
            "    text: >-",
            f"      Claim {i}: after a lumbar or lumbosacral fusion some patients develop",
            "      sacroiliac joint pain that dual diagnostic blocks can confirm.",
            "    citations:",
            f"      - key: {key}",
            "        stance: supports",
            "        finding: >-",
            f"          Of {n} patients with suspected joint pain, {events} were confirmed",
            "          by dual blocks; the rest had another source.",
            f"        n: {n}",
            f"        events: {events}",
            "        outcome: SI joint pain confirmed by block",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def table_numbers(table: evidence.EvidenceTable, audience: str = "reviewers") -> set[str]:
    """Every number-like token printed in the table's grids."""
    found = set()
    for part in table_parts(table, audience, "unsrt"):
        if isinstance(part, Grid):
            for row in part.rows:
                for cell in row:
                    found.update(t for t in cell.text.split() if _NUMBER.fullmatch(t))
    return found


def latexmk(tex: Path) -> tuple[str, str]:
    """Build ``tex`` to PDF; return the log and the PDF's text."""
    done = subprocess.run(
        ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tex.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = tex.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, log[-3000:]
    text = subprocess.run(
        ["pdftotext", str(tex.with_suffix(".pdf")), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return log, text


def overfull(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("Overfull \\hbox")]


def tables(tmp_path: Path) -> list[evidence.EvidenceTable]:
    refs = evidence.load_references(BIB)
    seed = evidence.build_table(evidence.load_claims(EXAMPLE), refs)
    forty = evidence.build_table(evidence.load_claims(forty_claims(tmp_path / "f.yaml")), refs)
    return [seed, forty]


def test_numbers_are_never_breakable() -> None:
    for token in ("62/150", "(34%\u201349%)", "21463470", "40%", "0.373", "[12]"):
        assert _NUMBER.fullmatch(token), token
    for token in ("not-every-patient", "10.1111/j.1526-4637.2011.01087.x", "cohort"):
        assert not _NUMBER.fullmatch(token), token


@needs_tex
@pytest.mark.parametrize("audience", ["reviewers", "patients"])
def test_standalone_latex_builds_a_pdf_that_fits(tmp_path: Path, audience: str) -> None:
    for number, table in enumerate(tables(tmp_path)):
        tex = tmp_path / f"table{number}.tex"
        tex.write_text(table.render("latex", standalone=True, audience=audience))
        log, text = latexmk(tex)
        assert overfull(log) == []
        numbers = table_numbers(table, audience)
        assert len(numbers) > (30 if number else 1)
        missing = sorted(n for n in numbers if n not in text)
        assert missing == [], f"cut or wrapped in the PDF: {missing}"
        if number:  # 40 rows do not fit one page: the header repeats on the next
            assert "(continued)" in text
            header = "Events/n" if audience == "reviewers" else "Statement"
            assert text.count(header) >= 2


def test_columns_for_print(tmp_path: Path) -> None:
    table = tables(tmp_path)[0]
    out = table.render("latex", columns=["Claim", "Study", "Events/n"])
    assert "Proportion" not in out
    assert "PMID &" not in out
    assert "& PMID" not in out
    assert "21/52" in out
    assert "21463470 &" not in out  # the PMID column is gone (the references keep theirs)
    with pytest.raises(ValueError, match="no column 'Colour'"):
        table.render("latex", columns=["Colour"])


@needs_tex
def test_sphinx_latex_build_fits_the_page(tmp_path: Path) -> None:
    root = project(tmp_path, "seed")
    shutil.copy(BIB, root / "refs.bib")
    forty_claims(root / "forty.yaml")
    (root / "forty.rst").write_text("Forty\n=====\n\n.. evidence-table:: forty.yaml\n")
    index = root / "index.rst"
    index.write_text(index.read_text().replace("   myst\n", "   myst\n   forty\n"))
    build = sphinx_build(root, builder="latex")
    assert build.status == 0
    assert build.warnings == ""
    tex = build.outdir / "seed.tex"
    source = tex.read_text(encoding="utf-8")
    assert source.count("\\begin{longtable}") >= 6
    log, text = latexmk(tex)
    # Boxes the tables would overflow are reported "in alignment" or in a paragraph of the
    # table's lines; none may appear at all.
    assert overfull(log) == []
    refs = evidence.load_references(root / "refs.bib")
    expected: set[str] = set()
    for claims, audience in (
        ("claims.yaml", "reviewers"),
        ("claims.yaml", "patients"),
        ("forty.yaml", "reviewers"),
    ):
        table = evidence.build_table(evidence.load_claims(root / claims), refs)
        expected |= table_numbers(table, audience)
    assert "62/150" in expected
    missing = sorted(n for n in expected if n not in text)
    assert missing == [], f"cut or wrapped in the PDF: {missing}"
    assert re.search(r"Evidence \(continued\)", text)
