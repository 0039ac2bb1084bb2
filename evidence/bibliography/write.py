r"""References written back out, as BibTeX or CSL-JSON, with what PubMed filled in.

``evidence fetch`` knows, for each reference it resolved, the PubMed record; a user wants
that back in their reference manager. :func:`enrich` fills what a reference lacks from its
record (never changing what it has); :func:`format_bibtex` and :func:`format_csl_json`
write any references (from any format read) as text that Zotero, JabRef, EndNote,
Mendeley, pandoc and this library read again; :func:`write_bibliography` writes a file
atomically, choosing the format from its extension.

>>> from evidence.model import Name, Reference
>>> ref = Reference("smith2020", "article", title="Pain & 50% less: a trial",
...                 authors=(Name("Smith", "Jo"),), year=2020, month=4, pages="1\u20139")
>>> print(format_bibtex([ref]))
@article{smith2020,
  author = {Smith, Jo},
  title = {Pain \& 50\% less: a trial},
  year = {2020},
  month = apr,
  pages = {1--9},
}
<BLANKLINE>

What is written
===============

* BibTeX: a reference read from BibTeX keeps its fields exactly as they were written
  (LaTeX included), in their order, with the fields enrichment added after them; other
  references get their fields from the record, LaTeX specials escaped (``\&``, ``\%``,
  ``\_``, ``-{}-`` so that a double hyphen stays two hyphens) and Unicode kept (biber and
  bibtexu read UTF-8). Names are written ``von Last, Jr, First``; a group is braced so it
  stays one name; an incomplete list ends ``and others``. DOIs and URLs are written
  verbatim. A key BibTeX cannot hold (a space, a comma, braces, ``%``, ``#``...) is
  written with ``_`` in their place, and a ``%`` comment above the entry says so.
* CSL-JSON: one item per reference, ``id`` its key, the CSL type (``csl_type`` when the
  reference came from CSL-JSON), names, ``issued`` as ``date-parts``, container title and
  its abbreviation, volume, issue, page, ``DOI`` (as the source wrote it, resolver prefix
  dropped), ``PMID``, ``PMCID``, ``URL``, abstract, publisher, ISSN and ISBN; an
  incomplete author list ends ``{"literal": "others"}``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from evidence._files import atomic_write_text
from evidence.bibliography._values import parse_date, parse_name, split_von
from evidence.errors import OutputError, SourceLocation
from evidence.identifiers import normalise_doi
from evidence.model import Name, PubMedRecord, Reference

__all__ = [
    "CSL_TYPE_OF",
    "csl_item",
    "enrich",
    "format_bibtex",
    "format_csl_json",
    "write_bibliography",
]

#: The CSL item type for each BibTeX entry type (others: ``article-journal`` when there
#: is a journal, else ``article``).
CSL_TYPE_OF = {
    "article": "article-journal",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "techreport": "report",
    "report": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "unpublished": "manuscript",
    "online": "webpage",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Bookkeeping the readers keep in ``fields``: not bibliographic data, so not written.
_INTERNAL = frozenset({"csl_type", "ris_type", "endnote_type", "endnote_record", "ovid_journal"})
_VERBATIM = frozenset({"doi", "url", "pmid", "pmcid", "issn", "isbn", "eprint", "file"})
_FIRST = (
    "author",
    "editor",
    "title",
    "journal",
    "shortjournal",
    "booktitle",
    "year",
    "month",
    "volume",
    "number",
    "pages",
    "publisher",
    "address",
    "edition",
    "series",
    "isbn",
    "issn",
    "doi",
    "pmid",
    "pmcid",
    "url",
    "keywords",
    "abstract",
    "note",
)
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_SPECIAL = re.compile(r"[\\{}%&$#_~^]|[-`'](?=[-`'])")
_BAD_KEY = re.compile(r"[\s,{}()\"#%~=\\]")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_PAGE_DASH = re.compile(r"\s*(?:-{1,2}|\u2013|\u2014)\s*")


# --- enrichment ------------------------------------------------------------------------------


def enrich(ref: Reference, record: PubMedRecord | None) -> Reference:
    """``ref`` with what its PubMed ``record`` knows and it lacks: identifiers, title,
    authors, journal and its abbreviation, volume, issue, pages, year and month, abstract.
    Nothing the reference has is changed; ``fields`` gains the same values.

    >>> from evidence.model import PubMedRecord, Reference
    >>> ref = Reference("katz2003", "article", title="The sacroiliac joint", year=2003)
    >>> record = PubMedRecord("12571491", "The sacroiliac joint.", journal="J Spinal Disord Tech",
    ...                       journal_abbrev="J Spinal Disord Tech", volume="16", pages="96-9")
    >>> new = enrich(ref, record)
    >>> new.title, new.pmid, new.volume, new.fields["pmid"]
    ('The sacroiliac joint', '12571491', '16', '12571491')
    """
    if record is None:
        return ref
    fields = dict(ref.fields)
    changes: dict[str, Any] = {}

    def fill(attribute: str, value: Any, field: str | None = None) -> None:
        if value and not getattr(ref, attribute):
            changes[attribute] = value
            if field is not None:
                fields.setdefault(field, str(value))

    fill("pmid", record.pmid, "pmid")
    fill("doi", record.doi, "doi")
    fill("pmcid", record.pmcid, "pmcid")
    fill("title", record.title.rstrip("."), "title")
    if not ref.authors and record.authors:
        changes["authors"] = record.authors
        changes["authors_complete"] = record.authors_complete
    fill("journal", record.journal, "journal")
    fill("volume", record.volume, "volume")
    fill("number", record.issue, "number")
    fill("pages", record.pages, "pages")
    fill("year", record.year, "year")
    if not ref.month and record.pub_date and (ref.year in (None, record.year)):
        fill("month", parse_date(record.pub_date)[1])
    if record.journal_abbrev:
        fields.setdefault("shortjournal", record.journal_abbrev)
    fill("abstract", record.abstract_text, "abstract")
    if not changes and fields == dict(ref.fields):
        return ref
    return replace(ref, fields=fields, **changes)


def _enriched(
    references: Iterable[Reference], records: Mapping[str, PubMedRecord] | None
) -> list[Reference]:
    return [enrich(ref, (records or {}).get(ref.key)) for ref in references]


# --- BibTeX ---------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Plain text as a BibTeX value that reads back as the same text."""
    if _LATEX_SPECIAL.search(text) is None:
        return text
    # BibTeX balances braces even after a backslash, so only braces that pair up may be
    # written \{ \}; a lone one is \textbraceleft{} or \textbraceright{}.
    lone: set[int] = set()
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "{":
            opened.append(index)
        elif char == "}":
            if opened:
                opened.pop()
            else:
                lone.add(index)
    lone.update(opened)
    out = []
    for index, char in enumerate(text):
        if index in lone:
            out.append(r"\textbraceleft{}" if char == "{" else r"\textbraceright{}")
        elif char in _LATEX:
            out.append(_LATEX[char])
        elif char in "-`'" and text[index + 1 : index + 2] in ("-", "`", "'"):
            # A doubled hyphen, backtick or quote is a ligature in LaTeX (an en dash, curly
            # quotes): "{}" between the two keeps them as written.
            out.append(char + "{}")
        else:
            out.append(char)
    return "".join(out)


def _part(text: str) -> str:
    """A name part, braced when it holds a comma or the word "and" (which would split it)."""
    escaped = _escape(text)
    return "{" + escaped + "}" if "," in text or " and " in f" {text} " else escaped


def _name(name: Name) -> str:
    if name.collective or (not name.first and " " in name.last and not name.von):
        return "{" + _escape(name.last) + "}"
    parts = [" ".join(_part(p) for p in (name.von, name.last) if p)]
    if name.jr:
        parts.append(_part(name.jr))
    if name.first:
        parts.append(_part(name.first))
    return ", ".join(parts)


def _names(names: Sequence[Name], complete: bool = True) -> str:
    written = [_name(n) for n in names]
    if not complete:
        written.append("others")
    return " and ".join(written)


def _bibtex_fields(ref: Reference) -> list[tuple[str, str]]:
    """``(name, value as written in the file)`` in the order they are written."""
    raw = ref.raw_fields
    out: dict[str, str] = {}
    if raw:  # read from BibTeX: what the user wrote, as written (empty values left out)
        out.update((name, value) for name, value in raw.items() if value.strip())
    if "author" not in out and ref.authors:
        out["author"] = _names(ref.authors, ref.authors_complete)
    if "editor" not in out and ref.editors:
        out["editor"] = _names(ref.editors)
    values = dict(ref.fields)
    for name in ("title", "journal", "volume", "number", "pages"):
        values.setdefault(name, getattr(ref, name))
    if ref.year is not None:
        values.setdefault("year", str(ref.year))
    for kind in ("pmid", "doi", "pmcid"):
        if getattr(ref, kind):
            values.setdefault(kind, getattr(ref, kind))
    if ref.abstract:
        values.setdefault("abstract", ref.abstract)
    for name in sorted(values, key=_order):
        value = values[name]
        if name in out or name in _INTERNAL or name in ("author", "editor", "month"):
            continue
        if not value:
            continue
        if name == "pages":  # an en dash as BibTeX writes it; other characters as they are
            out[name] = "--".join(_escape(part) for part in value.split("\u2013"))
        elif name in _VERBATIM:
            out[name] = value.replace("{", "").replace("}", "")
        else:
            out[name] = _escape(value)
    if "month" not in out and ref.month:
        out["month"] = _MONTHS[ref.month - 1]
    if not raw:  # a record from another format: fields in the usual BibTeX order
        return sorted(out.items(), key=lambda item: _order(item[0]))
    return list(out.items())


def _order(name: str) -> tuple[int, str]:
    return (_FIRST.index(name) if name in _FIRST else len(_FIRST), name)


def _key(key: str) -> str:
    return _BAD_KEY.sub("_", key.strip()) or "anon"


def format_bibtex(
    references: Iterable[Reference], records: Mapping[str, PubMedRecord] | None = None
) -> str:
    """``references`` (enriched from ``records`` by key, when given) as BibTeX text."""
    out: list[str] = []
    used: set[str] = set()
    for ref in _enriched(references, records):
        key = base = _key(ref.key)
        count = 1
        while key.lower() in used:
            count += 1
            key = f"{base}-{count}"
        used.add(key.lower())
        if key != ref.key:
            out.append(f"% evidence: key {ref.key!r} is written as {key!r} (BibTeX keys have no")
            out.append(
                "% spaces, commas, braces, double quotes or %#~=\\; duplicates get -2, -3...)"
            )
        out.append(f"@{ref.entry_type or 'misc'}{{{key},")
        for name, value in _bibtex_fields(ref):
            if name == "month" and value in _MONTHS:
                out.append(f"  month = {value},")
            else:
                out.append(f"  {name} = {{{value}}},")
        out.append("}")
        out.append("")
    return "\n".join(out)


# --- CSL-JSON ---------------------------------------------------------------------------------


def _person(name: Name) -> dict[str, Any]:
    if name.collective:
        # A group is a CSL literal, unless a reader would take that literal for a person
        # ("Xu Min", "BI Intelligence"): then a family name alone, which reads back as one.
        as_literal = parse_name(name.last)
        if as_literal is not None and not as_literal.collective and " " in name.last:
            return {"family": name.last}
        return {"literal": name.last}
    person: dict[str, Any] = {"family": name.last, "given": name.first}
    if name.von:
        person["non-dropping-particle"] = name.von
    elif split_von(name.last)[0]:
        person["parse-names"] = False  # "van de Pol" as one surname: readers must not split it
    if name.jr:
        person["suffix"] = name.jr
    return {k: v for k, v in person.items() if v is not None and v != ""}


def _csl_pages(pages: str) -> str:
    """A simple range with CSL's hyphen (``565-570``); anything else as it is."""
    ends = pages.split("\u2013")
    return "-".join(ends) if len(ends) == 2 and all(e.strip().isalnum() for e in ends) else pages


def _written_doi(ref: Reference) -> str:
    """The DOI as the source wrote it (resolver prefix dropped), when that is the DOI."""
    if not ref.doi:
        return ""
    for candidate in ref.fields.get("doi", "").split():
        if normalise_doi(candidate) == ref.doi:
            return _DOI_PREFIX.sub("", candidate.strip()).rstrip(".,;")
    return ref.doi


def csl_item(ref: Reference) -> dict[str, Any]:
    """``ref`` as one CSL-JSON item (see the module docstring)."""
    fields = ref.fields
    csl_type = fields.get("csl_type") or CSL_TYPE_OF.get(ref.entry_type.lower())
    if csl_type is None:
        csl_type = "article-journal" if ref.journal else "article"
    item: dict[str, Any] = {"id": ref.key, "type": csl_type}
    if ref.title:
        item["title"] = ref.title
    if ref.authors:
        item["author"] = [_person(n) for n in ref.authors]
        if not ref.authors_complete:
            item["author"].append({"literal": "others"})
    if ref.editors:
        item["editor"] = [_person(n) for n in ref.editors]
    if ref.year:
        item["issued"] = {"date-parts": [[ref.year, ref.month] if ref.month else [ref.year]]}
    book = csl_type in ("chapter", "paper-conference")
    container = (fields.get("booktitle", "") or ref.journal) if book else ref.journal
    for name, value in (
        ("container-title", container),
        ("container-title-short", fields.get("shortjournal", "")),
        ("volume", ref.volume),
        ("issue", ref.number),
        ("page", _csl_pages(ref.pages)),
        ("publisher", fields.get("publisher", "")),
        ("publisher-place", fields.get("address", "")),
        ("edition", fields.get("edition", "")),
        ("collection-title", fields.get("series", "")),
        ("ISSN", fields.get("issn", "")),
        ("ISBN", fields.get("isbn", "")),
        ("language", fields.get("language", "")),
        ("DOI", _written_doi(ref)),
        ("PMID", ref.pmid or ""),
        ("PMCID", ref.pmcid or ""),
        ("URL", fields.get("url", "")),
        ("abstract", ref.abstract or fields.get("abstract", "")),
        ("keyword", fields.get("keywords", "")),
    ):
        if value:
            item[name] = value
    return item


def format_csl_json(
    references: Iterable[Reference], records: Mapping[str, PubMedRecord] | None = None
) -> str:
    """``references`` (enriched from ``records`` by key, when given) as CSL-JSON text."""
    items = [csl_item(ref) for ref in _enriched(references, records)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


# --- files -------------------------------------------------------------------------------------

_WRITERS = {".bib": format_bibtex, ".bibtex": format_bibtex, ".json": format_csl_json}
_FORMAT_NAMES = {"bibtex": format_bibtex, "csl-json": format_csl_json}


def write_bibliography(
    references: Iterable[Reference],
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    records: Mapping[str, PubMedRecord] | None = None,
) -> None:
    """Write ``references`` to ``path`` as ``format`` (``bibtex`` or ``csl-json``; by
    default from the extension, ``.bib`` or ``.json``), enriched from ``records``, all at
    once: a failed write leaves any earlier file as it was. Raises
    :class:`~evidence.errors.OutputError` for another extension or an unwritable path."""
    target = Path(path)
    if format is not None:
        writer = _FORMAT_NAMES.get(format.lower())
    else:
        writer = _WRITERS.get(target.suffix.lower())
    if writer is None:
        raise OutputError(
            "cannot tell which format to write: name the file .bib (BibTeX) or .json "
            "(CSL-JSON), or pass format='bibtex' or format='csl-json'",
            location=SourceLocation(str(target)),
        )
    text = writer(references, records)
    try:
        atomic_write_text(target, text)
    except OSError as error:
        raise OutputError(
            f"cannot write the file: {error.strerror or error}",
            location=SourceLocation(str(target)),
        ) from error
