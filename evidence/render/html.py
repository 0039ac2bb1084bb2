"""HTML: a fragment (for notebooks and docs) or a standalone page; everything escaped.

Tables carry no ``class`` attribute: documentation themes style the tables of their own
content (MkDocs Material styles only ``table:not([class])``), so the evidence tables look
like every other table on the site. The classes that name a grid
(``evidence-grid evidence-claims``) sit on a wrapper ``div`` instead, which also lets a
wide table scroll inside the page rather than widen it. Patients' pages never show the
remarks (the lint lines with file names and line numbers are for the authors).

:func:`html_fragment` is the one HTML writer of the library: :func:`render_html` and
:func:`render_html_page` use it for a whole table, and the MkDocs plugin for the parts it
selected, with anchors made unique on a page holding several tables and every study named
in a cell linked to its reference.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from evidence.render.layout import REFERENCE_ANCHOR, Cell, Grid, Listing, table_parts
from evidence.render.registry import register
from evidence.render.visible import HIDDEN_CHARACTERS, visible

if TYPE_CHECKING:
    from evidence.table import EvidenceTable

__all__ = ["css_class", "html_fragment", "render_html", "render_html_page"]


def css_class(caption: str) -> str:
    """The CSS class for a grid or list with this caption (``evidence-pooled-estimates``)."""
    return "evidence-" + re.sub(r"[^a-z0-9]+", "-", caption.lower()).strip("-")


def _text(text: str) -> str:
    """Text for an element or attribute: invisible characters shown or removed
    (:func:`~evidence.render.visible.visible`), then HTML-escaped."""
    if _SPECIAL.search(text) is None:  # most cells: nothing to show, remove or escape
        return text
    return html.escape(visible(text))


# What html.escape replaces, and what visible() acts on: text with none of them is its
# own escape (one search instead of a search and five replacements per cell, most of an
# HTML render in the table benchmark's profile).
_SPECIAL = re.compile(f"[&<>\"'{HIDDEN_CHARACTERS}]")


def _escape(text: str) -> str:
    """``html.escape(text)``, without its five replacements when there is nothing to
    escape (a link target usually has nothing)."""
    return text if _SPECIAL.search(text) is None else html.escape(text)


def _cell(cell: Cell) -> str:
    text = _text(cell.text)
    if cell.href:
        text = f'<a href="{_escape(cell.href)}">{text}</a>'
    return f"<td>{text}</td>"


class _Writer:
    """Grids and lists as HTML; ``prefix`` (with ``link_studies``) as in
    :func:`html_fragment`."""

    def __init__(self, prefix: str, link_studies: bool) -> None:
        self.prefix = prefix
        self.link_studies = link_studies

    def anchor(self, anchor: str, number: int) -> str:
        """The id of item ``number`` of the list anchored ``anchor``."""
        return f"{self.prefix}-{anchor}-{number}" if self.prefix else f"{anchor}-{number}"

    def linked_cell(self, cell: Cell) -> str:
        """A cell with every study it names linked to its reference."""
        if not cell.studies or cell.href.startswith("https://"):
            return _cell(cell)
        pieces = []
        for study in cell.studies:
            label = _text(study.label)
            if study.number is None:
                pieces.append(label)
            else:
                target = self.anchor(REFERENCE_ANCHOR, study.number)
                pieces.append(f'<a href="#{target}">{label}</a>')
        return f"<td>{'; '.join(pieces)}</td>"

    def grid(self, grid: Grid, css: str) -> list[str]:
        out = [
            f'<div class="evidence-grid {css}">',
            "<table>",
            f"<caption>{_text(grid.caption)}</caption>",
        ]
        out.append("<thead><tr>" + "".join(f"<th>{_text(h)}</th>" for h in grid.headers))
        out.append("</tr></thead>")
        out.append("<tbody>")
        cell = self.linked_cell if self.link_studies else _cell
        for row in grid.rows:
            out.append("<tr>" + "".join(cell(c) for c in row) + "</tr>")
        out += ["</tbody>", "</table>", "</div>"]
        return out

    def listing(self, items: Listing, css: str) -> list[str]:
        tag = "ol" if items.ordered else "ul"
        out = [f'<p class="{css}-title">{_text(items.caption)}</p>', f'<{tag} class="{css}">']
        for number, item in enumerate(items.items, start=1):
            anchor = f' id="{self.anchor(items.anchor, number)}"' if items.anchor else ""
            anchors = [f'<a href="{_escape(url)}">{_text(label)}</a>' for label, url in item.links]
            link = f" ({', '.join(anchors)})" if anchors else ""
            out.append(f"<li{anchor}>{_text(item.text)}{link}</li>")
        out.append(f"</{tag}>")
        return out


def html_fragment(
    parts: Iterable[Grid | Listing],
    *,
    audience: str = "reviewers",
    title: str = "",
    prefix: str = "",
    link_studies: bool = False,
) -> str:
    """Grids and lists (from :func:`~evidence.render.layout.table_parts`) inside one ``div``.

    ``title`` adds a title paragraph. ``prefix`` makes the reference anchors unique on a
    page with several tables (``{prefix}-ref-1``); ``link_studies`` links every study a
    cell names to its reference, from the cell's :class:`~evidence.render.layout.StudyLink`
    data, where by default only a study's own cell links (to ``#ref-N``).
    """
    writer = _Writer(prefix, link_studies)
    if audience == "patients":  # lint lines are for the authors, never for patients
        parts = [part for part in parts if part.id != "remarks"]
    out = [f'<div class="evidence-table evidence-{html.escape(audience)}">']
    if title:
        out.append(f'<p class="evidence-title">{_text(title)}</p>')
    for part in parts:
        css = css_class(part.caption)
        out += writer.grid(part, css) if isinstance(part, Grid) else writer.listing(part, css)
    out.append("</div>")
    return "\n".join(out)


@register("html")
def render_html(table: EvidenceTable, *, style: str = "unsrt", audience: str = "reviewers") -> str:
    """An HTML fragment: tables and lists inside one ``div``."""
    return html_fragment(table_parts(table, audience, style), audience=audience)


_PAGE_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
.evidence-grid { overflow-x: auto; }
table { border-collapse: collapse; margin: 1rem 0; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
th, td { border: 1px solid #c8c8c8; padding: .3rem .5rem; vertical-align: top; }
th { background: #f1f1f1; text-align: left; }
.evidence-remarks li { color: #8a4b00; }
"""


@register("html-page")
def render_html_page(
    table: EvidenceTable, *, style: str = "unsrt", audience: str = "reviewers"
) -> str:
    """A standalone HTML page around :func:`render_html`'s fragment."""
    title = _text(table.title)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_PAGE_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n{render_html(table, style=style, audience=audience)}\n"
        "</body>\n</html>\n"
    )
