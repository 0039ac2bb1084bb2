"""CSL-JSON -> references: Zotero, Manubot, pandoc and Quarto bibliographies.

:func:`parse_csl_json` reads the JSON text (pure); :func:`load_csl_json` reads a file and
calls it. Both return the ``Bibliography`` the BibTeX reader
returns. The key of each reference is its ``id`` (what pandoc cites as ``@id``).

>>> bib = parse_csl_json('''[{"id": "liliang2011", "type": "article-journal",
...   "title": "Sacroiliac joint pain after <i>lumbar</i> fusion",
...   "author": [{"family": "Liliang", "given": "Po-Chou"}, {"literal": "SI Study Group"}],
...   "issued": {"date-parts": [["2011", 4]]}, "PMID": "21463470"}]''', source="refs.json")
>>> ref = bib["liliang2011"]
>>> ref.title, ref.year, ref.month, ref.pmid, ref.authors[1].collective
('Sacroiliac joint pain after lumbar fusion', 2011, 4, '21463470', True)

What is read, and how
=====================

* The file is a JSON array of items (one item object alone is read too). Python's own
  decoder reads each item from where it starts, so each keeps its line; a file that is not
  JSON is a :class:`~evidence.errors.BibliographyError` at the line and column where it
  stops being JSON (nothing is half-loaded).
* Every item is loaded, or reported with its line: an item that is not an object, or has
  no title, author or identifier (``empty-record``), a second item with an ``id`` already
  used, ignoring case (``duplicate-key``). An item without ``id`` is loaded under a key made
  from its content (``missing-key``, a warning: pandoc could not cite it).
* Dates: ``issued`` as ``date-parts`` with numbers or strings (``[["2019"]]``), ``raw``,
  ``literal`` or an EDTF string (``"2019-09"``); a missing ``issued`` is no problem (web
  pages often have none). A value that is none of these is ``bad-date``.
* Titles are CSL rich text: ``<i>``, ``<sup>``, ``<span class="nocase">`` and entities are
  read as plain text. Names: ``family``/``given`` with particles and suffix; a ``literal``
  is read as a person when it looks like one ("Alexander Ratner") and as a group otherwise
  ("NVIDIA", "The Gene Ontology Consortium").
* Identifiers: ``PMID``, ``DOI``, ``PMCID`` (strict: a malformed one is
  ``bad-identifier``), then quietly from ``URL`` and from ``PMID:``/``DOI:`` lines in
  ``note`` (Zotero's "Extra" field). The CSL ``type`` is kept as ``fields["csl_type"]``,
  and ``container-title-short`` (or ``journalAbbreviation``) as ``fields["shortjournal"]``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

from evidence._gc import paused_gc
from evidence.bibliography._records import (
    WARNING,
    Bibliography,
    Collector,
    Draft,
    LineIndex,
    checked,
    decode,
    offer_from_text,
    offer_from_url,
    read_file,
)
from evidence.bibliography._values import (
    html_to_text,
    is_et_al,
    page_range,
    parse_date,
    parse_name,
    split_von,
)
from evidence.errors import BibliographyError, SourceLocation
from evidence.model import Name

__all__ = ["CSL_TYPES", "load_csl_json", "parse_csl_json"]

#: CSL item types and the BibTeX entry type each becomes (others become ``misc``).
CSL_TYPES = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "review": "article",
    "book": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "thesis": "phdthesis",
    "manuscript": "unpublished",
}

_WHITESPACE = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()
_TEXT_FIELDS = {
    "publisher": "publisher",
    "publisher-place": "address",
    "ISSN": "issn",
    "ISBN": "isbn",
    "language": "language",
    "edition": "edition",
    "collection-title": "series",
    "genre": "type",
    "number": "report_number",
    "URL": "url",
    "note": "note",
    "title-short": "shorttitle",
    "version": "version",
}


def parse_csl_json(text: str, *, source: str = "<string>", strict: bool = False) -> Bibliography:
    """Read CSL-JSON ``text``; ``source`` names it in locations (``refs.json:12``).

    Raises :class:`~evidence.errors.BibliographyError` when the text is not JSON or not a
    list of items. Otherwise never raises for bad content unless ``strict`` is true:
    problems are collected in ``.problems``.
    """
    collector = Collector(source)
    lines = LineIndex(text)
    with paused_gc():
        for offset, item in _items(text, source, lines):
            line, column = lines.line(offset), lines.column(offset)
            if not isinstance(item, dict):
                collector.problem(
                    line,
                    f"item is a JSON {_json_kind(item)}, not an object; it is not loaded",
                    "empty-record",
                    column=column,
                )
                continue
            collector.add(_draft(item, line, column, collector))
        return checked(collector.bibliography(), strict)


def load_csl_json(
    path: str | os.PathLike[str], *, encoding: str = "utf-8", strict: bool = False
) -> Bibliography:
    """Read the CSL-JSON file at ``path`` (see :func:`parse_csl_json`)."""
    name, data = read_file(path)
    return parse_csl_json(decode(data, encoding, name), source=name, strict=strict)


def _json_kind(value: object) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


def _items(text: str, source: str, lines: LineIndex) -> Iterator[tuple[int, Any]]:
    """``(offset, item)`` for each item of the top-level array (or the one object)."""

    def fail(at: int, message: str) -> BibliographyError:
        return BibliographyError(
            f"not valid CSL-JSON: {message}",
            location=SourceLocation(source, lines.line(at), lines.column(at)),
        )

    def skip(at: int) -> int:
        end = _WHITESPACE.match(text, at)
        return end.end() if end else at

    def value_at(at: int) -> tuple[Any, int]:
        try:
            return _DECODER.raw_decode(text, at)
        except json.JSONDecodeError as error:
            raise fail(error.pos, error.msg) from None
        except RecursionError:
            raise fail(at, "nested too deeply") from None

    at = skip(0)
    if at == len(text):
        return
    if text[at] == "{":
        item, end = value_at(at)
        if skip(end) != len(text):
            raise fail(skip(end), "extra data after the item")
        yield at, item
        return
    if text[at] != "[":
        raise fail(at, "a CSL-JSON file is an array of items, starting with '['")
    at = skip(at + 1)
    if at < len(text) and text[at] == "]":
        at = skip(at + 1)
    else:
        while True:
            item, end = value_at(at)
            yield at, item
            at = skip(end)
            if at < len(text) and text[at] == ",":
                at = skip(at + 1)
                continue
            if at < len(text) and text[at] == "]":
                at = skip(at + 1)
                break
            raise fail(at, "expected ',' or ']' after an item")
    if at != len(text):
        raise fail(at, "extra data after the array")


def _text(value: object) -> str:
    """A CSL value read as text: strings and numbers are; anything else is not."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _draft(item: Mapping[str, Any], line: int, column: int, collector: Collector) -> Draft:
    key = _text(item.get("id"))
    csl_type = _text(item.get("type"))
    draft = Draft(line=line, column=column, key=key, entry_type=CSL_TYPES.get(csl_type, "misc"))
    label = f"item '{key}'" if key else "item"

    def warn(message: str, code: str) -> None:
        collector.problem(line, f"{label}: {message}", code, WARNING, column)

    if not key:
        warn("has no 'id', so it cannot be cited by its own key; a key is made", "missing-key")
    draft.set("csl_type", csl_type)
    draft.title = html_to_text(_text(item.get("title")))
    for role, target in (("author", draft.authors), ("editor", draft.editors)):
        people = item.get(role)
        if people is None:
            continue
        if not isinstance(people, list):
            warn(f"'{role}' is not a list of names; it is ignored", "bad-name")
            continue
        for person in people:
            name = _name(person)
            if name is None:
                warn(f"{role} {json.dumps(person)[:60]} is not a name; it is skipped", "bad-name")
            elif isinstance(name, str):  # "et al."
                draft.authors_complete = draft.authors_complete and role != "author"
            else:
                target.append(name)
    if "issued" in item:
        year, month, understood = _date(item["issued"])
        if understood:
            draft.year, draft.month = year, month
        else:
            warn(f"'issued' {json.dumps(item['issued'])[:60]} is not a date", "bad-date")
    container = html_to_text(_text(item.get("container-title")))
    if draft.entry_type in ("incollection", "inproceedings"):
        draft.set("booktitle", container)
    else:
        draft.journal = container
    short = _text(item.get("container-title-short")) or _text(item.get("journalAbbreviation"))
    if short and short != container:
        draft.set("shortjournal", short)
    draft.volume = _text(item.get("volume"))
    draft.number = _text(item.get("issue"))
    draft.pages = page_range(_text(item.get("page")))
    draft.abstract = html_to_text(_text(item.get("abstract")))
    for name, field in _TEXT_FIELDS.items():
        draft.set(field, _text(item.get(name)))
    keywords = item.get("keyword")
    if isinstance(keywords, str):
        draft.set("keywords", keywords)
    for kind, name in (("pmid", "PMID"), ("doi", "DOI"), ("pmcid", "PMCID")):
        value = _text(item.get(name))
        if value:
            draft.offer(kind, value, name, line, strict=True)
    url = _text(item.get("URL"))
    if url:
        offer_from_url(draft, url, "URL", line)
    note = item.get("note")
    if isinstance(note, str):
        offer_from_text(draft, note, "note", line)
    return draft


def _name(person: object) -> Name | str | None:
    """A CSL name object as a :class:`Name`; ``"et al"`` for an "others" placeholder."""
    if not isinstance(person, dict):
        return None
    literal = _text(person.get("literal"))
    family = _text(person.get("family"))
    given = _text(person.get("given"))
    if literal:
        if is_et_al(literal):
            return "et al"
        name = parse_name(literal)
        if name is not None and " " not in literal.strip():
            return Name(literal, collective=True)  # "NVIDIA": one word is a group
        return name
    if not family:
        return Name(given, collective=True) if given else None
    particles = (person.get("dropping-particle"), person.get("non-dropping-particle"))
    von = " ".join(p for p in map(_text, particles) if p)
    if not given and not von and " " in family:
        return Name(family, collective=True)  # "NIH Clinical Center" given as a family name
    if not von and person.get("parse-names") is not False:
        von, family = split_von(family)  # "de Souza": split as BibTeX would, so formats agree
    return Name(family, given, von, _text(person.get("suffix")))


def _date(value: object) -> tuple[int | None, int | None, bool]:
    """``(year, month, understood)`` from a CSL date (object or EDTF string)."""
    if isinstance(value, str):
        return parse_date(value)
    if not isinstance(value, dict):
        return None, None, False
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        first = parts[0]
        year_text = _text(first[0])
        if not year_text.lstrip("-").isdigit():
            return None, None, False
        month: int | None = None
        if len(first) > 1 and _text(first[1]).isdigit():
            month = int(_text(first[1]))
            if not 1 <= month <= 12:
                month = None  # 13-24 are EDTF seasons: a season has no month
        return int(year_text), month, True
    for name in ("raw", "literal"):
        text = _text(value.get(name))
        if text:
            return parse_date(text)
    if not value or value.get("date-parts") == [[]]:
        return None, None, True
    return None, None, False
