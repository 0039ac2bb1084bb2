"""Reconciliation: where a .bib entry and its PubMed record disagree.

A .bib file is typed or exported by people and tools that make mistakes: a year off by
one, a title from a preprint, a DOI of another paper. :func:`reconcile` compares the fields
that identify a paper (title, year, journal, first author, DOI) and returns one
:class:`Mismatch` per disagreement. Nothing is overwritten: the table and ``evidence check``
show both values and let the user decide.

Comparisons forgive what does not change the meaning: case, accents, punctuation, LaTeX
braces already decoded by the loader, a trailing full stop, and a journal written as its
abbreviation (``Pain Med`` for ``Pain Medicine``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.model import PubMedRecord, Reference
from evidence.text import fold

__all__ = ["Mismatch", "normalise_text", "reconcile"]


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One field on which the .bib and PubMed disagree."""

    field: str
    bib: str
    pubmed: str

    def __str__(self) -> str:
        return f"{self.field}: .bib has {self.bib!r}, PubMed has {self.pubmed!r}"


_NON_WORD = re.compile(r"[^\w]+")


def normalise_text(text: str) -> str:
    """Case-folded words without accents or punctuation, for comparing titles and names.

    >>> normalise_text("Sacroiliac Joint Pain: Findings Using {Dual} Blocks.")
    'sacroiliac joint pain findings using dual blocks'
    """
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def _journal_matches(bib: str, *names: str) -> bool:
    """True when ``bib`` is one of ``names``, or an abbreviation of one word by word."""
    wanted = normalise_text(bib).removeprefix("the ").split()
    for name in names:
        words = normalise_text(name).removeprefix("the ").split()
        if not words:
            continue
        if wanted == words:
            return True
        short, long = sorted((wanted, words), key=len)
        # "pain med" ~ "pain medicine"; ISO abbreviations drop short words ("of", "and").
        long_iter = iter(long)
        if all(any(w.startswith(s) for w in long_iter) for s in short):
            return True
    return False


def reconcile(reference: Reference, record: PubMedRecord) -> tuple[Mismatch, ...]:
    """The identifying fields on which ``reference`` and ``record`` disagree.

    A field missing on either side is not a disagreement: there is nothing to compare.
    """
    found: list[Mismatch] = []
    if (
        reference.title
        and record.title
        and normalise_text(reference.title) != normalise_text(record.title)
    ):
        found.append(Mismatch("title", reference.title, record.title))
    if reference.year and record.year and reference.year != record.year:
        found.append(Mismatch("year", str(reference.year), str(record.year)))
    if (
        reference.journal
        and (record.journal or record.journal_abbrev)
        and not _journal_matches(reference.journal, record.journal, record.journal_abbrev)
    ):
        found.append(
            Mismatch("journal", reference.journal, record.journal or record.journal_abbrev)
        )
    bib_author = reference.first_author
    pubmed_author = record.authors[0] if record.authors else None
    if (
        bib_author
        and pubmed_author
        and normalise_text(bib_author.surname) != normalise_text(pubmed_author.surname)
    ):
        found.append(Mismatch("first author", bib_author.surname, pubmed_author.surname))
    if reference.doi and record.doi and reference.doi.lower() != record.doi.lower():
        found.append(Mismatch("doi", reference.doi, record.doi))
    return tuple(found)
