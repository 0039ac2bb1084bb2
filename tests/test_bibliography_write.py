"""Writing references back out (evidence.bibliography.write): BibTeX and CSL-JSON that read
back to the same references, for every real export we have; enrichment from PubMed that
fills gaps and never overrides; atomic files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, shared_path
from hypothesis import given
from hypothesis import strategies as st

from evidence.bibliography import (
    Bibliography,
    enrich,
    format_bibtex,
    format_csl_json,
    load_bibliography,
    parse_csl_json,
    parse_references,
    write_bibliography,
)
from evidence.errors import OutputError
from evidence.model import Name, PubMedRecord, Reference

EXPORTS = [
    ("refs", "cslj__deep-rules__references.json"),
    ("refs", "cslj__rephetio-manuscript__references.json"),
    ("refs", "enxml__Reflib-EndNoteXML__endnote-sm.xml"),
    ("refs", "nbib__Reflib-EndNoteXML__medline-cancer.nbib"),
    ("refs", "nbib__biblatex-csl-converter__pubmed.nbib"),
    ("refs", "ris__CiteSource__WoS_79.ris"),
    ("refs", "ris__CiteSource__medline_84.ris"),
    ("refs", "ris__synthesisr__Ovid_ris_example.ris"),
    ("manuscripts", "deep-review", "output", "references.json"),
]


def _essentials(bib: Bibliography) -> dict[str, tuple[object, ...]]:
    return {
        key: (
            ref.entry_type if ref.entry_type != "misc" else "",
            ref.title,
            tuple((n.von, n.last, n.first, n.jr, n.collective) for n in ref.authors),
            ref.authors_complete,
            ref.year,
            ref.month,
            ref.journal,
            ref.volume,
            ref.number,
            ref.pages,
            ref.pmid,
            ref.doi,
            ref.pmcid,
        )
        for key, ref in bib.items()
    }


@pytest.mark.parametrize("parts", EXPORTS, ids=lambda p: p[-1])
def test_real_exports_read_back_the_same_from_bibtex_and_csl_json(
    parts: tuple[str, ...],
) -> None:
    bib = load_bibliography(shared_path("fixtures", *parts))
    expected = _essentials(bib)
    as_bibtex = parse_references(format_bibtex(bib.values()), source="out.bib")
    assert as_bibtex.problems == ()
    got = _essentials(as_bibtex)
    # BibTeX has no "misc"-vs-type distinction to lose; everything else must be equal.
    assert got == expected
    as_csl = parse_csl_json(format_csl_json(bib.values()), source="out.json")
    assert as_csl.problems == ()
    assert _essentials(as_csl) == expected
    abstracts = sum(1 for r in bib.values() if r.abstract)
    assert sum(1 for r in as_csl.values() if r.abstract) == abstracts


def test_a_bibtex_library_keeps_its_fields_as_written() -> None:
    bib = load_bibliography(ROOT / "references.bib", cache=False)
    text = format_bibtex(bib.values())
    assert "pages = {565--570}" in text
    assert "month = {April}" in text  # as the reader kept it (the macro apr, expanded)
    assert "and others}" in text
    assert "design = {prospective cohort}" in text
    again = parse_references(text)
    assert _essentials(again) == _essentials(bib)
    assert again["liliang2011"].fields == bib["liliang2011"].fields


def test_enrichment_fills_gaps_and_never_overrides() -> None:
    bib = load_bibliography(ROOT / "references.bib", cache=False)
    records = {
        "katz2003": PubMedRecord(
            "12571491",
            "The sacroiliac joint: a potential cause of pain after lumbar fusion to the sacrum.",
            authors=(Name("Katz", "V"),),
            journal="Journal of spinal disorders & techniques",
            journal_abbrev="J Spinal Disord Tech",
            year=2003,
            pub_date="2003 Feb",
            volume="16",
            issue="1",
            pages="96-9",
            doi="10.1097/00024720-200302000-00015",
        ),
        "liliang2011": PubMedRecord("21463470", "A different title", journal="Other"),
    }
    katz = enrich(bib["katz2003"], records["katz2003"])
    assert (katz.journal, katz.volume, katz.number, katz.pages, katz.month) == (
        "Journal of spinal disorders & techniques",
        "16",
        "1",
        "96-9",
        2,
    )
    assert katz.doi == "10.1097/00024720-200302000-00015"
    assert katz.fields["shortjournal"] == "J Spinal Disord Tech"
    assert [a.first for a in katz.authors] == ["Victor", "Jerome", "James"]  # kept
    liliang = enrich(bib["liliang2011"], records["liliang2011"])
    assert liliang == bib["liliang2011"]  # it had all of that already
    assert enrich(bib["katz2003"], None) is bib["katz2003"]
    text = format_bibtex(bib.values(), records)
    assert "journal = {Journal of spinal disorders \\& techniques}" in text
    assert "doi = {10.1097/00024720-200302000-00015}" in text
    items = json.loads(format_csl_json(bib.values(), records))
    assert items[1]["container-title-short"] == "J Spinal Disord Tech"
    assert items[1]["DOI"] == "10.1097/00024720-200302000-00015"


def test_keys_bibtex_cannot_hold_are_renamed_with_a_comment() -> None:
    refs = [
        Reference("url:http://x.org/a b", "misc", title="Web page"),
        Reference("url:http://x.org/a_b", "misc", title="Another"),
    ]
    text = format_bibtex(refs)
    bib = parse_references(text)
    assert list(bib) == ["url:http://x.org/a_b", "url:http://x.org/a_b-2"]
    assert "% evidence: key 'url:http://x.org/a b' is written as 'url:http://x.org/a_b'" in text


def test_files_are_written_atomically_in_the_format_their_name_says(tmp_path: Path) -> None:
    bib = load_bibliography(ROOT / "references.bib", cache=False)
    write_bibliography(bib.values(), tmp_path / "out.json")
    assert [i["id"] for i in json.loads((tmp_path / "out.json").read_text())] == list(bib)
    write_bibliography(bib.values(), tmp_path / "out.txt", format="bibtex")
    assert list(parse_references((tmp_path / "out.txt").read_text())) == list(bib)
    with pytest.raises(OutputError, match="cannot tell which format"):
        write_bibliography(bib.values(), tmp_path / "out.ris")
    with pytest.raises(OutputError) as caught:
        write_bibliography(bib.values(), tmp_path / "missing" / "out.bib")
    assert caught.value.location is not None
    assert not (tmp_path / "missing").exists()


# Text that a reference manager could hold in a title or a name: LaTeX specials, doubled
# hyphens and quotes, Unicode. (Backslash, ~, ^ and private-use characters are left out:
# the BibTeX reader's decoder drops \textbackslash{}, turns ~ into a space and uses
# private-use characters itself, which a writer cannot undo.)
TEXT = (
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co", "Zl", "Zp")).filter(
            lambda c: c not in "\\~^" and not c.isspace()
        )
        | st.sampled_from([" ", "-", "`", "'", "{", "}", "%", "&", "$", "#", "_", ","]),
        min_size=1,
        max_size=25,
    )
    .map(lambda t: " ".join(t.split()))
    .filter(bool)
)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@given(TEXT, TEXT)
def test_any_title_and_journal_survive_a_round_trip(title: str, journal: str) -> None:
    ref = Reference("k", "article", title=title, journal=journal, year=2020)
    text = format_bibtex([ref])
    back = parse_references(text)
    assert back.problems == ()
    if _balanced(title) and _balanced(journal):
        # (A lone brace is written \textbraceleft{}, which LaTeX prints but the BibTeX
        # reader's decoder does not know yet.)
        assert (back["k"].title, back["k"].journal) == (title, journal)
    csl = parse_csl_json(format_csl_json([ref]))["k"]
    assert (csl.title, csl.journal) == (title, journal)
