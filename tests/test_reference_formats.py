"""The CSL-JSON, RIS, MEDLINE and EndNote XML readers and format detection.

Real exports (../shared/fixtures/refs, the CSL-JSON of ../shared/fixtures/manuscripts):
every record counted here independently of the readers (``TY  -`` lines, ``PMID-``
lines, the JSON array's length, ``<record>`` elements) is loaded or reported, and every
PMID and DOI the file holds comes through. Then the dirt each exporter writes, one small
case each, and one library written in three formats giving the same references and the
same evidence table.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, shared_path

from evidence import build_table, load_claims
from evidence.bibliography import (
    BIBLIOGRAPHY_FORMATS,
    Bibliography,
    detect_format,
    load_bibliography,
    merge_bibliographies,
    parse_bibliography,
    parse_csl_json,
    parse_endnote_xml,
    parse_medline,
    parse_ris,
)
from evidence.errors import BibliographyError, Severity

REFS = ("fixtures", "refs")


def _refs(name: str) -> Path:
    return shared_path(*REFS, name)


# --- independent counts of the real files ------------------------------------------------------


def _ris_truth(text: str) -> tuple[int, set[str], set[str]]:
    """Records, PMIDs and DOIs of a RIS file, read with plain regular expressions."""
    records = len(re.findall(r"(?m)^\ufeff?TY  -", text))
    dois = {
        re.sub(r"^https?://(dx\.)?doi\.org/", "", m).strip().lower()
        for m in re.findall(r"(?m)^DO  - (.+)$", text)
    }
    # Ovid MEDLINE puts the PMID only in its links: ``D=medp ... AN=39012781``.
    pmids = set(re.findall(r"(?m)^L2  - .*[?&]D=(?:med|prem)\w*&.*AN=(\d+)", text))
    return records, pmids, dois


def _medline_truth(text: str) -> tuple[int, set[str], set[str]]:
    pmids = set(re.findall(r"(?m)^PMID- (\d+)", text))
    dois = {d.lower() for d in re.findall(r"(?m)^(?:LID|AID) - (\S+) \[doi\]", text)}
    return len(re.findall(r"(?m)^PMID-", text)), pmids, dois


def _csl_truth(text: str) -> tuple[int, set[str], set[str]]:
    items = json.loads(text)
    pmids = {str(i["PMID"]) for i in items if i.get("PMID")}
    dois = {str(i["DOI"]).lower() for i in items if i.get("DOI")}
    return len(items), pmids, dois


def _endnote_truth(text: str) -> tuple[int, set[str], set[str]]:
    pmids = set(re.findall(r"<accession-num><style[^>]*>(\d+)</style>", text))
    dois = set(re.findall(r"<electronic-resource-num><style[^>]*>([^<]+)<", text))
    return text.count("<record>"), pmids, {d.lower() for d in dois}


TRUTH = {
    "ris": _ris_truth,
    "nbib": _medline_truth,
    "cslj": _csl_truth,
    "enxml": _endnote_truth,
}
FIXTURES = [
    "cslj__deep-rules__references.json",
    "cslj__rephetio-manuscript__references.json",
    "enxml__Reflib-EndNoteXML__endnote-sm.xml",
    "nbib__Reflib-EndNoteXML__medline-cancer.nbib",
    "nbib__biblatex-csl-converter__pubmed.nbib",
    "ris__CiteSource__WoS_79.ris",
    "ris__CiteSource__medline_84.ris",
    "ris__synthesisr__Ovid_ris_example.ris",
]
EXPECTED_FORMAT = {
    "cslj": "csl-json",
    "enxml": "endnote-xml",
    "nbib": "medline",
    "ris": "ris",
}


def _check_against_truth(path: Path, truth: tuple[int, set[str], set[str]]) -> Bibliography:
    bib = load_bibliography(path)
    records, pmids, dois = truth
    assert records > 0
    assert len(bib) + len(bib.not_loaded) == records, bib.problems
    for problem in bib.problems:
        assert problem.location.path == str(path)
        assert problem.location.line is not None
        assert problem.location.line >= 1
    loaded_pmids = {r.pmid for r in bib.values() if r.pmid}
    loaded_dois = {r.doi for r in bib.values() if r.doi}
    assert pmids <= loaded_pmids, sorted(pmids - loaded_pmids)[:5]
    assert dois <= loaded_dois, sorted(dois - loaded_dois)[:5]
    for ref in bib.values():
        assert ref.location is not None
        assert ref.location.path == str(path)
        assert ref.location.line is not None
    return bib


def test_the_fixture_list_is_complete() -> None:
    folder = shared_path(*REFS)
    assert sorted(p.name for p in folder.iterdir() if p.name != "SOURCES.md") == FIXTURES


@pytest.mark.parametrize("name", FIXTURES)
def test_every_record_of_a_real_export_is_loaded_or_reported(name: str) -> None:
    path = _refs(name)
    text = path.read_text(encoding="utf-8")
    kind = name.split("__")[0]
    assert detect_format(text, name=name) == EXPECTED_FORMAT[kind]
    bib = _check_against_truth(path, TRUTH[kind](text))
    assert len(set(bib)) == len(bib)  # keys unique
    assert all(re.fullmatch(r"\S+", key) for key in bib)


@pytest.mark.parametrize(
    "parts",
    [
        ("manuscripts", "deep-review", "content", "manual-references.json"),
        ("manuscripts", "deep-review", "output", "references.json"),
    ],
)
def test_manuscript_csl_json_loads_whole(parts: tuple[str, ...]) -> None:
    path = shared_path("fixtures", *parts)
    text = path.read_text(encoding="utf-8")
    bib = _check_against_truth(path, _csl_truth(text))
    items = json.loads(text)
    # The CSL id is the citation key, as pandoc and Manubot cite it.
    assert list(bib) == [str(i["id"]) for i in items]
    # HTML in titles is read as text.
    assert not any("<i>" in r.title or "<sup>" in r.title for r in bib.values())


def test_medline_keeps_every_author_and_abstract() -> None:
    path = _refs("nbib__Reflib-EndNoteXML__medline-cancer.nbib")
    text = path.read_text(encoding="utf-8")
    bib = load_bibliography(path)
    assert sum(len(r.authors) for r in bib.values()) == len(re.findall(r"(?m)^FAU - ", text))
    assert sum(1 for r in bib.values() if r.abstract) == len(re.findall(r"(?m)^AB  - ", text))
    first = bib["marfia2016prognostic"]
    assert first.pmid == "27236861"
    assert first.doi == "10.1002/cam4.747"
    assert first.fields["shortjournal"] == "Cancer Med"
    assert first.title.startswith("Prognostic value of preoperative von Willebrand factor")
    assert "patients with Glioblastoma" in first.title  # the wrapped line is joined


def test_web_of_science_bare_carriage_returns_split_tags() -> None:
    path = _refs("ris__CiteSource__WoS_79.ris")
    bib = load_bibliography(path)
    first = next(iter(bib.values()))
    assert first.title.startswith("Marital Status and Problem Gambling")
    assert first.fields["issn"] == "0714-9808, 1710-1107"
    assert first.fields["shortjournal"] == "Can. J. Aging-Rev. Can. Vieil."
    assert "AD  -" not in " ".join(first.fields.values())


def test_ovid_medline_pmids_come_from_the_links_only() -> None:
    bib = load_bibliography(_refs("ris__CiteSource__medline_84.ris"))
    ref = bib["zhang2024short"]
    assert (ref.pmid, ref.doi) == ("39012781", "10.2337/dc24-0703")
    assert ref.number == ""  # "IS  - eag, 7805975" is Ovid's journal code, not an issue
    # CAB Abstracts accession numbers in Ovid links are not PMIDs.
    cab = load_bibliography(_refs("ris__synthesisr__Ovid_ris_example.ris"))
    assert not any(r.pmid for r in cab.values())
    assert cab["holmstrom2020detection"].doi == "10.4236/ojf.2020.101008"


def test_endnote_x9_styles_are_read_as_text() -> None:
    bib = load_bibliography(_refs("enxml__Reflib-EndNoteXML__endnote-sm.xml"))
    ref = bib["blicherttoft1990situ"]
    assert ref.authors[0].last == "Blichert-Toft"
    assert (ref.journal, ref.fields["shortjournal"]) == (
        "Acta Chirurgica Scandinavica",
        "Acta Chir Scand",
    )
    assert (ref.year, ref.month, ref.pmid, ref.pages) == (1990, 2, "2158737", "113\u20139")
    assert ref.abstract.startswith("There is a disparity")
    # The file is one line: records are told apart by their column.
    columns = [r.location.column for r in bib.values() if r.location]
    assert columns == sorted(columns)
    assert len(set(columns)) == len(bib)


# --- RIS dirt -----------------------------------------------------------------------------------


def test_ris_line_endings_and_byte_order_mark(tmp_path: Path) -> None:
    body = "TY  - JOUR\nTI  - First\nAU  - Smith, J\nER  - \n\nTY  - JOUR\nTI  - Second\nER  - \n"
    for ending in ("\n", "\r\n", "\r"):
        path = tmp_path / f"lib{len(ending)}{ending == chr(13)}.ris"
        path.write_bytes(b"\xef\xbb\xbf" + body.replace("\n", ending).encode())
        bib = load_bibliography(path)
        assert [r.title for r in bib.values()] == ["First", "Second"], ending
        assert [r.location.line for r in bib.values() if r.location] == [1, 6]
        assert bib.problems == ()


def test_ris_dates_issns_and_numbered_records() -> None:
    text = (
        "1.\nTY  - JOUR\nTI  - Mendeley date\nPY  - 2019\nDA  - 2019/09//undefined\n"
        "SN  - 1526-2375 1526-4637\nER  - \n\n"
        "Link to the Ovid Full Text or citation: http://ovidsp.example/\n\n"
        "2.\nTY  - JOUR\nTI  - Ovid date\nY1  - 2020//\nDA  - 2024///\nER  -\n"
    )
    bib = parse_ris(text)
    first, second = bib.values()
    assert (first.year, first.month) == (2019, 9)
    assert first.fields["issn"] == "1526-2375, 1526-4637"
    assert (second.year, second.month) == (2020, None)
    assert len(bib) == 2
    assert bib.problems == ()


def test_ris_records_without_er_or_ty_are_kept_and_reported() -> None:
    text = "TI  - No type\nER  - \nTY  - JOUR\nTI  - No end\nTY  - JOUR\nTI  - Last\n"
    bib = parse_ris(text, source="x.ris")
    assert [r.title for r in bib.values()] == ["No type", "No end", "Last"]
    codes = [(p.code, p.location.line) for p in bib.problems]
    assert codes == [("missing-type", 1), ("unclosed-record", 3), ("unclosed-record", 5)]
    assert bib["anonndno"].entry_type == "misc"


def test_ris_empty_and_duplicate_records_are_reported_not_loaded() -> None:
    text = (
        "TY  - JOUR\nER  - \n"
        "TY  - JOUR\nID  - smith2020\nTI  - A\nER  - \n"
        "TY  - JOUR\nID  - Smith2020\nTI  - B\nER  - \n"
    )
    bib = parse_ris(text, source="x.ris")
    assert list(bib) == ["smith2020"]
    assert [(p.code, p.location.line) for p in bib.not_loaded] == [
        ("empty-record", 1),
        ("duplicate-key", 7),
    ]
    assert len(bib) + len(bib.not_loaded) == text.count("TY  -")


def test_ris_identifiers_are_checked_and_normalised() -> None:
    text = (
        "TY  - JOUR\nTI  - T\nDO  - https://doi.org/10.1/ABC\nDO  - 10.1/other\n"
        "AN  - 12345\nDB  - PubMed\nL2  - http://ovidsp.ovid.com/ovidweb.cgi?D=med&AN=999\n"
        "N1  - PMCID: PMC42\nER  - \n"
        "TY  - JOUR\nTI  - U\nDO  - not a doi\nER  - \n"
    )
    bib = parse_ris(text)
    first, second = bib.values()
    assert (first.doi, first.pmid, first.pmcid) == ("10.1/abc", "12345", "PMC42")
    assert first.fields["doi"] == "10.1/abc"
    assert second.doi is None
    assert [p.code for p in bib.problems] == ["conflicting-identifier", "bad-identifier"]
    assert all(p.severity is Severity.WARNING for p in bib.problems)


def test_ris_citation_keys_from_id_and_made_keys_are_unique() -> None:
    text = (
        "TY  - JOUR\nAU  - Müller, Hans\nTI  - The pain study\nPY  - 2011\nER  - \n"
        "TY  - JOUR\nAU  - Muller, H\nTI  - Pain study again\nPY  - 2011\nER  - \n"
        "TY  - JOUR\nID  - muller2011pain\nTI  - Given key\nER  - \n"
        "TY  - JOUR\nID  - 20203152553\nTI  - Accession number\nER  - \n"
    )
    bib = parse_ris(text)
    assert list(bib) == [
        "muller2011pain-2",
        "muller2011pain-3",
        "muller2011pain",
        "anonndaccession",
    ]
    assert bib["anonndaccession"].fields["ris_id"] == "20203152553"
    # The same text gives the same keys (keys depend on content and order only).
    assert list(parse_ris(text)) == list(bib)


# --- CSL-JSON dirt ------------------------------------------------------------


def test_csl_json_years_names_titles() -> None:
    text = json.dumps(
        [
            {
                "id": "a",
                "type": "article-journal",
                "title": "<i>E. coli</i> in <span class='nocase'>mRNA</span> &amp; H<sub>2</sub>O",
                "issued": {"date-parts": [["2019", "3"]]},
                "author": [
                    {"family": "Maas", "given": "M.", "non-dropping-particle": "van der"},
                    {"literal": "Alexander Ratner"},
                    {"literal": "The Gene Ontology Consortium"},
                    {"literal": "others"},
                ],
                "page": "565-570",
                "container-title-short": "J Ex",
            },
            {"id": "b", "type": "webpage", "URL": "https://example.org/page"},
            {"id": "c", "issued": {"raw": "2015-07"}, "title": "Raw date"},
            {"id": "d", "issued": "2016", "title": "EDTF string"},
        ]
    )
    bib = parse_csl_json(text, source="refs.json")
    a = bib["a"]
    assert a.title == "E. coli in mRNA & H2O"
    assert (a.year, a.month, a.pages, a.fields["shortjournal"]) == (2019, 3, "565\u2013570", "J Ex")
    assert [(n.von, n.last, n.collective) for n in a.authors] == [
        ("van der", "Maas", False),
        ("", "Ratner", False),
        ("", "The Gene Ontology Consortium", True),
    ]
    assert not a.authors_complete
    assert bib["b"].year is None
    assert bib["b"].fields["url"] == "https://example.org/page"
    assert (bib["c"].year, bib["c"].month) == (2015, 7)
    assert bib["d"].year == 2016
    assert bib.problems == ()


def test_csl_json_bad_items_are_reported_with_their_line() -> None:
    text = (
        '[\n  {"id": "a", "title": "A"},\n  "stray string",\n  {"id": "A", "title": "dup"},\n'
        '  {"title": "no id", "issued": {"date-parts": "soon"}},\n  {"id": "e"}\n]'
    )
    bib = parse_csl_json(text, source="refs.json")
    assert list(bib) == ["a", "anonndno"]
    problems = [(p.code, p.location.line) for p in bib.problems]
    assert problems == [
        ("empty-record", 3),
        ("duplicate-key", 4),
        ("missing-key", 5),
        ("bad-date", 5),
        ("empty-record", 6),
    ]
    assert len(bib) + len(bib.not_loaded) == len(json.loads(text))


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[\n  {"id": "a",}\n]', "refs.json:2:"),
        ('{"not": "an item list"} extra', "refs.json:1:"),
        ("[1, 2", "refs.json:1:"),
        ("<xml/>", None),
    ],
)
def test_csl_json_that_is_not_json_is_one_located_error(text: str, where: str | None) -> None:
    if where is None:
        with pytest.raises(BibliographyError, match="array of items"):
            parse_csl_json(text, source="refs.json")
        return
    with pytest.raises(BibliographyError) as caught:
        parse_csl_json(text, source="refs.json")
    assert str(caught.value).startswith(where)


# --- MEDLINE and EndNote XML dirt ---------------------------------------------------------------


def test_medline_authors_groups_and_identifiers() -> None:
    text = (
        "PMID- 100\nTI  - A title that wraps\n      onto a second line.\nDP  - 2011 Apr-Jun\n"
        "FAU - Liliang, Po-Chou\nAU  - Liliang PC\nAD  - Somewhere\nAU  - Lu K\n"
        "CN  - SI Study Group\nLID - S0000(11)1 [pii]\nLID - 10.1/X [doi]\nAID - 10.1/x [doi]\n"
        "PMC - PMC7\nPT  - Journal Article\nPT  - Randomized Controlled Trial\n"
        "PMID- 101\nTI  - Next record, no blank line\n"
    )
    bib = parse_medline(text, source="p.txt")
    first, second = bib.values()
    assert first.title == "A title that wraps onto a second line."
    assert [(n.last, n.first, n.collective) for n in first.authors] == [
        ("Liliang", "Po-Chou", False),
        ("Lu", "K.", False),
        ("SI Study Group", "", True),
    ]
    assert (first.year, first.month, first.doi, first.pmcid) == (2011, 4, "10.1/x", "PMC7")
    assert first.fields["publication_type"] == "Journal Article; Randomized Controlled Trial"
    assert second.pmid == "101"
    assert second.location is not None
    assert second.location.line == 16
    assert bib.problems == ()


MENDELEY_XML = """<?xml version="1.0" encoding="UTF-8"?>
<xml><records>
<record><database name="My Collection.enl">My Collection.enl</database>
<ref-type>17</ref-type>
<contributors><authors><author>Katz, Victor</author><author>World Health Organization,</author>
</authors></contributors>
<titles><title>The sacroiliac joint</title><secondary-title>J Spinal Disord Tech</secondary-title>
</titles><dates><year>2003</year></dates>
<electronic-resource-num>10.1097/00024720-200302000-00015</electronic-resource-num>
<remote-database-name>Embase</remote-database-name><accession-num>12345678</accession-num>
</record>
<record><ref-type name="Book Section">5</ref-type><titles><title>A chapter</title>
<secondary-title>The book</secondary-title></titles>
<notes>PMID: 555</notes></record>
</records></xml>"""


def test_endnote_xml_mendeley_flavour() -> None:
    bib = parse_endnote_xml(MENDELEY_XML, source="lib.xml")
    katz, chapter = bib.values()
    assert [(n.last, n.collective) for n in katz.authors] == [
        ("Katz", False),
        ("World Health Organization", True),
    ]
    assert katz.doi == "10.1097/00024720-200302000-00015"
    assert katz.pmid is None  # an Embase accession number is no PMID
    assert katz.location is not None
    assert katz.location.line == 3
    assert (chapter.entry_type, chapter.fields["booktitle"], chapter.pmid) == (
        "incollection",
        "The book",
        "555",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<xml><records><record>", "not well-formed"),
        ('<!DOCTYPE x [<!ENTITY a "b">]><xml><records/></xml>', "refused"),
        ("<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>", "not an EndNote XML"),
    ],
)
def test_endnote_xml_that_cannot_be_read_is_one_located_error(text: str, message: str) -> None:
    with pytest.raises(BibliographyError, match=message) as caught:
        parse_endnote_xml(text, source="lib.xml")
    assert caught.value.location is not None
    assert caught.value.location.path == "lib.xml"


# --- detection ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\ufeffTY  - JOUR\nER  - \n", "ris"),
        ("1.\n\nTY  - JOUR\nER  -\n", "ris"),
        ("\nPMID- 1\nTI  - x\n", "medline"),
        ("% a comment\n@Article{k, title={T}}\n", "bibtex"),
        ("@comment{TY  - JOUR}\n@article{k,\n abstract={\nTY  - JOUR}}\n", "bibtex"),
        (' \n[{"id": "k"}]', "csl-json"),
        ('{\n  "id": "k"}', "csl-json"),
        ("<?xml version='1.0'?><xml><records/></xml>", "endnote-xml"),
        ("just some text\n", None),
    ],
)
def test_format_is_read_from_the_content(text: str, expected: str | None) -> None:
    assert detect_format(text, name="library.bib") == expected


def test_extension_is_only_a_hint(tmp_path: Path) -> None:
    misnamed = tmp_path / "export.bib"
    misnamed.write_text("TY  - JOUR\nTI  - RIS in a .bib\nER  - \n", encoding="utf-8")
    assert [r.title for r in load_bibliography(misnamed).values()] == ["RIS in a .bib"]
    pubmed = tmp_path / "pubmed-result.txt"
    pubmed.write_text("PMID- 21463470\nTI  - From PubMed\n", encoding="utf-8")
    assert load_bibliography(pubmed)["anonndpubmed"].pmid == "21463470"
    empty = tmp_path / "empty.ris"
    empty.write_text("\n\n", encoding="utf-8")
    assert len(load_bibliography(empty)) == 0


def test_utf16_exports_are_read_whatever_the_format(tmp_path: Path) -> None:
    for name, text in (
        ("lib.bib", "@article{k, title = {T\u00e9}}\n"),
        ("lib.ris", "TY  - JOUR\r\nID  - k\r\nTI  - T\u00e9\r\nER  - \r\n"),
    ):
        path = tmp_path / name
        path.write_bytes(text.encode("utf-16"))  # with its byte-order mark, as Windows writes
        assert load_bibliography(path, cache=False)["k"].title == "T\u00e9"


def test_a_file_in_no_format_is_a_located_error_naming_the_formats(tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text("\n\nDear editor, here are my references\n", encoding="utf-8")
    with pytest.raises(BibliographyError) as caught:
        load_bibliography(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:3: not a bibliography")
    for name in ("BibTeX", "CSL-JSON", "RIS", "MEDLINE", "EndNote XML"):
        assert name in message
    with pytest.raises(BibliographyError, match="unknown bibliography format"):
        parse_bibliography("", format="word")


def test_format_can_be_given_and_strict_raises_every_problem() -> None:
    text = "TY  - JOUR\nTI  - A\nDO  - nope\nER  - \n"
    assert len(parse_bibliography(text, format="RIS")) == 1
    with pytest.raises(BibliographyError) as caught:
        parse_bibliography(text, strict=True, source="s.ris")
    assert [p.code for p in caught.value.problems] == ["bad-identifier"]
    assert set(BIBLIOGRAPHY_FORMATS) == {"bibtex", "csl-json", "ris", "medline", "endnote-xml"}


def test_encoding_errors_are_located_and_another_encoding_can_be_given(tmp_path: Path) -> None:
    path = tmp_path / "endnote.ris"
    path.write_bytes("TY  - JOUR\nTI  - Caf\u00e9\nER  - \n".encode("cp1252"))
    with pytest.raises(BibliographyError) as caught:
        load_bibliography(path)
    assert str(caught.value).startswith(f"{path}:2:")
    assert load_bibliography(path, encoding="cp1252")["anonndcafe"].title == "Caf\u00e9"


# --- one library, three formats -------------------------------------------------------------------

LIBRARY_BIB = r"""
@article{liliang2011,
  author  = {Liliang, P. C. and Lu, K. and Liang, C. L. and Tsai, Y. D. and others},
  title   = {Sacroiliac joint pain after lumbar and lumbosacral fusion: findings using dual
             sacroiliac joint blocks},
  journal = {Pain Medicine}, year = {2011}, month = apr,
  volume  = {12}, number = {4}, pages = {565--570},
  doi     = {10.1111/j.1526-4637.2011.01087.x}, pmid = {21463470},
}
@article{katz2003,
  author = {Katz, Victor and Schofferman, Jerome and Reynolds, James},
  title  = {The sacroiliac joint: a potential cause of pain after lumbar fusion to the sacrum},
  year   = {2003}, pmid = {12571491},
}
@article{marfia2016,
  author  = {Marfia, Giovanni and Navone, Stefania Elena},
  title   = {Prognostic value of preoperative von {Willebrand} factor plasma levels in
             patients with {Glioblastoma}},
  journal = {Cancer Medicine}, year = {2016}, month = may,
  doi     = {10.1002/cam4.747}, pmid = {27236861},
}
"""

LIBRARY_CSL = [
    {
        "id": "liliang2011",
        "type": "article-journal",
        "author": [
            {"family": "Liliang", "given": "P. C."},
            {"family": "Lu", "given": "K."},
            {"family": "Liang", "given": "C. L."},
            {"family": "Tsai", "given": "Y. D."},
            {"literal": "others"},
        ],
        "title": "Sacroiliac joint pain after lumbar and lumbosacral fusion: findings using "
        "dual sacroiliac joint blocks",
        "container-title": "Pain Medicine",
        "issued": {"date-parts": [[2011, 4]]},
        "volume": "12",
        "issue": "4",
        "page": "565-570",
        "DOI": "10.1111/j.1526-4637.2011.01087.x",
        "PMID": "21463470",
    },
    {
        "id": "katz2003",
        "type": "article-journal",
        "author": [
            {"family": "Katz", "given": "Victor"},
            {"family": "Schofferman", "given": "Jerome"},
            {"family": "Reynolds", "given": "James"},
        ],
        "title": "The sacroiliac joint: a potential cause of pain after lumbar fusion to the "
        "sacrum",
        "issued": {"date-parts": [["2003"]]},
        "PMID": "12571491",
    },
    {
        "id": "marfia2016",
        "type": "article-journal",
        "author": [
            {"family": "Marfia", "given": "Giovanni"},
            {"family": "Navone", "given": "Stefania Elena"},
        ],
        "title": "Prognostic value of preoperative von Willebrand factor plasma levels in "
        "patients with <span class='nocase'>Glioblastoma</span>",
        "container-title": "Cancer Medicine",
        "issued": {"date-parts": [[2016, 5]]},
        "URL": "https://doi.org/10.1002/cam4.747",
        "PMID": "27236861",
    },
]

LIBRARY_RIS = "\r\n".join(
    [
        "TY  - JOUR",
        "ID  - liliang2011",
        "AU  - Liliang, P. C.",
        "AU  - Lu, K.",
        "AU  - Liang, C. L.",
        "AU  - Tsai, Y. D.",
        "AU  - et al.",
        "TI  - Sacroiliac joint pain after lumbar and lumbosacral fusion: findings using dual "
        "sacroiliac joint blocks",
        "T2  - Pain Medicine",
        "PY  - 2011",
        "DA  - 2011/04//",
        "VL  - 12",
        "IS  - 4",
        "SP  - 565",
        "EP  - 570",
        "DO  - 10.1111/j.1526-4637.2011.01087.x",
        "AN  - 21463470",
        "DB  - PubMed",
        "ER  - ",
        "",
        "TY  - JOUR",
        "ID  - katz2003",
        "AU  - Katz, Victor",
        "AU  - Schofferman, Jerome",
        "AU  - Reynolds, James",
        "TI  - The sacroiliac joint: a potential cause of pain after lumbar fusion to the sacrum",
        "PY  - 2003",
        "N1  - PMID: 12571491",
        "ER  - ",
        "",
        "TY  - JOUR",
        "ID  - marfia2016",
        "AU  - Marfia, Giovanni",
        "AU  - Navone, Stefania Elena",
        "TI  - Prognostic value of preoperative von Willebrand factor plasma levels in "
        "patients with Glioblastoma",
        "JF  - Cancer Medicine",
        "Y1  - 2016/05/28",
        "UR  - https://pubmed.ncbi.nlm.nih.gov/27236861/",
        "DO  - https://doi.org/10.1002/CAM4.747",
        "ER  - ",
        "",
    ]
)


def _three_formats(tmp_path: Path) -> dict[str, Bibliography]:
    files = {
        "bibtex": ("library.bib", LIBRARY_BIB),
        "csl-json": ("library.json", json.dumps(LIBRARY_CSL, indent=2)),
        "ris": ("library.ris", LIBRARY_RIS),
    }
    out = {}
    for fmt, (name, text) in files.items():
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8"))
        bib = load_bibliography(path, cache=False)
        assert bib.problems == (), bib.problems
        assert detect_format(text) == fmt
        out[fmt] = bib
    return out


def _essentials(bib: Bibliography) -> dict[str, tuple[object, ...]]:
    return {
        key: (
            ref.entry_type,
            ref.title,
            tuple((n.last, n.initials, n.collective) for n in ref.authors),
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


def test_one_library_in_three_formats_gives_the_same_references(tmp_path: Path) -> None:
    bibs = _three_formats(tmp_path)
    expected = _essentials(bibs["bibtex"])
    assert list(expected) == ["liliang2011", "katz2003", "marfia2016"]
    assert expected["liliang2011"][3] is False  # "and others" read as et al.
    for fmt in ("csl-json", "ris"):
        assert _essentials(bibs[fmt]) == expected, fmt


def test_one_library_in_three_formats_gives_the_same_table(tmp_path: Path) -> None:
    bibs = _three_formats(tmp_path)
    claims = load_claims(ROOT / "docs" / "examples" / "sacroiliac.yaml")
    tables = {fmt: build_table(claims, bib) for fmt, bib in bibs.items()}
    reference = tables["bibtex"]
    assert len(reference.evidence) > 0
    for fmt in ("csl-json", "ris"):
        pd.testing.assert_frame_equal(tables[fmt].claims, reference.claims)
        pd.testing.assert_frame_equal(tables[fmt].evidence, reference.evidence)
        assert [str(r.message) for r in tables[fmt].remarks] == [
            str(r.message) for r in reference.remarks
        ]


# --- several files at once ------------------------------------------------------------------


def test_merged_bibliographies_report_the_same_work_with_both_locations(tmp_path: Path) -> None:
    bibs = _three_formats(tmp_path)
    extra = parse_medline(
        "PMID- 21463470\nTI  - Sacroiliac joint pain after lumbar fusion.\nDP  - 2011\n"
        "FAU - Liliang, Po-Chou\n",
        source="pubmed.nbib",
    )
    other = parse_csl_json('[{"id": "KATZ2003", "title": "Another work", "PMID": "1"}]')
    merged = merge_bibliographies([bibs["bibtex"], bibs["ris"], extra, other])
    assert list(merged) == ["liliang2011", "katz2003", "marfia2016", "liliang2011sacroiliac"]
    codes = [(p.code, p.location.path.rsplit("/", 1)[-1], p.location.line) for p in merged.problems]
    assert codes == [
        ("duplicate-work", "library.ris", 1),
        ("duplicate-work", "library.ris", 21),
        ("duplicate-work", "library.ris", 31),
        ("same-work", "pubmed.nbib", 1),
        ("duplicate-key", "<string>", 1),
    ]
    assert "library.bib:2" in merged.problems[0].message
    assert "'liliang2011'" in merged.problems[3].message
    records = sum(len(b) + len(b.not_loaded) for b in (bibs["bibtex"], bibs["ris"], extra, other))
    assert len(merged) + len(merged.not_loaded) == records
    assert merge_bibliographies([extra]) is extra
