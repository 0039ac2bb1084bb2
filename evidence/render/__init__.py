"""Renderers: an evidence table to Markdown, HTML, CSV, JSON and LaTeX.

Each renders an :class:`~evidence.table.evidence_table.EvidenceTable`.

One small module per output format, behind a registry (:mod:`~evidence.render.registry`);
each escapes what its format needs, so whatever a user typed into a claim or a .bib field
stays inert; every human-facing format (Markdown, HTML, LaTeX, and the Sphinx and MkDocs
front ends) first shows or removes invisible and control characters by one rule
(:func:`~evidence.render.visible.visible`), while CSV and JSON keep the text as read:

=============  ==========================================================================
``markdown``   GitHub-flavoured pipe tables; ``|``, newlines and inline markup escaped
``html``       a fragment (for notebooks and docs); everything escaped; PMID/DOI links
``html-page``  the same as a standalone page with its own small stylesheet
``csv``        long form, one row per claim x citation; cells that a spreadsheet would run
               as a formula (``= + - @``, tab, CR) are prefixed with ``'``
``json``       the documented schema: ``claims``, ``evidence``, ``remarks``, ``references``
``latex``      longtables that fit the page; LaTeX specials escaped
=============  ==========================================================================

The text formats draw one layout model (:mod:`~evidence.render.layout`: grids and lists
with stable ids, cells that carry the studies they name), and under the tables list the
remarks and a numbered reference list (:mod:`~evidence.render.references`). New formats
register with :func:`register`.

May import everything below the table (the table itself only for type checking); nothing
here imports a front end. Siblings import each other directly, never this package.
"""

# isort: off
# The format modules register in this order, which is the order of FORMATS (and of the
# CLI's --format choices).
from evidence.render.markdown import md_escape, render_markdown
from evidence.render.html import css_class, html_fragment, render_html, render_html_page
from evidence.render.csv import (
    CSV_CLAIM_COLUMNS,
    CSV_COLUMNS,
    CSV_EVIDENCE_COLUMNS,
    csv_cell,
    render_csv,
)
from evidence.render.json import JSON_SCHEMA_VERSION, render_json
from evidence.render.latex import latex_grid, render_latex

# isort: on
from evidence.render.layout import (
    AUDIENCES,
    PART_IDS,
    Cell,
    Grid,
    Listing,
    StudyLink,
    TableRows,
    doi_url,
    pubmed_url,
    table_parts,
)
from evidence.render.references import format_references
from evidence.render.registry import Renderer, register, registered, render
from evidence.render.tex import latex_escape
from evidence.render.visible import visible, visible_part

FORMATS: tuple[str, ...] = registered()
"""The registered format names."""

__all__ = [
    "AUDIENCES",
    "CSV_CLAIM_COLUMNS",
    "CSV_COLUMNS",
    "CSV_EVIDENCE_COLUMNS",
    "FORMATS",
    "JSON_SCHEMA_VERSION",
    "PART_IDS",
    "Cell",
    "Grid",
    "Listing",
    "Renderer",
    "StudyLink",
    "TableRows",
    "css_class",
    "csv_cell",
    "doi_url",
    "format_references",
    "html_fragment",
    "latex_escape",
    "latex_grid",
    "md_escape",
    "pubmed_url",
    "register",
    "render",
    "render_csv",
    "render_html",
    "render_html_page",
    "render_json",
    "render_latex",
    "render_markdown",
    "table_parts",
    "visible",
    "visible_part",
]
