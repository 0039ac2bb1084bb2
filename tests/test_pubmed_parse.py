"""Tests for the PubMed response parsers against the real E-utilities responses in ../shared.

Expected values were read from the fixture files by hand (see fixtures/pubmed/SOURCES.md);
variants of a fixture (a MedlineDate, a truncated body ...) are made by editing its text
here, so each test says exactly what it changed.
"""

from __future__ import annotations

import gc
import json
import re
from pathlib import Path
from xml.etree.ElementTree import fromstring

import pytest
from conftest import FIXTURES, shared_path

from evidence.errors import PubMedResponseError
from evidence.model import AbstractSection, CommentCorrection, MeshHeading, Name, PubMedRecord
from evidence.pubmed import (
    DocSummary,
    IdConvRecord,
    find_error,
    flatten_text,
    is_rate_limit,
    parse_ecitmatch,
    parse_efetch,
    parse_esearch,
    parse_esummary,
    parse_idconv,
)


def fixture(name: str) -> bytes:
    return shared_path("fixtures", "pubmed", name).read_bytes()


def text_fixture(name: str) -> str:
    return fixture(name).decode("utf-8")


def only(name: str) -> PubMedRecord:
    records = parse_efetch(fixture(name), source=name)
    assert len(records) == 1
    return records[0]


def pt_uis(record: PubMedRecord) -> list[str]:
    return [p.ui for p in record.publication_types]


def mesh_by_name(record: PubMedRecord) -> dict[str, MeshHeading]:
    return {m.name: m for m in record.mesh}


# Empty when ../shared is absent: the parametrized tests are then skipped by pytest.
EFETCH_FIXTURES = sorted(p.name for p in (FIXTURES / "pubmed").glob("efetch_*.xml"))


# --- EFetch: one test per fixture -----------------------------------------------------------


def test_two_articles_review_with_season_and_no_abstract() -> None:
    first, second = parse_efetch(fixture("efetch_pubmed_two_articles_review_season.xml"))
    assert (first.pmid, second.pmid) == ("12091962", "9997")
    assert first.title == "The treatment of AIDS behind the walls of correctional facilities."
    assert first.abstract == ()
    assert (first.year, first.pub_date) == (1990, "1990 Spring")
    assert pt_uis(first) == ["D016428", "D016454"]
    assert first.publication_types[1].name == "Review"
    assert first.keywords == ("Health Care and Public Health", "Legal Approach")
    assert first.journal == "Social justice (San Francisco, Calif.)"
    assert first.journal_abbrev == "Soc Justice"
    assert (first.volume, first.issue, first.pages) == ("17", "1", "113-25")
    assert first.authors == (Name("Olivero", "J Michael"),)
    assert first.doi is None  # its ArticleIdList holds only the PMID
    mesh = mesh_by_name(first)
    assert mesh["Acquired Immunodeficiency Syndrome"] == MeshHeading(
        "D000163", mesh["Acquired Immunodeficiency Syndrome"].name, True
    )
    assert mesh["AIDS Serodiagnosis"].major is False
    assert first.status == "MEDLINE"

    assert (second.year, second.pub_date) == (1976, "1976 Sep 28")
    assert second.doi == "10.1016/0005-2795(76)90109-4"
    assert second.authors == (Name("Strekas", "T C"),)
    assert second.abstract[0].text.startswith("Electron paramagnetic resonance and magnetic")
    mesh = mesh_by_name(second)
    # Descriptor N with qualifier "enzymology" Y: a major topic through its qualifier.
    assert mesh["Chromatium"] == MeshHeading("D002844", "Chromatium", True, ("enzymology",))
    assert mesh["Iron"] == MeshHeading("D007501", "Iron", False, ("analysis",))


def test_structured_abstract_observational_with_italic_title() -> None:
    record = only("efetch_pubmed_structured_abstract_observational_italic_title.xml")
    assert record.pmid == "27797938"
    assert record.title == (
        "Leucocyte telomere length, genetic variants at the TERT gene region and risk of "
        "pancreatic cancer."
    )
    assert [s.label for s in record.abstract] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert {s.category for s in record.abstract} == {""}  # no NlmCategory in this file
    assert record.abstract[3] == AbstractSection(
        "Prediagnostic leucocyte telomere length and genetic variants at the TERT gene region "
        "were associated with risk of pancreatic cancer.",
        label="CONCLUSIONS",
    )
    assert "95% CI 1.07 to 2.78; ptrend=0.048). Results" in record.abstract[2].text
    assert "D064888" in pt_uis(record)
    assert (record.doi, record.pmcid) == ("10.1136/gutjnl-2016-312510", "PMC5442267")
    assert (record.year, record.pub_date) == (2017, "2017 Jun")  # Month written "06"
    assert (record.journal, record.volume, record.issue, record.pages) == (
        "Gut",
        "66",
        "6",
        "1116-1122",
    )
    # 45 RefType="Cites" entries are the reference list; only the comment is kept.
    assert record.comments_corrections == (
        CommentCorrection("CommentIn", "Gut. 2017 Jun;66(6):1", "27920200"),
    )
    assert record.keywords == ("PANCREATIC CANCER",)
    assert len(record.authors) == 22
    assert record.authors[0] == Name("Bao", "Ying")


def test_collective_name_and_mathml() -> None:
    record = only("efetch_pubmed_collective_name_mathml.xml")
    assert record.pmid == "29963580"
    assert len(record.authors) == 9
    assert record.authors[-1] == Name("Canadian Respiratory Research Network", collective=True)
    assert record.authors[0] == Name("Guo", "Fumin")
    text = record.abstract[0].text
    # MathML becomes linear text, prescripts first; the U+00A0 and U+2009 are kept.
    assert "(1)\xa0inhaled 3He/129Xe\u2009MRI ventilation and apparent diffusion" in text
    assert "(3)\xa0ultrashort echo-time 1H\u2009MRI proton density" in text
    assert "<" not in text
    assert "\n" not in text
    assert "  " not in text
    assert record.status == "PubMed-not-MEDLINE"
    assert record.mesh == ()
    assert record.doi == "10.1117/1.jmi.5.2.026002"  # 10.1117/1.JMI.5.2.026002, lower-cased
    assert record.pmcid == "PMC6022861"
    assert (record.pub_date, record.pages) == ("2018 Apr", "026002")
    assert record.journal_abbrev == "J Med Imaging (Bellingham)"


def test_rct_with_labelled_categories_collective_author_and_comments() -> None:
    record = only("efetch_pubmed_rct_structured_abstract.xml")
    assert record.pmid == "23121403"
    assert record.title == "Low-dose aspirin for preventing recurrent venous thromboembolism."
    assert pt_uis(record) == ["D016428", "D016448", "D016449", "D013485"]
    assert record.publication_types[2].name == "Randomized Controlled Trial"
    assert [(s.label, s.category) for s in record.abstract] == [
        ("BACKGROUND", "BACKGROUND"),
        ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"),
        ("CONCLUSIONS", "CONCLUSIONS"),
    ]
    assert record.abstract[1].text.startswith("We randomly assigned 822 patients")
    assert len(record.authors) == 13
    assert record.authors[-1] == Name("ASPIRE Investigators", collective=True)
    # The InvestigatorList (Rucci, Chacon ...) is not the author list.
    assert "Rucci" not in {a.last for a in record.authors}
    assert [c.ref_type for c in record.comments_corrections] == ["CommentIn"] * 8
    assert record.comments_corrections[0] == CommentCorrection(
        "CommentIn", "N Engl J Med. 2012 Nov 22;367(21):2039-41", "23121404"
    )
    assert (record.year, record.pub_date) == (2012, "2012 Nov 22")
    assert (record.volume, record.issue, record.pages) == ("367", "21", "1979-87")
    assert record.doi == "10.1056/nejmoa1210384"
    assert record.journal_abbrev == "N Engl J Med"
    aspirin = mesh_by_name(record)["Aspirin"]
    assert aspirin.ui == "D001241"
    assert aspirin.major  # via "administration & dosage" (Q000008, MajorTopicYN="Y")
    assert aspirin.qualifiers == ("administration & dosage", "adverse effects", "therapeutic use")
    assert mesh_by_name(record)["Female"].major is False


def test_title_inline_markup_keeps_tails_and_order() -> None:
    record = only("efetch_pubmed_title_inline_markup.xml")
    assert record.pmid == "27933116"
    assert record.title == (
        "Phoenix dactylifera mediated green synthesis of Cu2O particles for arsenite uptake "
        "from water."
    )
    assert "found that Qmax\u2009=\u200914.3\xa0mg\xa0g-1. Adsorption" in record.abstract[0].text
    assert (record.year, record.pub_date) == (2016, "2016")
    assert record.doi == "10.1080/14686996.2016.1244472"
    assert record.pmcid == "PMC5127256"
    assert "green synthesis" in record.keywords


def test_sr_ma_title_without_the_publication_type() -> None:
    record = only("efetch_pubmed_sr_ma_in_title_not_pubtype.xml")
    assert record.pmid == "29915538"
    assert "A Systematic Review and Meta-Analysis of Randomized Controlled Trials" in record.title
    assert record.publication_types == (record.publication_types[0],)
    assert pt_uis(record) == ["D016428"]
    assert record.abstract[0].text.startswith("Background: Semaglutide, a newly once-weekly")
    assert record.abstract[0].label == ""
    assert (record.doi, record.pmcid) == ("10.3389/fphar.2018.00576", "PMC5994433")
    assert (record.year, record.pub_date, record.issue, record.pages) == (2018, "2018", "", "576")


def test_reference_list_dois_are_never_taken() -> None:
    body = text_fixture("efetch_pubmed_sr_ma_in_title_not_pubtype.xml")
    own = '<ArticleId IdType="doi">10.3389/fphar.2018.00576</ArticleId>'
    eloc = '<ELocationID EIdType="doi" ValidYN="Y">10.3389/fphar.2018.00576</ELocationID>'
    assert body.count(own) == 1
    assert body.count(eloc) == 1
    assert '<ArticleId IdType="doi">10.2337/dc17-0417</ArticleId>' in body  # a cited paper

    # Without the PubmedData DOI, the ELocationID DOI is the fallback.
    assert parse_efetch(body.replace(own, ""))[0].doi == "10.3389/fphar.2018.00576"
    # Without both, there is no DOI, although the ReferenceList is full of them.
    assert parse_efetch(body.replace(own, "").replace(eloc, ""))[0].doi is None

    inline = text_fixture("efetch_pubmed_title_inline_markup.xml")
    own = '<ArticleId IdType="doi">10.1080/14686996.2016.1244472</ArticleId>'
    assert inline.count(own) == 1
    assert parse_efetch(inline.replace(own, ""))[0].doi is None


def test_retracted_publication_and_its_notice() -> None:
    retracted = only("efetch_pubmed_retracted_publication.xml")
    notice = only("efetch_pubmed_retraction_notice.xml")

    assert retracted.pmid == "27685632"
    assert "D016441" in pt_uis(retracted)
    assert retracted.comments_corrections == (
        CommentCorrection("ErratumIn", "Cell Death Dis. 2018 Aug 6;9(8):829", "30082717"),
        CommentCorrection("RetractionIn", "Cell Death Dis. 2019 Jan 25;10(2):60", "30683838"),
    )
    assert (retracted.year, retracted.pub_date) == (2016, "2016 Sep 29")  # Month "09"
    assert (retracted.doi, retracted.pmcid) == ("10.1038/cddis.2016.260", "PMC5059863")
    assert retracted.authors[1] == Name("Zhang", "Zun-Yi")
    assert retracted.pages == "e2388"

    assert notice.pmid == "30683838"
    assert notice.title.startswith("Retraction Note: Hsa-miR-623")
    assert pt_uis(notice) == ["D016425", "D016440"]
    assert notice.comments_corrections == (
        CommentCorrection("RetractionOf", "Cell Death Dis. 2016 Sep 29;7(9):e2388", "27685632"),
    )
    assert notice.status == "In-Data-Review"
    assert notice.pub_date == "2019 Jan 25"
    # The two point at each other by PMID.
    assert retracted.comments_corrections[1].pmid == notice.pmid
    assert notice.comments_corrections[0].pmid == retracted.pmid


def test_book_article() -> None:
    record = only("efetch_pubmed_book_article_genereviews.xml")
    assert (record.pmid, record.kind) == ("20301577", "book")
    assert record.title == "CACNA1C-Related Disorders"  # the chapter, <i> flattened
    assert record.journal == "GeneReviews\u00ae"  # the book, <sup>&#xae;</sup> kept as text
    assert record.authors == (Name("Napolitano", "Carlo"), Name("Priori", "Silvia G"))
    assert len(record.editors) == 6
    assert record.editors[0] == Name("Adam", "Margaret P")
    assert record.publisher == "University of Washington, Seattle"
    assert record.publisher_location == "Seattle (WA)"
    assert record.book_accession == "NBK1403"
    assert (record.year, record.pub_date) == (1993, "1993")
    assert [s.label for s in record.abstract] == [
        "CLINICAL CHARACTERISTICS",
        "DIAGNOSIS/TESTING",
        "MANAGEMENT",
        "GENETIC COUNSELING",
    ]
    # The section starts with markup: its text must not be lost.
    assert record.abstract[2].text.startswith(
        "Treatment of manifestations: Beta-blockers (nadolol preferred)"
    )
    assert "(see CredibleMeds\u00ae); drugs" in record.abstract[2].text
    assert record.publication_types[0].ui == "D016454"
    assert record.keywords.count("Timothy Syndrome") == 1  # listed twice in the file
    assert record.keywords[-1] == "CACNA1C-Related Disorders"
    assert record.languages == ("eng",)
    assert (record.doi, record.pmcid, record.status) == (None, None, "")


def test_empty_set_gives_no_records() -> None:
    assert parse_efetch(fixture("efetch_pubmed_empty_set.xml")) == []


def test_non_ascii_names_from_character_references() -> None:
    record = only("efetch_pubmed_nonascii_names.xml")
    assert record.pmid == "35067114"
    assert record.title.startswith("AC-2020-12-1420.R1 - HIV care providers' familiarity")
    assert record.authors[0] == Name("Mart\u00ednez-Cajas", "Jorge")
    assert record.authors[2] == Name("Mart\u00ednez-Buitrago", "Ernesto")
    assert record.authors[-1] == Name("Mueses-Mar\u00edn", "H\u00e9ctor")
    assert len(record.authors[-1].first) == 6  # one precomposed é, not e + combining accent
    assert record.doi == "10.1080/09540121.2022.2029813"
    assert (record.pub_date, record.volume, record.issue) == ("2022 Nov", "34", "11")
    hiv = mesh_by_name(record)["HIV Infections"]
    assert hiv == MeshHeading(
        "D015658", "HIV Infections", True, ("prevention & control", "drug therapy")
    )
    assert "(> 50%)" in record.abstract[0].text  # &gt; decoded


def test_meta_analysis_with_season_range() -> None:
    record = only("efetch_pubmed_meta_analysis_season_range.xml")
    assert record.pmid == "35830032"
    assert (record.year, record.pub_date) == (2022, "2022 Apr-Jun")
    assert pt_uis(record) == ["D016428", "D017418", "D016454"]
    assert record.title == "SAFETY OF LONG-TERM PROTON PUMP INHIBITORS: FACTS AND MYTHS."
    assert (record.abstract[-1].label, record.abstract[-1].category) == (
        "CONCLUSION",
        "CONCLUSIONS",
    )
    assert record.abstract[-1].text.startswith("The key to mitigate adverse effects")
    assert record.doi == "10.1590/s0004-2803.202202000-40"
    assert record.authors[0] == Name("Chinzon", "Decio")


def test_case_report_mesh_qualifiers() -> None:
    record = only("efetch_pubmed_case_report_no_abstract.xml")
    assert record.pmid == "219391"
    assert pt_uis(record) == ["D002363", "D016428"]
    assert record.publication_types[0].name == "Case Reports"
    assert (record.year, record.pub_date) == (1979, "1979 Feb")
    # SOURCES.md says "No Abstract element", but this copy of the record has one.
    assert len(record.abstract) == 1
    assert record.abstract[0].text.startswith("Peripheral blood and bone marrow")
    mesh = mesh_by_name(record)
    assert mesh["Lipidoses"] == MeshHeading("D008064", "Lipidoses", True, ("blood", "pathology"))
    assert mesh["Blood Cells"].major is True
    assert mesh["Astrocytes"] == MeshHeading("D001253", "Astrocytes", False, ("ultrastructure",))
    assert record.journal == "Neuropadiatrie"
    assert len(record.authors) == 5


@pytest.mark.parametrize("name", EFETCH_FIXTURES)
def test_every_efetch_record_round_trips_through_a_dict(name: str) -> None:
    records = parse_efetch(fixture(name))
    for record in records:
        data = json.loads(json.dumps(record.to_dict()))
        assert PubMedRecord.from_dict(data) == record


@pytest.mark.parametrize("name", EFETCH_FIXTURES)
def test_text_and_bytes_give_the_same_records(name: str) -> None:
    assert parse_efetch(text_fixture(name)) == parse_efetch(fixture(name))


def test_efetch_fixtures_are_all_found() -> None:
    # Guards the parametrized tests above against silently running on no files.
    folder = shared_path("fixtures", "pubmed")
    assert len(EFETCH_FIXTURES) == len(list(folder.glob("efetch_*.xml"))) == 13


# --- EFetch: variants made from the fixtures -----------------------------------------------

CASE_REPORT_DATE = "<PubDate><Year>1979</Year><Month>Feb</Month></PubDate>"


@pytest.mark.parametrize(
    ("pub_date", "year", "display"),
    [
        ("<MedlineDate>1998 Dec-1999 Jan</MedlineDate>", 1998, "1998 Dec-1999 Jan"),
        ("<MedlineDate>1984 Jul-Aug</MedlineDate>", 1984, "1984 Jul-Aug"),
        ("<Year>2011</Year><Month>4</Month><Day>05</Day>", 2011, "2011 Apr 5"),
        ("<Year>2011</Year><Month>April</Month>", 2011, "2011 Apr"),
        ("<Year>2003</Year><Season>Nov-Dec</Season>", 2003, "2003 Nov-Dec"),
        ("<Year>2003</Year>", 2003, "2003"),
    ],
)
def test_every_pub_date_form(pub_date: str, year: int, display: str) -> None:
    body = text_fixture("efetch_pubmed_case_report_no_abstract.xml")
    assert CASE_REPORT_DATE in body
    record = parse_efetch(body.replace(CASE_REPORT_DATE, f"<PubDate>{pub_date}</PubDate>"))[0]
    assert (record.year, record.pub_date) == (year, display)


def test_electronic_date_when_the_pub_date_is_empty() -> None:
    body = text_fixture("efetch_pubmed_nonascii_names.xml")
    pub_date = "<PubDate><Year>2022</Year><Month>Nov</Month></PubDate>"
    assert pub_date in body
    assert '<ArticleDate DateType="Electronic"><Year>2022</Year><Month>01</Month>' in body
    record = parse_efetch(body.replace(pub_date, "<PubDate/>"))[0]
    assert (record.year, record.pub_date) == (2022, "2022 Jan 22")


def test_incomplete_author_list_initials_only_suffix_and_invalid_names() -> None:
    body = text_fixture("efetch_pubmed_case_report_no_abstract.xml")
    authors = re.search(r"<AuthorList CompleteYN=\"Y\">.*?</AuthorList>", body)
    assert authors is not None
    replacement = (
        '<AuthorList CompleteYN="N">'
        "<Author><LastName>Olivero</LastName><Initials>JM</Initials><Suffix>Jr</Suffix></Author>"
        '<Author ValidYN="N"><LastName>Nakno</LastName><ForeName>T</ForeName></Author>'
        "<Author><CollectiveName>ASPIRE\n        Investigators </CollectiveName></Author>"
        "</AuthorList>"
    )
    record = parse_efetch(body.replace(authors.group(), replacement))[0]
    assert record.authors_complete is False
    assert record.authors == (
        Name("Olivero", "J M", jr="Jr"),
        Name("ASPIRE Investigators", collective=True),
    )
    assert record.authors[0].initials == "JM"


def test_body_larger_than_one_chunk_with_raw_utf8() -> None:
    # ~1.6 MB of raw UTF-8, so multi-byte characters straddle the parser's 1 MiB chunks.
    body = text_fixture("efetch_pubmed_collective_name_mathml.xml")
    start, end = body.index("<PubmedArticle>"), body.index("</PubmedArticleSet>")
    article = body[start:end]
    many = body[:start] + article * 60 + body[end:]
    assert len(many.encode("utf-8")) > 1_500_000
    records = parse_efetch(many.encode("utf-8"))
    assert len(records) == 60
    assert set(records) == {only("efetch_pubmed_collective_name_mathml.xml")}


def test_records_without_pmid_are_all_reported_with_their_lines() -> None:
    body = text_fixture("efetch_pubmed_meta_analysis_season_range.xml")
    pmid = '<PMID Version="1">35830032</PMID>'
    start = body.index("<PubmedArticle>")
    end = body.index("</PubmedArticleSet>")
    good = body[start:end].strip()
    bad = good.replace(pmid, "", 1)
    doc = body[:start] + "\n".join([good, bad, good, bad]) + "\n" + body[end:]
    with pytest.raises(PubMedResponseError) as caught:
        parse_efetch(doc, source="fetch.xml")
    problems = caught.value.problems
    assert [p.location.line for p in problems] == [5, 7]  # line 4 is the first article
    assert all(p.location.path == "fetch.xml" for p in problems)
    assert "PMID" in problems[0].message
    assert "fetch.xml:5: error:" in str(caught.value)


def test_truncated_efetch_names_the_position() -> None:
    body = fixture("efetch_pubmed_rct_structured_abstract.xml")
    with pytest.raises(PubMedResponseError) as caught:
        parse_efetch(body[: len(body) // 2], source="cut.xml")
    location = caught.value.location
    assert location is not None
    assert location.path == "cut.xml"
    assert location.line == 4  # the article is all on line 4
    assert location.column is not None
    assert location.column > 1000
    assert "PubmedArticleSet" in caught.value.message  # says what was expected
    assert str(caught.value).startswith(f"cut.xml:4:{location.column}: ")


@pytest.mark.parametrize("body", [b"", b"   \n", "not xml at all", b"<PubmedArticleSet><Pub"])
def test_unreadable_bodies_raise(body: bytes | str) -> None:
    with pytest.raises(PubMedResponseError) as caught:
        parse_efetch(body)
    assert caught.value.location is not None
    assert caught.value.location.line is not None


def test_efetch_refuses_other_roots_and_error_bodies() -> None:
    with pytest.raises(PubMedResponseError, match="eSearchResult"):
        parse_efetch(fixture("esearch_pubmed_usehistory.xml"))
    with pytest.raises(PubMedResponseError, match="Neither query_key nor id specified"):
        parse_efetch(fixture("esummary_error_missing_id.xml"))
    with pytest.raises(PubMedResponseError, match="error instead of articles: ID list is empty"):
        parse_efetch(b"<eFetchResult><ERROR>ID list is empty!</ERROR></eFetchResult>")
    with pytest.raises(PubMedResponseError) as caught:
        parse_efetch(fixture("error_rate_limit_429_body.json"))
    assert "rate limit" in caught.value.message
    assert "134.192.135.254" not in str(caught.value)


def test_garbage_collector_setting_is_restored() -> None:
    body = fixture("efetch_pubmed_case_report_no_abstract.xml")
    assert gc.isenabled()
    parse_efetch(body)
    assert gc.isenabled()
    with pytest.raises(PubMedResponseError):
        parse_efetch(b"<PubmedArticleSet><Pub")
    assert gc.isenabled()
    gc.disable()
    try:
        parse_efetch(body)
        assert not gc.isenabled()  # a caller's choice to keep it off is kept
    finally:
        gc.enable()


# --- XML safety ---------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>
<Article><ArticleTitle>&lol9;</ArticleTitle></Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>"""

QUADRATIC_BLOWUP = (
    b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY a "'
    + b"x" * 50_000
    + b'">]>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>'
    + b"<ArticleTitle>"
    + b"&a;" * 50_000
    + b"</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
)

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>
<Article><ArticleTitle>&xxe;</ArticleTitle></Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>"""


@pytest.mark.parametrize(
    ("body", "entity"),
    [(BILLION_LAUGHS, "lol"), (QUADRATIC_BLOWUP, "a"), (EXTERNAL_ENTITY, "xxe")],
    ids=["billion-laughs", "quadratic-blowup", "external-entity"],
)
def test_entity_tricks_are_refused(body: bytes, entity: str) -> None:
    with pytest.raises(PubMedResponseError) as caught:
        parse_efetch(body, source="evil.xml")
    message = caught.value.message
    assert message.startswith("refused to read the EFetch response")
    assert repr(entity) in message
    assert "root:" not in str(caught.value)  # nothing of /etc/passwd leaks into the message
    # The other parsers share the same guard.
    with pytest.raises(PubMedResponseError, match="refused"):
        parse_esearch(body.replace(b"PubmedArticleSet", b"eSearchResult"))
    assert find_error(body.replace(b"PubmedArticleSet", b"eSearchResult")) is None


def test_a_real_doctype_with_an_external_dtd_reference_is_accepted() -> None:
    body = fixture("efetch_pubmed_empty_set.xml")
    assert b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle' in body
    assert b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">' in body
    assert parse_efetch(body) == []


def test_an_external_dtd_is_never_read(tmp_path: Path) -> None:
    dtd = tmp_path / "sneaky.dtd"
    dtd.write_text('<!ENTITY secret "LEAKED-FROM-DISK">', encoding="utf-8")
    # The DTD is referenced but, as with NCBI's own DOCTYPE, not loaded; so its entity
    # stays undefined and the body cannot be read, which is the safe outcome.
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet SYSTEM "{dtd.as_uri()}">\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>&secret;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>"
    )
    with pytest.raises(PubMedResponseError) as caught:
        parse_efetch(body)
    assert "LEAKED-FROM-DISK" not in str(caught.value)
    assert "secret" in caught.value.message
    assert caught.value.location is not None
    assert caught.value.location.line == 3


# --- flatten_text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("xml", "text"),
    [
        ("<t>plain</t>", "plain"),
        ("<t><i>Lead</i> then <b>bold</b>, <u>u</u> and x<sup>2</sup>y<sub>i</sub>.</t>", None),
        ("<t>a<i>b<b>c</b>d</i>e</t>", "abcde"),
        ("<t>\n   spread\n   over  lines\t</t>", "spread over lines"),
        ("<t>keep\xa0this\u2009space</t>", "keep\xa0this\u2009space"),
        ("<t/>", ""),
    ],
)
def test_flatten_text(xml: str, text: str | None) -> None:
    expected = "Lead then bold, u and x2yi." if text is None else text
    assert flatten_text(fromstring(xml)) == expected


def test_flatten_text_of_nothing() -> None:
    assert flatten_text(None) == ""


# --- ESearch --------------------------------------------------------------------------------


def test_esearch_usehistory_xml() -> None:
    result = parse_esearch(fixture("esearch_pubmed_usehistory.xml"))
    assert result.count == 42249
    assert len(result.ids) == 100
    assert (result.ids[0], result.ids[-1]) == ("41297076", "41296368")
    assert (result.webenv, result.query_key) == ("MCID_6927d6e7fee3e90f880ec190", "1")
    assert (result.retstart, result.retmax) == (0, 100)
    assert result.query_translation.startswith('("cancer s"[All Fields] OR "cancerated"')
    assert result.query_translation.endswith("AND 2025/09/27:2025/11/26[Date - Entry]")
    assert result.phrases_not_found == ()
    assert result.warnings == ()


def test_esearch_phrase_not_found_xml() -> None:
    result = parse_esearch(fixture("esearch_pubmed_phrase_not_found.xml"))
    assert (result.count, result.ids) == (0, ())
    assert result.phrases_not_found == ("abcXYZ",)
    assert result.warnings == ("No items found.",)
    assert result.query_translation == "(abcXYZ[All Fields])"
    assert (result.webenv, result.query_key) == (None, None)


def test_phrase_not_found_with_hits_is_not_a_failure() -> None:
    body = text_fixture("esearch_pubmed_phrase_not_found.xml")
    body = body.replace("<Count>0</Count>", "<Count>2</Count>").replace(
        "<IdList/>", "<IdList><Id>111</Id><Id>222</Id></IdList>"
    )
    result = parse_esearch(body)
    assert (result.count, result.ids, result.phrases_not_found) == (2, ("111", "222"), ("abcXYZ",))


def test_esearch_doi_zero_hits_json() -> None:
    result = parse_esearch(fixture("esearch_pubmed_doi_zero_hits.json"))
    assert (result.count, result.ids) == (0, ())
    assert result.query_translation.startswith('"10.1161/CIRCGEN.118.002376"[Publisher ID] AND')
    assert result.phrases_not_found == ("Correction", "Publication")
    assert result.warnings == ("No items found.",)
    assert (result.webenv, result.query_key) == (None, None)


def test_esearch_json_with_history() -> None:
    body = json.dumps(
        {
            "esearchresult": {
                "count": "3",
                "retmax": "3",
                "retstart": "0",
                "querykey": "1",
                "webenv": "MCID_abc",
                "idlist": ["1", "2", "3"],
                "errorlist": {"phrasesnotfound": [], "fieldsnotfound": ["foo"]},
            }
        }
    )
    result = parse_esearch(body)
    assert (result.count, result.ids, result.webenv, result.query_key) == (
        3,
        ("1", "2", "3"),
        "MCID_abc",
        "1",
    )
    assert result.warnings == ("field not found: foo",)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            b"<eSearchResult><ERROR>Invalid db name specified: fleegle</ERROR></eSearchResult>",
            "Invalid db name specified: fleegle",
        ),
        # A raw newline inside the JSON string, as NCBI has been seen to send.
        (
            b'{"esearchresult": {"ERROR": "Search Backend failed: Exception:\n'
            b"'retstart' cannot be larger than 9998.\"}}",
            "'retstart' cannot be larger than 9998",
        ),
    ],
)
def test_esearch_hard_errors_raise(body: bytes, words: str) -> None:
    with pytest.raises(PubMedResponseError) as caught:
        parse_esearch(body)
    assert words in caught.value.message


def test_esearch_rate_limit_body_raises_without_the_key() -> None:
    with pytest.raises(PubMedResponseError) as caught:
        parse_esearch(fixture("error_rate_limit_429_body.json"))
    assert "rate limit" in caught.value.message
    assert "134.192.135.254" not in str(caught.value)


def test_esearch_truncated_json_names_the_position() -> None:
    body = fixture("esearch_pubmed_doi_zero_hits.json")[:300]
    with pytest.raises(PubMedResponseError) as caught:
        parse_esearch(body, source="search.json")
    assert caught.value.location is not None
    assert caught.value.location.path == "search.json"
    assert caught.value.location.line is not None


# --- ECitMatch ------------------------------------------------------------------------------


def test_ecitmatch_found_and_invalid_journal() -> None:
    text = text_fixture("ecitmatch_found_and_invalid_journal.txt")
    assert parse_ecitmatch(text) == {"Art1": "2014248", "ref2": None, "Art4": "31978945"}
    # Joined by key, not by position: the same answer in another order.
    reordered = "\n".join(reversed(text.splitlines()))
    assert parse_ecitmatch(reordered) == parse_ecitmatch(text)
    assert parse_ecitmatch(fixture("ecitmatch_found_and_invalid_journal.txt")) == parse_ecitmatch(
        text
    )


def test_ecitmatch_other_misses_are_none() -> None:
    text = "j|2000|1|1|a b|k1|AMBIGUOUS\r\nj|2000|1|1|a b|k2|\nj|2000|1|1|a b|k3|123\n\n"
    assert parse_ecitmatch(text) == {"k1": None, "k2": None, "k3": "123"}


def test_ecitmatch_bad_lines_are_all_reported() -> None:
    text = "j|2000|1|1|a|ok|1\nnonsense\nj|2000|1|1|a|ok|2\n"
    with pytest.raises(PubMedResponseError) as caught:
        parse_ecitmatch(text, source="citmatch.txt")
    assert [p.location.line for p in caught.value.problems] == [2, 3]
    assert [p.code for p in caught.value.problems] == ["bad-line", "duplicate-key"]


# --- find_error and is_rate_limit -----------------------------------------------------------

NORMAL_BODIES = [
    *EFETCH_FIXTURES,
    "esearch_pubmed_usehistory.xml",
    "esearch_pubmed_phrase_not_found.xml",
    "esearch_pubmed_doi_zero_hits.json",
    "esummary_pubmed_docsum_v1.xml",
    "esummary_pubmed_documentsummary_v2.xml",
    "esummary_pubmed_collective_author.json",
    "idconv_pmcid_versions.xml",
    "elink_pubmed_neighbor.xml",
    "ecitmatch_found_and_invalid_journal.txt",
]


@pytest.mark.parametrize("name", NORMAL_BODIES)
def test_normal_bodies_are_not_errors(name: str) -> None:
    assert find_error(fixture(name)) is None
    assert find_error(text_fixture(name)) is None
    assert is_rate_limit(fixture(name)) is False


def test_rate_limit_body() -> None:
    body = fixture("error_rate_limit_429_body.json")
    assert b'"api-key":"134.192.135.254"' in body
    for form in (body, body.decode("utf-8")):
        message = find_error(form)
        assert message is not None
        assert "rate limit" in message.lower()
        assert "134.192.135.254" not in message
        assert "api-key" not in message
        assert "17" in message
        assert "limit 3" in message
        assert is_rate_limit(form) is True


def test_esummary_error_body() -> None:
    message = find_error(fixture("esummary_error_missing_id.xml"))
    assert message is not None
    assert "Neither query_key nor id specified" in message
    assert "ESummary" in message
    assert is_rate_limit(fixture("esummary_error_missing_id.xml")) is False


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (
            b"<ePostResult><ERROR>Invalid db name specified: nothing</ERROR></ePostResult>",
            "nothing",
        ),
        (
            b"<eFetchResult><ERROR>Empty ID list; Nothing to store</ERROR></eFetchResult>",
            "Empty ID",
        ),
        (
            b"<eSearchResult><ERROR>Invalid db name specified: fleegle</ERROR></eSearchResult>",
            "fleegle",
        ),
        (
            b'{"header":{"type":"esummary"},"esummaryresult":["Empty id list - nothing todo"]}',
            "Empty id",
        ),
        (
            b'{"header":{"type":"esummary"},"error":"Too many UIDs in request. Maximum number '
            b'of UIDs is 500 for JSON format output."}',
            "Too many UIDs",
        ),
        (b'{"esearchresult":{"ERROR":"Invalid db name"}}', "Invalid db name"),
        (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head></html>", "HTML"),
    ],
)
def test_error_shapes(body: bytes, words: str) -> None:
    message = find_error(body)
    assert message is not None
    assert words in message
    assert is_rate_limit(body) is False


# --- ESummary -------------------------------------------------------------------------------


def test_esummary_json_with_collective_author() -> None:
    (summary,) = parse_esummary(fixture("esummary_pubmed_collective_author.json"))
    assert summary.pmid == "38054408"
    assert summary.title.startswith("Recommendations for risk allele evidence curation")
    assert len(summary.authors) == 28
    assert summary.authors[0] == Name("Schmidt", "R J")
    assert summary.authors[20] == Name("Schilit", "S L P")
    assert summary.authors[-1] == Name(
        "ClinGen Low Penetrance/Risk Allele Working Group", collective=True
    )
    assert (summary.doi, summary.pmcid) == ("10.1016/j.gim.2023.101036", "PMC10939896")
    assert (summary.pub_date, summary.year) == ("2024 Mar", 2024)
    assert (summary.volume, summary.issue, summary.pages) == ("26", "3", "101036")
    assert summary.journal == "Genet Med"
    assert summary.publication_types == ("Journal Article", "Research Support, N.I.H., Extramural")
    assert summary.languages == ("eng",)
    assert summary.error is None


def test_esummary_xml_v1() -> None:
    first, second = parse_esummary(fixture("esummary_pubmed_docsum_v1.xml"))
    assert first == DocSummary(
        pmid="11850928",
        title="Zirconium granuloma following treatment of rhus dermatitis.",
        authors=(Name("LoPresti", "P J"), Name("Hambrick", "G W", jr="Jr")),
        journal="Arch Dermatol",
        journal_full="Archives of dermatology",
        pub_date="1965 Aug",
        year=1965,
        volume="92",
        issue="2",
        pages="188-91",
        publication_types=("Journal Article",),
        languages=("English",),
    )
    assert second.pmid == "11482001"
    assert second.publication_types == ("Journal Article", "Review")
    assert len(second.authors) == 3


def test_esummary_xml_v2() -> None:
    first, second = parse_esummary(fixture("esummary_pubmed_documentsummary_v2.xml"))
    assert (first.pmid, first.doi, first.pmcid) == ("5683731", "10.1038/sc.1968.18", None)
    assert first.authors == (Name("Goldberg", "M J"), Name("Davis", "L J"))
    assert (first.title, first.pub_date, first.pages) == (
        "An assistive device for smoking.",
        "1968 Aug",
        "103-5",
    )
    assert (second.pmid, second.doi, second.pmcid) == (
        "22144687",
        "10.1093/nar/gkr1202",
        "PMC3245039",
    )
    assert (second.issue, second.year, second.languages) == ("Database issue", 2012, ("eng",))
    assert second.authors[1] == Name("Karsch-Mizrachi", "I")


def test_esummary_errors() -> None:
    with pytest.raises(PubMedResponseError, match="Neither query_key nor id specified"):
        parse_esummary(fixture("esummary_error_missing_id.xml"))
    per_uid = json.dumps(
        {
            "result": {
                "uids": ["99999999"],
                "99999999": {"uid": "99999999", "error": "cannot get document summary"},
            }
        }
    )
    assert parse_esummary(per_uid) == [
        DocSummary(pmid="99999999", error="cannot get document summary")
    ]


# --- PMC ID converter -----------------------------------------------------------------------


def test_idconv_xml() -> None:
    assert parse_idconv(fixture("idconv_pmcid_versions.xml")) == [
        IdConvRecord(
            requested_id="PMC3479421",
            pmid="22676651",
            pmcid="PMC3479421",
            doi="10.1186/1750-1172-7-35",
        )
    ]


def test_idconv_json_with_a_miss() -> None:
    body = json.dumps(
        {
            "status": "ok",
            "records": [
                {
                    "requested-id": "PMC3531190",
                    "pmcid": "PMC3531190",
                    "pmid": 23193287,
                    "doi": "10.1093/NAR/gks1195",
                },
                {"requested-id": "10.1000/nope", "status": "error", "errmsg": "invalid article id"},
            ],
        }
    )
    found, missed = parse_idconv(body)
    assert found == IdConvRecord("PMC3531190", "23193287", "PMC3531190", "10.1093/nar/gks1195")
    assert missed == IdConvRecord("10.1000/nope", error="invalid article id")
