"""Claim ids and new bibliography keys, made from words folded to ASCII.

Ids must not change between versions (claims files keep them), so letters with no ASCII
form are dropped rather than spelled out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from evidence.extract.records import ListedReference
from evidence.extract.words import FUNCTION_WORDS
from evidence.text import fold

__all__ = ["ascii_words", "new_key", "slug"]

_SLUG_STOPWORDS = FUNCTION_WORDS | frozenset({"is", "be", "has", "have", "it"})


def ascii_words(text: str) -> list[str]:
    """The lower-case ASCII words and numbers of ``text``, accents dropped.

    Letters without an ASCII form vanish from inside their word (``Møller`` gives
    ``mller``), and so does ``ß``, which :func:`~evidence.text.fold` would spell ``ss``:
    claim ids have always dropped it, and an id must not change between versions.

    >>> ascii_words("Müller-Großmann, 2003")
    ['muller', 'gromann', '2003']
    """
    folded = fold(text.replace("ß", "").replace("\u1e9e", ""))
    return re.findall(r"[a-z0-9]+", folded.encode("ascii", "ignore").decode())


def slug(text: str, taken: Iterable[str], counters: dict[str, int] | None = None) -> str:
    """An id from the claim's first words (function words dropped), unique among ``taken``.

    ``counters`` (kept by the caller across calls) remembers the next number to try for
    each base, so a text repeated many times does not retry every number before it.

    >>> slug("Pain is common after fusion.", ["pain-common-fusion"])
    'pain-common-fusion-2'
    """
    words = [w for w in ascii_words(text) if w not in _SLUG_STOPWORDS] or ascii_words(text)
    base = "-".join(words[:4])[:48].strip("-") or "claim"
    # A set is used as it is: copying it for every claim made extraction quadratic.
    used = taken if isinstance(taken, set | frozenset) else set(taken)
    n = counters.get(base, 1) if counters is not None else 1  # 1: the base itself
    candidate = base if n == 1 else f"{base}-{n}"
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    if counters is not None:
        counters[base] = n + 1
    return candidate


def new_key(entry: ListedReference, pmid: str, used: set[str]) -> str:
    """``liliang2011`` (first author, year) for a reference found only through PubMed."""
    name = "".join(ascii_words(entry.first_author))
    base = f"{name}{entry.year}" if name and entry.year else f"pmid{pmid}"
    key = base
    for letter in "abcdefghijklmnopqrstuvwxyz":
        if key not in used:
            return key
        key = f"{base}{letter}"
    return f"pmid{pmid}"


def list_key(entry: ListedReference, used: set[str]) -> str:
    """A key for a reference-list entry that is its own reference: first author and year
    (``liliang2011``), else its PMID or list number; a letter added on a clash."""
    name = "".join(ascii_words(entry.first_author))[:24]
    if name and entry.year:
        base = f"{name}{entry.year}"
    elif entry.pmid:
        base = f"pmid{entry.pmid}"
    else:
        base = f"ref{entry.number}"
    key = base
    n = 0
    while key in used:
        n += 1
        key = f"{base}{chr(ord('a') + (n - 1) % 26)}{(n - 1) // 26 or ''}"
    return key
