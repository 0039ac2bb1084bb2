"""EndNote XML -> references: EndNote X9 (and later) and Mendeley's EndNote XML export.

:func:`parse_endnote_xml` reads the XML text (pure); :func:`load_endnote_xml` reads a file
and calls it. Both return the ``Bibliography`` the BibTeX reader
returns; keys are made from the content (see ``evidence/bibliography/_records.py``).

>>> bib = parse_endnote_xml('''<xml><records><record>
... <ref-type name="Journal Article">17</ref-type>
... <contributors><authors><author><style face="normal">Liliang, P. C.</style></author>
... </authors></contributors>
... <titles><title>Sacroiliac joint pain after lumbar fusion</title>
... <secondary-title>Pain Medicine</secondary-title></titles>
... <dates><year>2011</year><pub-dates><date>Apr</date></pub-dates></dates>
... <accession-num>21463470</accession-num>
... <electronic-resource-num>10.1111/j.1526-4637.2011.01087.x</electronic-resource-num>
... </record></records></xml>''', source="library.xml")
>>> ref = bib["liliang2011sacroiliac"]
>>> ref.journal, ref.month, ref.pmid, ref.location
('Pain Medicine', 4, '21463470', SourceLocation(path='library.xml', line=1, column=15))

Reading
=======

The XML is parsed with defusedxml (entity expansion, external entities and DTDs refused:
a library file is still input from outside), feeding a tree builder of its own that notes
where each ``<record>`` starts (line and column: EndNote writes the whole file on one
line). A file that is not well-formed XML, or has no ``<records>``, is a located
:class:`~evidence.errors.BibliographyError`. Each ``<record>`` is loaded or reported
(``empty-record``).

EndNote X9 wraps every value in ``<style face=… font=… size=…>`` (several runs when the
user formatted part of a title); Mendeley writes plain text. Both are read as the text of
the element with runs joined and white space collapsed.

Where each field comes from: type ``ref-type`` (its ``name``, or the number: 17 journal
article, 6 book, 5 book section, 10/47 conference, 27 report, 32 thesis); title
``titles/title``; journal ``periodical/full-title`` or ``titles/secondary-title``, its
abbreviation ``periodical/abbr-1`` or ``titles/alt-title``; authors
``contributors/authors``, editors ``contributors/secondary-authors``; year
``dates/year``, month ``dates/pub-dates/date``; volume, number, pages, abstract, keywords,
language, publisher, ISSN/ISBN ``isbn``; DOI ``electronic-resource-num``; PMID
``accession-num`` (when ``remote-database-name`` is absent or names PubMed or MEDLINE),
Ovid and PubMed links in ``urls``, ``PMID:`` in ``notes``; PMCID ``custom2`` (where
EndNote's PubMed import puts it) and PMC links. The record number is kept as
``fields["endnote_record"]``.
"""

from __future__ import annotations

import os
import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from evidence._gc import paused_gc
from evidence.bibliography._records import (
    WARNING,
    Bibliography,
    Collector,
    Draft,
    add_names,
    checked,
    decode,
    offer_from_text,
    offer_from_url,
    read_file,
)
from evidence.bibliography._values import page_range, parse_date
from evidence.errors import BibliographyError, SourceLocation

__all__ = ["ENDNOTE_TYPES", "load_endnote_xml", "parse_endnote_xml"]

#: EndNote reference type numbers and the BibTeX entry type each becomes.
ENDNOTE_TYPES = {
    "17": "article",
    "19": "article",  # magazine article
    "23": "article",  # newspaper article
    "6": "book",
    "28": "book",  # edited book
    "5": "incollection",
    "10": "inproceedings",
    "47": "inproceedings",
    "27": "techreport",
    "32": "phdthesis",
    "34": "unpublished",
}
_PUBMED = re.compile(r"pubmed|medline", re.IGNORECASE)
_ENCODING_DECLARATION = re.compile(r"^\s*<\?xml[^>]*?\bencoding\s*=\s*[\"'][^\"']*[\"']")


class _Builder(TreeBuilder):
    """A tree builder that notes where each ``<record>`` element starts."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: Any = None
        self.starts: dict[int, tuple[int, int]] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        if tag == "record" and self.parser is not None:
            expat = self.parser.parser
            self.starts[id(element)] = (expat.CurrentLineNumber, expat.CurrentColumnNumber + 1)
        return element


def parse_endnote_xml(text: str, *, source: str = "<string>", strict: bool = False) -> Bibliography:
    """Read EndNote XML ``text``; ``source`` names it in locations (``library.xml:1:377``).

    Raises :class:`~evidence.errors.BibliographyError` when the text is not well-formed
    XML, is refused (entities, a DTD), or has no ``<records>``. Otherwise never raises for
    bad content unless ``strict`` is true: problems are collected in ``.problems``.
    """
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    # The text is already decoded: an encoding declaration would make expat decode again.
    text = _ENCODING_DECLARATION.sub(lambda m: m.group().split("encoding")[0], text, count=1)
    try:
        with paused_gc():
            parser.feed(text)
            root = parser.close()
    except ParseError as error:
        line, column = error.position
        raise BibliographyError(
            f"not well-formed XML ({str(error).split(':')[0]}); export the library again",
            location=SourceLocation(source, line, column + 1),
        ) from None
    except DefusedXmlException as error:
        raise BibliographyError(
            f"refused: the XML has a DTD or entity declarations ({type(error).__name__}), "
            "which an EndNote export never has",
            location=SourceLocation(source),
        ) from None
    records = root.find("records") if root.tag != "records" else root
    if records is None:
        raise BibliographyError(
            f"XML whose root is <{root.tag}> with no <records>: not an EndNote XML library",
            location=SourceLocation(source, 1),
        )
    collector = Collector(source)
    with paused_gc():
        for record in records.iter("record"):
            line, column = builder.starts.get(id(record), (0, 0))
            collector.add(_draft(record, line or None, column or None, collector))
        return checked(collector.bibliography(), strict)


def load_endnote_xml(
    path: str | os.PathLike[str], *, encoding: str = "utf-8", strict: bool = False
) -> Bibliography:
    """Read the EndNote XML file at ``path`` (see :func:`parse_endnote_xml`)."""
    name, data = read_file(path)
    return parse_endnote_xml(decode(data, encoding, name), source=name, strict=strict)


def _text(element: Element | None) -> str:
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _index(record: Element) -> dict[str, list[Element]]:
    """The record's elements by path (``titles/title``), three levels deep, in one walk:
    ElementPath look-ups were a third of the read time."""
    index: dict[str, list[Element]] = {}
    stack = [(child, child.tag) for child in reversed(record)]
    while stack:
        element, path = stack.pop()
        index.setdefault(path, []).append(element)
        if path.count("/") < 2:
            stack.extend((c, f"{path}/{c.tag}") for c in reversed(element) if c.tag != "style")
    return index


def _draft(record: Element, line: int | None, column: int | None, collector: Collector) -> Draft:
    index = _index(record)

    def get(path: str) -> str:
        found = index.get(path)
        return _text(found[0]) if found else ""

    def every(path: str) -> list[str]:
        return [t for t in (_text(e) for e in index.get(path, ())) if t]

    ref_type = index.get("ref-type", [None])[0]
    number = _text(ref_type)
    name = ref_type.get("name", "") if ref_type is not None else ""
    draft = Draft(line=line, column=column, entry_type=ENDNOTE_TYPES.get(number, "misc"))
    draft.set("endnote_type", name or number)
    draft.set("endnote_record", get("rec-number"))
    draft.title = get("titles/title")
    add_names(draft, every("contributors/authors/author"))
    add_names(draft, every("contributors/secondary-authors/author"), role="editor")
    container = get("periodical/full-title") or get("titles/secondary-title")
    if draft.entry_type in ("incollection", "inproceedings"):
        draft.set("booktitle", get("titles/secondary-title") or container)
    elif draft.entry_type != "book":
        draft.journal = container
    short = get("periodical/abbr-1") or get("titles/alt-title")
    if short and short != draft.journal:
        draft.set("shortjournal", short)
    _dates(draft, get("dates/year"), get("dates/pub-dates/date"), collector)
    draft.volume = get("volume")
    draft.number = get("number")
    draft.pages = page_range(get("pages"))
    draft.abstract = get("abstract")
    for field, path in (
        ("language", "language"),
        ("publisher", "publisher"),
        ("address", "pub-location"),
        ("edition", "edition"),
        ("url", "urls/related-urls/url"),
    ):
        draft.set(field, get(path))
    issn = get("isbn")
    if issn:
        draft.set("isbn" if draft.entry_type in ("book", "incollection") else "issn", issn)
    keywords = every("keywords/keyword")
    if keywords:
        draft.set("keywords", "; ".join(keywords))
    doi = get("electronic-resource-num")
    if doi:
        draft.offer("doi", doi, "electronic-resource-num", line, strict=doi.startswith("10."))
    database = get("remote-database-name")
    for accession in every("accession-num"):
        if not database or _PUBMED.search(database):
            draft.offer("pmid", accession, "accession-num", line, strict=bool(database))
    custom2 = get("custom2")
    if custom2.upper().startswith("PMC"):
        draft.offer("pmcid", custom2, "custom2", line, strict=True)
    for url in (
        every("urls/related-urls/url") + every("urls/web-urls/url") + every("urls/text-urls/url")
    ):
        offer_from_url(draft, url, "url", line)
    offer_from_text(draft, get("notes"), "notes", line)
    return draft


def _dates(draft: Draft, year_text: str, date_text: str, collector: Collector) -> None:
    year, _, understood = parse_date(year_text)
    if year_text and not understood:
        collector.problem(
            draft.line, f"year '{year_text}' is not a year", "bad-date", WARNING, draft.column
        )
    other_year, month, understood = parse_date(date_text)
    draft.year = year if year is not None else other_year
    if understood and (other_year is None or other_year == draft.year):
        draft.month = month
