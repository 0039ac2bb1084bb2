"""The evidence-table directive, in small Sphinx projects built as users build them.

Each test copies a project from tests/roots/ into a temporary folder and builds it in this
process with Sphinx's own application (as ``sphinx-build`` does), then reads the HTML and
the warnings. The roots:

* ``seed``     -- the seed claims from reST and from MyST Markdown, no problems;
* ``problems`` -- an uncited claim, an unknown key and a retracted study (the real PubMed
  record of PMID 27685632, written as a snapshot by the test);
* ``many``     -- four pages sharing inputs, which logs every page read (with its process
  id): for incremental and parallel builds;
* ``bibtex``   -- the directive beside sphinxcontrib-bibtex.
"""

from __future__ import annotations

import io
import pickle
import re
import shutil
import socket
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_path
from ncbi_server import NCBIServer
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils

from evidence._docbuild import InputCache
from evidence.claims import parse_claims
from evidence.pubmed import parse_efetch
from evidence.snapshot import write_snapshot
from evidence.sphinxext import input_cache

ROOTS = Path(__file__).parent / "roots"


# --- helpers ---------------------------------------------------------------------------


class Build:
    """One finished build: the app, its exit status and its warnings."""

    def __init__(self, app: Sphinx, warnings: str, srcdir: Path) -> None:
        self.app = app
        self.status = app.statuscode
        self.srcdir = srcdir
        self.outdir = Path(app.outdir)
        # Warnings name files by absolute path; make them relative to the project. Sphinx
        # colours them when its console state says so; the colour codes are not tested.
        plain = re.sub(r"\x1b\[[0-9;]*m", "", warnings)
        self.warnings = plain.replace(str(srcdir) + "/", "")

    def html(self, docname: str) -> str:
        return (self.outdir / f"{docname}.html").read_text(encoding="utf-8")

    def reads(self) -> list[tuple[str, int]]:
        """(docname, pid) of every page read, from the ``many`` root's log."""
        log = self.outdir.parent / "read.log"
        if not log.exists():
            return []
        pairs = [line.split() for line in log.read_text().splitlines()]
        return [(name, int(pid)) for name, pid in pairs]


def sphinx_build(
    srcdir: Path,
    *,
    builder: str = "html",
    parallel: int = 0,
    warningiserror: bool = False,
    **overrides: Any,
) -> Build:
    """Build ``srcdir`` into ``srcdir/_build/<builder>`` as sphinx-build would."""
    warnings = io.StringIO()
    outdir = srcdir / "_build" / builder
    with patch_docutils(srcdir), docutils_namespace():
        app = Sphinx(
            srcdir,
            srcdir,
            outdir,
            srcdir / "_build" / "doctrees",
            builder,
            confoverrides=overrides,
            status=io.StringIO(),
            warning=warnings,
            warningiserror=warningiserror,
            parallel=parallel,
        )
        try:
            app.build()
        except Exception as error:  # -W turns the first warning into SphinxWarning
            if not warningiserror:
                raise
            warnings.write(f"\n{type(error).__name__}: {error}\n")
            app.statuscode = 1
    return Build(app, warnings.getvalue(), srcdir)


def project(tmp_path: Path, name: str) -> Path:
    """A fresh copy of the test root ``name``."""
    target = tmp_path / name
    shutil.copytree(ROOTS / name, target)
    return target


def retracted_snapshot(path: Path) -> None:
    """Write the real record of the retracted PMID 27685632 as a snapshot."""
    xml = shared_path("fixtures", "pubmed", "efetch_pubmed_retracted_publication.xml")
    records = parse_efetch(xml.read_bytes())
    write_snapshot(path, {record.pmid: record for record in records})


class Page(HTMLParser):
    """Links, ids and the text of each table cell of one HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.ids: set[str] = set()
        self.captions: list[str] = []
        self.rows: list[list[str]] = []
        self.tables: list[list[list[str]]] = []  # rows of each table, header row first
        self._href: str | None = None
        self._text: list[str] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self._href, self._text = str(found["href"]), []
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.rows.append([])
            self.tables[-1].append(self.rows[-1])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.captions.append("".join(self._caption).replace("¶", "").strip())
            self._caption = None

    def handle_data(self, data: str) -> None:
        for sink in (self._text if self._href is not None else None, self._cell, self._caption):
            if sink is not None:
                sink.append(data)

    def table(self, caption: str) -> list[list[str]]:
        """The rows of the table with ``caption``, header row first."""
        return self.tables[self.captions.index(caption)]

    def row(self, first: str) -> list[str]:
        """The first table row whose first cell is ``first``."""
        return next(row for row in self.rows if row and row[0] == first)


def evidence_part(html: str) -> str:
    """The HTML of the page's evidence tables (from the first one to the page's end)."""
    start = html.index('class="evidence-table')
    return html[start : html.index("</section>", start)]


# --- the seed table --------------------------------------------------------------------


def test_seed_table_from_rest_and_myst(tmp_path: Path) -> None:
    build = sphinx_build(project(tmp_path, "seed"))
    assert build.status == 0
    assert build.warnings == ""

    page = Page(evidence_part(build.html("index")))
    assert page.captions[:2] == ["Claims", "Evidence"]
    claim = page.row("not-every-patient")
    assert claim[2:5] == ["supported", "very low", "Liliang 2011 [1]"]
    evidence = page.table("Evidence")[1]
    assert evidence[1] == "Liliang 2011 [1]"
    assert evidence[5:7] == ["21/52", "40% (28%\N{EN DASH}54%)"]
    doi = "10.1111/j.1526-4637.2011.01087.x"
    assert ("https://pubmed.ncbi.nlm.nih.gov/21463470/", "21463470") in page.links
    assert (f"https://doi.org/{doi}", doi) in page.links
    # The reference list links each entry to PubMed and to doi.org too.
    assert ("https://pubmed.ncbi.nlm.nih.gov/21463470/", "PubMed") in page.links
    assert (f"https://doi.org/{doi}", "DOI") in page.links
    # Study names link to the table's own numbered reference list on the same page.
    internal = {href for href, text in page.links if text == "Liliang 2011 [1]"}
    assert internal == {"#evidence-0-ref-1"}
    assert "evidence-0-ref-1" in page.ids

    # The small stylesheet is written and linked (wide tables scroll in their box).
    assert "overflow-x: auto" in (build.outdir / "_static" / "evidence.css").read_text()
    assert 'href="_static/evidence.css' in build.html("index")

    myst = build.html("myst")
    patients = Page(evidence_part(myst))
    assert "What the studies say" in myst  # the :title: option
    assert patients.captions == ["What the research says", "The studies"]
    statement = patients.row("Sacroiliac joint pain is not inevitable after lumbar fusion.")
    assert statement[1] == "We are very uncertain whether this is true."
    assert "Evidence" not in patients.captions  # no reviewer detail on a patient page


@pytest.mark.parametrize(("builder", "output"), [("text", "index.txt"), ("latex", "seed.tex")])
def test_other_builders_get_the_table(tmp_path: Path, builder: str, output: str) -> None:
    build = sphinx_build(project(tmp_path, "seed"), builder=builder)
    assert build.status == 0
    assert build.warnings == ""
    text = (build.outdir / output).read_text(encoding="utf-8")
    assert "not\\sphinxhyphen{}every\\sphinxhyphen{}patient" in text or "not-every-patient" in text
    assert "Liliang 2011 {[}1{]}" in text or "Liliang 2011 [1]" in text
    assert "21463470" in text


# --- problems become warnings ---------------------------------------------------------


@pytest.fixture
def problems(tmp_path: Path) -> Path:
    root = project(tmp_path, "problems")
    retracted_snapshot(root / "pubmed.json")
    return root


def test_problems_are_warnings_at_the_claims_file_lines(problems: Path) -> None:
    build = sphinx_build(problems)
    assert build.status == 0  # without -W the build carries on
    lines = build.warnings.strip().splitlines()
    assert len(lines) == 3, build.warnings
    assert lines[0].startswith("claims.yaml:6: WARNING: claim 'mir-623' cites 'wei2016', which")
    assert "is retracted" in lines[0]
    assert "retraction notice PMID 30683838" in lines[0]
    assert lines[0].endswith("[evidence.retracted]")
    assert lines[1] == (
        "claims.yaml:8: WARNING: claim 'nothing-cited' cites no study; add a citation if "
        "one backs it [evidence.uncited]"
    )
    assert lines[2].startswith("claims.yaml:13: WARNING: claim 'typo' cites 'nosuchkey'")
    assert lines[2].endswith("[evidence.unresolved]")

    page = Page(evidence_part(build.html("index")))
    # The retracted study is shown, flagged, and does not count.
    assert page.row("mir-623")[2] == "insufficient"
    wei = next(row for row in page.table("Evidence") if row[1].startswith("Wei 2016"))
    assert wei[9].startswith("does not count: retracted")
    assert page.row("nothing-cited")[2] == "uncited"
    assert page.row("typo")[2] == "unresolved"
    assert any(row[1] == "nosuchkey (unknown key)" for row in page.rows if len(row) > 1)


def test_dash_w_makes_them_fatal_and_suppress_warnings_silences_each(problems: Path) -> None:
    failed = sphinx_build(problems, warningiserror=True)
    assert failed.status == 1
    assert "[evidence." in failed.warnings

    some = sphinx_build(problems, suppress_warnings=["evidence.uncited"])
    assert "[evidence.uncited]" not in some.warnings
    assert "[evidence.retracted]" in some.warnings
    assert "[evidence.unresolved]" in some.warnings

    silenced = ["evidence.uncited", "evidence.unresolved", "evidence.retracted"]
    clean = sphinx_build(problems, warningiserror=True, suppress_warnings=silenced)
    assert clean.status == 0, clean.warnings
    assert clean.warnings == ""
    # The whole type goes at once too.
    assert sphinx_build(problems, suppress_warnings=["evidence"]).warnings == ""


def test_a_bib_that_disagrees_with_pubmed_is_a_mismatch(problems: Path) -> None:
    bib = problems / "refs.bib"
    bib.write_text(bib.read_text().replace("{2016}", "{2015}"))
    build = sphinx_build(problems, suppress_warnings=["evidence.uncited", "evidence.unresolved"])
    mismatch = [line for line in build.warnings.splitlines() if "[evidence.mismatch]" in line]
    assert len(mismatch) == 1
    assert mismatch[0].startswith("refs.bib:1: WARNING: 'wei2016' disagrees with PubMed 27685632")
    assert "year" in mismatch[0]


def test_unusable_inputs_are_located_warnings_not_crashes(tmp_path: Path) -> None:
    root = project(tmp_path, "seed")
    (root / "claims.yaml").write_text("claims:\n  - id: x\n    text: [unclosed\n")
    (root / "index.rst").write_text(
        "Seed\n====\n\n.. toctree::\n\n   myst\n\n.. evidence-table:: claims.yaml\n"
        "   :snapshot: missing.json\n\n.. evidence-table:: nowhere.yaml\n"
    )
    build = sphinx_build(root)
    assert build.status == 0
    lines = [line for line in build.warnings.splitlines() if "[evidence.input]" in line]
    assert "claims.yaml:4: WARNING: invalid YAML: expected ',' or ']'" in lines[0]
    # A file with no line to point at: the directive's line, naming the file.
    assert lines[1].startswith(
        "index.rst:11: WARNING: nowhere.yaml: cannot read the claims file: No such file"
    )
    assert "could not be built" in build.html("index")


def test_options_choose_claims_columns_and_layout(tmp_path: Path) -> None:
    root = project(tmp_path, "problems")
    (root / "index.rst").write_text(
        "Options\n=======\n\n"
        ".. evidence-table:: claims.yaml\n   :claims: typo, nothing-cited\n"
        "   :hide-columns: certainty, contradicted-by\n   :title:\n\n"
        ".. evidence-table:: claims.yaml\n   :claims: no-such-claim\n   :tags: no-such-tag\n"
        "   :hide-columns: colour\n   :layout: summary\n"
    )
    build = sphinx_build(root, evidence_snapshot=None)
    page = Page(evidence_part(build.html("index")))
    claims = page.table("Claims")
    assert claims[0] == ["ID", "Claim", "Verdict", "Supported by", "n"]
    assert [row[0] for row in claims[1:]] == ["nothing-cited", "typo"]  # file order
    option = [line for line in build.warnings.splitlines() if "[evidence.option]" in line]
    assert len(option) == 3, build.warnings
    assert option[0].startswith("index.rst:9: WARNING: no claim with id 'no-such-claim'")
    assert "the ids are: mir-623, nothing-cited, typo" in option[0]
    assert "no claim has the tag 'no-such-tag'" in option[1]
    assert "no column named colour; the columns are: id, claim, verdict" in option[2]
    # The second table is a summary of no claims: no grid, no remarks, no references.
    second = build.html("index").split('class="evidence-table')[2]
    assert "<table" not in second
    assert "nosuchkey" not in second
    assert "Remarks" not in second


# --- incremental, parallel, cached --------------------------------------------------


def test_editing_the_claims_file_rebuilds_that_page_only(tmp_path: Path) -> None:
    root = project(tmp_path, "many")
    first = sphinx_build(root)
    assert sorted(name for name, _ in first.reads()) == ["a", "b", "c", "d", "index"]
    (first.outdir.parent / "read.log").unlink()

    claims = root / "a.yaml"
    claims.write_text(claims.read_text() + "  - id: added\n    text: A claim added later.\n")
    second = sphinx_build(root)
    assert [name for name, _ in second.reads()] == ["a"]
    assert "added" in second.html("a")
    assert "a.yaml:13: WARNING: claim 'added' cites no study" in second.warnings
    (second.outdir.parent / "read.log").unlink()

    bib = root / "refs.bib"  # every page's dependency
    bib.write_text(bib.read_text().replace("Pain Medicine", "Pain Med"))
    third = sphinx_build(root)
    assert sorted(name for name, _ in third.reads()) == ["a", "b", "c", "d"]
    assert "Pain Med," in third.html("b")
    (third.outdir.parent / "read.log").unlink()

    assert sphinx_build(root).reads() == []  # nothing changed, nothing read


def test_parallel_build(tmp_path: Path) -> None:
    build = sphinx_build(project(tmp_path, "many"), parallel=2)
    assert build.status == 0
    assert build.warnings == ""  # no "not safe for parallel reading" warning either
    reads = build.reads()
    assert sorted(name for name, _ in reads) == ["a", "b", "c", "d", "index"]
    assert len({pid for _, pid in reads}) >= 2  # really read in worker processes
    for name in "abcd":
        assert "Liliang 2011 [1]" in build.html(name)
    assert "Page a claims" in build.html("a")
    assert build.html("d").count('class="evidence-table') == 2


def test_inputs_are_parsed_once_per_build(tmp_path: Path) -> None:
    root = project(tmp_path, "many")
    build = sphinx_build(root)
    parses = input_cache(build.app.env).parses
    # Five tables on four pages (two on page d) read three files, each parsed once.
    assert {Path(p).name: n for p, n in parses.items()} == {
        "a.yaml": 1,
        "shared.yaml": 1,
        "refs.bib": 1,
    }
    # What is saved with the environment carries nothing parsed.
    assert pickle.loads(pickle.dumps(input_cache(build.app.env))).parses == {}


def test_cache_reparses_only_a_changed_file(tmp_path: Path) -> None:
    cache = InputCache()
    path = tmp_path / "c.yaml"
    path.write_text("claims:\n  - id: one\n    text: One.\n")
    first = cache.claims(path, "c.yaml")
    assert cache.claims(path, "c.yaml") is first
    path.write_text("claims:\n  - id: two\n    text: Two.\n")
    assert [c.id for c in cache.claims(path, "c.yaml")] == ["two"]
    assert cache.parses == {str(path): 2}


# --- beside sphinxcontrib-bibtex -------------------------------------------------------


def test_beside_sphinxcontrib_bibtex_study_names_cite_its_entries(tmp_path: Path) -> None:
    build = sphinx_build(project(tmp_path, "bibtex"))
    assert build.status == 0
    assert build.warnings == ""  # no duplicate-citation or key-not-found warning

    references = Page(build.html("references"))
    for name in ("index", "patients"):
        html = build.html(name)
        page = Page(evidence_part(html))
        assert "evidence-references" not in html  # bibtex's bibliography lists them
        cited = {text: href for href, text in page.links if href.startswith("references.html#")}
        assert set(cited) == {"LLL+11", "KSR03"}, page.links
        for href in cited.values():
            assert href.split("#")[1] in references.ids
    claim = Page(evidence_part(build.html("index"))).row("not-every-patient")
    assert claim[4] == "Liliang et al. [LLL+11]; Katz et al. [KSR03]"


def test_own_bib_beside_bibtex_keeps_its_own_reference_list(tmp_path: Path) -> None:
    root = project(tmp_path, "bibtex")
    shutil.copy(root / "refs.bib", root / "other.bib")
    (root / "patients.rst").write_text(
        "For patients\n============\n\n.. evidence-table:: claims.yaml\n   :bib: other.bib\n"
    )
    build = sphinx_build(root)
    assert build.warnings == ""
    html = build.html("patients")
    assert "evidence-references" in html
    assert "references.html#" not in html


# --- online builds ---------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[NCBIServer]:
    with NCBIServer(shared_path("fixtures", "pubmed")) as running:
        yield running


def test_online_build_fetches_through_the_configured_client(
    tmp_path: Path, server: NCBIServer
) -> None:
    root = project(tmp_path, "problems")  # no snapshot: PubMed must say it is retracted
    options = {"base_url": server.url, "email": "dev@example.org", "max_rate": 100.0}
    build = sphinx_build(
        root,
        evidence_snapshot=None,
        evidence_offline=False,
        evidence_cache=True,
        evidence_cache_dir=str(tmp_path / "cache"),
        evidence_pubmed=options,
    )
    assert "[evidence.retracted]" in build.warnings
    # One cache root for every cache (evidence.cachedir): records in <root>/pubmed.
    assert (tmp_path / "cache" / "pubmed" / "32" / "27685632.json").exists()


def test_unreachable_pubmed_is_one_warning_and_the_table_is_built(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = {"base_url": f"http://127.0.0.1:{port}/", "max_retries": 0, "timeout": 2.0}
    build = sphinx_build(
        project(tmp_path, "seed"),
        evidence_offline=False,
        evidence_pubmed=options,
        suppress_warnings=[],
    )
    unreachable = [line for line in build.warnings.splitlines() if "unreachable" in line]
    assert len(unreachable) == 2, build.warnings  # once per page that has a table
    assert re.match(r"index\.rst:8: WARNING: the table uses the \.bib data only", unreachable[0])
    assert "Liliang 2011 [1]" in build.html("index")


# --- the project's docs ----------------------------------------------------------------


def test_claims_examples_in_the_docs_load_cleanly() -> None:
    """Every YAML, JSON and CSV example on docs/claims.md is a valid claims file."""
    text = (Path(__file__).parent.parent / "docs" / "claims.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(yaml|json|text)\n(.*?)```", text, re.DOTALL)
    assert [fmt for fmt, _ in blocks] == ["yaml", "json", "text"]
    for fmt, body in blocks:
        claims = parse_claims(body, "csv" if fmt == "text" else fmt, source="docs/claims.md")
        assert claims.problems == ()
        assert claims[0].id == "sij-after-fusion"
