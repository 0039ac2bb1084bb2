"""What an extraction returns: markers, unmapped citations, the listed references, the result.

Frozen records only; :class:`CitationMatcher` says what is asked of a PubMed client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from evidence.claims import ClaimSet, dump_claims
from evidence.errors import Problem, SourceLocation
from evidence.model import Reference

if TYPE_CHECKING:
    from evidence.pubmed.query import CitationQuery

__all__ = ["CitationMatcher", "ExtractResult", "ListedReference", "Marker", "UnmappedMarker"]


@dataclass(frozen=True, slots=True)
class Marker:
    """One citation marker found in the text.

    ``kind`` is ``pandoc``, ``latex``, ``sphinx``, ``rst``, ``numeric``, ``superscript`` or
    ``author-year``; ``text`` is the marker as written; ``cited`` what it names as written
    (keys, reference numbers with ranges expanded, or ``Katz et al. 2003``); ``keys`` the
    bibliography keys those map to, in order (fewer than ``cited`` when some could not be
    mapped).
    """

    kind: str
    text: str
    location: SourceLocation
    cited: tuple[str, ...]
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnmappedMarker:
    """Something a marker cites that no bibliography key could be found for, and why."""

    marker: Marker
    cited: str
    reason: str

    def __str__(self) -> str:
        return f"{self.marker.location}: {self.cited!r} not mapped: {self.reason}"


@dataclass(frozen=True, slots=True)
class ListedReference:
    """One entry of the document's own numbered reference list, and what it maps to.

    The fields after ``text`` are parsed from the entry (empty when not found); ``key`` is
    the bibliography key it maps to (``None`` when unmapped), ``how`` says how it was
    matched (``pmid``, ``doi``, ``title``, ``pubmed``) or why not.
    """

    number: int
    text: str
    location: SourceLocation
    first_author: str = ""
    initials: str = ""
    title: str = ""
    journal: str = ""
    year: int | None = None
    volume: str = ""
    first_page: str = ""
    pmid: str | None = None
    doi: str | None = None
    key: str | None = None
    how: str = ""
    pmcid: str | None = None

    def citation_query(self) -> CitationQuery:
        """The ECitMatch query for this entry (journal, year, volume, first page, author)."""
        from evidence.pubmed.query import CitationQuery

        author = f"{self.first_author} {self.initials}".strip()
        return CitationQuery(self.journal, self.year, self.volume, self.first_page, author)


@dataclass(frozen=True)
class ExtractResult:
    """What :func:`extract_claims` found.

    ``claims`` is a :class:`~evidence.claims.ClaimSet` (write it with :meth:`dump`);
    ``references`` the works the document describes itself (reference-manager fields,
    a JATS ``<ref-list>``, list entries that are their own reference); ``census`` counts
    every cited item: ``found`` = ``mapped`` + ``unchecked`` + ``reported``;
    ``markers`` every marker taken, in text order; ``unmapped`` what they cite that has no
    key; ``reference_list`` the document's numbered reference list (empty when it has
    none); ``problems`` located warnings; ``format`` the format the text was read as.
    """

    claims: ClaimSet
    markers: tuple[Marker, ...] = ()
    unmapped: tuple[UnmappedMarker, ...] = ()
    reference_list: tuple[ListedReference, ...] = ()
    problems: tuple[Problem, ...] = ()
    format: str = "markdown"
    path: str = "<string>"
    references: tuple[Reference, ...] = ()
    census: Mapping[str, int] = field(default_factory=dict)

    def census_line(self) -> str:
        """The census in words: ``12 citations found: 10 mapped, 2 reported``."""
        c = self.census
        found = c.get("found", 0)
        parts = [f"{c.get('mapped', 0)} mapped"]
        if c.get("unchecked"):
            parts.append(f"{c['unchecked']} kept unchecked (no bibliography given)")
        parts.append(f"{c.get('reported', 0)} reported")
        line = f"{found} citation{'s' if found != 1 else ''} found: {', '.join(parts)}"
        if "listed" in c:
            line += f"; reference list: {c['listed']} entries read"
            if c.get("numbered", c["listed"]) != c["listed"]:
                line += f" of {c['numbered']} numbered"
        return line

    def dump(self, fmt: str = "yaml") -> str:
        """The claims as a claims file (see :func:`~evidence.dump_claims`)."""
        return dump_claims(self.claims, fmt)


class CitationMatcher(Protocol):
    """What :func:`extract_claims` needs from a PubMed client: ECitMatch look-ups."""

    def citmatch(self, citations: Mapping[int, CitationQuery]) -> Mapping[int, str | None]:
        """PMIDs (or ``None``) for each citation query, under the same keys."""
        ...
