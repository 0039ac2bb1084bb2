"""Markdown: GitHub-flavoured pipe tables; ``|``, newlines and inline markup escaped."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from evidence.render.layout import Cell, Grid, Listing, table_parts
from evidence.render.registry import register
from evidence.render.visible import HIDDEN_CHARACTERS, visible

if TYPE_CHECKING:
    from evidence.table import EvidenceTable

__all__ = ["md_escape", "render_markdown"]

_MD_INLINE = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~&!#"})
_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>|~&!#]")
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+=>])|(\d+)([.)]))")
# Any character md_escape does more than copy: what visible() acts on, what splitlines()
# breaks at, and the Markdown specials.
_MD_PLAIN = re.compile(
    f"[{HIDDEN_CHARACTERS}\n\r\v\f\x1c-\x1e\x85\u2028\u2029\\\\`*_\\[\\]<>|~&!#]"
)


def md_escape(text: str) -> str:
    r"""Make ``text`` inert inside a Markdown table cell or list item.

    Invisible and control characters are shown or removed first
    (:func:`~evidence.render.visible.visible`), newlines become spaces (a newline would end
    the table row), and every character that can start inline markup, an HTML tag, an
    entity or a cell boundary is backslash-escaped.

    >>> md_escape("a | b *c*\n<i>")
    'a \\| b \\*c\\* \\<i\\>'
    """
    if _MD_PLAIN.search(text) is None:
        # Nothing to show, remove, join or escape (most cells): only a leading marker
        # can need a backslash.
        m = _MD_LINE_START.match(text)
        if m is None:
            return text
        return m[1] + (f"\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}") + text[m.end() :]
    text = " ".join(visible(text).splitlines())
    if _MD_SPECIAL.search(text):  # translate() is slow enough to skip when it has no work
        text = text.translate(_MD_INLINE)
    # A leading list or quote marker: escape the punctuation (``\-``, ``1\.``); a backslash
    # before a digit would not be an escape and would show.
    m = _MD_LINE_START.match(text)
    if m is None:
        return text
    return m[1] + (f"\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}") + text[m.end() :]


def _md_cell(cell: Cell) -> str:
    text = md_escape(cell.text)
    if cell.href.startswith("https://") and text:
        return f"[{text}](<{cell.href}>)"
    return text


def _md_grid(grid: Grid) -> list[str]:
    out = [f"**{md_escape(grid.caption)}**", ""]
    out.append("| " + " | ".join(md_escape(h) for h in grid.headers) + " |")
    out.append("|" + "|".join(" --- " for _ in grid.headers) + "|")
    for row in grid.rows:
        out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    out.append("")
    return out


def _md_list(items: Listing) -> list[str]:
    out = [f"**{md_escape(items.caption)}**", ""]
    for number, item in enumerate(items.items, start=1):
        marker = f"{number}." if items.ordered else "-"
        out.append(f"{marker} {md_escape(item.text)}")
    out.append("")
    return out


@register("markdown")
def render_markdown(
    table: EvidenceTable, *, style: str = "unsrt", audience: str = "reviewers", heading: int = 2
) -> str:
    """GitHub-flavoured Markdown."""
    out = [f"{'#' * heading} {md_escape(table.title)}", ""]
    for part in table_parts(table, audience, style):
        out += _md_grid(part) if isinstance(part, Grid) else _md_list(part)
    return "\n".join(out)
