"""The one rule for characters a reader cannot see, in every human-facing format.

Text in an evidence table comes from files other people wrote (claims, .bib entries,
PubMed records). Some characters in it are invisible yet change what a reader sees or
what a program downstream does: a right-to-left override turns the rest of a line
around, a zero-width space splits a word that still looks whole, and NUL or ESC can end
a string early or drive a terminal. :func:`visible` decides, for every such character,
whether it is shown or removed; the Markdown, HTML and LaTeX renderers, the Sphinx
directive and the MkDocs plugin (through the HTML writer) apply it to every caption,
header, cell, list item and title before their own escaping, so the rule is the same in
each. Machine-facing outputs (CSV, JSON) keep the text as it was read.

A character that is shown is written as ``<U+XXXX>`` (its code point, four to six hex
digits): plain ASCII, so it survives every format's escaping and prints with
``pdflatex``, and a reader can search for it in the source file.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import overload

from evidence.render.layout import Cell, Grid, Listing

__all__ = ["HIDDEN_CHARACTERS", "visible", "visible_part"]

# Shown as <U+XXXX>: C0 controls other than tab, newline and carriage return (which every
# format already treats as white space), DEL, the C1 controls, the bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), and the tag
# characters (U+E0000-U+E007F), which carry hidden ASCII.
_SHOWN = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f"
# Removed: zero-width space, word joiner and the byte-order mark / zero-width no-break
# space, which never carry meaning inside text.
_REMOVED = "\u200b\u2060\ufeff"
# Zero-width non-joiner and joiner: they shape Persian, Indic scripts and emoji
# sequences, so they stay between two non-ASCII characters and go elsewhere (as in
# ``katz\u200d2003``).
_JOINERS = "\u200c\u200d"

HIDDEN_CHARACTERS = f"{_SHOWN}{_REMOVED}{_JOINERS}"
"""The characters :func:`visible` acts on, as the inside of a regular-expression class: an
escaper can look for them and its own specials in one search, and return most text as it
is without calling :func:`visible` at all."""

_HIDDEN = re.compile(f"[{HIDDEN_CHARACTERS}]")


def _joins(char: str) -> bool:
    """Whether ``char`` is one a joiner may sit beside: non-ASCII, not white space and
    not itself one of the characters this module shows or removes."""
    return char > "\x7f" and not char.isspace() and _HIDDEN.match(char) is None


def _replace(match: re.Match[str]) -> str:
    char, text = match.group(), match.string
    if char in _JOINERS:
        begin, end = match.span()
        inside = begin > 0 and end < len(text)
        return char if inside and _joins(text[begin - 1]) and _joins(text[end]) else ""
    if char in _REMOVED:
        return ""
    return f"<U+{ord(char):04X}>"


def visible(text: str) -> str:
    """``text`` with every invisible character that could mislead shown or removed.

    - C0 and C1 control characters (NUL, ESC, ...; not tab, newline or carriage return)
      and DEL are shown as ``<U+0000>``, ``<U+001B>``, ...;
    - bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069)
      are shown as ``<U+202E>`` ..., so they no longer reorder what follows them;
    - tag characters (U+E0000-U+E007F) are shown;
    - zero-width space (U+200B), word joiner (U+2060) and byte-order mark (U+FEFF) are
      removed;
    - zero-width non-joiner and joiner (U+200C, U+200D) are kept between two non-ASCII
      characters (where scripts and emoji need them) and removed elsewhere.

    Everything else is returned unchanged, and text without any of these is returned as
    it is (the common case costs one regular-expression search).

    >>> visible("abc\\u202edef\\x1b[31m katz\\u200b2003")
    'abc<U+202E>def<U+001B>[31m katz2003'
    """
    if _HIDDEN.search(text) is None:
        return text
    return _HIDDEN.sub(_replace, text)


def _cell(cell: Cell) -> Cell:
    return replace(
        cell,
        text=visible(cell.text),
        links=tuple((visible(label), url) for label, url in cell.links),
        studies=tuple(replace(s, label=visible(s.label)) for s in cell.studies),
    )


@overload
def visible_part(part: Grid) -> Grid: ...
@overload
def visible_part(part: Listing) -> Listing: ...
def visible_part(part: Grid | Listing) -> Grid | Listing:
    """``part`` with :func:`visible` applied to its caption, headers and every cell (text,
    link labels and study labels); for front ends that build their own output from parts
    without one of the library's escapers (the Sphinx directive) and for the LaTeX grids,
    whose column widths are planned from the text that is printed."""
    if isinstance(part, Grid):
        return replace(
            part,
            caption=visible(part.caption),
            headers=tuple(visible(h) for h in part.headers),
            rows=tuple(tuple(_cell(c) for c in row) for row in part.rows),
        )
    return replace(part, caption=visible(part.caption), items=tuple(_cell(c) for c in part.items))
