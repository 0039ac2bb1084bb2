"""Docs builds report each problem of an input file once per build, and only problems of
entries some page cites (issue 20): 50 pages of tables over one .bib with 6 problems give
6 warnings, not 300."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_mkdocs import mkdocs_build
from test_sphinxext import sphinx_build

# Six problems in cited entries, two in an entry no claim cites.
BIB = """\
@article{a, title = {Alpha}, year = {2000}, pmcid = {PMCxyz}}

@article{b, title = {Beta}, year = {2001}, title = {Beta again}}

@article{c, title = {Gamma}, year = {2002}, pmid = {not-a-pmid}}

@article{d, title = {Delta}, year = {2003}, doi = {nonsense}}

@article{e, title = {Epsilon}, year = {2004}, month = {Smarch}}

@article{f, title = {Zeta}, year = {2005}, pmid = {123}, note = {PMID: 456}}

@article{unused, title = {Unused}, doi = {nope}, title = {Twice}}
"""

CLAIMS = "claims:\n" + "".join(
    f"  - id: claim-{key}\n    text: Claim {key}.\n    citations:\n"
    f"      - {{key: {key}, stance: supports}}\n"
    for key in "abcdef"
)

PAGES = 50


def bib_warnings(text: str) -> list[str]:
    return [line for line in text.splitlines() if "refs.bib:" in line and "evidence" in line]


@pytest.fixture
def sphinx_project(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    (root / "refs.bib").write_text(BIB, encoding="utf-8")
    (root / "claims.yaml").write_text(CLAIMS, encoding="utf-8")
    (root / "conf.py").write_text(
        'extensions = ["evidence.sphinxext"]\nproject = "many"\nexclude_patterns = ["_build"]\n'
        'evidence_bib = "refs.bib"\nevidence_cache = False\n'
    )
    names = [f"page{n:02d}" for n in range(PAGES)]
    (root / "index.rst").write_text(
        "Many\n====\n\n.. toctree::\n\n" + "".join(f"   {n}\n" for n in names)
    )
    for name in names:
        (root / f"{name}.rst").write_text(
            f"{name}\n{'=' * len(name)}\n\n.. evidence-table:: claims.yaml\n"
        )
    return root


def test_fifty_pages_over_one_bib_with_six_problems_give_six_warnings(
    sphinx_project: Path,
) -> None:
    build = sphinx_build(sphinx_project)
    assert build.status == 0
    warnings = bib_warnings(build.warnings)
    assert len(warnings) == 6, "\n".join(warnings)
    lines = {int(w.split("refs.bib:")[1].split(":")[0]) for w in warnings}
    assert lines == {1, 3, 5, 7, 9, 11}
    assert all(w.endswith("[evidence.input]") for w in warnings)


def test_all_reports_the_problems_of_uncited_entries_too(sphinx_project: Path) -> None:
    build = sphinx_build(sphinx_project, evidence_bib_problems="all")
    warnings = bib_warnings(build.warnings)
    assert len(warnings) == 8
    assert sum("refs.bib:13" in w for w in warnings) == 2


def test_mkdocs_reports_each_problem_once_too(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "refs.bib").write_text(BIB, encoding="utf-8")
    (root / "docs" / "claims.yaml").write_text(CLAIMS, encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: many\nplugins:\n  - evidence:\n      bib: docs/refs.bib\n      cache: false\n"
    )
    for n in range(10):
        (root / "docs" / f"page{n}.md").write_text(
            f"# Page {n}\n\n```evidence-table\nclaims: claims.yaml\n```\n"
        )
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    warnings = bib_warnings(result.stderr)
    assert len(warnings) == 6, "\n".join(warnings)
