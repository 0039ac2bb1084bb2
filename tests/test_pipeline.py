"""One pipeline behind every front end: several .bib files merged with located duplicates,
one cache root, and the same table from the CLI, Python, Sphinx and MkDocs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_mkdocs import mkdocs_build
from test_sphinxext import Page, sphinx_build

import evidence
from evidence.cachedir import cache_folder, cache_root
from evidence.cli import main
from evidence.pipeline import Pipeline, PubMedSettings

ROOT = Path(__file__).resolve().parent.parent

CLAIMS = """\
claims:
  - id: both-cited
    text: Fusion patients do not all develop sacroiliac pain.
    citations:
      - {key: liliang2011, stance: supports, events: 21, n: 52}
      - {key: katz2003, stance: supports, events: 11, n: 34}
  - id: first-file-only
    text: Dual blocks confirm the joint as the source in some patients.
    citations:
      - {key: liliang2011, stance: supports}
  - id: nothing-cited
    text: A statement with no source.
"""


def split_library(folder: Path) -> tuple[Path, Path]:
    """The bundled references.bib cut into two files, one entry each, plus a clash."""
    text = (ROOT / "references.bib").read_text(encoding="utf-8")
    start = text.index("@", text.index("@") + 1)
    first, second = text[:start], text[start:]
    assert "liliang2011" in first
    assert "katz2003" in second
    a, b = folder / "a.bib", folder / "b.bib"
    a.write_text(first, encoding="utf-8")
    # b.bib also defines liliang2011 again, five lines in: a duplicate across files.
    b.write_text(second + "\n\n\n\n@article{liliang2011,\n  title = {Another},\n}\n")
    return a, b


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    claims = tmp_path / "claims.yaml"
    claims.write_text(CLAIMS, encoding="utf-8")
    a, b = split_library(tmp_path)
    return claims, a, b


def test_cli_resolves_keys_from_every_bib_and_locates_a_duplicate_once(
    inputs: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    claims, a, b = inputs
    code = main(["table", str(claims), "--bib", str(a), "--bib", str(b), "--offline", "-f", "json"])
    assert code == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    verdicts = {c["id"]: c["verdict"] for c in data["claims"]}
    assert verdicts == {
        "both-cited": "supported",
        "first-file-only": "supported",
        "nothing-cited": "uncited",
    }
    duplicate = [line for line in captured.err.splitlines() if "is also at" in line]
    assert len(duplicate) == 1
    line_in_b = b.read_text().splitlines().index("@article{liliang2011,") + 1
    line_in_a = a.read_text().splitlines().index("@article{liliang2011,") + 1
    assert duplicate[0].startswith(f"{b}:{line_in_b}: ")
    assert f"{a}:{line_in_a}" in duplicate[0]


def test_one_cache_root_for_both_caches(tmp_path: Path) -> None:
    root = tmp_path / "root"
    assert cache_folder("bib", root) == root / "bib"
    assert cache_folder("pubmed", root) == root / "pubmed"
    settings = PubMedSettings(cache_dir=root)
    assert settings.bib_cache() == str(root / "bib")
    with settings.client() as client:
        assert client.cache is not None
        assert client.cache.directory == root / "pubmed"


def test_the_environment_names_the_same_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(tmp_path / "env"))
    assert cache_root() == tmp_path / "env"
    with PubMedSettings().client() as client:
        assert client.cache is not None
        assert client.cache.directory == tmp_path / "env" / "pubmed"
    assert cache_root(tmp_path / "flag") == tmp_path / "flag"  # the option wins


def test_cli_cache_dir_puts_both_caches_under_it(
    inputs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    claims, a, _ = inputs
    root = tmp_path / "given"
    assert main(["table", str(claims), "--bib", str(a), "--cache-dir", str(root), "--offline"]) == 0
    assert sorted(p.name for p in root.iterdir()) == ["bib"]  # offline: no record fetched
    assert list((root / "bib").iterdir())


def _claims_rows(page: Page) -> list[list[str]]:
    rows = page.table("Claims")
    return [[" ".join(cell.split()) for cell in row] for row in rows]


def test_cli_python_sphinx_and_mkdocs_give_the_same_table(
    inputs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claims, a, b = inputs
    # The command line, as an HTML fragment.
    assert main(["table", str(claims), "--bib", str(a), "--bib", str(b), "--offline", "-f",
                 "html", "--no-cache"]) == 0  # fmt: skip
    cli = _claims_rows(Page(capsys.readouterr().out))

    # Python, through the convenience entry point.
    table = evidence.evidence_table(claims, [a, b], offline=True, cache=False)
    python = _claims_rows(Page(table.to_html()))

    # Sphinx: the directive with both .bib files.
    docs = tmp_path / "sphinx"
    docs.mkdir()
    for path in (claims, a, b):
        shutil.copy(path, docs / path.name)
    (docs / "conf.py").write_text(
        'extensions = ["evidence.sphinxext"]\nproject = "same"\nexclude_patterns = ["_build"]\n'
        "evidence_cache = False\n"
    )
    (docs / "index.rst").write_text(
        "Same\n====\n\n.. evidence-table:: claims.yaml\n   :bib: a.bib b.bib\n"
    )
    build = sphinx_build(docs)
    assert build.status == 0
    sphinx = _claims_rows(Page(build.html("index")))

    # MkDocs: the plugin's fenced block with both .bib files.
    site = tmp_path / "mkdocs"
    (site / "docs").mkdir(parents=True)
    for path in (claims, a, b):
        shutil.copy(path, site / "docs" / path.name)
    (site / "mkdocs.yml").write_text(
        "site_name: same\nplugins:\n  - evidence:\n      cache: false\n"
    )
    (site / "docs" / "index.md").write_text(
        "# Same\n\n```evidence-table\nclaims: claims.yaml\nbib: [a.bib, b.bib]\n```\n"
    )
    result = mkdocs_build(site)
    assert result.returncode == 0, result.stderr
    mkdocs = _claims_rows(Page((site / "site" / "index.html").read_text(encoding="utf-8")))

    assert len(cli) == 4  # header and three claims
    assert cli[1][0] == "both-cited"
    assert "Liliang 2011" in " ".join(cli[1])
    assert python == cli
    assert sphinx == cli
    assert mkdocs == cli


def test_pipeline_run_reads_claims_first(tmp_path: Path) -> None:
    """A broken claims file is reported before any .bib is parsed (so no cache is written)."""
    claims = tmp_path / "broken.yaml"
    claims.write_text("claims: [unclosed\n", encoding="utf-8")
    bib = tmp_path / "r.bib"
    bib.write_text("@article{x, title={T}}\n", encoding="utf-8")
    pipeline = Pipeline(PubMedSettings(offline=True, cache_dir=tmp_path / "cache"))
    with pytest.raises(evidence.ClaimFileError):
        pipeline.run(claims, [bib])
    assert not (tmp_path / "cache").exists()
