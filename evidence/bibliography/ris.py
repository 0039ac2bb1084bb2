"""RIS -> references: EndNote, Mendeley, Zotero, Ovid, Web of Science and Scopus exports.

:func:`parse_ris` reads RIS text (pure); :func:`load_ris` reads a file and calls it. Both
return the ``Bibliography`` the BibTeX reader returns; keys and
identifiers follow the rules in ``evidence/bibliography/_records.py``.

>>> bib = parse_ris('''TY  - JOUR
... AU  - Liliang, Po-Chou
... TI  - Sacroiliac joint pain after lumbar fusion
... T2  - Pain Medicine
... PY  - 2011
... DA  - 2011/04//undefined
... SP  - 565
... EP  - 570
... DO  - 10.1111/j.1526-4637.2011.01087.x
... ER  - ''', source="refs.ris")
>>> ref = bib["liliang2011sacroiliac"]
>>> ref.month, ref.pages, ref.doi, str(ref.location)
(4, '565\u2013570', '10.1111/j.1526-4637.2011.01087.x', 'refs.ris:1')

Why not rispy
=============

rispy (0.10) reads the tags faithfully, but on real exports it loses records without a
word and gives no line numbers, which the house rules forbid. Measured on the shared
fixtures and small cases: a record whose ``ER`` line is missing is merged into the next
one (its own fields lost); tags before a ``TY`` are dropped; Web of Science's bare
carriage returns between ``AD`` lines come back glued into one value (``"A\\rAD  - B"``);
nothing says where a record starts. The format itself is a line per tag, so reading it
here takes less code than repairing rispy's output, and every record keeps its line.

How a file is read
==================

* Lines end in LF, CRLF or (old Mac exports) CR. Inside a line, a bare CR before another
  tag starts a new tag on the same line number (Web of Science writes multi-valued ``AD``
  that way), so line numbers match what ``grep -n`` shows.
* A tag is two characters (a capital letter, then a capital letter or digit), two
  spaces (one is accepted), ``-``, and the value. A line without a tag inside a record
  continues the previous value. ``TY`` starts a record and ``ER`` ends it; lines between
  records (Ovid's ``1.`` numbers and "Link to the Ovid Full Text" lines) are skipped.
* Every ``TY`` is a record: it is loaded, or reported with its line (``empty-record``,
  ``duplicate-key``). A ``TY`` before the previous record's ``ER`` closes that record
  (``unclosed-record``, both loaded); so does the end of the file. Tags before any ``TY``
  start a record of type ``misc`` (``missing-type``).

Where each field comes from
===========================

title ``TI``/``T1`` (``BT`` for books); authors ``AU``/``A1``, editors ``A2``/``ED`` (and
``A3`` for books); journal ``JF``, ``T2``, ``JO``; its abbreviation ``J2``, ``JA``, ``JI``,
``J9``, ``J1``; year ``PY``/``Y1`` (or the date); month from ``DA``/``Y1``/``PY``
(``2019/09//undefined``, ``2024///``, ``SEP``); volume ``VL``; issue ``IS`` (Ovid's
``uj0, 0330500`` journal codes are not issues and are left out); pages ``SP``-``EP``;
abstract ``AB``/``N2``; ISSN/ISBN ``SN`` (every ISSN in the line is kept, comma-separated);
DOI ``DO``/``DI``/``M3`` when it is one; PMID from ``AN`` when the export names PubMed or
MEDLINE (``DB``/``DP``), from Ovid links (``AN=`` with a MEDLINE ``D=``), PubMed links and
``PMID:`` in notes; PMCID from PMC links and notes. The key is a RIS ``ID`` that looks like
a citation key (letters, no spaces: Mendeley writes one); a number there (EndNote's record
number, Ovid's accession number) is kept as ``fields["ris_id"]`` and a key is made.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

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

__all__ = ["RIS_TYPES", "load_ris", "parse_ris"]

#: RIS reference types and the BibTeX entry type each becomes (others become ``misc``).
RIS_TYPES = {
    "JOUR": "article",
    "JFULL": "article",
    "ABST": "article",
    "INPR": "article",
    "MGZN": "article",
    "NEWS": "article",
    "EJOUR": "article",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CHAP": "incollection",
    "ECHAP": "incollection",
    "CONF": "inproceedings",
    "CPAPER": "inproceedings",
    "THES": "phdthesis",
    "RPRT": "techreport",
    "UNPB": "unpublished",
}

_TAG = re.compile(r"([A-Z][A-Z0-9]) {1,2}-(?: (.*)|\s*)$")
_CITATION_KEY = re.compile(r"[^\W\d][\w:.+/-]*|\d[\w:.+/-]*[^\W\d][\w:.+/-]*")
_ISSN = re.compile(r"\b\d{4}-?\d{3}[\dXx]\b")
_NLM_JOURNAL_ID = re.compile(r"\d{7,}")
_PUBMED_DATABASE = re.compile(r"pubmed|medline|\bNLM\b", re.IGNORECASE)
_MULTI = frozenset({"AU", "A1", "A2", "A3", "A4", "ED", "KW", "UR", "L1", "L2", "L3", "L4", "LK"})
_MULTI |= {"AD", "N1", "SN", "DO", "AN", "M1", "M3", "C1", "C2", "C7"}
_URL_TAGS = ("UR", "L1", "L2", "L3", "L4", "LK")
_NOTE_TAGS = ("N1", "M1", "M3", "C1", "C2", "C7")


def parse_ris(text: str, *, source: str = "<string>", strict: bool = False) -> Bibliography:
    """Read RIS ``text``; ``source`` names it in locations (``refs.ris:12``).

    Never raises for bad content unless ``strict`` is true: problems are collected in
    ``.problems``; with ``strict=True`` any problem raises one
    :class:`~evidence.errors.BibliographyError` listing them all.
    """
    collector = Collector(source)
    with paused_gc():
        for line, tags, closed, typed in _records(text, collector):
            draft = _draft(line, tags, collector)
            if not typed:
                collector.problem(
                    line,
                    "tags before any 'TY  - ' line; read as a record of type misc. Start "
                    "each record with a TY line",
                    "missing-type",
                )
            if not closed:
                collector.problem(
                    line,
                    "record has no 'ER  - ' line before the next record or the end of the "
                    "file; it is read up to there",
                    "unclosed-record",
                    WARNING,
                )
            collector.add(draft)
        return checked(collector.bibliography(), strict)


def load_ris(
    path: str | os.PathLike[str], *, encoding: str = "utf-8", strict: bool = False
) -> Bibliography:
    """Read the RIS file at ``path`` (see :func:`parse_ris`). A byte-order mark is
    honoured; an unreadable or undecodable file is a located
    :class:`~evidence.errors.BibliographyError`."""
    name, data = read_file(path)
    return parse_ris(decode(data, encoding, name), source=name, strict=strict)


# One record: (line of its first tag, [(tag, value, line)], closed by ER?, started by TY?)
_Record = tuple[int, list[tuple[str, str, int]], bool, bool]


def _physical_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, segment)``: lines split on LF or CRLF (on CR alone when the file has
    no LF), and a bare CR inside a line splitting segments that keep the line number."""
    if "\n" not in text and "\r" in text:
        for number, line in enumerate(text.split("\r"), start=1):
            yield number, line
        return
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if "\r" in line:
            for segment in line.split("\r"):
                yield number, segment
        else:
            yield number, line


def _records(text: str, collector: Collector) -> Iterator[_Record]:
    tags: list[tuple[str, str, int]] = []
    start = 0
    typed = False
    inside = False
    for number, line in _physical_lines(text):
        found = _TAG.match(line)
        if found is None:
            if inside and line.strip() and tags:
                tag, value, at = tags[-1]
                tags[-1] = (tag, f"{value} {line.strip()}" if value else line.strip(), at)
            continue
        tag, value = found.group(1), (found.group(2) or "").strip()
        if tag == "TY":
            if inside:
                yield start, tags, False, typed
            tags, start, typed, inside = [("TY", value, number)], number, True, True
        elif tag == "ER":
            if inside:
                yield start, tags, True, typed
            tags, inside = [], False
        else:
            if not inside:
                tags, start, typed, inside = [], number, False, True
            tags.append((tag, value, number))
    if inside:
        yield start, tags, False, typed


def _draft(line: int, tags: list[tuple[str, str, int]], collector: Collector) -> Draft:
    first: dict[str, tuple[str, int]] = {}
    every: dict[str, list[tuple[str, int]]] = {}
    for tag, value, at in tags:
        if not value:
            continue
        first.setdefault(tag, (value, at))
        every.setdefault(tag, []).append((value, at))

    def get(*names: str) -> str:
        for name in names:
            if name in first:
                return first[name][0]
        return ""

    ris_type = get("TY").upper()
    entry_type = RIS_TYPES.get(ris_type, "misc")
    draft = Draft(line=line, entry_type=entry_type)
    draft.fields["ris_type"] = ris_type or "?"
    identifier = get("ID")
    if identifier and " " not in identifier and _CITATION_KEY.fullmatch(identifier):
        draft.key = identifier
    elif identifier:
        draft.set("ris_id", identifier)

    book = entry_type in ("book", "incollection")
    draft.title = get("TI", "T1", "CT") or (get("BT") if entry_type == "book" else "")
    add_names(draft, (v for t, v, _ in tags if t in ("AU", "A1") and v))
    editor_tags = ("A2", "ED", "A3") if book else ("ED",)
    add_names(draft, (v for t, v, _ in tags if t in editor_tags and v), role="editor")
    if entry_type in ("incollection", "inproceedings"):
        draft.set("booktitle", get("BT", "T2", "JF"))
    elif not book:
        draft.journal = get("JF", "T2", "JO", "JA", "J2", "J1")
    abbreviation = get("J2", "JA", "JI", "J9", "J1", "JO")
    if abbreviation and abbreviation != draft.journal:
        draft.set("shortjournal", abbreviation)

    _date(draft, get("PY"), get("Y1"), get("DA", "Y2"), collector, first)
    draft.volume = get("VL")
    issue = get("IS")
    if _NLM_JOURNAL_ID.search(issue):
        draft.set("ovid_journal", issue)  # Ovid's "uj0, 0330500": a journal code, no issue
    else:
        draft.number = issue
    draft.pages = page_range(get("SP"), get("EP"))
    draft.abstract = " ".join((get("AB", "N2")).split())
    issns = [m.group() for v, _ in every.get("SN", []) for m in _ISSN.finditer(v)]
    if issns:
        draft.set(
            "issn", ", ".join(dict.fromkeys(i if "-" in i else f"{i[:4]}-{i[4:]}" for i in issns))
        )
    elif get("SN"):
        draft.set("isbn" if book else "issn", get("SN"))
    for name, tag in (
        ("publisher", "PB"),
        ("address", "CY"),
        ("language", "LA"),
        ("edition", "ET"),
        ("series", "T3"),
        ("note", "N1"),
    ):
        draft.set(name, get(tag))
    keywords = [v for t, v, _ in tags if t == "KW" and v]
    if keywords:
        draft.set("keywords", "; ".join(keywords))

    for value, at in every.get("DO", []) + every.get("DI", []):
        draft.offer("doi", value, "DO", at, strict=True)
    for value, at in every.get("M3", []):
        if value.lstrip().startswith("10."):
            draft.offer("doi", value, "M3", at, strict=False)
    from_pubmed = _PUBMED_DATABASE.search(get("DB") + " " + get("DP")) is not None
    for value, at in every.get("AN", []):
        if from_pubmed or value.upper().startswith("PMID"):
            draft.offer("pmid", value, "AN", at, strict=from_pubmed)
    for tag in _URL_TAGS:
        for value, at in every.get(tag, []):
            offer_from_url(draft, value, tag, at)
            if tag == "UR":
                draft.set("url", value)
    for tag in _NOTE_TAGS:
        for value, at in every.get(tag, []):
            offer_from_text(draft, value, tag, at)
    return draft


def _date(
    draft: Draft,
    py: str,
    y1: str,
    da: str,
    collector: Collector,
    first: dict[str, tuple[str, int]],
) -> None:
    for text, tag in ((py, "PY"), (y1, "Y1"), (da, "DA")):
        if not text:
            continue
        year, month, understood = parse_date(text)
        if not understood:
            where = first.get(tag, ("", draft.line))[1]
            collector.problem(
                where,
                f"{tag} '{text}' is not a date; write it as YYYY/MM/DD",
                "bad-date",
                WARNING,
            )
            continue
        if draft.year is None and year is not None:
            draft.year = year
        if draft.month is None and month is not None and (year is None or year == draft.year):
            draft.month = month
    if draft.year is not None:
        draft.set("year", str(draft.year))
