"""Manubot and pandoc: identifier keys, tag aliases, cross-references, CSL-JSON."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from evidence import extract_claims
from evidence.extract import load_csl_library
from evidence.model import Reference

ROOT = Path(__file__).resolve().parent.parent
REVIEW = ROOT.parent / "shared" / "fixtures" / "manuscripts" / "deep-review"
needs_review = pytest.mark.skipif(
    not REVIEW.is_dir(),
    reason="the deep-review manuscript (../shared/fixtures/manuscripts/deep-review) is absent",
)
CONTENT = sorted((REVIEW / "content").glob("*.md")) if REVIEW.is_dir() else []
_KEY = re.compile(r"(?<![\w.+-])@((?:doi|pmid|pmcid|arxiv|url|tag|isbn|wikidata):[^\s;\]]+)")


def _keys_written(text: str) -> list[str]:
    """Citation keys in bracketed citations, counted by a regular expression (alias
    definition lines, cross-references and code excluded)."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    keys = []
    for bracket in re.finditer(r"\[([^\[\]\n]*@[^\[\]\n]*)\](?!:)", text):
        keys.extend(k.rstrip(".,") for k in _KEY.findall(bracket.group(1)))
    return keys


@needs_review
@pytest.mark.parametrize("path", CONTENT, ids=lambda p: p.name)
def test_every_identifier_and_tag_key_maps(path: Path) -> None:
    result = extract_claims(path, references=REVIEW / "output" / "references.json")
    written = _keys_written(path.read_text(encoding="utf-8"))
    keyed = [c for m in result.markers if m.kind == "pandoc" for c in m.cited]
    assert sorted(keyed) == sorted(written)
    census = result.census
    assert census["found"] == census["mapped"] + census["reported"]
    assert census["mapped"] >= len(written)  # every doi:/pmid:/pmcid:/tag:... key maps
    assert not any("[@" in claim.text for claim in result.claims)


@needs_review
def test_keys_map_to_the_items_manubot_chose() -> None:
    """Without citations.tsv, by identifiers and the manuscript's own tag lines alone,
    each key reaches the item Manubot resolved it to."""
    bib, aliases = load_csl_library(REVIEW / "output" / "references.json")
    assert aliases  # citations.tsv beside it was read
    with (REVIEW / "output" / "citations.tsv").open(encoding="utf-8") as handle:
        truth = {row["input_id"]: row["short_id"] for row in csv.DictReader(handle, delimiter="\t")}
    checked = 0
    for path in CONTENT:
        result = extract_claims(path, references=dict(bib))
        for marker in result.markers:
            if marker.kind != "pandoc":
                continue
            for cited in marker.cited:
                assert truth[cited] in marker.keys, cited
                checked += 1
    assert checked == 844  # SOURCES.md: 844 key occurrences


def test_identifier_keys_without_and_with_a_bibliography() -> None:
    text = (
        "Pain is common [@doi:10.1056/NEJMp1006304]. Rest helps [@pmid:123]. "
        "Heat too [@tag:heat; @url:https://example.org/a_b].\n\n"
        "[@tag:heat]: pmcid:PMC456\n"
    )
    bare = extract_claims(text)
    assert [len(c.citations) for c in bare.claims] == [1, 1, 2]
    assert bare.census["unchecked"] == 4
    refs = {
        "nejm": Reference("nejm", "article", doi="10.1056/nejmp1006304"),
        "rest": Reference("rest", "article", pmid="123"),
        "heat": Reference("heat", "article", pmcid="PMC456"),
        "web": Reference("web", "misc", fields={"url": "https://example.org/a_b"}),
    }
    result = extract_claims(text, references=refs)
    assert [[c.key for c in claim.citations] for claim in result.claims] == [
        ["nejm"],
        ["rest"],
        ["heat", "web"],
    ]
    assert result.census == {"found": 4, "mapped": 4, "unchecked": 0, "reported": 0}


def test_unknown_identifier_is_reported() -> None:
    refs = {"a": Reference("a", "article", doi="10.1/a")}
    result = extract_claims("Pain [@doi:10.1/a]. Rest [@doi:10.9/zz].", references=refs)
    assert result.census["mapped"] == 1
    assert result.census["reported"] == 1
    assert any("10.9/zz" in p.message for p in result.problems)


def test_cross_references_are_never_citations() -> None:
    text = (
        "Walking helps as [@fig:walk] shows [@katz2003]. See @tbl-results and "
        "\\@ref(fig:x) for the rest [@liliang2011].\n"
    )
    result = extract_claims(text)
    keys = [c.key for claim in result.claims for c in claim.citations]
    assert keys == ["katz2003", "liliang2011"]
    assert result.claims[0].text == "Walking helps as Figure walk shows."
    assert "@" not in result.claims[1].text.replace("\\@ref", "")


def test_latex_cite_of_a_doi_and_two_citations_in_two_sentences() -> None:
    result = extract_claims("See \\cite{10.1093/bib/bbac409}.", format="latex")
    assert [c.key for c in result.claims[0].citations] == ["10.1093/bib/bbac409"]
    both = extract_claims("X holds [@doi:10.1/a]. Y holds [@pmid:12].")
    assert [c.text for c in both.claims] == ["X holds.", "Y holds."]


def test_affiliation_marks_are_not_claims() -> None:
    front = "Jane Doe^1,2^, John Roe^2^\n\n^1^ University of Somewhere\n"
    assert extract_claims(front).census["found"] == 0


def test_csl_json_with_citations_tsv(tmp_path: Path) -> None:
    (tmp_path / "references.json").write_text(
        '[{"id": "Ab12", "type": "article-journal", "title": "Walking", "DOI": "10.1/W",'
        ' "author": [{"family": "Katz", "given": "V"}], "issued": {"date-parts": [[2003]]}},'
        ' {"title": "no id"}]',
        encoding="utf-8",
    )
    (tmp_path / "citations.tsv").write_text(
        "input_id\tdealiased_id\tstandard_id\tshort_id\ntag:walk\tdoi:10.1/w\tdoi:10.1/w\tAb12\n",
        encoding="utf-8",
    )
    bib, aliases = load_csl_library(tmp_path / "references.json")
    assert aliases == {"tag:walk": "Ab12"}
    assert bib["Ab12"].year == 2003
    assert [p.code for p in bib.problems] == ["empty-key"]
    result = extract_claims("Walking helps [@tag:walk].", references=tmp_path / "references.json")
    assert [c.key for c in result.claims[0].citations] == ["Ab12"]
