"""Adding identifiers to a .bib file's text, leaving everything else as it was.

Used by ``evidence fetch --write-ids``: the PMIDs and DOIs found in PubMed go into a copy
of the user's file, which must differ from it by the added lines only. Stage 2: imports
``evidence.model``.
"""

from __future__ import annotations

from collections.abc import Mapping

from evidence.model import Reference

__all__ = ["add_identifiers"]


def add_identifiers(
    text: str,
    bibliography: Mapping[str, Reference],
    found: Mapping[str, tuple[str | None, str | None]],
) -> str:
    """A copy of a .bib file's ``text`` with the PMIDs and DOIs in ``found`` added.

    ``found`` maps keys to ``(pmid, doi)``. A field is added only where the entry has no
    identifier of that kind; nothing that is there is changed. Each new field goes on its
    own line right after the entry's ``@type{key,`` line, so the rest of the file, comments
    and formatting included, stays as it was.

    >>> from evidence.bibliography import parse_references
    >>> bib = parse_references("@article{a,\\n  title = {T},\\n}\\n")
    >>> print(add_identifiers("@article{a,\\n  title = {T},\\n}\\n", bib, {"a": ("12", None)}))
    @article{a,
      pmid = {12},
      title = {T},
    }
    <BLANKLINE>
    """
    lines = text.splitlines(keepends=True)
    inserts: dict[int, list[str]] = {}
    for key, (pmid, doi) in found.items():
        ref = bibliography.get(key)
        if ref is None or ref.location is None or ref.location.line is None:
            continue
        index = ref.location.line - 1
        if index >= len(lines) or not lines[index].rstrip().endswith(","):
            continue  # an unusual header layout: leave the entry alone rather than guess
        new = []
        if pmid and not ref.pmid:
            new.append(f"  pmid = {{{pmid}}},\n")
        if doi and not ref.doi:
            new.append(f"  doi = {{{doi}}},\n")
        if new:
            inserts[index] = new
    out: list[str] = []
    for index, line in enumerate(lines):
        out.append(line if line.endswith("\n") or index not in inserts else line + "\n")
        out.extend(inserts.get(index, ()))
    return "".join(out)
