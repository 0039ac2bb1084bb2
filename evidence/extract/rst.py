"""reStructuredText articles (Sphinx sources): what is not prose, and inline markup.

Directives other than admonitions, comments, literal blocks, math and inline literals
are masked before the reference list is searched; section titles, docinfo fields,
citation definitions, hyperlink targets and roles after it. Sphinx's ``:cite:`` roles and
``[Label]_`` citations are left for the marker finder.
"""

from __future__ import annotations

import re

from evidence.extract.reader import ArticleFormat
from evidence.extract.view import TextView
from evidence.text import word_set

__all__ = ["FORMAT", "clean_rst", "mask_rst", "mask_rst_markup"]

# Directives whose body is prose (claims can be cited there); every other directive's
# body (code, math, tables, images, toctrees...) is masked.
_RST_PROSE_DIRECTIVES = word_set(
    """
    note warning tip important caution danger error hint attention admonition seealso topic
    sidebar epigraph highlights pull-quote compound container versionadded versionchanged
    deprecated rubric
    """
)


def mask_rst(text: str, view: TextView) -> None:
    """Directives, comments, literal blocks, math and inline literals."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def indent(line: str) -> int:
        return len(line) - len(line.lstrip(" \t"))

    def block_end(i: int, base: int) -> int:
        """The first line after ``i`` that is not blank and not indented beyond ``base``."""
        while i < len(lines) and (not lines[i].strip() or indent(lines[i]) > base):
            i += 1
        return i

    i = 0
    literal_after: int | None = None  # indent of a paragraph that ended with "::"
    while i < len(lines):
        body = lines[i].rstrip("\n")
        if not body.strip():
            i += 1
            continue
        directive = re.match(r"\s*\.\.(?:\s|$)", body)
        definition = re.match(r"\s*\.\.\s+\[[^\]]+\]\s", body)
        if directive and not definition:
            name = re.match(r"\s*\.\.\s+([\w:-]+)::", body)
            if name and name.group(1).lower() in _RST_PROSE_DIRECTIVES:
                view.cut(offsets[i], offsets[i] + len(body))  # its body is prose
                i += 1
                continue
            # Any other directive, or a comment: its line and every line indented under it.
            j = block_end(i + 1, indent(body))
            view.cut(offsets[i], max(offsets[j] - 1, offsets[i] + len(body)))
            literal_after = None
            i = j
            continue
        if literal_after is not None and indent(body) > literal_after:
            j = block_end(i + 1, literal_after)
            view.cut(offsets[i], max(offsets[j] - 1, offsets[i] + len(body)))
            literal_after = None
            i = j
            continue
        literal_after = indent(body) if body.rstrip().endswith("::") else None
        i += 1
    view.blank_matches(re.compile(r":math:`[^`]*`"), text)
    view.blank_matches(re.compile(r"``.+?``", re.S), text)


def mask_rst_markup(text: str, view: TextView) -> None:
    """Section titles, docinfo fields, citation definitions, hyperlink targets, roles."""
    lines = text.splitlines(keepends=True)
    offsets = []
    offset = 0
    for line in lines:
        offsets.append(offset)
        offset += len(line)
    adornment = re.compile(r"\s*([=\-~^\"'`#*+:.<>_])\1{2,}\s*")
    for i, line in enumerate(lines):
        body = line.rstrip("\n")
        if adornment.fullmatch(body) and i > 0 and lines[i - 1].strip():
            start = offsets[i - 1]
            if i > 1 and adornment.fullmatch(lines[i - 2].rstrip("\n")):
                start = offsets[i - 2]
            view.cut(start, offsets[i] + len(body))
        elif adornment.fullmatch(body) and (i + 1 >= len(lines) or not lines[i + 1].strip()):
            view.blank(offsets[i], offsets[i] + len(body))  # a transition
        elif re.match(r":[\w -]+:(?:\s|$)", body) and not re.match(r":(?:foot)?cite", body):
            view.cut(offsets[i], offsets[i] + len(body))  # docinfo field
        elif re.match(r"\s*\.\.\s", body):
            view.cut(offsets[i], offsets[i] + len(body))
            j = i + 1
            base = len(line) - len(line.lstrip())
            while (
                j < len(lines)
                and lines[j].strip()
                and len(lines[j]) - len(lines[j].lstrip()) > base
            ):
                view.blank(offsets[j], offsets[j] + len(lines[j]))
                j += 1
    # `text <url>`_ links: keep the text.
    for match in re.finditer(r"`([^`<]*?)\s*<[^>`]*>`__?", text):
        view.blank(match.start(), match.start() + 1)
        view.blank(match.end(1), match.end())
    for match in re.finditer(
        r"(?<![\w:`]):(?!(?:foot)?cite\b)[\w.+-]+(?::[\w.+-]+)*:`([^`]*)`", text
    ):
        view.blank(match.start(), match.start(1))
        view.blank(match.end(1), match.end())


def clean_rst(text: str) -> str:
    """reStructuredText inline markup undone: roles, literals, emphasis, link targets.

    >>> clean_rst("Walking helps **older** adults (`trial <https://example.org>`_).")
    'Walking helps older adults (trial).'
    """
    text = re.sub(r"`([^`<]*?)\s*<[^>`]*>`__?", r"\1", text)
    text = re.sub(r":[\w.+-]+(?::[\w.+-]+)*:`([^`]*)`", r"\1", text)
    text = re.sub(r"``(.+?)``", r"\1", text)
    text = re.sub(r"(\*\*)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]+)`_?_?", r"\1", text)
    text = re.sub(r"\[#?\w*\]_", "", text)
    return text


FORMAT = ArticleFormat(
    name="rst",
    suffixes=(".rst", ".rest"),
    aliases=("rest", "restructuredtext"),
    mask_code=mask_rst,
    mask_markup=mask_rst_markup,
    clean=clean_rst,
    rst_labels=True,
)
