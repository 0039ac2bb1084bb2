"""The MkDocs plugin: a small site built with ``mkdocs build``, as a user would run it.

The site (tests/roots/mkdocs) has the seed claims twice on one page (reviewers, then
patients) and an ``evidence-table`` block shown as an example inside a longer fence,
which must stay an example. Tests add a page with problems where they need one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_sphinxext import ROOTS, Page, retracted_snapshot

from evidence.mkdocs_plugin import find_blocks

PROBLEMS = ROOTS / "problems"


def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(ROOTS / "mkdocs", root)
    return root


def mkdocs_build(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` in a fresh process: the plugin is found through its entry point."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def add_problems(root: Path) -> None:
    """A page whose claims are uncited, cite an unknown key and a retracted study."""
    shutil.copy(PROBLEMS / "claims.yaml", root / "docs" / "problems.yaml")
    shutil.copy(PROBLEMS / "refs.bib", root / "docs" / "problems.bib")
    retracted_snapshot(root / "docs" / "pubmed.json")
    (root / "docs" / "problems.md").write_text(
        "# Problems\n\nText before.\n\n"
        "```evidence-table\nclaims: problems.yaml\nbib: problems.bib\nsnapshot: pubmed.json\n```\n"
    )


def test_seed_site_builds_strictly_with_both_tables(tmp_path: Path) -> None:
    root = site(tmp_path)
    result = mkdocs_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    assert "evidence:" not in result.stderr  # nothing to report
    html = (root / "site" / "index.html").read_text(encoding="utf-8")
    page = Page(html)
    assert page.captions == [
        "Claims",
        "Evidence",
        "What the research says",
        "The studies",
    ]
    assert page.table("Claims")[1][:3] == [
        "not-every-patient",
        "Sacroiliac joint pain is not inevitable after lumbar fusion.",
        "supported",
    ]
    assert ("https://pubmed.ncbi.nlm.nih.gov/21463470/", "21463470") in page.links
    # Each table links its studies to its own reference list: anchors never collide.
    internal = [href for href, text in page.links if text == "Liliang 2011 [1]"]
    assert set(internal) == {"#evidence-1-ref-1", "#evidence-2-ref-1"}
    assert {"evidence-1-ref-1", "evidence-2-ref-1"} <= page.ids
    assert "What the studies say" in html
    # The block inside the four-backtick example fence is shown, not rendered.
    assert '<code class="language-markdown">```evidence-table\nclaims: claims.yaml' in html


def test_problems_are_warnings_that_fail_strict(tmp_path: Path) -> None:
    root = site(tmp_path)
    add_problems(root)
    result = mkdocs_build(root, "--strict")
    assert result.returncode == 1
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 3, result.stderr
    assert "evidence: docs/problems.yaml:6: claim 'mir-623' cites 'wei2016'" in warnings[0]
    assert warnings[0].endswith("[evidence.retracted]")
    assert warnings[1].endswith(
        "evidence: docs/problems.yaml:8: claim 'nothing-cited' cites no study; add a "
        "citation if one backs it [evidence.uncited]"
    )
    assert "docs/problems.yaml:13:" in warnings[2]
    assert warnings[2].endswith("[evidence.unresolved]")


def test_warnings_can_be_info_only_or_ignored(tmp_path: Path) -> None:
    root = site(tmp_path)
    add_problems(root)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text() + "      warnings: info\n")
    result = mkdocs_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    assert "INFO    -  evidence: docs/problems.yaml:8: claim 'nothing-cited'" in result.stderr

    config.write_text(config.read_text().replace("warnings: info", "ignore: [uncited, unresolved]"))
    result = mkdocs_build(root, "--strict")
    assert result.returncode == 1
    assert "[evidence.retracted]" in result.stderr
    assert "[evidence.uncited]" not in result.stderr
    assert "[evidence.unresolved]" not in result.stderr


def test_bad_blocks_are_located_warnings(tmp_path: Path) -> None:
    root = site(tmp_path)
    (root / "docs" / "bad.md").write_text(
        "# Bad\n\n```evidence-table\naudience: patients\n```\n\n"
        "```evidence-table\nclaims: missing.yaml\ncolour: red\n```\n"
    )
    result = mkdocs_build(root)
    assert result.returncode == 0
    lines = [line for line in result.stderr.splitlines() if "evidence:" in line]
    assert "bad.md:3: the block needs 'claims: path/to/claims.yaml'" in lines[0]
    assert "bad.md:7: unknown option(s) colour" in lines[1]
    assert "docs/missing.yaml: cannot read the claims file" in lines[2]
    assert lines[2].endswith("[evidence.input]")
    html = (root / "site" / "bad" / "index.html").read_text(encoding="utf-8")
    assert html.count("could not be built") == 2


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("```evidence-table\nclaims: a.yaml\n```\n", [(0, 3, "claims: a.yaml\n")]),
        ("~~~~ evidence-table\nclaims: a.yaml\n~~~~\n", [(0, 3, "claims: a.yaml\n")]),
        ("````md\n```evidence-table\nclaims: a.yaml\n```\n````\n", []),
        ("```python\nx = 1\n```\n```evidence-table\n```\n", [(3, 5, "")]),
        ("```evidence-table\nclaims: a.yaml\n", [(0, 2, "claims: a.yaml\n")]),  # unclosed
        ("```evidence-tables\n```\n", []),
    ],
)
def test_find_blocks(markdown: str, expected: list[tuple[int, int, str]]) -> None:
    assert find_blocks(markdown) == expected
