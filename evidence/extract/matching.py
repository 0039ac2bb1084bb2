"""Mapping what markers cite to .bib keys: listed references, author-year names, keys.

A numbered reference-list entry is matched by PMID, DOI, then title with the first author
and year (:func:`match_reference`; thresholds explained there), and what the .bib lacks is
asked of PubMed's ECitMatch when a client is given (``map_listed``). Author-year
markers are matched on surname and year (``match_author_year``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, replace

from evidence.bibliography import Bibliography
from evidence.errors import PubMedError
from evidence.extract.ids import list_key, new_key
from evidence.extract.markers import Item
from evidence.extract.records import CitationMatcher, ListedReference
from evidence.model import Reference
from evidence.text import fold, word_set

__all__ = [
    "TITLE_MATCH",
    "TITLE_MATCH_WITH_AUTHOR_AND_YEAR",
    "BibIndex",
    "lookup_key",
    "map_listed",
    "match_author_year",
    "match_listed",
    "match_reference",
    "surname_key",
]

_WORD = re.compile(r"[^\W_]+")
_TITLE_STOPWORDS = word_set(
    "a an and the of in on for to with by at from as or is are its their after before"
)


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def surname_key(name: str) -> str:
    return "".join(_words(name))


#: Share of a .bib title's words that must appear in a listed reference to match on the
#: title with the first author or the year agreeing.
TITLE_MATCH = 0.8
#: Lower share that suffices when the first author *and* the year agree.
TITLE_MATCH_WITH_AUTHOR_AND_YEAR = 0.5


@dataclass(frozen=True, slots=True)
class _Candidate:
    key: str
    how: str
    strength: float
    detail: str


def match_reference(
    listed: ListedReference, references: Mapping[str, Reference]
) -> tuple[str | None, str]:
    """The .bib key a listed reference stands for, and how (or why none was chosen).

    Tried in order: the same PMID, the same DOI, then the title. For the title, the
    share of the .bib title's words (ignoring case, accents, punctuation and a few
    function words) found in the listed entry is measured; an entry matches when that
    share is at least :data:`TITLE_MATCH` (0.8) and the first author's surname or the
    year also agrees, or at least :data:`TITLE_MATCH_WITH_AUTHOR_AND_YEAR` (0.5) when
    both agree. A .bib entry without a title matches on first author, year, volume and
    first page together. Why these values: with a title of eight words, 0.8 means
    seven shared words in the right neighbourhood, which two different papers by the
    same author or of the same year practically never share; 0.5 with author and year
    both agreeing still tolerates a translated, truncated or retyped title. Two entries
    matching equally well are ambiguous and neither is chosen.
    """
    return match_listed(listed, BibIndex(references))


class BibIndex:
    """A bibliography indexed for matching: by PMID, by DOI, and by title word."""

    def __init__(self, references: Mapping[str, Reference]) -> None:
        self.references = references
        self.by_pmid: dict[str, list[str]] = {}
        self.by_doi: dict[str, list[str]] = {}
        self.by_pmcid: dict[str, list[str]] = {}
        self.titles: dict[str, frozenset[str]] = {}
        self.by_word: dict[str, list[str]] = {}
        self.untitled: list[str] = []
        for key, ref in references.items():
            if ref.pmid:
                self.by_pmid.setdefault(ref.pmid, []).append(key)
            if ref.doi:
                self.by_doi.setdefault(ref.doi, []).append(key)
            if ref.pmcid:
                self.by_pmcid.setdefault(ref.pmcid, []).append(key)
            words = frozenset(w for w in _words(ref.title) if w not in _TITLE_STOPWORDS)
            if words:
                self.titles[key] = words
                for word in words:
                    self.by_word.setdefault(word, []).append(key)
            else:
                self.untitled.append(key)

    def shares(self, words: Iterable[str]) -> dict[str, float]:
        """For each entry sharing a title word with ``words``: the share of its title."""
        counts: dict[str, int] = {}
        for word in set(words):
            for key in self.by_word.get(word, ()):
                counts[key] = counts.get(key, 0) + 1
        return {key: n / len(self.titles[key]) for key, n in counts.items()}


def match_listed(listed: ListedReference, index: BibIndex) -> tuple[str | None, str]:
    if not index.references:
        return None, "the .bib is empty"
    found: dict[str, _Candidate] = {}
    for key in index.by_pmid.get(listed.pmid or "", ()):
        found[key] = _Candidate(key, "pmid", 3.0, "same PMID")
    for key in index.by_doi.get(listed.doi or "", ()):
        found.setdefault(key, _Candidate(key, "doi", 3.0, "same DOI"))
    for key in index.by_pmcid.get(listed.pmcid or "", ()):
        found.setdefault(key, _Candidate(key, "pmcid", 3.0, "same PMCID"))
    words = set(_words(listed.text))
    head = set(_words(listed.text)[:12])
    surname = surname_key(listed.first_author)
    shares = index.shares(words)
    hopeful = [k for k, share in shares.items() if share >= TITLE_MATCH_WITH_AUTHOR_AND_YEAR]
    for key in [*hopeful, *index.untitled]:
        if key not in found:
            ref = index.references[key]
            facts = (words, head, surname)
            candidate = _title_candidate(listed, key, ref, shares.get(key), facts)
            if candidate is not None:
                found[key] = candidate
    if not found:
        closest = max(shares.items(), key=lambda kv: (kv[1], kv[0]), default=("", 0.0))
        if closest[1] > 0.3:
            return None, (
                f"no .bib entry matches it (closest: {closest[0]}, {closest[1]:.0%} of its "
                "title words, without the author or year agreeing enough)"
            )
        return None, "no .bib entry has its PMID, DOI or title"
    ranked = sorted(found.values(), key=lambda c: (-c.strength, c.key))
    best = ranked[0]
    rivals = [c.key for c in ranked[1:] if best.strength - c.strength < 0.05]
    if rivals:
        return None, f"ambiguous: matches {', '.join([best.key, *rivals])} equally well"
    return best.key, best.how


def _title_candidate(
    listed: ListedReference,
    key: str,
    ref: Reference,
    share: float | None,
    facts: tuple[set[str], set[str], str],
) -> _Candidate | None:
    words, head, surname = facts
    first = ref.first_author
    ref_surname = surname_key(first.surname) if first else ""
    author_ok = bool(ref_surname) and (
        ref_surname == surname or (first is not None and fold(first.last) in head)
    )
    year_ok = ref.year is not None and (ref.year == listed.year or str(ref.year) in words)
    if share is not None:
        if len(ref.title.split()) < 3 and len(_words(ref.title)) < 3:
            share = min(share, 0.79)  # a title of one or two words alone proves little
        ok = (share >= TITLE_MATCH and (author_ok or year_ok)) or (
            share >= TITLE_MATCH_WITH_AUTHOR_AND_YEAR and author_ok and year_ok
        )
        if not ok:
            return None
        detail = f"title {share:.0%}"
        return _Candidate(key, "title", share + 0.1 * author_ok + 0.1 * year_ok, detail)
    if (
        author_ok
        and year_ok
        and ref.volume
        and ref.volume == listed.volume
        and ref.pages
        and re.split(r"\D", ref.pages.strip(), maxsplit=1)[0] == listed.first_page
    ):
        return _Candidate(key, "author-year-volume-page", 1.0, "author, year, volume, page")
    return None


# --- keys and author-year markers ------------------------------------------------------------


def lookup_key(references: Mapping[str, Reference] | None, key: str) -> Reference | None:
    """The .bib entry cited as ``key``: exact first, then ignoring case (as BibTeX)."""
    if references is None:
        return None
    if isinstance(references, Bibliography):
        return references.find(key)
    found = references.get(key)
    if found is None:
        folded = key.casefold()
        found = next((r for k, r in references.items() if k.casefold() == folded), None)
    return found


def match_author_year(
    item: Item, references: Mapping[str, Reference] | None
) -> tuple[str | None, str]:
    """The key an author-year marker item names, and how (or why none was chosen).

    Matched on the first author's surname and the year; a second name, ``et al.`` (three
    or more authors) and a letter suffix (``2003a``: the key's own suffix, else the
    entries in title order) narrow the choice.
    """
    if references is None:
        return None, "no .bib was given"
    wanted = surname_key(item.surname)
    candidates = []
    for key, ref in references.items():
        first = ref.first_author
        if first is None or ref.year != item.year:
            continue
        if wanted not in (surname_key(first.surname), surname_key(first.last)):
            continue
        if item.second and len(ref.authors) >= 2:
            second = surname_key(item.second)
            other = ref.authors[1]
            if second not in (surname_key(other.surname), surname_key(other.last)):
                continue
        candidates.append((key, ref))
    if not candidates:
        return None, f"no .bib entry by {item.surname} from {item.year}"
    if len(candidates) > 1 and item.suffix:
        by_key = [k for k, _ in candidates if k.lower().endswith(f"{item.year}{item.suffix}")]
        if len(by_key) == 1:
            return by_key[0], "key"
        ordered = sorted(candidates, key=lambda kr: fold(kr[1].title))
        index = ord(item.suffix) - ord("a")
        if 0 <= index < len(ordered):
            return ordered[index][0], "suffix"
    if len(candidates) > 1 and item.etal:
        many = [(k, r) for k, r in candidates if len(r.authors) >= 3]
        candidates = many or candidates
    if len(candidates) > 1:
        keys = ", ".join(k for k, _ in candidates)
        return None, f"ambiguous: {keys} are all by {item.surname} from {item.year}"
    return candidates[0][0], "author-year"


# --- the numbered reference list -------------------------------------------------------------


def map_listed(
    listed: Sequence[ListedReference],
    cited: Set[int],
    references: Mapping[str, Reference] | None,
    client: CitationMatcher | None,
    warn: Callable[[str, str], None],
    *,
    from_list: bool = False,
) -> list[ListedReference]:
    """Map each listed reference to a .bib key, and failing that through PubMed.

    Only the entries some marker cites (their numbers in ``cited``) are looked up in
    PubMed; ``warn(message, code)`` reports that PubMed could not be asked. With
    ``from_list`` and no .bib, an entry still unmapped becomes its own reference.
    """
    mapped: list[ListedReference] = []
    index: BibIndex | None = None
    for entry in listed:
        if references is not None:
            if index is None:
                index = BibIndex(references)
            key, how = match_listed(entry, index)
            entry = replace(entry, key=key, how=how)
        else:
            entry = replace(entry, how="no .bib was given")
        mapped.append(entry)
    todo = {e.number: e for e in mapped if e.key is None and e.number in cited}
    if not todo or client is None:
        return _from_list(mapped, references) if from_list else mapped
    resolved = _citmatch(client, todo, warn)
    by_pmid: dict[str, str] = {}
    if references is not None:
        by_pmid = {r.pmid: k for k, r in references.items() if r.pmid}
    used = {e.key for e in mapped if e.key} | set(references or {})
    out = []
    for entry in mapped:
        if entry.number in resolved:
            pmid, reason = resolved[entry.number]
            if pmid is None:
                entry = replace(entry, how=f"{entry.how}; {reason}")
            elif pmid in by_pmid:
                entry = replace(entry, key=by_pmid[pmid], pmid=pmid, how="pubmed")
            elif references is not None:
                entry = replace(
                    entry,
                    pmid=pmid,
                    how=f"PubMed matched PMID {pmid}, which no .bib entry carries; "
                    "add it to the .bib",
                )
            else:
                key = new_key(entry, pmid, used)
                used.add(key)
                entry = replace(entry, key=key, pmid=pmid, how="pubmed")
        out.append(entry)
    return _from_list(out, references) if from_list else out


def _from_list(
    entries: list[ListedReference], references: Mapping[str, Reference] | None
) -> list[ListedReference]:
    """With no .bib, an entry that prints a PMID or DOI, or names a first author and a
    year, is its own reference: it gets a key (``liliang2011``) and ``how="list"``."""
    if references is not None:
        return entries
    used = {e.key for e in entries if e.key}
    out = []
    for entry in entries:
        named = entry.first_author or entry.title
        if entry.key is None and (entry.pmid or entry.doi or entry.pmcid or (named and entry.year)):
            key = list_key(entry, used)
            used.add(key)
            entry = replace(entry, key=key, how="list")
        out.append(entry)
    return out


def _citmatch(
    client: CitationMatcher,
    todo: Mapping[int, ListedReference],
    warn: Callable[[str, str], None],
) -> dict[int, tuple[str | None, str]]:
    queries = {n: e.citation_query() for n, e in todo.items() if e.journal and e.year}
    result: dict[int, tuple[str | None, str]] = {
        n: (None, "not enough parsed from the entry (journal and year) to ask PubMed")
        for n in todo
        if n not in queries
    }
    if not queries:
        return result
    try:
        answers = client.citmatch(queries)
    except PubMedError as error:
        warn(
            f"PubMed could not resolve the numbered references: {error.message}",
            "pubmed-unavailable",
        )
        for n in queries:
            result[n] = (None, "PubMed could not be asked")
        return result
    for n in queries:
        pmid = answers.get(n)
        result[n] = (pmid, "" if pmid else "PubMed ECitMatch found no single match")
    return result
