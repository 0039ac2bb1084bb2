"""The document's own numbered reference list, and the parts of each of its entries.

``find_reference_list`` looks for the entries under a ``References`` heading, or else
for a trailing block of numbered lines that read as references; :func:`parse_reference_line`
reads an entry's PMID, DOI, first author, title, journal, year, volume and first page.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from evidence.errors import SourceLocation
from evidence.extract.records import ListedReference
from evidence.extract.words import NAME_PARTICLES
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid

__all__ = ["RawEntry", "find_reference_list", "parse_reference_line"]

_LIST_HEADING = re.compile(
    r"\s{0,3}(?:#{1,6}\s*)?(?:\\(?:sub)*section\*?\{)?\s*(?:\d+\.?\s+)?(?:\*\*|__)?"
    r"(?:references?(?:\s+list)?|bibliography|literature\s+cited|works\s+cited|cited\s+works"
    r"|sources|citations|notes\s+and\s+references|reference\s+list)"
    r"(?:\*\*|__)?\s*:?\s*\}?\s*#*\s*",
    re.I,
)
_ENTRY = re.compile(
    r"\s*(?:[-*+]\s+)?(?:\.\.\s+)?(?:\[(?P<b>\d{1,4})\](?:_)?|(?P<n>\d{1,4})[.)]|\((?P<p>\d{1,4})\))"
    r"(?:\s+|(?=[A-Z\u00c0-\u00de]))(?P<rest>\S.*)"
)
_ENTRY_LOOSE = re.compile(
    r"\s*(?P<n>\d{1,4})\s+(?P<rest>(?:[A-Z\u00c0-\u00de]|"
    r"(?:van|von|de|der|den|da|di|du|la|le|dos|ter|ten|al|el)\s).*)"
)
_YEAR_IN_ENTRY = re.compile(r"(?<!\d)(1[6-9]\d\d|20\d\d)(?!\d)")
# Compiled once: each entry of a long list ran a dozen module-level re calls.
_HEADING = re.compile(r" {0,3}#{1,6}\s")
_LATEX_SECTION = re.compile(r"\\(?:sub)*section|\\chapter")
_NUMBER_AGAIN = re.compile(r"(\d+)[.)]\s*(?=\S)")
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.I)
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
_PMCID = re.compile(r"\bPMC\d{3,9}\b")
_SOURCE = re.compile(
    r"(?P<year>(?:1[6-9]|20)\d\d)(?:\s*[A-Z][a-z]{2,8}\.?(?:\s*\d{1,2})?)?\s*[;:,]\s*"
    r"(?P<volume>\d+)\s*(?:\((?P<issue>[^)]*)\))?\s*[:,]\s*(?:pp?\.?\s*)?"
    r"(?P<page>[A-Za-z]?\d+)"
)
_SEGMENTS = re.compile(r"(?<=[.?!])\s+|(?<=[a-z]\.)(?=[A-Z])")
_APA_YEAR = re.compile(r"\((?P<year>(?:1[6-9]|20)\d\d)[a-z]?\)")
_APA_SOURCE = re.compile(
    r"\.\s+(?P<journal>[A-Z][^.]+?),\s*(?P<volume>\d+)\s*(?:\([^)]*\))?,\s*"
    r"(?P<page>[A-Za-z]?\d+)"
)
_HEAD_END = re.compile(r",|;|\s+and\s+|\s+&\s+|\.\s")
_VANCOUVER_AUTHOR = re.compile(
    rf"({NAME_PARTICLES}[\w'\u2019-]+(?:\s+[\w'\u2019-]+)*?)\s+([A-Z]{{1,4}})\.?"
)
_APA_AUTHOR = re.compile(r"[\w'\u2019 -]+")
_APA_INITIALS = re.compile(r",\s*((?:[A-Z]\.?\s*-?){1,4})")
_TITLE_SPLIT = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9\"“])")
_APA_YEAR_END = re.compile(r"\((?:1[6-9]|20)\d\d[a-z]?\)\.?$")


@dataclass
class RawEntry:
    """One numbered entry as written: its number, where it is, its text (lines joined)."""

    number: int
    start: int  # offset of the entry's first line
    end: int
    text: str
    numbered: bool = True  # False: an unnumbered list, numbered here in order


def find_reference_list(view_text: str) -> tuple[list[RawEntry], tuple[int, int]]:
    """The document's numbered reference list and the region it takes (0, 0 when none).

    A region under a references heading is returned even when its entries are not
    numbered (an author-year bibliography): it is never prose.
    """
    lines = view_text.splitlines(keepends=True)
    offsets: list[int] = []
    offset = 0
    for line in lines:
        offsets.append(offset)
        offset += len(line)
    heading_at: int | None = None
    for i in range(len(lines) - 1, -1, -1):
        body = lines[i].rstrip("\n")
        if body.strip() and _LIST_HEADING.fullmatch(body):
            heading_at = i
            break
        # An RST/setext title: the heading word, then an underline.
        if (
            i + 1 < len(lines)
            and _LIST_HEADING.fullmatch(body)
            and re.fullmatch(r"\s*([=\-~^\"'`#*+:.])\1{2,}\s*", lines[i + 1].rstrip("\n"))
        ):
            heading_at = i
            break
    if heading_at is not None:
        first = heading_at + 1
        entries = _entries(lines, offsets, first, len(lines), loose=True)
        end = _section_end(lines, offsets, first, len(view_text))
        entries = [e for e in entries if e.start < end]
        if not entries:
            entries = _unnumbered(lines, offsets, first, end)
        return entries, (offsets[heading_at], end)
    # No heading: a trailing run of numbered lines that look like references, each
    # possibly wrapped onto the lines right under it.
    last = len(lines)
    while last > 0 and not lines[last - 1].strip():
        last -= 1
    first = last
    wrapped = False  # non-blank lines seen that can only be wrapped lines of an entry above
    for i in range(last - 1, -1, -1):
        body = lines[i].rstrip("\n")
        if not body.strip():
            if wrapped:
                break  # a paragraph that is not a wrapped entry
        elif _ENTRY.match(body):
            first, wrapped = i, False
        else:
            wrapped = True
    if first >= last:
        return [], (0, 0)
    entries = _entries(lines, offsets, first, last, loose=False)
    # A numbered list of steps may come right before the references: keep the last run
    # that starts at 1.
    starts = [i for i, e in enumerate(entries) if e.number == 1]
    if starts:
        entries = entries[starts[-1] :]
        first = next(i for i, o in enumerate(offsets) if o == entries[0].start)
    if not entries or not all(_looks_like_reference(e.text) for e in entries):
        return [], (0, 0)
    if entries[0].number != 1 or any(
        b.number != a.number + 1 for a, b in itertools.pairwise(entries)
    ):
        return [], (0, 0)
    return entries, (offsets[first], len(view_text))


def _section_end(lines: list[str], offsets: list[int], first: int, total: int) -> int:
    for i in range(first, len(lines)):
        body = lines[i].rstrip("\n")
        if _HEADING.match(body) or _LATEX_SECTION.match(body):
            return offsets[i]
        if "\\end{document}" in body:
            return offsets[i]
    return total


def _entries(
    lines: list[str], offsets: list[int], first: int, last: int, *, loose: bool
) -> list[RawEntry]:
    entries: list[RawEntry] = []
    for i in range(first, last):
        body = lines[i].rstrip("\n")
        match = _ENTRY.match(body) or (_ENTRY_LOOSE.match(body) if loose else None)
        if match:
            number = int(next(g for g in (match.groupdict().get(k) for k in "bnp") if g))
            rest_at = match.start("rest")
            rest = body[rest_at:]
            # Lists pasted from web pages repeat the number: "1. 1.Liliang PC".
            # One pattern for every number (a pattern per number compiled 5,000 regexes
            # for a 5,000-entry list): the same match when its digits are the number's.
            again = _NUMBER_AGAIN.match(rest)
            if again and again.group(1) == str(number):
                rest_at += again.end()
                rest = body[rest_at:]
            start = offsets[i]
            entries.append(RawEntry(number, start, start + len(body), rest))
        elif body.strip() and entries and entries[-1].end >= offsets[i] - 2:
            # A wrapped line of the entry above (no blank line between them).
            entry = entries[-1]
            entry.end = offsets[i] + len(body)
            entry.text = entry.text + " " + body.strip()
        elif body.strip() and entries:
            continue
    for entry in entries:
        entry.text = " ".join(entry.text.split())
    return entries


def _unnumbered(lines: list[str], offsets: list[int], first: int, end: int) -> list[RawEntry]:
    """Entries under a references heading that carry no numbers: numbered in order.

    Entries are the blocks between blank lines, or each line when there are no blank
    lines; only those that read as references count (a year, words, a full stop).
    """
    blocks: list[list[int]] = []
    current: list[int] = []
    for i in range(first, len(lines)):
        if offsets[i] >= end:
            break
        if lines[i].strip():
            current.append(i)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    if len(blocks) == 1:
        blocks = [[i] for i in blocks[0]]
    entries: list[RawEntry] = []
    for block in blocks:
        text = " ".join(" ".join(lines[i].split()) for i in block)
        if _looks_like_reference(text):
            start = offsets[block[0]]
            last = block[-1]
            end_at = offsets[last] + len(lines[last].rstrip())
            entries.append(RawEntry(len(entries) + 1, start, end_at, text, numbered=False))
    return entries


def _looks_like_reference(entry: str) -> bool:
    """A numbered line that reads as a reference: a year, some words and punctuation."""
    return bool(_YEAR_IN_ENTRY.search(entry)) and len(entry.split()) >= 4 and "." in entry


def parse_reference_line(
    text: str, number: int = 0, location: SourceLocation | None = None
) -> ListedReference:
    """Read the parts of one reference-list entry (Vancouver, AMA or APA style).

    Finds the PMID, DOI, first author (surname and initials), title, journal, year,
    volume and first page where they can be told apart; what cannot be found is left
    empty. Journal names are read as the segment before the year, so abbreviations
    written with full stops (``J. Spinal Disord.``) keep only their last word.

    >>> ref = parse_reference_line(
    ...     "Katz V, Schofferman J. The sacroiliac joint. J Spinal Disord Tech. 2003;16(1):96-9."
    ... )
    >>> ref.first_author, ref.initials, ref.journal, ref.year, ref.volume, ref.first_page
    ('Katz', 'V', 'J Spinal Disord Tech', 2003, '16', '96')
    """
    where = location or SourceLocation("<string>")
    entry = " ".join(text.split())
    pmid_match = _PMID.search(entry)
    pmid = normalise_pmid(pmid_match.group(1)) if pmid_match else None
    doi_match = _DOI.search(entry) if "10." in entry else None  # cheap test first
    doi = normalise_doi(doi_match.group(0).rstrip(".,;")) if doi_match else None
    pmcid_match = _PMCID.search(entry) if "PMC" in entry else None
    pmcid = normalise_pmcid(pmcid_match.group(0)) if pmcid_match else None
    # Vancouver/AMA: "... Journal. 2003 Feb;16(1):96-9." / APA: "... (2003). ... 16(1), 96-99."
    year: int | None = None
    journal = volume = first_page = ""
    source = _SOURCE.search(entry)
    if source:
        year = int(source.group("year"))
        volume = source.group("volume")
        first_page = source.group("page")
        before = entry[: source.start()].rstrip(" .")
        parts = _SEGMENTS.split(before)
        journal = parts[-1].strip(" .") if len(parts) > 1 else ""
    else:
        apa = _APA_YEAR.search(entry)
        plain = apa or _YEAR_IN_ENTRY.search(entry)
        if plain:
            year = int(plain.group(1))
        apa_source = _APA_SOURCE.search(entry)
        if apa_source:
            journal = apa_source.group("journal").strip()
            volume = apa_source.group("volume")
            first_page = apa_source.group("page")
    author, initials = _first_author(entry)
    title = _title(entry)
    return ListedReference(
        number=number,
        text=entry,
        location=where,
        first_author=author,
        initials=initials,
        title=title,
        journal=journal,
        year=year,
        volume=volume,
        first_page=first_page,
        pmid=pmid,
        doi=doi,
        pmcid=pmcid,
    )


def _first_author(entry: str) -> tuple[str, str]:
    head = _HEAD_END.split(entry, maxsplit=1)[0].strip()
    # Vancouver "Liliang PC" / "van der Berg A"; APA "Katz, V." keeps the surname before ","
    vancouver = _VANCOUVER_AUTHOR.fullmatch(head)
    if vancouver:
        return vancouver.group(1), vancouver.group(2)
    if _APA_AUTHOR.fullmatch(head) and len(head.split()) <= 4:
        after = entry[len(head) :]
        initials = _APA_INITIALS.match(after)
        letters = "".join(c for c in initials.group(1) if c.isupper()) if initials else ""
        return head, letters
    return "", ""


def _title(entry: str) -> str:
    # Split at full stops that end segments, not at initials ("Katz, V.,") nor "etc.".
    segments = [s.strip() for s in _TITLE_SPLIT.split(entry) if s.strip()]
    if len(segments) < 2:
        return ""
    # APA puts the year in parentheses after the authors: "(2003). Title."
    for i, segment in enumerate(segments[:-1]):
        if _APA_YEAR_END.search(segment):
            return segments[i + 1].rstrip(".")
    return segments[1].rstrip(".")
