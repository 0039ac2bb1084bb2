"""Word (.docx) articles: reference-manager fields, typed citations, hostile packages."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from evidence import extract_claims
from evidence.errors import ArticleError
from evidence.extract import package

ROOT = Path(__file__).resolve().parent.parent
DOCX = ROOT.parent / "shared" / "fixtures" / "docx"
needs_fixtures = pytest.mark.skipif(
    not DOCX.is_dir(), reason="the shared .docx fixtures (../shared/fixtures/docx) are absent"
)

# Cited items stored in each document's fields, as counted by the fixture collector's own
# script (SOURCES.md: "cite refs"; EndNote records held in w:fldData appear there once for
# the outer EN.CITE field and once for its nested EN.CITE.DATA field, so those are halved),
# plus the typed citations the documents also hold (bracket groups expanded by hand).
STORED = {
    "zotero__pandoc__zotero_citations.docx": 4,
    "mendeley__pandoc__mendeley_citations.docx": 4,
    "citavi__pandoc__sdt_in_footnote.docx": 1,
    "zotero__ContraceptionPaper__ContraceptionManuscript.docx": 3,
    "mendeley__TILDA_multisensory_cognitive__Manuscript.docx": 56 + 1,
    "endnote__Kp_phage_resistance__Supplementary_Information.docx": 15 + 126 // 2,
    "endnote__PhD_Notebook__AIGS_Introduction.docx": 18 + 8 // 2,
    "endnote__Validation__Plan.docx": 4 + 6 // 2,
}


@needs_fixtures
@pytest.mark.parametrize("name", sorted(STORED))
def test_every_stored_citation_is_mapped_or_reported(name: str) -> None:
    result = extract_claims(DOCX / name)
    census = result.census
    # Every field item is mapped (the field carries its metadata); typed citations the
    # draft also holds are mapped or reported, never lost.
    assert census["found"] == census["mapped"] + census["reported"] + census["unchecked"]
    assert census["mapped"] >= STORED[name]
    assert census["found"] - STORED[name] == sum(
        1 for m in result.markers if m.kind != "pandoc" for _ in m.cited
    )


@needs_fixtures
def test_zotero_references_carry_the_embedded_metadata() -> None:
    result = extract_claims(DOCX / "zotero__pandoc__zotero_citations.docx")
    refs = {r.key: r for r in result.references}
    smith = refs["smith2013"]
    assert smith.doi == "10.1007/s00382-013-1683-2"
    assert smith.title.startswith("A comparison of full-field and anomaly initialization")
    assert smith.journal == "Climate Dynamics"
    assert smith.year == 2013
    assert [c.key for c in result.claims[1].citations] == ["boer2016", "smith2013"]
    assert result.claims[1].text == "This is a citation with two sources."


@needs_fixtures
def test_endnote_records_in_field_data_become_references() -> None:
    result = extract_claims(DOCX / "endnote__Kp_phage_resistance__Supplementary_Information.docx")
    refs = {r.key: r for r in result.references}
    fang = refs["fang2022"]
    assert (fang.doi, fang.pmid, fang.pmcid) == (
        "10.1038/s42003-022-03001-y",
        "35027665",
        "PMC8758719",
    )
    assert fang.title
    assert not result.unmapped


@needs_fixtures
def test_citavi_field_in_a_footnote_content_control() -> None:
    result = extract_claims(DOCX / "citavi__pandoc__sdt_in_footnote.docx")
    (ref,) = result.references
    assert ref.title.startswith("Dissonance in the food traceability")
    assert result.claims[0].citations[0].locator == "p. 100-105"


@needs_fixtures
def test_a_bib_given_too_is_matched_by_identifier(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text(
        "@article{Smith_Decadal,\n  title = {Other},\n  doi = {10.1007/S00382-013-1683-2},\n}\n"
    )
    result = extract_claims(DOCX / "zotero__pandoc__zotero_citations.docx", references=bib)
    assert [c.key for c in result.claims[0].citations] == ["Smith_Decadal"]


def _typed_bracket_citations(path: Path) -> int:
    """Numbers cited in typed ``[1,2]``/``[3-5]`` groups, counted from the raw
    ``word/document.xml`` with regular expressions (paragraph by paragraph)."""
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    total = 0
    for paragraph in re.findall(r"<w:p[ >].*?</w:p>", xml, re.S):
        text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", paragraph))
        for group in re.findall(r"\[(\d+(?:\s*[-\u2013,]\s*\d+)*)\]", text):
            for part in re.split(r"\s*,\s*", group):
                ends = re.split(r"\s*[-\u2013]\s*", part)
                total += int(ends[-1]) - int(ends[0]) + 1
    return total


@needs_fixtures
@pytest.mark.parametrize(
    "name",
    [
        "plain__hellp_manuscript__manuscript.docx",
        "plain__deep-rules__manuscript-e95e37a-revision.docx",
    ],
)
def test_typed_citations_and_list_map_without_a_bib(name: str) -> None:
    result = extract_claims(DOCX / name, list_references=True)
    census = result.census
    # Every typed citation is found, and nothing else (no ORCID, URL, tool name or unit).
    assert census["found"] == _typed_bracket_citations(DOCX / name)
    assert census["found"] == census["mapped"] + census["reported"]
    assert census["mapped"] >= census["found"] - 1
    assert census["listed"] == census["numbered"]
    cited = next(c for c in result.claims if c.citations)
    assert cited.citations[0].note.startswith("reference ")  # the list entry is its reference


# -- documents made here: every place text lives, and hostile packages ----------------------

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _zotero_field(title: str, doi: str) -> str:
    payload = {
        "citationItems": [
            {
                "uris": [f"http://zotero.org/users/1/items/{doi[-4:]}"],
                "itemData": {
                    "type": "article-journal",
                    "title": title,
                    "DOI": doi,
                    "author": [{"family": "Katz", "given": "V"}],
                    "issued": {"date-parts": [[2003]]},
                },
            }
        ]
    }
    instruction = " ADDIN ZOTERO_ITEM CSL_CITATION " + json.dumps(payload)
    escaped = instruction.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{escaped}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>(Katz 2003)</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def _docx(body: str, footnotes: str = "", document: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "word/document.xml",
            document or f"<w:document {_W}><w:body>{body}</w:body></w:document>",
        )
        if footnotes:
            z.writestr("word/footnotes.xml", f"<w:footnotes {_W}>{footnotes}</w:footnotes>")
    return out.getvalue()


def test_tables_insertions_content_controls_and_footnotes(tmp_path: Path) -> None:
    field = _zotero_field("Pain after fusion", "10.1/ab12")
    body = (
        "<w:p><w:r><w:t>Walking helps back pain a lot</w:t></w:r>"
        "<w:del><w:r><w:delText> never</w:delText></w:r></w:del>"
        f'<w:ins><w:r><w:t xml:space="preserve"> in adults</w:t></w:r></w:ins> {field}'
        "<w:r><w:t>.</w:t></w:r></w:p>"
        '<w:tbl><w:tr><w:tc><w:p><w:r><w:t xml:space="preserve">Cells can cite too </w:t></w:r>'
        f"<w:sdt><w:sdtContent>{_zotero_field('Other work', '10.1/cd34')}</w:sdtContent></w:sdt>"
        "<w:r><w:t>.</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    )
    note = (
        '<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">A footnote claim </w:t></w:r>'
        + _zotero_field("Pain after fusion", "10.1/ab12")
        + "<w:r><w:t>.</w:t></w:r></w:p></w:footnote>"
    )
    path = tmp_path / "a.docx"
    path.write_bytes(_docx(body, note))
    result = extract_claims(path)
    texts = [c.text for c in result.claims]
    assert texts == [
        "Walking helps back pain a lot in adults.",
        "Cells can cite too.",
        "A footnote claim.",
    ]
    assert [c.citations[0].key for c in result.claims] == ["katz2003", "katz2003a", "katz2003"]
    assert [c.location.line for c in result.claims] == [1, 2, 3]  # paragraph numbers
    assert result.census["mapped"] == 3


def test_an_unreadable_field_is_reported_and_its_text_kept(tmp_path: Path) -> None:
    broken = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        "<w:r><w:instrText> ADDIN ZOTERO_ITEM CSL_CITATION {not json</w:instrText></w:r>"
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>[1]</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    path = tmp_path / "b.docx"
    path.write_bytes(
        _docx(
            '<w:p><w:r><w:t xml:space="preserve">Pain is common </w:t></w:r>'
            f"{broken}<w:r><w:t>.</w:t></w:r></w:p>"
        )
    )
    result = extract_claims(path)
    codes = [p.code for p in result.problems]
    assert "unreadable-citation" in codes
    assert result.census["found"] == result.census["reported"] == 1  # the typed [1]


def test_an_entity_bomb_is_refused_with_its_part(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<w:document {_W}><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    path = tmp_path / "bomb.docx"
    path.write_bytes(_docx("", document=bomb))
    with pytest.raises(ArticleError) as caught:
        extract_claims(path)
    assert "bomb.docx!word/document.xml" in str(caught.value.location)
    assert "entities" in str(caught.value)


def test_a_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The cap is lowered so the test stays small; the real cap is checked the same way.
    monkeypatch.setattr(package, "MAX_PART_BYTES", 50_000)
    path = tmp_path / "zip.docx"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", f"<w:document {_W}>" + " " * 200_000 + "</w:document>")
    path.write_bytes(out.getvalue())
    with pytest.raises(ArticleError, match="zip bomb"):
        extract_claims(path)


def test_not_a_zip_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "c.docx"
    path.write_bytes(b"plain text, not a package")
    with pytest.raises(ArticleError, match="not a Word document"):
        extract_claims(path)


def test_endnote_record_in_field_data(tmp_path: Path) -> None:
    record = (
        "<EndNote><Cite><Author>Liliang</Author><Year>2011</Year><RecNum>7</RecNum>"
        "<record><rec-number>7</rec-number><contributors><authors><author>Liliang, P. C.</author>"
        "</authors></contributors><titles><title>Sacroiliac joint pain after fusion</title>"
        "<secondary-title>Spine</secondary-title></titles><dates><year>2011</year></dates>"
        "<accession-num>21289582</accession-num><electronic-resource-num>10.1097/x</electronic-resource-num>"
        "</record></Cite></EndNote>"
    )
    data = base64.b64encode(record.encode() + b"\x00").decode()
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        "<w:r><w:instrText> ADDIN EN.CITE </w:instrText></w:r>"
        f'<w:r><w:fldChar w:fldCharType="begin"><w:fldData>{data}</w:fldData></w:fldChar></w:r>'
        "<w:r><w:instrText> ADDIN EN.CITE.DATA </w:instrText></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    path = tmp_path / "e.docx"
    path.write_bytes(_docx(f"<w:p><w:r><w:t>Pain persists after fusion.</w:t></w:r>{field}</w:p>"))
    result = extract_claims(path)
    (ref,) = result.references
    assert (ref.key, ref.pmid, ref.doi, ref.title) == (
        "liliang2011",
        "21289582",
        "10.1097/x",
        "Sacroiliac joint pain after fusion",
    )
    assert result.claims[0].text == "Pain persists after fusion."


@needs_fixtures
def test_write_bib_gives_a_bib_the_table_can_use(tmp_path: Path) -> None:
    from evidence import load_references
    from evidence.claims import load_claims
    from evidence.cli import main

    name = "endnote__Kp_phage_resistance__Supplementary_Information.docx"
    claims, bib = tmp_path / "claims.yaml", tmp_path / "refs.bib"
    assert (
        main(["extract", str(DOCX / name), "--offline", "-o", str(claims), "--write-bib", str(bib)])
        == 0
    )
    references = load_references(bib)
    assert not [p for p in references.problems if p.severity == "error"]
    cited = {c.key for claim in load_claims(claims) for c in claim.citations}
    assert cited <= set(references)
    fang = references["fang2022"]
    assert (fang.doi, fang.pmid, fang.pmcid) == (
        "10.1038/s42003-022-03001-y",
        "35027665",
        "PMC8758719",
    )
    embedded = {r.key: r for r in extract_claims(DOCX / name).references}
    for key, ref in embedded.items():  # titles and names read back as the fields hold them
        assert references[key].title == ref.title
        assert [a.surname for a in references[key].authors] == [a.surname for a in ref.authors]


@needs_fixtures
@pytest.mark.parametrize("name", sorted(STORED)[:4])
def test_damaged_documents_give_claims_or_a_located_error(name: str, tmp_path: Path) -> None:
    """Bounded mutation fuzzing: byte flips and truncation of real documents (the zip's
    CRC catches most flips; damaged XML or field data must still be a located error or a
    report, never a crash)."""
    import random

    data = (DOCX / name).read_bytes()
    rng = random.Random(name)
    for trial in range(15):
        mutated = bytearray(data)
        if trial % 3 == 0:
            mutated = mutated[: rng.randrange(len(mutated))]
        elif trial % 3 == 1:
            for _ in range(rng.randint(1, 8)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        else:  # damage the XML itself and zip it again, so the CRC does not catch it
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                xml = bytearray(package.read("word/document.xml"))
            for _ in range(rng.randint(1, 20)):
                xml[rng.randrange(len(xml))] = rng.choice(b'<>&"{}[]x0 ')
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w") as package:
                package.writestr("word/document.xml", bytes(xml))
            mutated = bytearray(out.getvalue())
        path = tmp_path / f"m{trial}.docx"
        path.write_bytes(bytes(mutated))
        try:
            result = extract_claims(path)
        except ArticleError as error:
            located = error.location
        else:
            census = result.census
            assert census["found"] == census["mapped"] + census["reported"] + census["unchecked"]
            continue
        assert located is not None
        assert str(located).startswith(str(path))


def test_damaged_field_payloads_are_reported(tmp_path: Path) -> None:
    payloads = [
        " ADDIN ZOTERO_ITEM CSL_CITATION []",
        ' ADDIN ZOTERO_ITEM CSL_CITATION {"citationItems": [3]}',
        ' ADDIN CSL_CITATION {"citationItems": [{"uris": "x", "itemData": '
        '{"title": "T", "issued": 5}}]}',
        " ADDIN EN.CITE <EndNote><Cite></Cite></EndNote>",
        " ADDIN CitaviPlaceholder{" + base64.b64encode(b'{"Entries": [5]}').decode() + "}",
        " ADDIN CitaviPlaceholder{" + base64.b64encode(b"[1, 2]").decode() + "}",
    ]
    body = ""
    for instruction in payloads:
        body += (
            '<w:p><w:r><w:t xml:space="preserve">Pain is common </w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f"<w:r><w:instrText>{instruction.replace('<', '&lt;')}</w:instrText></w:r>"
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>(x)</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )
    path = tmp_path / "p.docx"
    path.write_bytes(_docx(body))
    result = extract_claims(path)
    codes = [p.code for p in result.problems]
    # The Mendeley item with odd field types still makes a reference; the rest are reported.
    assert codes.count("unreadable-citation") == 5
    assert result.census["mapped"] == 1
