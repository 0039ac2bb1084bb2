"""References a document carries itself, joined with a .bib given beside it.

A .docx with reference-manager fields or a JATS article with a ``<ref-list>`` describes
every work it cites, so no .bib is needed: those references are the bibliography. When a
.bib is given too, each embedded reference is matched to it (PMID, DOI, then title with
the first author or year, as :func:`~evidence.extract.matching.match_reference` does), and
citations of a matched work take the .bib's key; works the .bib lacks keep the key made
from the document. A key the document gives twice (a JATS ``<ref>`` id repeated) keeps its
first reference and reports the others as ``duplicate-key``, never a crash.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from evidence.bibliography import Bibliography
from evidence.errors import Problem, Severity, SourceLocation
from evidence.extract.matching import BibIndex, match_listed
from evidence.extract.records import ListedReference
from evidence.model import Reference

__all__ = ["embed_references", "listed_from_reference", "unique_references"]


def unique_references(
    embedded: Iterable[Reference], source: str
) -> tuple[list[Reference], list[Problem]]:
    """The document's references with each key once (the first), and a ``duplicate-key``
    problem at every later reference that repeats a key."""
    first: dict[str, Reference] = {}
    problems: list[Problem] = []
    for ref in embedded:
        if ref.key not in first:
            first[ref.key] = ref
            continue
        earlier = first[ref.key].location
        at = f" (first at line {earlier.line})" if earlier and earlier.line else ""
        problems.append(
            Problem(
                ref.location or SourceLocation(source),
                f"the document gives the reference id '{ref.key}' twice{at}; this one is "
                "not used. Give each reference its own id",
                code="duplicate-key",
                severity=Severity.ERROR,
                key=ref.key,
            )
        )
    return list(first.values()), problems


def listed_from_reference(ref: Reference) -> ListedReference:
    """The reference as a listed entry, so the list-matching rules apply to it."""
    first = ref.authors[0] if ref.authors else None
    text = " ".join(
        part
        for part in (
            first.vancouver() if first else "",
            ref.title,
            ref.journal,
            str(ref.year or ""),
        )
        if part
    )
    return ListedReference(
        number=0,
        text=text,
        location=ref.location or SourceLocation("<document>"),
        first_author=first.surname if first else "",
        initials=first.initials if first else "",
        title=ref.title,
        journal=ref.journal,
        year=ref.year,
        volume=ref.volume,
        first_page=ref.pages.split("-")[0],
        pmid=ref.pmid,
        doi=ref.doi,
        pmcid=ref.pmcid,
    )


def embed_references(
    bib: Mapping[str, Reference] | None, embedded: Iterable[Reference], source: str
) -> Mapping[str, Reference]:
    """The mapping markers are looked up in: ``bib``'s entries, and each embedded key
    pointing at the .bib entry it matches, or at the embedded reference itself.
    ``embedded`` has each key once (see :func:`unique_references`)."""
    embedded = list(embedded)
    if bib is None:
        return Bibliography(embedded, path=source)
    index = BibIndex(bib)
    combined: dict[str, Reference] = dict(bib)
    for ref in embedded:
        key, _how = match_listed(listed_from_reference(ref), index) if bib else (None, "")
        if key is not None:
            combined[ref.key] = bib[key]
        elif ref.key in bib:
            # A different work than the .bib's entry of that name: keep both apart.
            combined[ref.key] = dataclasses.replace(ref, key=f"{ref.key}-doc")
        else:
            combined[ref.key] = ref
    return combined
