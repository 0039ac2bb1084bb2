"""Reference lists in the styles medical writers use, from every front end (issue 14).

``--style vancouver`` (or ``:style:`` in Sphinx, ``style:`` in MkDocs) prints every
reference of a list in that CSL style, in every format that carries the list; an unknown
style is one line and exit 2 on the command line, a warning and the default style in docs
builds. ``evidence fetch --write-bib`` writes the references back, enriched from PubMed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import shared_path
from ncbi_server import NCBIServer
from test_mkdocs import mkdocs_build
from test_sphinxext import sphinx_build

from evidence.bibliography import load_bibliography
from evidence.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "docs" / "examples" / "sacroiliac.yaml")
BIB = str(ROOT / "references.bib")
LILIANG = (
    "Liliang PC, Lu K, Liang CL, Tsai YD, et al. Sacroiliac joint pain after lumbar and "
    "lumbosacral fusion: findings using dual sacroiliac joint blocks."
)
KATZ = "Katz V, Schofferman J, Reynolds J. The sacroiliac joint: a potential cause of pain"


@pytest.mark.parametrize("fmt", ["markdown", "html", "latex", "json"])
def test_vancouver_in_every_format_with_a_reference_list(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["table", EXAMPLE, "--bib", BIB, "--offline", "--style", "vancouver", "-f", fmt])
    out = capsys.readouterr().out
    assert code == 0
    if fmt == "json":
        citations = [r["citation"] for r in json.loads(out)["references"]]
        assert citations[0].startswith(LILIANG)
        assert citations[1].startswith(KATZ)
        return
    flat = " ".join(out.split())
    if fmt == "latex":
        flat = flat.replace("{}", "")
    assert LILIANG in flat
    assert KATZ in flat
    assert "P. C. Liliang" not in flat  # not one reference in another style


def test_an_unknown_style_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["table", EXAMPLE, "--bib", BIB, "--offline", "--style", "nosuchstyle"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert "unknown citation style 'nosuchstyle'" in lines[0]


@pytest.fixture
def sphinx_project(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    shutil.copy(EXAMPLE, root / "claims.yaml")
    shutil.copy(BIB, root / "refs.bib")
    (root / "conf.py").write_text(
        'extensions = ["evidence.sphinxext"]\nproject = "styles"\nexclude_patterns = ["_build"]\n'
        'evidence_bib = "refs.bib"\nevidence_cache = False\n'
    )
    (root / "index.rst").write_text(
        "Styles\n======\n\n.. evidence-table:: claims.yaml\n   :style: vancouver\n\n"
        ".. evidence-table:: claims.yaml\n   :style: nosuchstyle\n"
    )
    return root


def test_sphinx_uses_the_style_and_warns_on_an_unknown_one(sphinx_project: Path) -> None:
    build = sphinx_build(sphinx_project)
    assert build.status == 0
    html = " ".join(build.html("index").split())
    assert LILIANG in html
    warnings = [w for w in build.warnings.splitlines() if "nosuchstyle" in w]
    assert len(warnings) == 1
    assert "index.rst:7" in warnings[0]  # the directive that names the style
    assert warnings[0].endswith("[evidence.option]")
    assert "P. C. Liliang" in html  # the second table fell back to the default style


def test_mkdocs_uses_the_style_and_warns_on_an_unknown_one(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "docs").mkdir(parents=True)
    shutil.copy(EXAMPLE, root / "docs" / "claims.yaml")
    shutil.copy(BIB, root / "docs" / "refs.bib")
    (root / "mkdocs.yml").write_text(
        "site_name: styles\nplugins:\n  - evidence:\n      bib: docs/refs.bib\n      cache: false\n"
    )
    (root / "docs" / "index.md").write_text(
        "# Styles\n\n```evidence-table\nclaims: claims.yaml\nstyle: vancouver\n```\n\n"
        "```evidence-table\nclaims: claims.yaml\nstyle: nosuchstyle\n```\n"
    )
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    html = " ".join((root / "site" / "index.html").read_text(encoding="utf-8").split())
    assert LILIANG in html
    assert sum("nosuchstyle" in line for line in result.stderr.splitlines()) == 1


@pytest.fixture
def server() -> Iterator[NCBIServer]:
    with NCBIServer(shared_path("fixtures", "pubmed")) as running:
        running.missing.add("99999999")
        yield running


@pytest.mark.parametrize("suffix", [".bib", ".json"])
def test_fetch_writes_the_enriched_bibliography(
    suffix: str, tmp_path: Path, server: NCBIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    source = ROOT / "tests" / "data" / "pubmed_mix.bib"
    before = load_bibliography(source, cache=False)
    out = tmp_path / f"enriched{suffix}"
    code = main(["fetch", "--bib", str(source), "--eutils-url", server.url, "--no-cache",
                 "--write-bib", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    after = load_bibliography(out, cache=False)
    assert list(after) == list(before)  # every reference, in order
    filled = [k for k in after if after[k].pmid and not before[k].pmid]
    assert filled  # PubMed filled in identifiers the .bib lacked
    for key, ref in before.items():
        if ref.title:
            assert after[key].title == ref.title  # nothing in the input is overwritten
