"""What the RIS, CSL-JSON, MEDLINE and EndNote XML readers share: one record draft, one
collector that turns drafts into a ``Bibliography``, file decoding, and the identifiers
found in links and notes (names, dates and pages are read by ``_values``).

A reader fills one :class:`Draft` per record it finds (with the record's line) and hands it
to a :class:`Collector`. The collector gives every reference its key and its identifiers,
so that all four formats follow the same rules:

* **Keys.** A key the file gives (CSL-JSON ``id``, a RIS ``ID`` that looks like a citation
  key) is kept as written; a second record with the same key (ignoring case, as BibTeX
  does) is reported as ``duplicate-key`` and not loaded. A record with no key gets one made
  from its content: first author's surname, year and first significant title word, folded
  to ASCII lower case (``liliang2011sacroiliac``; ``nd`` for no year, ``anon`` for no
  author). Made keys never take a key the file gives; when two records make the same key
  the later ones get ``-2``, ``-3``... in file order. So a key depends only on the record
  and on the records before it with the same author, year and word: re-exporting the
  same library gives the same keys, and adding a record elsewhere changes none.
* **Identifiers.** Each reader offers every PMID, DOI and PMCID it sees, with where it saw
  it; the first valid one of each kind is used. A field that exists to hold an identifier
  (``PMID-``, RIS ``DO``, CSL ``DOI``) but does not is reported as ``bad-identifier``; a
  later, different identifier as ``conflicting-identifier`` (the first is kept). Values
  found in URLs and notes are offered quietly: they are often something else.
* **Fields.** ``Reference.fields`` holds display fields under their BibTeX names (title,
  journal, year, volume, number, pages, doi, pmid, issn, abstract, url, keywords ...) and
  ``shortjournal`` for the journal's abbreviation, so the rest of the library treats a
  reference the same whatever file it came from. ``raw_fields`` is empty: there is no
  BibTeX source to keep.

May import ``evidence.errors``, ``evidence.model``, the shared helpers and sibling modules.
"""

from __future__ import annotations

import bisect
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from evidence.bibliography._values import is_et_al, parse_name

# The one place the new readers take the mapping from: when the BibTeX module is split,
# only this import moves.
from evidence.bibliography.core import Bibliography
from evidence.bibliography.encoding import decode_bytes, read_bytes
from evidence.errors import BibliographyError, Problem, Severity, SourceLocation
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid
from evidence.model import Name, Reference

__all__ = [
    "Bibliography",
    "Collector",
    "Draft",
    "checked",
    "decode",
    "offer_from_text",
    "offer_from_url",
    "read_file",
]

ERROR = Severity.ERROR
WARNING = Severity.WARNING

_NORMALISERS: dict[str, Callable[[str], str | None]] = {
    "pmid": normalise_pmid,
    "doi": normalise_doi,
    "pmcid": normalise_pmcid,
}
_LABEL = {"pmid": "PMID", "doi": "DOI", "pmcid": "PMCID"}


# --- files and text --------------------------------------------------------------------------


def read_file(path: str | os.PathLike[str]) -> tuple[str, bytes]:
    """The file's name as given and its bytes, or a located error saying what to do."""
    name = os.fspath(path)
    return name, read_bytes(name)


def decode(data: bytes, encoding: str, name: str) -> str:
    """``data`` as text, by the one rule of :mod:`~evidence.bibliography.encoding`: a
    byte-order mark wins over ``encoding`` and is dropped, UTF-16/32 without one are
    recognised, and undecodable bytes are a located error listing up to 20 of them."""
    return decode_bytes(data, encoding, name)


class LineIndex:
    """Line numbers (from 1) of character offsets in one text."""

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)

    def column(self, offset: int) -> int:
        return offset - self._starts[self.line(offset) - 1] + 1


def checked(bib: Bibliography, strict: bool) -> Bibliography:
    """``bib``, or (``strict``) one :class:`BibliographyError` listing all its problems."""
    if strict and bib.problems:
        count = len(bib.problems)
        raise BibliographyError(
            f"{count} problem{'s' if count != 1 else ''} found; fix them, or load with "
            "strict=False to keep every record that could be read",
            location=SourceLocation(bib.path),
            problems=bib.problems,
        )
    return bib


# --- identifiers from free text --------------------------------------------------------------

_URL_IDS = {
    "doi": re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/([^\s\"<>]+)", re.IGNORECASE),
    "pmid": re.compile(
        r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/|[?&;]id=pmid:)(\d+)",
        re.IGNORECASE,
    ),
    "pmcid": re.compile(r"(?:/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/articles/)(PMC\d+)", re.I),
}
# Ovid's database codes for MEDLINE and PubMed (``D=medp``, ``D=prem``, ``D=med12``): only
# there is the accession number ``AN=`` a PMID (in CAB Abstracts or Embase it is not).
_OVID_PUBMED = re.compile(r"^(?:med|mes|prem|pmnm)\w*$", re.IGNORECASE)
_NOTE_IDS = {
    "pmid": re.compile(r"\bPMID\s*:?\s*(\d{1,8})\b", re.IGNORECASE),
    "pmcid": re.compile(r"\bPMCID\s*:?\s*(PMC\d+)", re.IGNORECASE),
    "doi": re.compile(r"\bDOI\s*:?\s*(10\.\d{4,9}/\S+)", re.IGNORECASE),
}


def offer_from_url(draft: Draft, url: str, where: str, line: int | None) -> None:
    """Offer (quietly) the DOI, PMID or PMCID a link holds: doi.org, PubMed and PMC links,
    link resolvers' ``id=pmid:…``, and Ovid's ``AN=`` when ``D=`` is a MEDLINE database."""
    for kind, pattern in _URL_IDS.items():
        for hit in pattern.finditer(url):
            draft.offer(kind, hit.group(1), where, line, strict=False)
    if "ovid" in url.lower() and "AN=" in url:
        query = parse_qs(urlsplit(url.strip()).query)
        databases = query.get("D", [])
        if any(_OVID_PUBMED.match(d) for d in databases):
            for accession in query.get("AN", []):
                draft.offer("pmid", accession, where, line, strict=False)


def offer_from_text(draft: Draft, text: str, where: str, line: int | None) -> None:
    """Offer (quietly) ``PMID: 123``, ``PMCID: PMC4`` and ``DOI: 10.1/x`` written in a note."""
    for kind, pattern in _NOTE_IDS.items():
        for hit in pattern.finditer(text):
            draft.offer(kind, hit.group(1), where, line, strict=False)


# --- records -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Offer:
    kind: str
    value: str
    where: str
    line: int | None
    strict: bool


@dataclass(slots=True)
class Draft:
    """One record as a reader found it, before it has a key and checked identifiers."""

    line: int | None
    column: int | None = None
    key: str = ""  # the citation key the file gives, "" to make one
    entry_type: str = "misc"
    title: str = ""
    authors: list[Name] = field(default_factory=list)
    editors: list[Name] = field(default_factory=list)
    authors_complete: bool = True
    year: int | None = None
    month: int | None = None
    journal: str = ""
    volume: str = ""
    number: str = ""
    pages: str = ""
    abstract: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    offers: list[_Offer] = field(default_factory=list)

    def offer(self, kind: str, value: str, where: str, line: int | None, *, strict: bool) -> None:
        """Offer an identifier of ``kind`` (``pmid``, ``doi``, ``pmcid``) read at ``where``;
        ``strict`` offers are reported when they are not valid, quiet ones are skipped."""
        if value.strip():
            self.offers.append(_Offer(kind, value.strip(), where, line, strict))

    def set(self, name: str, value: str) -> None:
        """Keep a display field (the first value given wins; empty values are skipped)."""
        value = " ".join(value.split())
        if value and name not in self.fields:
            self.fields[name] = value

    @property
    def has_content(self) -> bool:
        """Whether there is anything to cite: a title, a name, an identifier, a link..."""
        return bool(
            self.title
            or self.authors
            or self.editors
            or self.offers
            or self.journal
            or self.year
            or self.abstract
            or self.fields.keys() - _NOT_CONTENT
        )


# Fields every reader sets from the record's type or bookkeeping: alone they cite nothing.
_NOT_CONTENT = frozenset({"csl_type", "ris_type", "ris_id", "language", "status", "endnote_type"})

_STOP_WORDS = frozenset(
    re.findall(
        r"\w+",
        "a an the of on in and or for to with from at by is are was were as its into via "
        "der die das le la les el los de del un une",
    )
)
_KEY_CHARS = re.compile(r"[^a-z0-9]+")


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return _KEY_CHARS.sub("", "".join(c for c in decomposed if c.isascii()).lower())


def _made_key(draft: Draft) -> str:
    people = draft.authors or draft.editors
    who = ""
    if people:
        first = people[0]
        who = _ascii(" ".join(first.last.split()[:1]) if first.collective else first.last)
    word = ""
    for candidate in re.findall(r"[^\W_]+", draft.title):
        if candidate.lower() not in _STOP_WORDS:
            word = _ascii(candidate)
            if word:
                break
    year = str(draft.year) if draft.year else "nd"
    return f"{who or 'anon'}{year}{word}"


class Collector:
    """Gathers a file's drafts and problems, then builds the :class:`Bibliography`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self._drafts: list[Draft] = []

    def problem(
        self,
        line: int | None,
        message: str,
        code: str,
        severity: Severity = ERROR,
        column: int | None = None,
    ) -> None:
        """Record a problem at ``line`` (and ``column``) of this file."""
        location = SourceLocation(self.source, line, column if line is not None else None)
        self.problems.append(Problem(location, message, code=code, severity=severity))

    def add(self, draft: Draft) -> None:
        """Keep a record for the result; one with nothing to cite is reported instead."""
        if not draft.has_content:
            self.problem(
                draft.line,
                "record has no title, author, identifier, link or date; it is not loaded. "
                "Remove it, or fill it in in your reference manager",
                "empty-record",
                column=draft.column,
            )
            return
        self._drafts.append(draft)

    def bibliography(self) -> Bibliography:
        """Every kept draft as a :class:`Reference` under its key, problems in file order."""
        taken: dict[str, int | None] = {}
        keys: list[str | None] = []
        for draft in self._drafts:  # keys the file gives come first
            key = draft.key.strip()
            if not key:
                keys.append(None)
                continue
            folded = key.lower()
            if folded in taken:
                first = taken[folded]
                at = f" (first at line {first})" if first is not None else ""
                self.problem(
                    draft.line,
                    f"duplicate key '{key}'{at}; this record is not loaded. Give it its own key",
                    "duplicate-key",
                    column=draft.column,
                )
                keys.append("")
                continue
            taken[folded] = draft.line
            keys.append(key)
        references: list[Reference] = []
        for draft, given in zip(self._drafts, keys, strict=True):
            if given == "":
                continue
            if given is None:
                base = made = _made_key(draft)
                count = 1
                while made in taken:
                    count += 1
                    made = f"{base}-{count}"
                taken[made] = draft.line
                given = made
            references.append(self._reference(draft, given))
        problems = sorted(self.problems, key=lambda p: p.location.line or 0)
        return Bibliography(references, problems=problems, path=self.source)

    def _identifiers(self, draft: Draft, key: str) -> dict[str, str | None]:
        chosen: dict[str, str | None] = {"pmid": None, "doi": None, "pmcid": None}
        where_chosen: dict[str, str] = {}
        for offer in draft.offers:
            normal = _NORMALISERS[offer.kind](offer.value)
            if normal is None:
                if offer.strict:
                    self.problem(
                        offer.line or draft.line,
                        f"record '{key}': {offer.where} '{offer.value}' is not a valid "
                        f"{_LABEL[offer.kind]}; it is ignored. Fix or remove it",
                        "bad-identifier",
                        WARNING,
                    )
                continue
            current = chosen[offer.kind]
            if current is None:
                chosen[offer.kind] = normal
                where_chosen[offer.kind] = offer.where
            elif current != normal and offer.strict:
                self.problem(
                    offer.line or draft.line,
                    f"record '{key}': {offer.where} gives {_LABEL[offer.kind]} {normal} but "
                    f"{where_chosen[offer.kind]} gives {current}; {current} is used. Remove "
                    "the wrong one",
                    "conflicting-identifier",
                    WARNING,
                )
        return chosen

    def _reference(self, draft: Draft, key: str) -> Reference:
        ids = self._identifiers(draft, key)
        fields = dict(draft.fields)
        for name, value in (
            ("title", draft.title),
            ("journal", draft.journal),
            ("volume", draft.volume),
            ("number", draft.number),
            ("pages", draft.pages),
            ("abstract", draft.abstract),
        ):
            if value:
                fields.setdefault(name, value)
        if draft.year is not None:
            fields.setdefault("year", str(draft.year))
        for kind, found in ids.items():
            if found is not None:
                fields.setdefault(kind, found)
        return Reference(
            key=key,
            entry_type=draft.entry_type,
            title=draft.title,
            authors=tuple(draft.authors),
            editors=tuple(draft.editors),
            year=draft.year,
            month=draft.month,
            journal=draft.journal,
            volume=draft.volume,
            number=draft.number,
            pages=draft.pages,
            pmid=ids["pmid"],
            doi=ids["doi"],
            pmcid=ids["pmcid"],
            design=fields.get("design") or None,
            authors_complete=draft.authors_complete,
            fields=fields,
            location=SourceLocation(self.source, draft.line, draft.column),
            abstract=draft.abstract,
        )


def add_names(draft: Draft, values: Iterable[str], *, role: str = "author") -> None:
    """Add exported author (or editor) values; "et al." marks the list incomplete."""
    target = draft.authors if role == "author" else draft.editors
    for value in values:
        if is_et_al(value):
            if role == "author":
                draft.authors_complete = False
            continue
        name = parse_name(value)
        if name is not None:
            target.append(name)
