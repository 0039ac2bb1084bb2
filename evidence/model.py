"""The records that flow through the library: frozen, typed, and free of I/O.

References come from a .bib file, claims from a claims file, PubMed records from NCBI
(or a cache or snapshot). Everything downstream (assessment, verdicts, tables) is a pure
function of these records, so it can be tested without files or a network.

Enumerations are ``str`` enums whose values are the stable spellings used in claims files
and in JSON output; ``.label`` (where there is one) is the wording for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from evidence.errors import SourceLocation

__all__ = [
    "AbstractSection",
    "Certainty",
    "CertaintyJudgement",
    "Citation",
    "Claim",
    "CommentCorrection",
    "DesignSource",
    "MeshHeading",
    "Name",
    "PubMedRecord",
    "PubMedStatus",
    "PublicationType",
    "Reference",
    "RetractionStatus",
    "RiskOfBias",
    "Stance",
    "StudyDesign",
    "Verdict",
]


class _Vocabulary(StrEnum):
    """A closed word list: ``str()`` and JSON give the value, ``.label`` the prose form."""

    def __str__(self) -> str:
        return str(self.value)

    @property
    def label(self) -> str:
        return str(self.value).replace("-", " ")

    @classmethod
    def parse(cls, text: str) -> _Vocabulary:
        """Read a value written by a person: case, spaces, ``_`` and ``-`` are forgiven.

        Raises ``ValueError`` naming the accepted values.
        """
        wanted = text.strip().lower().replace("_", "-").replace(" ", "-")
        for member in cls:
            if wanted in (member.value, member.label.replace(" ", "-")):
                return member
        accepted = ", ".join(m.value for m in cls)
        raise ValueError(f"{text!r} is not one of: {accepted}")


class Stance(_Vocabulary):
    """What a citation says about its claim, as recorded by a person."""

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    MIXED = "mixed"
    BACKGROUND = "background"
    UNKNOWN = "unknown"  # extracted from prose, not yet reviewed


class Verdict(_Vocabulary):
    """What the cited evidence, taken together, says about a claim."""

    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    MIXED = "mixed"
    INSUFFICIENT = "insufficient"
    UNCITED = "uncited"
    UNRESOLVED = "unresolved"
    UNREVIEWED = "unreviewed"


class StudyDesign(_Vocabulary):
    """The fixed design vocabulary shown in evidence tables."""

    SYSTEMATIC_REVIEW = "systematic-review"
    RANDOMISED_TRIAL = "randomised-trial"
    NON_RANDOMISED_TRIAL = "non-randomised-trial"
    PROSPECTIVE_COHORT = "prospective-cohort"
    RETROSPECTIVE_COHORT = "retrospective-cohort"
    CASE_CONTROL = "case-control"
    CROSS_SECTIONAL = "cross-sectional"
    CASE_SERIES = "case-series"
    CASE_REPORT = "case-report"
    NARRATIVE_REVIEW = "narrative-review"
    GUIDELINE = "guideline"
    EDITORIAL = "editorial-or-opinion"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _DESIGN_LABELS.get(self.value, self.value.replace("-", " "))


_DESIGN_LABELS = {
    "systematic-review": "systematic review / meta-analysis",
    "randomised-trial": "randomised trial",
    "non-randomised-trial": "non-randomised trial",
    "editorial-or-opinion": "editorial or opinion",
}


class DesignSource(_Vocabulary):
    """Where a study's design label came from."""

    USER = "user"
    PUBLICATION_TYPE = "publication-type"
    MESH = "mesh"
    TITLE = "title"
    ABSTRACT = "abstract"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"mesh": "MeSH", "publication-type": "publication type"}.get(self.value, self.value)


class RetractionStatus(_Vocabulary):
    """A record's standing, kept apart from look-alikes that are not retractions."""

    NONE = "none"
    RETRACTED = "retracted"
    RETRACTION_NOTICE = "retraction-notice"
    EXPRESSION_OF_CONCERN = "expression-of-concern"
    CORRECTED = "corrected"


class PubMedStatus(_Vocabulary):
    """Where a reference's PubMed data came from, or why there is none."""

    FETCHED = "fetched"
    CACHE = "cache"
    SNAPSHOT = "snapshot"
    NOT_FOUND = "not-found"
    UNAVAILABLE = "unavailable"
    UNRESOLVED = "unresolved"  # no PMID could be found for the reference
    NOT_LOOKED_UP = "not-looked-up"  # offline, and nothing cached


class Certainty(_Vocabulary):
    """GRADE certainty of a body of evidence."""

    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"
    VERY_LOW = "very-low"


class RiskOfBias(_Vocabulary):
    """A reviewer's risk-of-bias judgement on one citation (RoB 2 wording)."""

    LOW = "low"
    SOME_CONCERNS = "some-concerns"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class Name:
    """A person's name split BibTeX-style, or a collective (corporate) author.

    Parts are decoded Unicode without protective braces.

    >>> Name("Liliang", "Po-Chou").initials
    'PC'
    >>> str(Name("Beethoven", "Ludwig", von="van"))
    'Ludwig van Beethoven'
    """

    last: str
    first: str = ""
    von: str = ""
    jr: str = ""
    collective: bool = False

    @property
    def initials(self) -> str:
        """Initials of the given names, hyphenated names counting twice (``Po-Chou`` → PC)."""
        parts = self.first.replace("-", " ").replace(".", " ").split()
        return "".join(p[0].upper() for p in parts if p[0].isalpha())

    @property
    def surname(self) -> str:
        """The name as cited in running text: ``von`` part and last name."""
        return f"{self.von} {self.last}".strip()

    def vancouver(self) -> str:
        """``Liliang PC`` (surname and initials, as PubMed and Vancouver lists write it)."""
        if self.collective:
            return self.last
        return f"{self.surname} {self.initials}".strip()

    def __str__(self) -> str:
        if self.collective:
            return self.last
        text = " ".join(p for p in (self.first, self.von, self.last) if p)
        return f"{text}, {self.jr}" if self.jr else text


@dataclass(frozen=True, slots=True)
class Reference:
    """One bibliography entry, with decoded display fields and its raw fields kept.

    ``fields`` holds every field decoded to Unicode (protective braces dropped);
    ``raw_fields`` holds them exactly as pybtex read them. Identifiers are normalised:
    ``doi`` lower-case without a URL prefix, ``pmid`` digits only, ``pmcid`` as ``PMC123``.
    ``abstract`` is the abstract the library export carried, if any.
    """

    key: str
    entry_type: str
    title: str = ""
    authors: tuple[Name, ...] = ()
    editors: tuple[Name, ...] = ()
    year: int | None = None
    month: int | None = None
    journal: str = ""
    volume: str = ""
    number: str = ""
    pages: str = ""
    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None
    design: str | None = None
    authors_complete: bool = True  # False when the list ends "and others" (et al.)
    fields: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    raw_fields: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    location: SourceLocation | None = field(default=None, compare=False)
    # Kept by the RIS, CSL-JSON, MEDLINE and EndNote XML readers; last, with a default, so
    # that every existing ``Reference(...)`` call and cache row still builds one.
    abstract: str = field(default="", compare=False)

    @property
    def first_author(self) -> Name | None:
        names = self.authors or self.editors
        return names[0] if names else None

    @property
    def short_citation(self) -> str:
        """``Liliang 2011``: first author's surname and year, as Cochrane tables name studies."""
        author = self.first_author
        who = author.surname if author else (self.title.split(":")[0][:40] or self.key)
        return f"{who} {self.year}" if self.year else who


@dataclass(frozen=True, slots=True)
class CertaintyJudgement:
    """A person's certainty rating for a claim; it overrides the computed one."""

    level: Certainty
    reason: str


@dataclass(frozen=True, slots=True)
class Citation:
    """One claim citing one reference, with what the reviewer recorded about it."""

    key: str
    stance: Stance = Stance.SUPPORTS
    finding: str = ""
    n: int | None = None
    events: int | None = None
    outcome: str = ""
    locator: str = ""
    quote: str = ""
    design: str | None = None
    risk_of_bias: RiskOfBias | None = None
    note: str = ""
    location: SourceLocation | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Claim:
    """A statement and the citations offered for it."""

    id: str
    text: str
    citations: tuple[Citation, ...] = ()
    tags: tuple[str, ...] = ()
    certainty: CertaintyJudgement | None = None
    note: str = ""
    location: SourceLocation | None = field(default=None, compare=False)


# --- PubMed -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AbstractSection:
    """One ``AbstractText``: its printed label, NLM category and text (markup flattened)."""

    text: str
    label: str = ""
    category: str = ""


@dataclass(frozen=True, slots=True)
class PublicationType:
    """A PubMed publication type with its MeSH UI code (``D016449``)."""

    ui: str
    name: str


@dataclass(frozen=True, slots=True)
class MeshHeading:
    """A MeSH descriptor with its UI code, whether it is a major topic, and qualifiers."""

    ui: str
    name: str
    major: bool = False
    qualifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommentCorrection:
    """A CommentsCorrections link (``RetractionIn``, ``ErratumIn`` ...) to another record."""

    ref_type: str
    source: str = ""
    pmid: str | None = None


@dataclass(frozen=True, slots=True)
class PubMedRecord:
    """What PubMed says about one article or book chapter."""

    pmid: str
    title: str
    kind: str = "article"  # or "book"
    abstract: tuple[AbstractSection, ...] = ()
    authors: tuple[Name, ...] = ()
    authors_complete: bool = True
    journal: str = ""
    journal_abbrev: str = ""
    year: int | None = None
    pub_date: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str | None = None
    pmcid: str | None = None
    publication_types: tuple[PublicationType, ...] = ()
    mesh: tuple[MeshHeading, ...] = ()
    keywords: tuple[str, ...] = ()
    comments_corrections: tuple[CommentCorrection, ...] = ()
    languages: tuple[str, ...] = ()
    status: str = ""
    # Books and chapters (kind="book"): ``journal`` holds the book title, these the rest.
    editors: tuple[Name, ...] = ()
    publisher: str = ""
    publisher_location: str = ""
    book_accession: str = ""  # NCBI Bookshelf accession, e.g. NBK1403

    @property
    def abstract_text(self) -> str:
        """The abstract as one text, each labelled section starting with ``LABEL:`` and a space."""
        return " ".join(f"{s.label}: {s.text}" if s.label else s.text for s in self.abstract)

    @property
    def major_mesh(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.mesh if m.major)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` reads it back to an equal record."""
        return {
            "pmid": self.pmid,
            "title": self.title,
            "kind": self.kind,
            "abstract": [
                {"label": s.label, "category": s.category, "text": s.text} for s in self.abstract
            ],
            "authors": [
                {
                    "last": a.last,
                    "first": a.first,
                    "von": a.von,
                    "jr": a.jr,
                    "collective": a.collective,
                }
                for a in self.authors
            ],
            "authors_complete": self.authors_complete,
            "journal": self.journal,
            "journal_abbrev": self.journal_abbrev,
            "year": self.year,
            "pub_date": self.pub_date,
            "volume": self.volume,
            "issue": self.issue,
            "pages": self.pages,
            "doi": self.doi,
            "pmcid": self.pmcid,
            "publication_types": [{"ui": p.ui, "name": p.name} for p in self.publication_types],
            "mesh": [
                {"ui": m.ui, "name": m.name, "major": m.major, "qualifiers": list(m.qualifiers)}
                for m in self.mesh
            ],
            "keywords": list(self.keywords),
            "comments_corrections": [
                {"ref_type": c.ref_type, "source": c.source, "pmid": c.pmid}
                for c in self.comments_corrections
            ],
            "languages": list(self.languages),
            "status": self.status,
            "editors": [
                {
                    "last": e.last,
                    "first": e.first,
                    "von": e.von,
                    "jr": e.jr,
                    "collective": e.collective,
                }
                for e in self.editors
            ],
            "publisher": self.publisher,
            "publisher_location": self.publisher_location,
            "book_accession": self.book_accession,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PubMedRecord:
        """Rebuild a record from :meth:`to_dict` output (raises ``KeyError``/``TypeError``
        on a malformed dict; callers treat that as a corrupt cache entry)."""
        return cls(
            pmid=str(data["pmid"]),
            title=str(data["title"]),
            kind=str(data.get("kind", "article")),
            abstract=tuple(
                AbstractSection(
                    text=s["text"], label=s.get("label", ""), category=s.get("category", "")
                )
                for s in data.get("abstract", ())
            ),
            authors=tuple(
                Name(
                    last=a["last"],
                    first=a.get("first", ""),
                    von=a.get("von", ""),
                    jr=a.get("jr", ""),
                    collective=bool(a.get("collective", False)),
                )
                for a in data.get("authors", ())
            ),
            authors_complete=bool(data.get("authors_complete", True)),
            journal=str(data.get("journal", "")),
            journal_abbrev=str(data.get("journal_abbrev", "")),
            year=data.get("year"),
            pub_date=str(data.get("pub_date", "")),
            volume=str(data.get("volume", "")),
            issue=str(data.get("issue", "")),
            pages=str(data.get("pages", "")),
            doi=data.get("doi"),
            pmcid=data.get("pmcid"),
            publication_types=tuple(
                PublicationType(p["ui"], p["name"]) for p in data.get("publication_types", ())
            ),
            mesh=tuple(
                MeshHeading(
                    m["ui"], m["name"], bool(m.get("major", False)), tuple(m.get("qualifiers", ()))
                )
                for m in data.get("mesh", ())
            ),
            keywords=tuple(data.get("keywords", ())),
            comments_corrections=tuple(
                CommentCorrection(c["ref_type"], c.get("source", ""), c.get("pmid"))
                for c in data.get("comments_corrections", ())
            ),
            languages=tuple(data.get("languages", ())),
            status=str(data.get("status", "")),
            editors=tuple(
                Name(
                    last=e["last"],
                    first=e.get("first", ""),
                    von=e.get("von", ""),
                    jr=e.get("jr", ""),
                    collective=bool(e.get("collective", False)),
                )
                for e in data.get("editors", ())
            ),
            publisher=str(data.get("publisher", "")),
            publisher_location=str(data.get("publisher_location", "")),
            book_accession=str(data.get("book_accession", "")),
        )
