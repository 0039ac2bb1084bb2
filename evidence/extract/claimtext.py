"""A claim's text: the sentence with its markers removed and the format's markup undone.

Narrative markers leave their authors or year in the text (``\\citet{katz2003} found``
gives ``Katz et al. found``); others go with the space before them, and brackets left
empty go too (``helps ([1]).`` gives ``helps.``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from evidence.extract.markers import Found
from evidence.extract.matching import lookup_key
from evidence.model import Reference

__all__ = ["claim_text", "is_statement"]

_CLOSING = ".,;:!?)]}\u201d\u2019\"'"


def claim_text(
    text: str,
    span: tuple[int, int],
    found: Sequence[Found],
    references: Mapping[str, Reference] | None,
    clean: Callable[[str], str],
) -> str:
    """``text[span]`` as plain words: markers removed, markup undone, spaces collapsed.

    >>> from evidence.extract.markers import Item
    >>> marker = Found("numeric", 16, 19, [Item("number", "1")])
    >>> claim_text("Walking *helps* [1]. Next", (0, 20), [marker], None, str)
    'Walking *helps*.'
    """
    start, end = span
    out = ""
    at = start
    for f in sorted(found, key=lambda x: x.start):
        cut_from, cut_to = f.strip or (f.start, f.end)
        out += text[at:cut_from]
        at = max(at, cut_to)
        replacement = _replacement(f, references)
        if replacement:
            out += f" {replacement}"
            if text[at:end][:1] not in _CLOSING:
                out += " "
        else:
            out, skip = _close_gap(out, text[at:end])
            at += skip
    return " ".join(clean(out + text[at:end]).split())


def is_statement(text: str) -> bool:
    """A sentence of at least four words ending in ``.`` or ``!`` (not a question, a heading).

    >>> is_statement("Pain is common after fusion."), is_statement("Is pain common?")
    (True, False)
    """
    return bool(re.search(r"[.!][\"'\u201d\u2019)\]]*$", text)) and len(text.split()) >= 4


def _replacement(f: Found, references: Mapping[str, Reference] | None) -> str:
    """What a narrative marker leaves in the text (its authors or year); else ''."""
    if f.kind == "crossref":
        return f.narrative  # "[@fig:a]" reads as "Figure a"
    if f.strip is not None or not f.narrative:
        return ""
    words = []
    for item in f.items:
        ref = lookup_key(references, item.value)
        if f.narrative == "year":
            words.append(str(ref.year) if ref is not None and ref.year else item.value)
        else:
            words.append(_authors_in_text(ref) if ref is not None else item.value)
    return ", ".join(words)


def _close_gap(left: str, right: str) -> tuple[str, int]:
    """Join the text around a removed marker; return the new left and how much of the
    right to skip. ``helps [1].`` -> ``helps.``; ``helps ([1]).`` -> ``helps.``;
    ``helps,[1] and`` -> ``helps, and``; ``helps [1], and`` -> ``helps, and``.
    """
    spaces = len(right) - len(right.lstrip())
    head = right[spaces : spaces + 1]
    trimmed = left.rstrip()
    if trimmed[-1:] in ("(", "[") and head in (")", "]"):
        # The marker was all there was in the brackets: drop them.
        trimmed = trimmed[:-1].rstrip()
        spaces += 1
        rest = right[spaces:]
        head = rest.lstrip()[:1]
        spaces += len(rest) - len(rest.lstrip()) if head in _CLOSING else 0
        return (trimmed if head in _CLOSING else trimmed + " "), spaces
    if not head or head in _CLOSING:
        if trimmed[-1:] in (",", ";", ":") and head in (".", "!", "?"):
            trimmed = trimmed[:-1]
        return trimmed, spaces
    return (trimmed + " " if trimmed else trimmed), spaces


def _authors_in_text(ref: Reference) -> str:
    names = ref.authors or ref.editors
    if not names:
        return ref.short_citation
    if len(names) == 1:
        return names[0].surname
    if len(names) == 2 and names[1].last.lower() != "others":
        return f"{names[0].surname} and {names[1].surname}"
    return f"{names[0].surname} et al."
