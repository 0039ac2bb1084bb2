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
import html
import io
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

import pandas as pd

from evidence.model import Reference

if TYPE_CHECKING:
    from evidence.table import EvidenceTable

__all__ = [
    "FORMATS",
    "JSON_SCHEMA_VERSION",
    "format_references",
    "register",
    "render",
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
    return renderer(table, **options)


# --- what every format shows ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cell:
    """A cell's text, with an optional link target (PMID, DOI or reference anchor)."""

    text: str
    href: str = ""


@dataclass(frozen=True, slots=True)
class _Grid:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[_Cell, ...], ...]


def _text(value: Any) -> str:
    """A cell value as text: missing values (None, NA, NaN) are empty."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NA:
        return ""
    if isinstance(value, tuple | list):
        return "; ".join(_text(v) for v in value)
    return str(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts (pandas' own typing of rows is too loose for mypy)."""
    return cast(list[dict[str, Any]], frame.to_dict(orient="records"))


def _percent(value: Any) -> str:
    text = _text(value)
    return "" if not text else f"{float(value) * 100:.0f}%"


def pubmed_url(pmid: str) -> str:
    """The PubMed page of a PMID ('' when it is not a plain number)."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else ""


def doi_url(doi: str) -> str:
    """The resolver URL of a DOI, percent-encoded so no DOI can break out of a link."""
    return f"https://doi.org/{quote(doi, safe='/')}" if doi.startswith("10.") else ""


def _study_labels(table: EvidenceTable) -> dict[str, str]:
    labels: dict[str, str] = {}
    for rec in _records(table.evidence):
        key, number = rec["key"], _text(rec["ref_number"])
        if key not in labels:
            labels[key] = f"{rec['study']} [{number}]" if number else f"{key} (unknown key)"
    return labels


def _claims_grid(table: EvidenceTable) -> _Grid:
    labels = _study_labels(table)
    rows = []
    for rec in _records(table.claims):
        rows.append(
            (
                _Cell(_text(rec["id"])),
                _Cell(_text(rec["text"])),
                _Cell(_text(rec["verdict"])),
                _Cell("; ".join(labels.get(k, k) for k in rec["supported_by"])),
                _Cell("; ".join(labels.get(k, k) for k in rec["contradicted_by"])),
                _Cell(_text(rec["studies"])),
                _Cell(_text(rec["participants"])),
            )
        )
    headers = ("ID", "Claim", "Verdict", "Supported by", "Contradicted by", "Studies", "n")
    return _Grid("Claims", headers, tuple(rows))


def _evidence_grid(table: EvidenceTable) -> _Grid:
    rows = []
    for rec in _records(table.evidence):
        number = _text(rec["ref_number"])
        study = f"{rec['study']} [{number}]" if number else f"{rec['key']} (unknown key)"
        events, n = _text(rec["events"]), _text(rec["n"])
        pmid, doi = _text(rec["pmid"]), _text(rec["doi"])
        rows.append(
            (
                _Cell(_text(rec["claim_id"])),
                _Cell(study, f"#ref-{number}" if number else ""),
                _Cell(_text(rec["stance"])),
                _Cell(_text(rec["finding"])),
                _Cell(f"{events}/{n}" if events and n else n),
                _Cell(_percent(rec["proportion"])),
                _Cell(pmid, pubmed_url(pmid)),
                _Cell(doi, doi_url(doi)),
            )
        )
    headers = ("Claim", "Study", "Stance", "Finding", "Events/n", "Proportion", "PMID", "DOI")
    return _Grid("Evidence", headers, tuple(rows))


def _remark_lines(table: EvidenceTable) -> list[str]:
    return [str(problem) for problem in table.remarks]


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
    if ref.editors:
        persons["editor"] = [person(n) for n in ref.editors]
    entry = Entry(ref.entry_type, fields=fields, persons=persons)
    entry.key = ref.key
    return entry


def _fallback_citation(ref: Reference) -> str:
    """A Vancouver-like line for entries a pybtex style cannot format (missing fields)."""
    authors = ", ".join(n.vancouver() for n in ref.authors[:6])
    if len(ref.authors) > 6:
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
    from pybtex.plugin import find_plugin

    formatter = find_plugin("pybtex.style.formatting", style)()
    lines = []
    for ref in references:
        try:
            formatted = next(iter(formatter.format_entries([_pybtex_entry(ref)])))
            text = str(formatted.text.render_as("text"))
        except Exception:  # pybtex raises several unrelated types for unformattable data
            text = _fallback_citation(ref)
        text = " ".join(text.split())
        if ref.doi and ref.doi not in text:
            text += f" doi:{ref.doi}."
        if ref.pmid:
            text += f" PMID: {ref.pmid}."
        lines.append(text)
    return lines


# --- Markdown ------------------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&!#])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+=>])|(\d+)([.)]))")


def md_escape(text: str) -> str:
    r"""Make ``text`` inert inside a Markdown table cell or list item.

    Newlines become spaces (a newline would end the table row), and every character that
    can start inline markup, an HTML tag, an entity or a cell boundary is backslash-escaped.

    >>> md_escape("a | b *c*\n<i>")
    'a \\| b \\*c\\* \\<i\\>'
    """
    text = " ".join(text.splitlines())
    text = _MD_INLINE.sub(r"\\\1", text)
    # A leading list or quote marker: escape the punctuation (``\-``, ``1\.``); a backslash
    # before a digit would not be an escape and would show.
    return _MD_LINE_START.sub(lambda m: m[1] + (f"\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}"), text)


def _md_cell(cell: _Cell) -> str:
    text = md_escape(cell.text)
    if cell.href.startswith("https://") and text:
        return f"[{text}](<{cell.href}>)"
    return text


def _md_grid(grid: _Grid) -> list[str]:
    out = [f"**{grid.caption}**", ""]
    out.append("| " + " | ".join(grid.headers) + " |")
    out.append("|" + "|".join(" --- " for _ in grid.headers) + "|")
    for row in grid.rows:
        out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    out.append("")
    return out


@register("markdown")
def render_markdown(table: EvidenceTable, *, style: str = "unsrt", heading: int = 2) -> str:
    """GitHub-flavoured Markdown."""
    out = [f"{'#' * heading} {md_escape(table.title)}", ""]
    out += _md_grid(_claims_grid(table))
    if len(table.evidence):
        out += _md_grid(_evidence_grid(table))
    remarks = _remark_lines(table)
    if remarks:
        out += ["**Remarks**", ""] + [f"- {md_escape(r)}" for r in remarks] + [""]
    refs = format_references(table.references, style)
    if refs:
        out += ["**References**", ""]
        out += [f"{i}. {md_escape(r)}" for i, r in enumerate(refs, start=1)] + [""]
    return "\n".join(out)


# --- HTML ----------------------------------------------------------------------------


def _html_cell(cell: _Cell, tag: str = "td") -> str:
    text = html.escape(cell.text)
    if cell.href:
        text = f'<a href="{html.escape(cell.href)}">{text}</a>'
    return f"<{tag}>{text}</{tag}>"


def _html_grid(grid: _Grid, css: str) -> list[str]:
    out = [f'<table class="{css}">', f"<caption>{html.escape(grid.caption)}</caption>"]
    out.append("<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in grid.headers))
    out.append("</tr></thead>")
    out.append("<tbody>")
    for row in grid.rows:
        out.append("<tr>" + "".join(_html_cell(c) for c in row) + "</tr>")
    out += ["</tbody>", "</table>"]
    return out


@register("html")
def render_html(table: EvidenceTable, *, style: str = "unsrt") -> str:
    """An HTML fragment: tables, remarks and references inside one ``div``."""
    out = ['<div class="evidence-table">']
    out += _html_grid(_claims_grid(table), "evidence-claims")
    if len(table.evidence):
        out += _html_grid(_evidence_grid(table), "evidence-details")
    remarks = _remark_lines(table)
    if remarks:
        out.append('<ul class="evidence-remarks">')
        out += [f"<li>{html.escape(r)}</li>" for r in remarks]
        out.append("</ul>")
    refs = format_references(table.references, style)
    if refs:
        out.append('<ol class="evidence-references">')
        for number, (ref, text) in enumerate(zip(table.references, refs, strict=True), 1):
            links = []
            if ref.pmid and pubmed_url(ref.pmid):
                links.append(f'<a href="{html.escape(pubmed_url(ref.pmid))}">PubMed</a>')
            if ref.doi and doi_url(ref.doi):
                links.append(f'<a href="{html.escape(doi_url(ref.doi))}">DOI</a>')
            extra = f" ({', '.join(links)})" if links else ""
            out.append(f'<li id="ref-{number}">{html.escape(text)}{extra}</li>')
        out.append("</ol>")
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
def render_html_page(table: EvidenceTable, *, style: str = "unsrt") -> str:
    """A standalone HTML page around :func:`render_html`'s fragment."""
    title = html.escape(table.title)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_PAGE_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n{render_html(table, style=style)}\n</body>\n</html>\n"
    )


# --- CSV -----------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A cell that no spreadsheet will run: text starting like a formula gets a ``'``.

    >>> csv_cell("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    """
    text = _text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


CSV_COLUMNS = (
    "claim_id",
    "claim",
    "verdict",
    "key",
    "study",
    "stance",
    "finding",
    "n",
    "events",
    "proportion",
    "title",
    "journal",
    "year",
    "pmid",
    "doi",
)


@register("csv")
def render_csv(table: EvidenceTable) -> str:
    """Long form: one row per claim x citation; an uncited claim is one row with no key."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    by_claim: dict[str, list[dict[str, Any]]] = {}
    for rec in _records(table.evidence):
        by_claim.setdefault(rec["claim_id"], []).append(rec)
    evidence_columns = CSV_COLUMNS[3:]
    for claim in _records(table.claims):
        head = [claim["id"], claim["text"], claim["verdict"]]
        rows = by_claim.get(claim["id"])
        if not rows:
            writer.writerow([csv_cell(v) for v in head] + [""] * len(evidence_columns))
        for rec in rows or ():
            writer.writerow([csv_cell(v) for v in head + [rec[c] for c in evidence_columns]])
    return buffer.getvalue()


# --- JSON ----------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
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
    claims = [
        {column: _json_value(value) for column, value in row.items()}
        for row in _records(table.claims)
    ]
    for claim in claims:
        claim["supported_by"] = claim["supported_by"] or []
        claim["contradicted_by"] = claim["contradicted_by"] or []
        claim["tags"] = claim["tags"] or []
    evidence = [
        {column: _json_value(value) for column, value in row.items()}
        for row in _records(table.evidence)
    ]
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
        "remarks": remarks,
        "references": references,
    }
    return json.dumps(document, indent=indent, ensure_ascii=False) + "\n"


# --- LaTeX ---------------------------------------------------------------------------


def _latex_grid(grid: _Grid, spec: str) -> list[str]:
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


@register("latex")
def render_latex(table: EvidenceTable, *, style: str = "unsrt") -> str:
    """Booktabs tables (``\\usepackage{booktabs}``), remarks and references."""
    out = [f"% {latex_escape(table.title)} -- needs \\usepackage{{booktabs}}", ""]
    out += _latex_grid(_claims_grid(table), "l p{5cm} l p{3cm} p{3cm} r r")
    if len(table.evidence):
        out += _latex_grid(_evidence_grid(table), "l l l p{4cm} l r l l")
    remarks = _remark_lines(table)
    if remarks:
        out += [r"\paragraph{Remarks}", r"\begin{itemize}"]
        out += [rf"\item {latex_escape(r)}" for r in remarks]
        out += [r"\end{itemize}", ""]
    refs = format_references(table.references, style)
    if refs:
        out += [r"\paragraph{References}", r"\begin{enumerate}"]
        out += [rf"\item {latex_escape(r)}" for r in refs]
        out += [r"\end{enumerate}", ""]
    return "\n".join(out)


FORMATS: tuple[str, ...] = tuple(_RENDERERS)
"""The registered format names."""
