"""The prose view cut into paragraphs and sentences, each marker given to its sentence.

Sentence boundaries are :func:`evidence.text.sentence_spans`'; what is added here is
where paragraphs end (blank lines, list items, the reference list) and which sentence a
marker belongs to (``fusion.[1]`` belongs to the sentence before the marker).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from evidence.extract.markers import Found
from evidence.text import sentence_spans

__all__ = ["Sentence", "paragraphs", "sentences"]

_LIST_ITEM = re.compile(r"\s*(?:[-*+\u2022]|\d{1,3}[.)])\s+\S")


@dataclass
class Sentence:
    """A sentence of the view: its span, its paragraph's number, the markers it carries."""

    start: int
    end: int
    paragraph: int
    found: list[Found] = field(default_factory=list)


def paragraphs(view: str, region: tuple[int, int]) -> list[tuple[int, int]]:
    """Paragraphs of the prose view: split at blank lines, at list items and at ``region``.

    >>> paragraphs("One.\\nTwo.\\n\\n- Three.\\nFour.", (0, 0))
    [(0, 10), (11, 25)]
    """
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    offset = 0
    for line in view.splitlines(keepends=True):
        line_end = offset + len(line)
        inside = region[0] <= offset < region[1]
        blank = not line.strip() or inside
        item = _LIST_ITEM.match(line)
        if blank or item:
            if start is not None:
                blocks.append((start, offset))
            start = None if blank else offset
        elif start is None:
            start = offset
        offset = line_end
    if start is not None:
        blocks.append((start, len(view)))
    return blocks


def _blanked(prose: str, found: list[Found]) -> str:
    """``prose`` with each marker's characters made spaces (line breaks kept), and the
    first made ``A`` when the marker leaves names in the text (they can start a sentence).

    Built from slices when the markers come in order without overlapping (as
    :class:`~evidence.extract.markers.MarkerFinder` gives them); a list of every
    character, changed one at a time, cost a tenth of the extraction.
    """
    pieces: list[str] = []
    at = 0
    for f in found:
        start, end = f.start, min(f.end, len(prose))
        if start < at or start >= end:
            return _blanked_by_character(prose, found)
        pieces.append(prose[at:start])
        span = prose[start:end]
        blank = " " * len(span) if "\n" not in span else _NOT_NEWLINE.sub(" ", span)
        if f.narrative or f.strip:
            blank = "A" + blank[1:]  # names stay in the text and can start a sentence
        pieces.append(blank)
        at = end
    pieces.append(prose[at:])
    return "".join(pieces)


def _blanked_by_character(prose: str, found: list[Found]) -> str:
    chars = list(prose)
    for f in found:
        for i in range(f.start, f.end):
            if chars[i] != "\n":
                chars[i] = " "
        if f.narrative or f.strip:
            chars[f.start] = "A"  # names stay in the text and can start a sentence
    return "".join(chars)


_NOT_NEWLINE = re.compile(r"[^\n]")


def sentences(prose: str, found: list[Found], region: tuple[int, int]) -> list[Sentence]:
    """The sentences of the prose view, outside ``region``, each with its markers."""
    # Split with the markers blanked, so their digits and brackets cannot end or start
    # a sentence; then give each marker to the sentence it is in, or to the one just
    # before it when it sits after that sentence's full stop.
    blanked = _blanked(prose, found)
    result: list[Sentence] = []
    for number, (start, end) in enumerate(paragraphs(blanked, region)):
        for a, b in sentence_spans(blanked, start, end):
            result.append(Sentence(a, b, number))
    starts = [s.start for s in result]
    for f in found:
        i = bisect.bisect_right(starts, f.start) - 1
        if i < 0:
            i = 0 if result else -1
        if i >= 0:
            result[i].found.append(f)
    for s in result:
        # A sentence ends after the markers that follow its full stop.
        if s.found:
            s.end = max(s.end, *(f.end for f in s.found))
    return result
