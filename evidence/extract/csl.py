"""Cited works described in CSL-JSON (Zotero, Mendeley, Manubot) made into references.

Reference managers store each cited item's metadata as CSL-JSON inside the document
(Zotero's and Mendeley's Word fields) or beside it (Manubot's ``references.json``);
:func:`reference_from_csl` turns one item into a :class:`~evidence.model.Reference`, and
:class:`KeyMaker` gives each cited work a readable key (``smith2013``) that stays the
same for every citation of that work in the document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from evidence.errors import SourceLocation
from evidence.extract.ids import ascii_words
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid
from evidence.model import Name, Reference

__all__ = ["KeyMaker", "csl_year", "reference_from_csl"]

# CSL item types and the BibTeX entry type the rest of the library knows them by.
_ENTRY_TYPES = {
    "article-journal": "article",
    "article": "article",
    "review": "article",
    "book": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "thesis": "phdthesis",
}


class KeyMaker:
    """Readable keys for the works a document cites, one per work.

    >>> keys = KeyMaker()
    >>> keys.key("zotero:1", "Smith", 2013), keys.key("zotero:2", "Smith", 2013)
    ('smith2013', 'smith2013a')
    >>> keys.key("zotero:1", "Smith", 2013)
    'smith2013'
    """

    def __init__(self) -> None:
        self._by_identity: dict[str, str] = {}
        self._used: set[str] = set()

    def known(self, identity: str) -> str | None:
        """The key already given to the work ``identity``, if any."""
        return self._by_identity.get(identity)

    def key(self, identity: str, surname: str, year: int | None) -> str:
        """The key of the work ``identity``: first author and year, a letter on a clash."""
        found = self._by_identity.get(identity)
        if found is not None:
            return found
        base = "".join(ascii_words(surname))[:24] or "ref"
        base += str(year) if year else ""
        key = base
        n = 0
        while key in self._used:
            n += 1
            key = base + _suffix(n)
        self._used.add(key)
        self._by_identity[identity] = key
        return key


def _suffix(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def csl_year(item: Mapping[str, Any]) -> int | None:
    """The year a CSL item was issued (``date-parts``, a ``raw`` date or a string)."""
    issued = item.get("issued")
    if isinstance(issued, Mapping):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return _year(parts[0][0])
        for name in ("raw", "literal"):
            if isinstance(issued.get(name), str):
                return _year(issued[name])
    if isinstance(issued, str | int):
        return _year(issued)
    return None


def _year(value: object) -> int | None:
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", str(value))
    return int(match.group(1)) if match else None


def _names(value: object) -> tuple[Name, ...]:
    if not isinstance(value, list):
        return ()
    names = []
    for person in value:
        if not isinstance(person, Mapping):
            continue
        literal = _text(person.get("literal"))
        family = _text(person.get("family"))
        if literal and not family:
            names.append(Name(literal, collective=True))
        elif family:
            names.append(
                Name(
                    family,
                    _text(person.get("given")),
                    von=_text(person.get("non-dropping-particle")),
                    jr=_text(person.get("suffix")),
                )
            )
    return tuple(names)


def _text(value: object) -> str:
    if isinstance(value, str):
        return " ".join(re.sub(r"<[^>]+>", "", value).split())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _raw(value: object) -> str:
    return value if isinstance(value, str) else ""


def reference_from_csl(
    item: Mapping[str, Any], key: str, location: SourceLocation | None = None
) -> Reference:
    """A :class:`~evidence.model.Reference` from one CSL-JSON item, under ``key``.

    >>> ref = reference_from_csl(
    ...     {"type": "article-journal", "title": "Pain after fusion", "DOI": "10.1/X",
    ...      "PMID": "123", "author": [{"family": "Katz", "given": "V"}],
    ...      "issued": {"date-parts": [[2003, 2]]}}, "katz2003")
    >>> ref.key, ref.entry_type, ref.year, ref.doi, ref.pmid, ref.authors[0].last
    ('katz2003', 'article', 2003, '10.1/x', '123', 'Katz')
    """
    doi = normalise_doi(_text(item.get("DOI"))) if item.get("DOI") else None
    pmid = normalise_pmid(_text(item.get("PMID"))) if item.get("PMID") else None
    pmcid = normalise_pmcid(_text(item.get("PMCID"))) if item.get("PMCID") else None
    fields = {
        name: _text(item.get(csl))
        for name, csl in (("url", "URL"), ("publisher", "publisher"), ("isbn", "ISBN"))
        if _text(item.get(csl))
    }
    # Manubot notes the identifier an item was made from: "standard_id: doi:10.1/x".
    standard = re.search(r"(?m)^standard_id:\s*(\S+)", _raw(item.get("note")))
    if standard:
        fields["standard_id"] = standard.group(1)
    return Reference(
        key=key,
        entry_type=_ENTRY_TYPES.get(_text(item.get("type")), "misc"),
        title=_text(item.get("title")),
        authors=_names(item.get("author")),
        editors=_names(item.get("editor")),
        year=csl_year(item),
        journal=_text(item.get("container-title")),
        volume=_text(item.get("volume")),
        number=_text(item.get("issue")),
        pages=_text(item.get("page")).replace("\u2013", "-"),
        pmid=pmid,
        doi=doi,
        pmcid=pmcid,
        fields=fields,
        location=location,
    )
