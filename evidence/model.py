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
from typing import TYPE_CHECKING, Any

from evidence.errors import SourceLocation

if TYPE_CHECKING:  # evidence.comparative sits at this stage too; annotations only
    import evidence.comparative

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

    @classmethod
    def from_text(cls, text: str) -> StudyDesign:
        """A design as people write it: the values and labels, plus common spellings.

        "RCT", "randomized controlled trial", "randomised trial", "meta-analysis",
        "systematic review and meta-analysis", "cohort study", "case series"... are
        accepted (case, spaces, ``_`` and ``-`` forgiven; US "randomiz" read as
        "randomis"). Raises ``ValueError`` naming the accepted values.

        >>> StudyDesign.from_text("Randomized Controlled Trial").value
        'randomised-trial'
        >>> StudyDesign.from_text("meta-analysis").value
        'systematic-review'
        """
        wanted = " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())
        wanted = wanted.replace("randomiz", "randomis").replace("nonrandomis", "non randomis")
        wanted = wanted.removesuffix(" study").removesuffix(" studies")
        alias = _DESIGN_ALIASES.get(wanted)
        if alias is not None:
            return cls(alias)
        return cls(cls.parse(wanted).value)


# Spellings (lower case, single spaces, "randomis", no trailing "study") -> design value.
_DESIGN_ALIASES = {
    "rct": "randomised-trial",
    "rcts": "randomised-trial",
    "randomised controlled trial": "randomised-trial",
    "randomised clinical trial": "randomised-trial",
    "randomised trial": "randomised-trial",
    "non randomised controlled trial": "non-randomised-trial",
    "non randomised trial": "non-randomised-trial",
    "controlled clinical trial": "non-randomised-trial",
    "quasi experimental": "non-randomised-trial",
    "meta analysis": "systematic-review",
    "metaanalysis": "systematic-review",
    "systematic review": "systematic-review",
    "systematic review and meta analysis": "systematic-review",
    "systematic review / meta analysis": "systematic-review",
    "case control": "case-control",
    "cross sectional": "cross-sectional",
    "case series": "case-series",
    "case report": "case-report",
    "narrative review": "narrative-review",
    "practice guideline": "guideline",
    "editorial": "editorial-or-opinion",
    "opinion": "editorial-or-opinion",
    "commentary": "editorial-or-opinion",
}

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
    # Comparative numbers (docs/effects.md): two-arm counts or means, or a reported effect;
    # ``measure`` is the one asked for beside the arms (None: RR for counts, MD for means).
    arms: evidence.comparative.BinaryArms | evidence.comparative.ContinuousArms | None = None
    effect: evidence.comparative.ReportedEffect | None = None
    measure: evidence.comparative.Measure | None = None
    arm_labels: tuple[str, str] = ("", "")


@dataclass(frozen=True, slots=True)
class Claim:
    """A statement and the citations offered for it.

    ``location`` is where the claim is in its claims file; ``source`` where it was
    extracted from (``review.md:12``, ``paper.docx, paragraph 7``), kept in the file.
    """

    id: str
    text: str
    citations: tuple[Citation, ...] = ()
    tags: tuple[str, ...] = ()
    certainty: CertaintyJudgement | None = None
    note: str = ""
    location: SourceLocation | None = field(default=None, compare=False)
    # Where the claim was extracted from ("review.md:12"); like ``location`` it is not part
    # of what the claim says, so equality ignores it (CSV claims files do not keep it).
    source: str = field(default="", compare=False)


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
        """Rebuild a record from :meth:`to_dict` output, checking every field's type.

        Raises ``ValueError`` naming the field (``publication_types[0].name: expected
        text, found true``) when the dict is not what :meth:`to_dict` writes: a record read
        back from a cache or a snapshot that someone edited by hand is refused here, not
        half-accepted to crash the build later. Callers treat it as a damaged entry.
        """
        if type(data) is dict:
            try:
                return _record_fast(cls, data)
            except _NotPlain:
                pass  # the checked reading below says what is wrong, or accepts it
        d = _Checked(data, "record")
        return cls(
            pmid=d.text("pmid"),
            title=d.text("title"),
            kind=d.text("kind", "article"),
            abstract=tuple(
                AbstractSection(
                    text=s.text("text"), label=s.text("label", ""), category=s.text("category", "")
                )
                for s in d.items("abstract")
            ),
            authors=tuple(_name(a) for a in d.items("authors")),
            authors_complete=d.flag("authors_complete", True),
            journal=d.text("journal", ""),
            journal_abbrev=d.text("journal_abbrev", ""),
            year=d.number("year"),
            pub_date=d.text("pub_date", ""),
            volume=d.text("volume", ""),
            issue=d.text("issue", ""),
            pages=d.text("pages", ""),
            doi=d.optional_text("doi"),
            pmcid=d.optional_text("pmcid"),
            publication_types=tuple(
                PublicationType(p.text("ui"), p.text("name")) for p in d.items("publication_types")
            ),
            mesh=tuple(
                MeshHeading(
                    m.text("ui"), m.text("name"), m.flag("major", False), m.texts("qualifiers")
                )
                for m in d.items("mesh")
            ),
            keywords=d.texts("keywords"),
            comments_corrections=tuple(
                CommentCorrection(c.text("ref_type"), c.text("source", ""), c.optional_text("pmid"))
                for c in d.items("comments_corrections")
            ),
            languages=d.texts("languages"),
            status=d.text("status", ""),
            editors=tuple(_name(e) for e in d.items("editors")),
            publisher=d.text("publisher", ""),
            publisher_location=d.text("publisher_location", ""),
            book_accession=d.text("book_accession", ""),
        )


class _NotPlain(Exception):
    """A record dict the fast reader does not vouch for; the checked reader decides."""


def _s(value: Any) -> str:
    if type(value) is not str:
        raise _NotPlain
    return value


def _opt_s(value: Any) -> str | None:
    if value is not None and type(value) is not str:
        raise _NotPlain
    return value


def _b(value: Any) -> bool:
    if type(value) is not bool:
        raise _NotPlain
    return value


def _dicts(value: Any) -> list[dict[str, Any]]:
    if type(value) is not list or not all(type(v) is dict for v in value):
        raise _NotPlain
    return value


def _strs(value: Any) -> tuple[str, ...]:
    if type(value) is not list or not all(type(v) is str for v in value):
        raise _NotPlain
    return tuple(value)


def _name_fast(a: dict[str, Any]) -> Name:
    return Name(
        _s(a["last"]),
        _s(a.get("first", "")),
        _s(a.get("von", "")),
        _s(a.get("jr", "")),
        _b(a.get("collective", False)),
    )


def _record_fast(cls: type[PubMedRecord], d: dict[str, Any]) -> PubMedRecord:
    """:meth:`PubMedRecord.from_dict` for a plain dict of the right shape, read without a
    checker object per item (a warm read of 10,000 cached records spent most of its time
    in those). It accepts exactly what the checked reading accepts, with the same
    defaults; anything else (a missing key, a wrong type, a non-dict mapping) raises
    :class:`_NotPlain` and the checked reading runs, to accept it or say what is wrong."""
    try:
        year = d.get("year")
        if year is not None and type(year) is not int:
            raise _NotPlain
        return cls(
            pmid=_s(d["pmid"]),
            title=_s(d["title"]),
            kind=_s(d.get("kind", "article")),
            abstract=tuple(
                AbstractSection(_s(a["text"]), _s(a.get("label", "")), _s(a.get("category", "")))
                for a in _dicts(d.get("abstract", []))
            ),
            authors=tuple(_name_fast(a) for a in _dicts(d.get("authors", []))),
            authors_complete=_b(d.get("authors_complete", True)),
            journal=_s(d.get("journal", "")),
            journal_abbrev=_s(d.get("journal_abbrev", "")),
            year=year,
            pub_date=_s(d.get("pub_date", "")),
            volume=_s(d.get("volume", "")),
            issue=_s(d.get("issue", "")),
            pages=_s(d.get("pages", "")),
            doi=_opt_s(d.get("doi")),
            pmcid=_opt_s(d.get("pmcid")),
            publication_types=tuple(
                PublicationType(_s(p["ui"]), _s(p["name"]))
                for p in _dicts(d.get("publication_types", []))
            ),
            mesh=tuple(
                MeshHeading(
                    _s(m["ui"]),
                    _s(m["name"]),
                    _b(m.get("major", False)),
                    _strs(m.get("qualifiers", [])),
                )
                for m in _dicts(d.get("mesh", []))
            ),
            keywords=_strs(d.get("keywords", [])),
            comments_corrections=tuple(
                CommentCorrection(_s(c["ref_type"]), _s(c.get("source", "")), _opt_s(c.get("pmid")))
                for c in _dicts(d.get("comments_corrections", []))
            ),
            languages=_strs(d.get("languages", [])),
            status=_s(d.get("status", "")),
            editors=tuple(_name_fast(e) for e in _dicts(d.get("editors", []))),
            publisher=_s(d.get("publisher", "")),
            publisher_location=_s(d.get("publisher_location", "")),
            book_accession=_s(d.get("book_accession", "")),
        )
    except KeyError:
        raise _NotPlain from None


def _name(d: _Checked) -> Name:
    return Name(
        last=d.text("last"),
        first=d.text("first", ""),
        von=d.text("von", ""),
        jr=d.text("jr", ""),
        collective=d.flag("collective", False),
    )


_MISSING: Any = object()


class _Checked:
    """A JSON object read field by field, each checked against the type it must have."""

    __slots__ = ("_data", "_where")

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: expected an object, found {_kind(data)}")
        self._data = data
        self._where = where

    def _get(self, name: str, default: Any) -> Any:
        value = self._data.get(name, default)
        if value is _MISSING:
            raise ValueError(f"{self._where}.{name}: missing")
        return value

    def _fail(self, name: str, expected: str, value: object) -> ValueError:
        return ValueError(f"{self._where}.{name}: expected {expected}, found {_kind(value)}")

    def text(self, name: str, default: Any = _MISSING) -> str:
        value = self._get(name, default)
        if not isinstance(value, str):
            raise self._fail(name, "text", value)
        return value

    def optional_text(self, name: str) -> str | None:
        value = self._get(name, None)
        if value is not None and not isinstance(value, str):
            raise self._fail(name, "text or null", value)
        return value

    def number(self, name: str) -> int | None:
        value = self._get(name, None)
        if value is not None and (type(value) is not int):
            raise self._fail(name, "a whole number or null", value)
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise self._fail(name, "true or false", value)
        return value

    def texts(self, name: str) -> tuple[str, ...]:
        value = self._get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(name, "a list of texts", value)
        return tuple(value)

    def items(self, name: str) -> list[_Checked]:
        value = self._get(name, [])
        if not isinstance(value, list):
            raise self._fail(name, "a list", value)
        return [_Checked(item, f"{self._where}.{name}[{i}]") for i, item in enumerate(value)]


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return {str: "text", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )
