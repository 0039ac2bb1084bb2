"""The references a document carries, written as a .bib file.

A Word document's reference-manager fields, a JATS ``<ref-list>`` and (with
``list_references``) a typed reference list describe the works cited; ``evidence extract
--write-bib refs.bib`` writes them so ``evidence fetch`` and ``evidence table`` can use them
like any other .bib. Values are written in braces with LaTeX's special characters escaped,
so the file reads back (:func:`~evidence.bibliography.parse_references`) to the same
titles, names and identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from evidence.model import Name, Reference

__all__ = ["references_to_bibtex"]

_SPECIAL = re.compile(r"([\\{}&%$#_^~])")
_REPLACE = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}


def _escape(text: str) -> str:
    return _SPECIAL.sub(lambda m: _REPLACE.get(m.group(1), "\\" + m.group(1)), text)


def _name(name: Name) -> str:
    if name.collective:
        return "{" + _escape(name.last) + "}"
    last = f"{name.von} {name.last}".strip()
    parts = [_escape(last)]
    if name.jr:
        parts.append(_escape(name.jr))
    if name.first:
        parts.append(_escape(name.first))
    return ", ".join(parts)


def references_to_bibtex(references: Iterable[Reference]) -> str:
    """A .bib text with one entry per reference, in the order given.

    >>> from evidence.model import Name, Reference
    >>> print(references_to_bibtex([Reference("katz2003", "article", title="Pain & fusion",
    ...     authors=(Name("Katz", "V"),), year=2003, doi="10.1/x")]))
    @article{katz2003,
      author = {Katz, V},
      title = {Pain \\& fusion},
      year = {2003},
      doi = {10.1/x},
    }
    <BLANKLINE>
    """
    out: list[str] = []
    for ref in references:
        fields: list[tuple[str, str]] = []
        if ref.authors:
            names = [_name(n) for n in ref.authors]
            if not ref.authors_complete:
                names.append("others")
            fields.append(("author", " and ".join(names)))
        if ref.editors:
            fields.append(("editor", " and ".join(_name(n) for n in ref.editors)))
        for name, value in (
            ("title", ref.title),
            ("journal", ref.journal),
            ("year", str(ref.year) if ref.year else ""),
            ("volume", ref.volume),
            ("number", ref.number),
            ("pages", ref.pages),
            ("doi", ref.doi or ""),
            ("pmid", ref.pmid or ""),
            ("pmcid", ref.pmcid or ""),
            ("url", ref.fields.get("url", "")),
        ):
            if value:
                fields.append((name, value if name in ("author", "editor") else _escape(value)))
        body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
        out.append(f"@{ref.entry_type or 'misc'}{{{ref.key},\n{body}}}\n")
    return "\n".join(out)
