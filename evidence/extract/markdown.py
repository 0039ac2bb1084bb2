"""Markdown articles (also Quarto and R Markdown): what is not prose, and inline markup.

Front matter, fenced and inline code and HTML comments are masked before the reference
list is searched; headings, tables, link targets, images and HTML tags after it (a
``## References`` heading must still be seen then). ``plain`` reuses both masks.
"""

from __future__ import annotations

import re

from evidence.extract.reader import ArticleFormat
from evidence.extract.view import TextView

__all__ = ["FORMAT", "clean_markdown", "mask_markdown_code", "mask_markdown_markup"]

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
# An inline code span: it may wrap onto the next line, but never across a blank line nor
# into a line that starts a list item, so one stray backtick in a reference-list entry
# cannot blank the entries after it.
# The opening run's look-behind comes after its first backtick (``(`(?<!``)`*)`` is
# ``(?<!`)(`+)``) so that the engine skips to backticks in C.
_CODE_SPAN = re.compile(
    r"(`(?<!``)`*)(?!`)"
    r"(?:(?!\n[ \t]*\n|\n[ \t]*(?:\d{1,5}[.)]|\[\d{1,5}\]|\(\d{1,5}\)|[-*+])[ \t]).)+?"
    r"(?<!`)\1(?!`)",
    re.S,
)


def mask_markdown_code(text: str, view: TextView) -> None:
    """Front matter, fenced code, HTML comments, inline code: never prose, never markers."""
    front = re.match(r"---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|$)", text, re.S)
    if front:
        view.blank(front.start(), front.end())
    fence: str | None = None
    fence_start = 0
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        opener = _FENCE.match(stripped) if stripped[:1] in ("`", "~") else None
        if fence is None and opener:
            fence, fence_start = opener.group(1), offset
        elif (
            fence is not None
            and stripped.startswith(fence)
            and not stripped[len(fence) :].strip("`~ \n")
        ):
            view.blank(fence_start, offset + len(line))
            fence = None
        offset += len(line)
    if fence is not None:
        view.blank(fence_start, len(text))
    view.blank_matches(_HTML_COMMENT, text)
    view.blank_matches(_CODE_SPAN, text)


# Compiled once: the per-line checks below ran as module-level re calls on every line.
_FENCE = re.compile(r"(`{3,}|~{3,})")
_HEADING = re.compile(r" {0,3}#{1,6}(?:\s|$)")
_TABLE_ROW = re.compile(r"\s*\|")
_SETEXT_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)\s*")
_LINK_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:\s*\S")
_FOOTNOTE_DEFINITION = re.compile(r" {0,3}\[\^")
_THEMATIC_BREAK = re.compile(r"\s*(?:\*\s*){3,}|\s*(?:_\s*){3,}")


def mask_markdown_markup(text: str, view: TextView) -> None:
    """Headings, tables, link targets, images, HTML tags: not prose (after the list search)."""
    lines = text.splitlines(keepends=True)
    offset = 0
    previous: tuple[int, str] | None = None
    for line in lines:
        body = line.rstrip("\n")
        if _HEADING.match(body) or _TABLE_ROW.match(body):
            view.cut(offset, offset + len(body))
        elif (
            _SETEXT_UNDERLINE.fullmatch(body)
            and len(body.strip()) >= 3
            and previous is not None
            and previous[1].strip()
        ):
            view.cut(previous[0], offset + len(body))
        elif _LINK_DEFINITION.match(body) and not _FOOTNOTE_DEFINITION.match(body):
            view.cut(offset, offset + len(body))  # a link definition
        elif _THEMATIC_BREAK.fullmatch(body):
            view.cut(offset, offset + len(body))  # a thematic break
        previous = (offset, body)
        offset += len(line)
    view.blank_matches(re.compile(r"!\[[^\]]*\]\([^)]*\)"), text)
    view.blank_matches(re.compile(r"\[\^[^\]]+\]:?"), text)  # footnote references and labels
    for match in re.finditer(r"\[([^\[\]]*)\]\(([^()\s]*(?:\([^()]*\))?[^()\s]*)\)", text):
        view.blank(match.start(), match.start() + 1)
        view.blank(match.end(1), match.end())
    view.blank_matches(re.compile(r"<(?!/?sup>)/?[A-Za-z][^<>]*>"), text)


def clean_markdown(text: str) -> str:
    """Markdown inline markup undone; code spans keep their content as written.

    >>> clean_markdown("**Walking** helps [older adults](https://example.org) `a*b`")
    'Walking helps older adults a*b'
    """
    if "`" not in text:  # no code span can match: one piece of prose
        return _clean_prose(text)
    out: list[str] = []
    at = 0
    for code in _CODE_IN_CLAIM.finditer(text):
        out.append(_clean_prose(text[at : code.start()]))
        out.append(code.group(2).strip())
        at = code.end()
    out.append(_clean_prose(text[at:]))
    return "".join(out)


_CODE_IN_CLAIM = re.compile(r"(`+)(.+?)\1", re.S)
# Each pattern needs the character it is filed under: a claim without that character is
# left alone without running the pattern (the same result; extraction calls this once per
# claim, and nine substitutions on every sentence were a tenth of the extraction time).
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\[\]]*)\]\([^()]*(?:\([^()]*\))?[^()]*\)")
_REFERENCE_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
_SUP = re.compile(r"<sup>.*?</sup>", re.I)
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.S)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS_STAR = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])")


def _clean_prose(text: str) -> str:
    if "[" in text:
        text = _IMAGE.sub("", text)
        text = _LINK.sub(r"\1", text)
        text = _REFERENCE_LINK.sub(r"\1", text)
        text = _FOOTNOTE.sub("", text)
    if "<" in text:
        text = _SUP.sub("", text)
        text = _TAG.sub("", text)
    if "*" in text or "_" in text:
        text = _STRONG.sub(r"\2", text)
        text = _EMPHASIS_STAR.sub(r"\1", text)
        text = _EMPHASIS_UNDERSCORE.sub(r"\1", text)
    return text


FORMAT = ArticleFormat(
    name="markdown",
    suffixes=(".md", ".markdown", ".mdown", ".qmd", ".rmd"),
    aliases=("md",),
    mask_code=mask_markdown_code,
    mask_markup=mask_markdown_markup,
    clean=clean_markdown,
)
