"""Renderers: one small function per output format, behind a registry.

Each renderer turns an :class:`~evidence.table.EvidenceTable` into text and escapes what
its format needs, so that whatever a user typed into a claim or a .bib field stays
inert:

=============  ==========================================================================
``markdown``   GitHub-flavoured pipe tables; ``|``, newlines and inline markup escaped
``html``       a fragment (for notebooks and docs); everything escaped; PMID/DOI links
``html-page``  the same as a standalone page with its own small stylesheet
``csv``        long form, one row per claim x citation; cells that a spreadsheet would run
               as a formula (``= + - @``, tab, CR) are prefixed with ``'``
``json``       the documented schema: ``claims``, ``evidence``, ``remarks``, ``references``
``latex``      booktabs tables; LaTeX specials escaped
=============  ==========================================================================

Under the tables every text format lists the remarks and a numbered reference list. The
references are formatted by a pybtex style (``unsrt`` by default), rendered as plain text
and then escaped by the renderer like any other cell, so a single escaping rule per format
covers everything it prints. New formats register with :func:`register`.
"""

from __future__ import annotations

import csv
import gc
import html
import io
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pandas as pd

from evidence.model import Certainty, PubMedStatus, Reference, RetractionStatus, StudyDesign

if TYPE_CHECKING:
    from evidence.table import EvidenceTable

__all__ = [
    "AUDIENCES",
    "FORMATS",
    "JSON_SCHEMA_VERSION",
    "Cell",
    "Grid",
    "Listing",
    "css_class",
    "format_references",
    "register",
    "render",
    "table_parts",
]

Renderer = Callable[..., str]
_RENDERERS: dict[str, Renderer] = {}

JSON_SCHEMA_VERSION = 1
"""Bumped only when a field of the JSON output changes meaning or goes away."""


def register(name: str) -> Callable[[Renderer], Renderer]:
    """Register a renderer function under ``name`` (used as a decorator)."""

    def add(func: Renderer) -> Renderer:
        _RENDERERS[name] = func
        return func

    return add


def render(table: EvidenceTable, fmt: str, **options: Any) -> str:
    """Render ``table`` in the format ``fmt``; raises ``ValueError`` for an unknown format."""
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        known = ", ".join(sorted(_RENDERERS))
        raise ValueError(f"unknown format {fmt!r}; choose one of: {known}") from None
    # Each renderer reads the same frames several times (labels, grids, lists): within one
    # call their rows are made once (see _records). Rendering makes millions of small
    # strings and tuples and no cycles: with the cyclic GC paused a large table renders a
    # quarter to a third faster (benchmarks/, docs/performance.md).
    token = _ROWS.set({})
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return renderer(table, **options)
    finally:
        if gc_was_enabled:
            gc.enable()
        _ROWS.reset(token)


# --- what every format shows ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell's text, with an optional link target (PMID, DOI or reference anchor)."""

    text: str
    href: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (label, url) shown after the text in lists


@dataclass(frozen=True, slots=True)
class Grid:
    """A captioned table: headers and rows of :class:`Cell`."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _text(value: Any) -> str:
    """A cell value as text: missing values (None, NA, NaN) are empty."""
    if type(value) is str:  # most cells: a fast path (the table benchmark's profile)
        return value
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NA:
        return ""
    if isinstance(value, tuple | list):
        return "; ".join(_text(v) for v in value)
    return str(value)


# Rows already made during the current render() call, by frame (the frame is kept with its
# rows so that an id reused by a new frame can never match).
_ROWS: ContextVar[dict[int, tuple[pd.DataFrame, list[dict[str, Any]]]] | None] = ContextVar(
    "_ROWS", default=None
)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts, as ``frame.to_dict(orient="records")`` gives them (missing
    values of nullable columns as ``None``), made column by column: 3-4 times faster, and
    once per render (the table benchmark's profile: row making was half of a render)."""
    made = _ROWS.get()
    if made is not None:
        kept = made.get(id(frame))
        if kept is not None and kept[0] is frame:
            return kept[1]
    names = list(frame.columns)
    columns = []
    for name in names:
        values = frame[name].tolist()
        if isinstance(frame[name].dtype, pd.api.extensions.ExtensionDtype):
            values = [None if v is pd.NA else v for v in values]
        columns.append(values)
    rows = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    if made is not None:
        made[id(frame)] = (frame, rows)
    return rows


def _percent(value: Any) -> str:
    text = _text(value)
    return "" if not text else f"{float(value) * 100:.0f}%"


def pubmed_url(pmid: str) -> str:
    """The PubMed page of a PMID ('' when it is not a plain number)."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else ""


def doi_url(doi: str) -> str:
    """The resolver URL of a DOI, percent-encoded so no DOI can break out of a link."""
    return f"https://doi.org/{_quoted(doi)}" if doi.startswith("10.") else ""


@lru_cache(maxsize=4096)
def _quoted(doi: str) -> str:
    # A study's DOI shows once per citation of it; quote() is slow enough to show.
    return quote(doi, safe="/")


def _study_labels(table: EvidenceTable) -> dict[str, str]:
    labels: dict[str, str] = {}
    for rec in _records(table.evidence):
        key, number = rec["key"], _text(rec["ref_number"])
        if key not in labels:
            labels[key] = f"{rec['study']} [{number}]" if number else f"{key} (unknown key)"
    return labels


def _interval_text(estimate: Any, low: Any, high: Any) -> str:
    """``40% (28-54%)`` (with an en dash): a proportion with its 95% interval, or ''."""
    if not _text(estimate):
        return ""
    if not _text(low) or not _text(high):
        return _percent(estimate)
    return f"{_percent(estimate)} ({_percent(low)}\N{EN DASH}{_percent(high)})"


def _label(vocabulary: type[Any], value: Any) -> str:
    text = _text(value)
    try:
        return str(vocabulary(text).label)
    except ValueError:
        return text


AUDIENCES = ("reviewers", "patients")


@dataclass(frozen=True, slots=True)
class Listing:
    """A titled list under the tables (remarks, certainty reasons, references)."""

    caption: str
    items: tuple[Cell, ...]
    ordered: bool = False
    anchor: str = ""  # items get ids ``{anchor}-1``, ``{anchor}-2`` ... when set


def _claims_grid(table: EvidenceTable, audience: str) -> Grid:
    labels = _study_labels(table)
    rows: list[tuple[Cell, ...]] = []
    for rec in _records(table.claims):
        studies = "; ".join(labels.get(k, k) for k in rec["supported_by"])
        against = "; ".join(labels.get(k, k) for k in rec["contradicted_by"])
        certainty = _label(Certainty, rec["certainty"])
        if audience == "patients":
            rows.append(
                (
                    Cell(_text(rec["text"])),
                    Cell(_text(rec["plain_language"])),
                    Cell("; ".join(p for p in (studies, against) if p)),
                )
            )
            continue
        if certainty and rec["certainty_source"] == "user":
            certainty += " (reviewer)"
        rows.append(
            (
                Cell(_text(rec["id"])),
                Cell(_text(rec["text"])),
                Cell(_text(rec["verdict"])),
                Cell(certainty),
                Cell(studies),
                Cell(against),
                Cell(_text(rec["participants"])),
            )
        )
    if audience == "patients":
        return Grid(
            "What the research says",
            ("Statement", "What the research says", "Studies"),
            tuple(rows),
        )
    headers = ("ID", "Claim", "Verdict", "Certainty", "Supported by", "Contradicted by", "n")
    return Grid("Claims", headers, tuple(rows))


def _notes(rec: Mapping[str, Any]) -> str:
    """What a reader must know about one citation: exclusion, retraction, PubMed trouble."""
    notes = []
    if _text(rec["excluded"]):
        notes.append(f"does not count: {rec['excluded']}")
    elif _text(rec["retraction"]) not in ("", "none", "not checked"):
        notes.append(_label(RetractionStatus, rec["retraction"]))
    status = _text(rec["pubmed_status"])
    if status in ("not-found", "unavailable", "unresolved"):
        notes.append(f"PubMed: {_label(PubMedStatus, status)}")
    if _text(rec["pubmed_title"]):
        notes.append(f"PubMed title: {rec['pubmed_title']}")
    others = [m for m in rec["mismatches"] or () if not m.startswith("title:")]
    if others:
        notes.append("differs from PubMed: " + "; ".join(others))
    if rec["mentions"] is False:
        notes.append("the abstract does not appear to mention the claim")
    return "; ".join(notes)


def _abstract_list(table: EvidenceTable) -> Listing:
    """For each citation with an abstract, its sentence that best matches the claim."""
    items = []
    for rec in _records(table.evidence):
        sentence = _text(rec["best_sentence"])
        if not sentence:
            continue
        flag = "" if rec["mentions"] else " (below the mention threshold: check the citation)"
        items.append(Cell(f"{rec['claim_id']}, {rec['study']}: \N{LEFT DOUBLE QUOTATION MARK}"
                           f"{sentence}\N{RIGHT DOUBLE QUOTATION MARK}{flag}"))  # fmt: skip
    return Listing("Best-matching abstract sentences", tuple(items))


def _patient_studies_grid(table: EvidenceTable) -> Grid:
    """Each cited study once, with its design and what it found in numbers where given."""
    rows: list[tuple[Cell, ...]] = []
    best: dict[str, dict[str, Any]] = {}
    for rec in _records(table.evidence):
        if not _text(rec["ref_number"]):
            continue
        kept = best.get(rec["key"])
        # Prefer the citation that gives numbers, then the longest finding.
        rank = (bool(_text(rec["n"])), len(_text(rec["finding"])))
        if kept is None or rank > (bool(_text(kept["n"])), len(_text(kept["finding"]))):
            best[rec["key"]] = rec
    for rec in sorted(best.values(), key=lambda r: int(r["ref_number"])):
        number = _text(rec["ref_number"])
        rows.append(
            (
                Cell(f"{rec['study']} [{number}]", f"#ref-{number}"),
                Cell(_label(StudyDesign, rec["design"])),
                Cell(_text(rec["finding"])),
            )
        )
    return Grid("The studies", ("Study", "Kind of study", "What it found"), tuple(rows))


def _evidence_grid(table: EvidenceTable, audience: str) -> Grid:
    if audience == "patients":
        return _patient_studies_grid(table)
    rows: list[tuple[Cell, ...]] = []
    for rec in _records(table.evidence):
        number = _text(rec["ref_number"])
        study = f"{rec['study']} [{number}]" if number else f"{rec['key']} (unknown key)"
        events, n = _text(rec["events"]), _text(rec["n"])
        pmid, doi = _text(rec["pmid"]), _text(rec["doi"])
        design = _label(StudyDesign, rec["design"])
        numbers = _interval_text(rec["proportion"], rec["ci_low"], rec["ci_high"])
        rows.append(
            (
                Cell(_text(rec["claim_id"])),
                Cell(study, f"#ref-{number}" if number else ""),
                Cell(design),
                Cell(_text(rec["stance"])),
                Cell(_text(rec["finding"])),
                Cell(f"{events}/{n}" if events and n else n),
                Cell(numbers),
                Cell(pmid, pubmed_url(pmid)),
                Cell(doi, doi_url(doi)),
                Cell(_notes(rec)),
            )
        )
    headers = (
        "Claim", "Study", "Design", "Stance", "Finding", "Events/n", "Proportion (95% CI)",
        "PMID", "DOI", "Notes",
    )  # fmt: skip
    return Grid("Evidence", headers, tuple(rows))


def _pooled_grid(table: EvidenceTable) -> Grid:
    labels = _study_labels(table)
    rows = []
    for rec in _records(table.pooled):
        rows.append(
            (
                Cell(_text(rec["claim_id"])),
                Cell(_text(rec["outcome"])),
                Cell("; ".join(labels.get(k, k) for k in rec["keys"])),
                Cell(_interval_text(rec["estimate"], rec["low"], rec["high"])),
                Cell(f"{float(rec['i2']) * 100:.0f}%"),
            )
        )
    headers = ("Claim", "Outcome", "Studies", "Pooled proportion (95% CI)", "I\N{SUPERSCRIPT TWO}")
    return Grid("Pooled estimates (random effects)", headers, tuple(rows))


def _certainty_list(table: EvidenceTable) -> Listing:
    items = []
    for rec in _records(table.claims):
        if not _text(rec["certainty"]):
            continue
        level = _label(Certainty, rec["certainty"])
        source = " (set by a reviewer)" if rec["certainty_source"] == "user" else ""
        reasons = " ".join(_sentence(r) for r in rec["certainty_reasons"] or ())
        items.append(Cell(f"{rec['id']}: {level}{source}. {reasons}".strip()))
    return Listing("Certainty of evidence (GRADE)", tuple(items))


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def table_parts(table: EvidenceTable, audience: str, style: str) -> list[Grid | Listing]:
    """Everything a text format shows, in order, as grids and lists.

    Every renderer here, the Sphinx directive and the MkDocs plugin draw this one layout,
    so a column or a remark added here appears in all of them.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; choose one of: {', '.join(AUDIENCES)}")
    parts: list[Grid | Listing] = [_claims_grid(table, audience)]
    if len(table.evidence):
        parts.append(_evidence_grid(table, audience))
    if audience == "reviewers":
        if len(table.pooled):
            parts.append(_pooled_grid(table))
        for extra in (_certainty_list(table), _abstract_list(table)):
            if extra.items:
                parts.append(extra)
    if table.remarks:
        parts.append(Listing("Remarks", tuple(Cell(str(p)) for p in table.remarks)))
    references = []
    for ref, text in zip(table.references, format_references(table.references, style),
                         strict=True):  # fmt: skip
        links = (("PubMed", pubmed_url(ref.pmid or "")), ("DOI", doi_url(ref.doi or "")))
        references.append(Cell(text, links=tuple((label, url) for label, url in links if url)))
    if references:
        parts.append(Listing("References", tuple(references), ordered=True, anchor="ref"))
    return parts


# --- the reference list -------------------------------------------------------------

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))


def latex_escape(text: str) -> str:
    r"""Escape LaTeX's special characters so ``text`` typesets as written.

    >>> latex_escape("50% of $x_1$ & {y}")
    '50\\% of \\$x\\_1\\$ \\& \\{y\\}'
    """
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIALS[m.group()], text)


def _pybtex_entry(ref: Reference) -> Any:
    from pybtex.database import Entry, Person

    if ref.raw_fields:
        fields = {k: v for k, v in ref.raw_fields.items() if k not in ("author", "editor")}
    else:
        fields = {k: latex_escape(v) for k, v in ref.fields.items()}
        for name in ("title", "journal", "volume", "number", "pages"):
            value = getattr(ref, name)
            if value and name not in fields:
                fields[name] = latex_escape(value)
        if ref.year and "year" not in fields:
            fields["year"] = str(ref.year)

    def person(name: Any) -> Any:
        if name.collective:
            return Person(last="{" + latex_escape(name.last) + "}")
        return Person(
            first=latex_escape(name.first),
            prelast=latex_escape(name.von),
            last=latex_escape(name.last),
            lineage=latex_escape(name.jr),
        )

    persons = {}
    if ref.authors:
        persons["author"] = [person(n) for n in ref.authors]
        if not ref.authors_complete:
            persons["author"].append(Person("others"))  # pybtex styles print "et al."
    if ref.editors:
        persons["editor"] = [person(n) for n in ref.editors]
    entry = Entry(ref.entry_type, fields=fields, persons=persons)
    entry.key = ref.key
    return entry


def _fallback_citation(ref: Reference) -> str:
    """A Vancouver-like line for entries a pybtex style cannot format (missing fields)."""
    authors = ", ".join(n.vancouver() for n in ref.authors[:6])
    if len(ref.authors) > 6 or not ref.authors_complete:
        authors += ", et al"
    parts = [p for p in (authors, ref.title, ref.journal) if p]
    if ref.year:
        parts.append(str(ref.year))
    return ". ".join(p.rstrip(".") for p in parts) + "."


def format_references(references: Sequence[Reference], style: str = "unsrt") -> list[str]:
    """Each reference as one line of plain text, formatted by the pybtex ``style``.

    Entries the style cannot format (a required field missing, such as an article with no
    journal) fall back to a plain author-title-year line rather than vanishing. PMID and
    DOI are appended when the style did not print them.
    """
    _style(style)  # an unknown style is an error even with no references
    key = (id(references), style)
    with _LISTS_LOCK:
        kept = _LISTS.get(key)
        if kept is not None and kept[0] is references:
            _LISTS.move_to_end(key)
            return list(kept[1])
    lines = [
        _format_reference(style, ref, tuple(ref.raw_fields.items()), tuple(ref.fields.items()))
        for ref in references
    ]
    if isinstance(references, tuple):  # a table's list: immutable, so it can be kept
        with _LISTS_LOCK:
            _LISTS[key] = (references, tuple(lines))
            while len(_LISTS) > _LISTS_KEPT:
                _LISTS.popitem(last=False)
    return lines


# The last few reference lists formatted, by the identity of their tuple (kept with them,
# so that an id cannot be reused while it is here): the formats of one table share one
# list, however many references it has. Lines of single references are kept as well
# (_format_reference), for tables citing the same entries, but only so many.
_LISTS_KEPT = 4
_LISTS: OrderedDict[tuple[int, str], tuple[Sequence[Reference], tuple[str, ...]]] = OrderedDict()
_LISTS_LOCK = threading.Lock()


@lru_cache(maxsize=16)
def _style(style: str) -> tuple[Any, Any]:
    """The pybtex formatter for ``style`` and the plain-text backend, looked up once: each
    look-up reads the installed packages' entry points (14 ms; the table benchmark's
    profile showed ``render_as("text")`` doing it for every reference)."""
    from pybtex.plugin import find_plugin

    return find_plugin("pybtex.style.formatting", style)(), find_plugin("pybtex.backends", "text")()


# A pybtex style takes about 1 ms a reference, most of a large table's render: each line is
# kept, so later tables citing the same entries reuse it. The key is everything the line
# depends on: the reference's compared fields and its two field mappings (which ``==``
# leaves out).
@lru_cache(maxsize=4096)
def _format_reference(
    style: str,
    ref: Reference,
    raw_fields: tuple[tuple[str, str], ...],
    fields: tuple[tuple[str, str], ...],
) -> str:
    formatter, backend = _style(style)
    try:
        formatted = next(iter(formatter.format_entries([_pybtex_entry(ref)])))
        text = str(formatted.text.render(backend))
    except Exception:  # pybtex raises several unrelated types for unformattable data
        text = _fallback_citation(ref)
    text = " ".join(text.split())
    if ref.doi and ref.doi not in text:
        text += f" doi:{ref.doi}."
    if ref.pmid:
        text += f" PMID: {ref.pmid}."
    return text


# --- Markdown ------------------------------------------------------------------------

_MD_INLINE = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~&!#"})
_MD_SPECIAL = re.compile(r"[\\`*_\[\]<>|~&!#]")
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+=>])|(\d+)([.)]))")


def md_escape(text: str) -> str:
    r"""Make ``text`` inert inside a Markdown table cell or list item.

    Newlines become spaces (a newline would end the table row), and every character that
    can start inline markup, an HTML tag, an entity or a cell boundary is backslash-escaped.

    >>> md_escape("a | b *c*\n<i>")
    'a \\| b \\*c\\* \\<i\\>'
    """
    text = " ".join(text.splitlines())
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


# --- HTML ----------------------------------------------------------------------------


def _html_cell(cell: Cell, tag: str = "td") -> str:
    text = html.escape(cell.text)
    if cell.href:
        text = f'<a href="{html.escape(cell.href)}">{text}</a>'
    return f"<{tag}>{text}</{tag}>"


def _html_grid(grid: Grid, css: str) -> list[str]:
    out = [f'<table class="{css}">', f"<caption>{html.escape(grid.caption)}</caption>"]
    out.append("<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in grid.headers))
    out.append("</tr></thead>")
    out.append("<tbody>")
    for row in grid.rows:
        out.append("<tr>" + "".join(_html_cell(c) for c in row) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _html_list(items: Listing, css: str) -> list[str]:
    tag = "ol" if items.ordered else "ul"
    out = [f'<p class="{css}-title">{html.escape(items.caption)}</p>', f'<{tag} class="{css}">']
    for number, item in enumerate(items.items, start=1):
        anchor = f' id="{items.anchor}-{number}"' if items.anchor else ""
        anchors = [
            f'<a href="{html.escape(url)}">{html.escape(label)}</a>' for label, url in item.links
        ]
        link = f" ({', '.join(anchors)})" if anchors else ""
        out.append(f"<li{anchor}>{html.escape(item.text)}{link}</li>")
    out.append(f"</{tag}>")
    return out


def css_class(caption: str) -> str:
    """The CSS class for a grid or list with this caption (``evidence-pooled-estimates``)."""
    return "evidence-" + re.sub(r"[^a-z0-9]+", "-", caption.lower()).strip("-")


@register("html")
def render_html(table: EvidenceTable, *, style: str = "unsrt", audience: str = "reviewers") -> str:
    """An HTML fragment: tables and lists inside one ``div``."""
    out = [f'<div class="evidence-table evidence-{html.escape(audience)}">']
    for part in table_parts(table, audience, style):
        css = css_class(part.caption)
        out += _html_grid(part, css) if isinstance(part, Grid) else _html_list(part, css)
    out.append("</div>")
    return "\n".join(out)


_PAGE_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
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
    title = html.escape(table.title)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_PAGE_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n{render_html(table, style=style, audience=audience)}\n"
        "</body>\n</html>\n"
    )


# --- CSV -----------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_LONE_CR = re.compile(r"\r(?!\n)")


def csv_cell(value: Any) -> str:
    """A cell that no spreadsheet will run: text starting like a formula gets a ``'``.

    >>> csv_cell("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    """
    text = _text(value)
    formula = text.startswith(_FORMULA_START)
    if "\r" in text:
        # The writer ends rows with "\n", so it quotes a cell holding "\n" but not one
        # holding only a lone "\r", which every reader takes for the end of the row: such
        # a cell broke the table (found by fuzzing). A lone "\r" is written "\n".
        text = _LONE_CR.sub("\n", text)
    return "'" + text if formula else text


CSV_CLAIM_COLUMNS = ("claim_id", "claim", "verdict", "certainty", "plain_language")
"""Claim-level columns of the CSV, repeated on each of the claim's rows."""

CSV_EVIDENCE_COLUMNS = (
    "key",
    "study",
    "design",
    "stance",
    "finding",
    "n",
    "events",
    "proportion",
    "ci_low",
    "ci_high",
    "title",
    "journal",
    "year",
    "pmid",
    "doi",
    "pubmed_status",
    "retraction",
    "excluded",
)
"""Citation-level columns of the CSV (names as in :attr:`EvidenceTable.evidence`)."""

CSV_COLUMNS = CSV_CLAIM_COLUMNS + CSV_EVIDENCE_COLUMNS


@register("csv")
def render_csv(table: EvidenceTable) -> str:
    """Long form: one row per claim x citation; an uncited claim is one row with no key."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    by_claim: dict[str, list[dict[str, Any]]] = {}
    for rec in _records(table.evidence):
        by_claim.setdefault(rec["claim_id"], []).append(rec)
    for claim in _records(table.claims):
        head = [
            claim["id"], claim["text"], claim["verdict"], claim["certainty"],
            claim["plain_language"],
        ]  # fmt: skip
        rows = by_claim.get(claim["id"])
        if not rows:
            writer.writerow([csv_cell(v) for v in head] + [""] * len(CSV_EVIDENCE_COLUMNS))
        for rec in rows or ():
            values = head + [rec[c] for c in CSV_EVIDENCE_COLUMNS]
            writer.writerow([csv_cell(v) for v in values])
    return buffer.getvalue()


# --- JSON ----------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    kind = type(value)
    if kind is str:  # fast paths for the common cells, same results as below
        return value or None
    if kind is int or kind is bool:
        return value
    text = _text(value) if not isinstance(value, tuple | list) else None
    if text == "":
        return None
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


@register("json")
def render_json(table: EvidenceTable, *, indent: int | None = 2) -> str:
    """The JSON schema documented in docs/formats.md (``schema_version`` 1)."""

    def rows(frame: pd.DataFrame, lists: Sequence[str]) -> list[dict[str, Any]]:
        out = [{column: _json_value(v) for column, v in row.items()} for row in _records(frame)]
        for row in out:
            for column in lists:  # list fields are always lists, never null
                row[column] = row[column] or []
        return out

    claims = rows(table.claims, ("supported_by", "contradicted_by", "certainty_reasons", "tags"))
    evidence = rows(table.evidence, ("publication_types", "major_mesh", "mismatches"))
    pooled = rows(table.pooled, ("keys",))
    remarks = [
        {
            "path": p.location.path,
            "line": p.location.line,
            "severity": p.severity.value,
            "code": p.code,
            "message": p.message,
        }
        for p in table.remarks
    ]
    references = [
        {"number": i, "key": ref.key, "citation": text, "pmid": ref.pmid, "doi": ref.doi}
        for i, (ref, text) in enumerate(
            zip(table.references, format_references(table.references), strict=True), 1
        )
    ]
    document = {
        "schema_version": JSON_SCHEMA_VERSION,
        "title": table.title,
        "claims": claims,
        "evidence": evidence,
        "pooled": pooled,
        "remarks": remarks,
        "references": references,
    }
    if indent is None:
        return json.dumps(document, ensure_ascii=False) + "\n"
    # json.dumps with an indent runs the pure-Python encoder; this writes the same text
    # three times faster (most of a large table's JSON render, in the benchmark's profile).
    out: list[str] = []
    _indented_json(document, out, "\n", " " * indent)
    out.append("\n")
    return "".join(out)


def _indented_json(value: Any, out: list[str], newline: str, step: str) -> None:
    """Append ``value`` as ``json.dumps(value, indent=len(step), ensure_ascii=False)``
    writes it (same separators, same float and constant spellings)."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        finite = value == value and value not in _INFINITIES
        out.append(float.__repr__(value) if finite else json.dumps(value))
    elif isinstance(value, list | tuple | dict):
        if not value:
            out.append("{}" if isinstance(value, dict) else "[]")
            return
        inner = newline + step
        if isinstance(value, dict):
            out.append("{")
            for number, (key, item) in enumerate(value.items()):
                head = (inner if number == 0 else "," + inner) + _json_key(key) + ": "
                # Strings and null are most values: written here, without a call.
                if type(item) is str:
                    out.append(head + encode_basestring(item))
                elif item is None:
                    out.append(head + "null")
                else:
                    out.append(head)
                    _indented_json(item, out, inner, step)
            out.append(newline + "}")
        else:
            out.append("[")
            for number, item in enumerate(value):
                out.append(inner if number == 0 else "," + inner)
                if isinstance(item, dict | list | tuple):
                    # Each element made whole on its own: one list of millions of small
                    # strings would hold several times the output's size at once.
                    part: list[str] = []
                    _indented_json(item, part, inner, step)
                    out.append("".join(part))
                else:
                    _indented_json(item, out, inner, step)
            out.append(newline + "]")
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_INFINITIES = (float("inf"), float("-inf"))


def _json_key(key: Any) -> str:
    if type(key) is str:
        return encode_basestring(key)
    if not isinstance(key, str):  # json's own conversion of other keys
        key = json.dumps(key) if key is None or isinstance(key, bool | float) else int.__repr__(key)
    return encode_basestring(key)


# --- LaTeX ---------------------------------------------------------------------------


def _latex_grid(grid: Grid, spec: str) -> list[str]:
    out = [
        r"\begin{table}[htbp]",
        r"\centering\small",
        rf"\caption{{{latex_escape(grid.caption)}}}",
        rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        " & ".join(latex_escape(h) for h in grid.headers) + r" \\",
        r"\midrule",
    ]
    for row in grid.rows:
        out.append(" & ".join(latex_escape(" ".join(c.text.split())) for c in row) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return out


def _latex_list(items: Listing) -> list[str]:
    env = "enumerate" if items.ordered else "itemize"
    out = [rf"\paragraph{{{latex_escape(items.caption)}}}", rf"\begin{{{env}}}"]
    out += [rf"\item {latex_escape(' '.join(i.text.split()))}" for i in items.items]
    return [*out, rf"\end{{{env}}}", ""]


def _latex_spec(grid: Grid) -> str:
    # Long prose columns wrap; short ones do not.
    wide = {"Claim", "Finding", "Statement", "In plain words", "What it found", "Notes"}
    return " ".join("p{4cm}" if h in wide else "l" for h in grid.headers)


@register("latex")
def render_latex(table: EvidenceTable, *, style: str = "unsrt", audience: str = "reviewers") -> str:
    """Booktabs tables (``\\usepackage{booktabs}``), then lists and references."""
    out = [f"% {latex_escape(table.title)} -- needs \\usepackage{{booktabs}}", ""]
    for part in table_parts(table, audience, style):
        if isinstance(part, Grid):
            out += _latex_grid(part, _latex_spec(part))
        else:
            out += _latex_list(part)
    return "\n".join(out)


FORMATS: tuple[str, ...] = tuple(_RENDERERS)
"""The registered format names."""
