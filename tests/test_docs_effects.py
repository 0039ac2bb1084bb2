"""The BCG claims file in real Sphinx and MkDocs builds: the comparative table and its
forest plot, inline as SVG, with a located warning for a plot that cannot be drawn."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from test_mkdocs import mkdocs_build
from test_sphinxext import Page, sphinx_build

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"


def _inputs(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "bcg.yaml", folder / "bcg.yaml")
    shutil.copy(EXAMPLES / "bcg.bib", folder / "bcg.bib")


def _check_page(html: str) -> None:
    page = Page(html)
    assert "Comparative effects" in page.captions
    rows = page.table("Comparative effects")
    pooled = next(row for row in rows if row[2].startswith("Pooled"))
    assert pooled[5] == "RR 0.49 (0.34\N{EN DASH}0.70)"
    assert "prediction interval 0.13\N{EN DASH}1.78" in pooled[7]
    plots = re.findall(r'<figure class="evidence-forest-plot".*?</figure>', html, re.S)
    assert len(plots) == 1
    svg = plots[0]
    assert "<svg" in svg
    assert "<?xml" not in svg
    assert 'height: auto" viewBox=' in svg  # scales to the column, proportions kept
    for text in ("Aronson 1948", "4/123", "0.49 [0.34, 0.70]", "Risk ratio (log scale)"):
        assert text in svg
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids
    assert all(i.startswith("evidence-") for i in ids)  # prefixed: no clash with a 2nd plot


def test_sphinx_renders_the_bcg_table_and_plot(tmp_path: Path) -> None:
    src = tmp_path / "sphinx"
    _inputs(src)
    (src / "conf.py").write_text(
        'extensions = ["evidence.sphinxext"]\nproject = "bcg"\nexclude_patterns = ["_build"]\n'
        'evidence_bib = "bcg.bib"\nevidence_cache = False\n',
        encoding="utf-8",
    )
    (src / "index.rst").write_text(
        "BCG\n===\n\n.. evidence-table:: bcg.yaml\n   :plot: bcg-lowers-tb\n\n"
        "Second copy\n-----------\n\n.. evidence-table:: bcg.yaml\n   :claims: bcg-lowers-tb\n"
        "   :plot: bcg-lowers-tb, no-such-claim\n",
        encoding="utf-8",
    )
    build = sphinx_build(src)
    assert build.status == 0
    assert "no forest plot for claim 'no-such-claim'" in build.warnings
    assert "[evidence.option]" in build.warnings
    html = build.html("index")
    first, second = html.split('id="second-copy"', 1)
    _check_page(first)
    _check_page(second)


def test_mkdocs_renders_the_bcg_table_and_plot(tmp_path: Path) -> None:
    root = tmp_path / "site"
    _inputs(root / "docs")
    (root / "mkdocs.yml").write_text(
        "site_name: BCG\nplugins:\n  - evidence:\n      bib: docs/bcg.bib\n      cache: false\n",
        encoding="utf-8",
    )
    (root / "docs" / "index.md").write_text(
        "# BCG\n\n```evidence-table\nclaims: bcg.yaml\nplot: bcg-lowers-tb\n```\n",
        encoding="utf-8",
    )
    result = mkdocs_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    _check_page((root / "site" / "index.html").read_text(encoding="utf-8"))
