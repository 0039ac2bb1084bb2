"""The masked text view: the article with everything that is not prose blanked out.

Each format's masking (``markdown``, ``rst``, ``latex``...) blanks code, math, markup and
headings in a :class:`TextView`; markers and sentences are then found in the view, and
since blanking keeps every offset, locations are computed on the original text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

__all__ = ["ALIAS_LINE", "BULLET", "URL", "TextView", "blank_urls", "line_starts"]

#: A list item's bullet or number: it starts a paragraph of its own.
BULLET = re.compile(r"^[ \t]*(?:[-*+\u2022]|\d{1,3}[.)]|#\.)[ \t]+(?=\S)", re.M)
#: URLs and DOIs: their digits and brackets are never markers.
URL = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>\"')\]]+|\bdoi:\s*10\.\d{4,9}/\S+|\b10\.\d{4,9}/[^\s\"<>]+"
)


class TextView:
    """The article with everything that is not prose blanked out, offsets unchanged.

    Blanked characters become spaces (line breaks are kept), so an offset in the view is
    the same offset in the text, and locations are computed on the text.

    >>> view = TextView("Pain `code` here.")
    >>> view.blank(5, 11)
    >>> view.text()
    'Pain        here.'
    """

    def __init__(self, text: str) -> None:
        self.chars = list(text)

    def blank(self, start: int, end: int) -> None:
        """Blank ``[start, end)``, keeping its line breaks."""
        chars = self.chars
        start = max(start, 0)
        end = min(end, len(chars))
        if end <= start:
            return
        # By slices, in C: one Python step per character cost more than the regexes that
        # find what to blank (the reference list alone is tens of thousands).
        span = "".join(chars[start:end])
        if "\n" in span:
            chars[start:end] = _NOT_NEWLINE.sub(" ", span)
        else:
            chars[start:end] = " " * (end - start)

    def cut(self, start: int, end: int) -> None:
        """Blank ``[start, end)`` and end a paragraph there (two line breaks at its end)."""
        self.blank(start, end)
        if end - start >= 2:
            self.chars[end - 2] = "\n"
            self.chars[end - 1] = "\n"

    def blank_matches(self, pattern: re.Pattern[str], text: str, group: int | str = 0) -> None:
        """Blank every match of ``pattern`` in ``text`` (or its ``group``)."""
        for match in pattern.finditer(text):
            self.blank(match.start(group), match.end(group))

    def text(self) -> str:
        """The view as a string, as long as the text it was made from."""
        return "".join(self.chars)


def line_starts(text: str) -> list[int]:
    """The offset at which each line of ``text`` starts (for line and column numbers)."""
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


# "[@tag:x]: doi:10.1/y" lines define aliases; they are never prose.
ALIAS_LINE = re.compile(r"^\[@[^\]\s]+\]:[ \t]*\S+[ \t]*$", re.M)
# Citation syntax that may hold a URL or a DOI that must not be blanked as one.
_CITATION_SPAN = re.compile(
    r"\[[^\[\]\n]*@[^\[\]\n]*\]|\\[A-Za-z]*cite[A-Za-z]*\*?(?:\[[^\]]*\]){0,2}\{[^{}]*\}"
)


def urls(text: str) -> Iterator[re.Match[str]]:
    """The matches of :data:`URL` in ``text``, as ``URL.finditer`` gives them.

    Every URL starts with one of the literals of :data:`_URL_START`; searching for those
    first skips the prose in C (``URL`` itself, an alternation that starts with ``\\b``,
    is tried at every position: most of the time it took to blank URLs), and ``URL`` is
    matched only where one starts.
    """
    at = 0
    while (candidate := _URL_START.search(text, at)) is not None:
        found = URL.match(text, candidate.start())
        if found is None:
            at = candidate.start() + 1
            continue
        yield found
        at = found.end()


_URL_START = re.compile(r"https?://|ftp://|www\.|doi:|10\.\d{4}")
_NOT_NEWLINE = re.compile(r"[^\n]")


def blank_urls(view: TextView, text: str) -> None:
    """Blank URLs and DOIs (their digits are never markers), except inside citation
    syntax, where they are keys: ``[@doi:10.1/x]``, ``\\cite{10.1/x}``."""
    protected = [m.span() for m in _CITATION_SPAN.finditer(text)]
    starts = [a for a, _ in protected]
    for match in urls(text):
        i = bisect.bisect_right(starts, match.start()) - 1
        if i >= 0 and protected[i][0] <= match.start() < protected[i][1]:
            continue
        view.blank(match.start(), match.end())
