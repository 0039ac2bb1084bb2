"""A reference-list entry made into a reference when no .bib has it.

An entry of the document's own list names its work well enough to cite: a printed PMID,
DOI or PMCID identifies it outright, and its authors, title, journal, year, volume and
pages describe it. :func:`reference_from_listed` keeps what was parsed from the entry,
so ``evidence fetch`` can complete it from PubMed.
"""

from __future__ import annotations

from evidence.extract.records import ListedReference
from evidence.model import Name, Reference

__all__ = ["reference_from_listed"]


def reference_from_listed(entry: ListedReference) -> Reference:
    """The reference an entry describes, under the key it was given.

    >>> import dataclasses
    >>> from evidence.extract.reflist import parse_reference_line
    >>> entry = parse_reference_line("Katz V. Sacroiliac pain. Spine. 2003;16(1):96-9. PMID: 12")
    >>> ref = reference_from_listed(dataclasses.replace(entry, key="katz2003"))
    >>> ref.key, ref.authors[0].last, ref.year, ref.pmid, ref.journal
    ('katz2003', 'Katz', 2003, '12', 'Spine')
    """
    authors = (Name(entry.first_author, entry.initials),) if entry.first_author else ()
    return Reference(
        key=entry.key or f"ref{entry.number}",
        entry_type="article" if entry.journal else "misc",
        title=entry.title,
        authors=authors,
        year=entry.year,
        journal=entry.journal,
        volume=entry.volume,
        pages=entry.first_page,
        pmid=entry.pmid,
        doi=entry.doi,
        pmcid=entry.pmcid,
        authors_complete=False,
        location=entry.location,
    )
