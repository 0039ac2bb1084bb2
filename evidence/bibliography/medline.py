"""PubMed's MEDLINE format (``.nbib``, "Save → PubMed format", any file name) -> references.

:func:`parse_medline` reads the text (pure); :func:`load_medline` reads a file and calls it.
Both return the ``Bibliography`` the BibTeX reader returns; keys
are made from the content (see ``evidence/bibliography/_records.py``), since PubMed gives
none.

>>> bib = parse_medline('''PMID- 21463470
... TI  - Sacroiliac joint pain after lumbar and lumbosacral fusion: findings using dual
...       sacroiliac joint blocks.
... DP  - 2011 Apr
... FAU - Liliang, Po-Chou
... AU  - Liliang PC
... TA  - Pain Med
... JT  - Pain medicine (Malden, Mass.)
... LID - 10.1111/j.1526-4637.2011.01087.x [doi]
... ''', source="pubmed.nbib")
>>> ref = bib["liliang2011sacroiliac"]
>>> ref.pmid, ref.month, ref.fields["shortjournal"], ref.title[-13:]
('21463470', 4, 'Pain Med', 'joint blocks.')

The format
==========

Each line is a tag of up to four characters padded to four, ``- ``, and the value; a line
starting with spaces continues the value above. A record starts at its ``PMID-`` line
(or, for a record without one, at the first tag after a blank line). Every ``PMID-`` is a
record: loaded, or reported with its line.

Where each field comes from: title ``TI`` (``BTI`` for books), authors ``FAU`` (full
names) with ``AU`` where no ``FAU`` precedes it, and ``CN`` (a group, as written),
editors ``FED``/``ED``; date ``DP``; journal ``JT``, abbreviation ``TA`` (MedlineTA);
volume ``VI``, issue ``IP``, pages ``PG``; abstract ``AB``; DOI from ``LID``/``AID``
values ending ``[doi]``; PMCID ``PMC``; ISSN ``IS`` (every one, with its kind);
publication types ``PT`` (``fields["publication_type"]``, ``; ``-separated); MeSH ``MH``
and other terms ``OT`` (``keywords``); language ``LA``.
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
    checked,
    decode,
    read_file,
)
from evidence.bibliography._values import page_range, parse_date, parse_name
from evidence.model import Name

__all__ = ["load_medline", "parse_medline"]

_TAG = re.compile(r"([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
_ID_KIND = re.compile(r"^(.*?)\s*\[(\w+)\]\s*$")


def parse_medline(text: str, *, source: str = "<string>", strict: bool = False) -> Bibliography:
    """Read MEDLINE-format ``text``; ``source`` names it in locations (``pubmed.nbib:12``).

    Never raises for bad content unless ``strict`` is true: problems are collected in
    ``.problems``; with ``strict=True`` any problem raises one
    :class:`~evidence.errors.BibliographyError` listing them all.
    """
    collector = Collector(source)
    with paused_gc():
        for line, tags in _records(text):
            collector.add(_draft(line, tags, collector))
        return checked(collector.bibliography(), strict)


def load_medline(
    path: str | os.PathLike[str], *, encoding: str = "utf-8", strict: bool = False
) -> Bibliography:
    """Read the MEDLINE-format file at ``path`` (see :func:`parse_medline`)."""
    name, data = read_file(path)
    return parse_medline(decode(data, encoding, name), source=name, strict=strict)


def _records(text: str) -> Iterator[tuple[int, list[tuple[str, str, int]]]]:
    tags: list[tuple[str, str, int]] = []
    start = 0
    gap = True  # a blank line (or the file's start) came before this line
    lines = text.split("\r") if "\n" not in text else text.split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.removesuffix("\r")
        if not line.strip():
            gap = True
            continue
        found = None if line[:1].isspace() else _TAG.match(line)
        if found is None:
            if tags:  # a continuation line: MEDLINE wraps values at 80 characters
                tag, value, at = tags[-1]
                tags[-1] = (tag, f"{value} {line.strip()}", at)
            gap = False
            continue
        tag = found.group(1)
        if tag == "PMID" or (gap and tags and tags[0][0] != "PMID") or not tags:
            if tags:
                yield start, tags
            tags, start = [], number
        tags.append((tag, found.group(2).strip(), number))
        gap = False
    if tags:
        yield start, tags


def _draft(line: int, tags: list[tuple[str, str, int]], collector: Collector) -> Draft:
    first: dict[str, tuple[str, int]] = {}
    for tag, value, at in tags:
        if value:
            first.setdefault(tag, (value, at))

    def get(name: str) -> str:
        return first.get(name, ("", 0))[0]

    def every(name: str) -> list[str]:
        return [v for t, v, _ in tags if t == name and v]

    types = every("PT")
    book = bool(get("BTI")) or "Book" in types
    draft = Draft(line=line, entry_type="book" if book else "article")
    draft.title = get("TI") or get("BTI")
    if "PMID" in first:
        value, at = first["PMID"]
        draft.offer("pmid", value, "PMID", at, strict=True)
    else:
        collector.problem(line, "record has no PMID- line", "missing-pmid", WARNING)
    draft.authors.extend(_authors(tags))
    for tag in ("FED", "ED"):
        draft.editors.extend(n for n in map(parse_name, every(tag)) if n is not None)
        if draft.editors:
            break
    if "DP" in first:
        year, month, understood = parse_date(get("DP"))
        if understood:
            draft.year, draft.month = year, month
        else:
            collector.problem(
                first["DP"][1], f"DP '{get('DP')}' is not a date", "bad-date", WARNING
            )
    draft.journal = get("JT")
    draft.set("shortjournal", get("TA"))
    draft.volume, draft.number = get("VI"), get("IP")
    draft.pages = page_range(get("PG"))
    draft.abstract = get("AB")
    for tag in ("LID", "AID"):
        for value, at in ((v, a) for t, v, a in tags if t == tag):
            found = _ID_KIND.match(value)
            if found is not None and found.group(2).lower() == "doi":
                draft.offer("doi", found.group(1), tag, at, strict=True)
    if "PMC" in first:
        value, at = first["PMC"]
        draft.offer("pmcid", value, "PMC", at, strict=True)
    issns = every("IS")
    if issns:
        draft.set("issn", ", ".join(issns))
    if types:
        draft.set("publication_type", "; ".join(types))
    terms = every("MH") + every("OT")
    if terms:
        draft.set("keywords", "; ".join(terms))
    draft.set("language", get("LA"))
    draft.set("publisher", get("PB"))
    if book:
        draft.set("booktitle", get("BTI"))
    draft.set("status", get("STAT"))
    return draft


def _authors(tags: list[tuple[str, str, int]]) -> list[Name]:
    """``FAU`` names, each with the ``AU`` after it; an ``AU`` alone stands for itself."""
    names: list[Name] = []
    previous = ""
    for tag, value, _ in tags:
        if value and (tag in ("FAU", "CN") or (tag == "AU" and previous != "FAU")):
            name = Name(value, collective=True) if tag == "CN" else parse_name(value)
            if name is not None:
                names.append(name)
        if tag in ("FAU", "AU", "CN"):
            previous = tag
        elif tag not in ("AD", "AUID"):  # affiliations sit between an FAU and its AU
            previous = ""
    return names
