"""Several bibliographies as one: the same work in two files found and reported.

A writer may keep trials in an EndNote export, background in a Zotero CSL-JSON file and a
PubMed search in a ``.nbib``. :func:`merge_bibliographies` joins them in the order given
and says, with both locations, where two files hold one work or one key:

* the same key (ignoring case) for the same work (same PMID or DOI, or the same title and
  year): the first is kept, the second is reported as ``duplicate-work`` (a warning) and
  not loaded;
* the same key for different works: the first is kept, the second reported as
  ``duplicate-key`` (an error) and not loaded, as within one file;
* the same work under two keys (by PMID or DOI): both are kept, so claims citing either
  still resolve, and reported as ``same-work`` (a warning) naming the other key and file.

Every problem of every input is kept, in input order, so ``len(merged) +
len(merged.not_loaded)`` still counts every record of every file.

>>> from evidence.bibliography import parse_ris, parse_csl_json
>>> a = parse_csl_json('[{"id": "k1", "title": "T", "PMID": "12"}]', source="a.json")
>>> b = parse_ris("TY  - JOUR\\nID  - k2\\nTI  - T\\nAN  - PMID:12\\nER  - \\n", source="b.ris")
>>> merged = merge_bibliographies([a, b])
>>> list(merged), [p.code for p in merged.problems]
(['k1', 'k2'], ['same-work'])
"""

from __future__ import annotations

from collections.abc import Sequence

from evidence.bibliography._records import Bibliography
from evidence.errors import Problem, Severity, SourceLocation
from evidence.model import Reference

__all__ = ["merge_bibliographies"]


def _where(ref: Reference) -> str:
    return str(ref.location) if ref.location is not None else "?"


def _same_work(a: Reference, b: Reference) -> str:
    """How ``a`` and ``b`` are known to be one work (``"PMID 123"``), or ``""``."""
    if a.pmid and a.pmid == b.pmid:
        return f"PMID {a.pmid}"
    if a.doi and a.doi == b.doi:
        return f"DOI {a.doi}"
    if a.title and a.year and (a.title.casefold(), a.year) == (b.title.casefold(), b.year):
        return "the same title and year"
    return ""


def merge_bibliographies(bibliographies: Sequence[Bibliography]) -> Bibliography:
    """One :class:`~evidence.bibliography.core.Bibliography` holding every reference of
    ``bibliographies``, in order, with their problems and the problems of merging them (see
    the module docstring). The result's ``path`` names every file, joined by ``", "``."""
    if len(bibliographies) == 1:
        return bibliographies[0]
    kept: dict[str, Reference] = {}
    by_key: dict[str, Reference] = {}
    by_id: dict[tuple[str, str], Reference] = {}
    problems: list[Problem] = []
    for bib in bibliographies:
        problems.extend(bib.problems)
        for key, ref in bib.items():
            location = ref.location or SourceLocation(bib.path)
            first = by_key.get(key.lower())
            if first is not None:
                how = _same_work(first, ref)
                if how:
                    message = (
                        f"'{key}' is also at {_where(first)}, the same work ({how}); "
                        "the first is used. Remove one of them"
                    )
                    problems.append(
                        Problem(location, message, "duplicate-work", Severity.WARNING, key=key)
                    )
                else:
                    message = (
                        f"key '{key}' is also at {_where(first)} for another work; this "
                        "one is not loaded. Give one of them another key"
                    )
                    problems.append(Problem(location, message, "duplicate-key", key=key))
                continue
            for kind in ("pmid", "doi"):
                value = getattr(ref, kind)
                other = by_id.get((kind, value)) if value else None
                if other is not None:
                    message = (
                        f"'{key}' and '{other.key}' ({_where(other)}) are the same work "
                        f"({kind.upper()} {value}); both keys are kept"
                    )
                    problems.append(
                        Problem(location, message, "same-work", Severity.WARNING, key=key)
                    )
                    break
            for kind in ("pmid", "doi"):
                value = getattr(ref, kind)
                if value:
                    by_id.setdefault((kind, value), ref)
            by_key[key.lower()] = ref
            kept[key] = ref
    path = ", ".join(dict.fromkeys(bib.path for bib in bibliographies))
    return Bibliography(kept.values(), problems=problems, path=path)
