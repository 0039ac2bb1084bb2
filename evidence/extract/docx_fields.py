"""What a reference manager stores in a Word field: the cited works and their metadata.

A citation inserted by a reference manager is a Word *field*: an instruction the manager
wrote (``ADDIN ...`` and a payload) and the text Word shows. The payload holds every cited
work's metadata, which is what makes a .bib unnecessary:

============  ==========================================  ==============================
manager       instruction                                 payload
============  ==========================================  ==============================
Zotero        ``ADDIN ZOTERO_ITEM CSL_CITATION {...}``    CSL-JSON ``citationItems``
Mendeley      ``ADDIN CSL_CITATION {...}``                CSL-JSON ``citationItems``
EndNote       ``ADDIN EN.CITE <EndNote>...``              EndNote XML ``<Cite>`` records,
              (or a nested ``ADDIN EN.CITE.DATA``)        base64 in ``w:fldData`` then
Citavi        ``ADDIN CitaviPlaceholder{base64}``         JSON ``Entries`` (``$id``/``$ref``)
============  ==========================================  ==============================

The managers' bibliography fields (``ZOTERO_BIBL``, ``CSL_BIBLIOGRAPHY``,
``EN.REFLIST``) are the formatted reference list: not prose, and not needed since the
citations carry the metadata. Formats learnt from the public descriptions of the
managers' Word plug-ins and from the real documents in the test fixtures.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException

from evidence.errors import SourceLocation
from evidence.extract.csl import csl_year, reference_from_csl
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid
from evidence.model import Name, Reference

__all__ = ["CitedWork", "FieldPayloadError", "read_field"]


class FieldPayloadError(ValueError):
    """A citation field whose payload cannot be read (the message says why)."""


@dataclass
class CitedWork:
    """One work a citation field cites: who it is (``identity``), and how to build its
    reference once it has a key."""

    identity: str
    surname: str
    year: int | None
    build: Callable[[str, SourceLocation], Reference]
    locator: str = ""
    manager: str = ""


@dataclass
class Field:
    """A field being read: its kind (``citation``, ``bibliography``, ``data`` or ``other``)
    and what it cites."""

    kind: str
    manager: str = ""
    works: list[CitedWork] = field(default_factory=list)


_BIBLIOGRAPHY = re.compile(
    r"ADDIN\s+(?:ZOTERO_BIBL|EN\.REFLIST|CSL_BIBLIOGRAPHY|Mendeley\s+Bibliography|CitaviBibliography)",
    re.I,
)


def read_field(instruction: str, data: str) -> Field:
    """The field whose instruction text is ``instruction`` and whose ``w:fldData``
    (base64, possibly handed up from a nested ``EN.CITE.DATA`` field) is ``data``.

    Raises :class:`FieldPayloadError` when the field is a citation whose payload
    cannot be read.
    """
    text = instruction.strip()
    if _BIBLIOGRAPHY.match(text):
        return Field("bibliography")
    if re.match(r"ADDIN\s+EN\.CITE\.DATA\b", text):
        return Field("data")
    if re.match(r"ADDIN\s+ZOTERO_ITEM\b", text):
        return Field("citation", "zotero", _csl_citation(text, "zotero"))
    if re.match(r"ADDIN\s+CSL_CITATION\b", text):
        return Field("citation", "mendeley", _csl_citation(text, "mendeley"))
    if re.match(r"ADDIN\s+EN\.CITE\b", text):
        payload = text[text.find("EN.CITE") + len("EN.CITE") :].strip()
        if not payload.startswith("<") and data:
            payload = _base64_text(data)
        return Field("citation", "endnote", _endnote(payload))
    if re.match(r"ADDIN\s+CitaviPlaceholder", text):
        return Field("citation", "citavi", _citavi(text))
    return Field("other")


# -- Zotero and Mendeley: CSL-JSON ----------------------------------------------------------


def _csl_citation(text: str, manager: str) -> list[CitedWork]:
    start = text.find("{")
    if start < 0:
        raise FieldPayloadError(f"the {manager} field holds no citation data")
    try:
        payload, _ = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as error:
        raise FieldPayloadError(f"the {manager} field's JSON is damaged: {error.msg}") from None
    items = payload.get("citationItems") if isinstance(payload, Mapping) else None
    if not isinstance(items, list) or not items:
        raise FieldPayloadError(f"the {manager} field lists no cited items")
    works = []
    for item in items:
        if not isinstance(item, Mapping):
            raise FieldPayloadError(f"the {manager} field has an item that is not an object")
        data = item.get("itemData")
        if not isinstance(data, Mapping):
            data = {}
        uris = item.get("uris") or item.get("uri") or []
        identity = (
            str(uris[0])
            if isinstance(uris, list) and uris
            else str(data.get("DOI") or data.get("title") or item.get("id") or "")
        )
        if not identity:
            raise FieldPayloadError(f"the {manager} field has an item with no identity")
        authors = data.get("author")
        first = authors[0] if isinstance(authors, list) and authors else {}
        surname = (
            str(first.get("family") or first.get("literal") or "")
            if isinstance(first, Mapping)
            else ""
        )
        locator = str(item.get("locator") or "")
        label = str(item.get("label") or "page")
        if locator:
            locator = f"{'p.' if label == 'page' else label} {locator}"
        works.append(
            CitedWork(
                f"{manager}:{identity}",
                surname or str(data.get("title") or "ref"),
                csl_year(data),
                partial(reference_from_csl, data),
                locator=locator,
                manager=manager,
            )
        )
    return works


# -- EndNote: XML records -------------------------------------------------------------------


def _base64_text(data: str) -> str:
    try:
        raw = base64.b64decode("".join(data.split()), validate=False)
    except (binascii.Error, ValueError):
        raise FieldPayloadError("the EndNote field's data is not base64") from None
    for encoding in ("utf-8", "utf-16"):
        try:
            # EndNote ends the record with a NUL byte.
            return raw.decode(encoding).rstrip("\x00")
        except UnicodeDecodeError:
            continue
    raise FieldPayloadError("the EndNote field's data is not text")


def _endnote(payload: str) -> list[CitedWork]:
    if not payload:
        raise FieldPayloadError("the EndNote field holds no record (no <EndNote> and no data)")
    try:
        root = SafeTree.fromstring(payload)
    except DefusedXmlException:
        raise FieldPayloadError("the EndNote field's XML declares entities; refused") from None
    except SafeTree.ParseError as error:
        raise FieldPayloadError(f"the EndNote field's XML is damaged: {error}") from None
    works = []
    for cite in root.iter("Cite"):
        record = cite.find("record")
        number = _inner(cite.find("RecNum")) or _inner(
            record.find("rec-number") if record is not None else None
        )
        author = _inner(cite.find("Author"))
        year = _year(_inner(cite.find("Year")))
        if not number and record is None:
            raise FieldPayloadError("an EndNote <Cite> has neither a record nor a RecNum")
        identity = f"endnote:{number or _inner(record)[:80]}"
        pages = _inner(cite.find("Pages"))
        works.append(
            CitedWork(
                identity,
                author.split(",")[0] or "ref",
                year,
                partial(_endnote_reference, record, author, year),
                locator=pages,
                manager="endnote",
            )
        )
    if not works:
        raise FieldPayloadError("the EndNote field holds no <Cite>")
    return works


def _inner(element: Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _year(text: str) -> int | None:
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", text)
    return int(match.group(1)) if match else None


_ENDNOTE_TYPES = {"Journal Article": "article", "Book": "book", "Book Section": "incollection"}


def _endnote_reference(
    record: Element | None, author: str, year: int | None, key: str, where: SourceLocation
) -> Reference:
    if record is None:  # a citation whose record EndNote left out: what the Cite says
        return Reference(key, "misc", authors=_endnote_names([author]), year=year, location=where)

    def get(path: str) -> str:
        return _inner(record.find(path))

    names = [_inner(a) for a in record.iterfind("contributors/authors/author")]
    accession = get("accession-num")
    pmcid = next(
        (normalise_pmcid(v) for v in (get("custom2"), get("custom1")) if v.startswith("PMC")),
        None,
    )
    doi_text = get("electronic-resource-num")
    ref_type = record.find("ref-type")
    kind = ref_type.get("name", "") if ref_type is not None else ""
    return Reference(
        key=key,
        entry_type=_ENDNOTE_TYPES.get(kind, "misc"),
        title=get("titles/title"),
        authors=_endnote_names(names),
        year=_year(get("dates/year")) or year,
        journal=get("titles/secondary-title") or get("periodical/full-title"),
        volume=get("volume"),
        number=get("number"),
        pages=get("pages").replace("\u2013", "-"),
        pmid=normalise_pmid(accession) if accession.isdigit() else None,
        doi=normalise_doi(doi_text) if "10." in doi_text else None,
        pmcid=pmcid,
        location=where,
    )


def _endnote_names(names: list[str]) -> tuple[Name, ...]:
    result = []
    for name in names:
        if not name:
            continue
        if "," in name:
            last, first = name.split(",", 1)
            result.append(Name(last.strip(), first.strip()))
        else:
            result.append(Name(name, collective=True))
    return tuple(result)


# -- Citavi: base64 JSON with $id/$ref sharing ----------------------------------------------


def _citavi(text: str) -> list[CitedWork]:
    match = re.search(r"CitaviPlaceholder\s*\{([A-Za-z0-9+/=\s]+)\}?", text)
    if match is None:
        raise FieldPayloadError("the Citavi field holds no data")
    try:
        payload = json.loads(base64.b64decode("".join(match.group(1).split())))
    except (binascii.Error, ValueError):
        raise FieldPayloadError("the Citavi field's data is not base64 JSON") from None
    shared: dict[str, Any] = {}
    _collect_ids(payload, shared)
    entries = payload.get("Entries") if isinstance(payload, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise FieldPayloadError("the Citavi field lists no cited entries")
    works = []
    for entry in entries:
        entry = _deref(entry, shared)
        ref = _deref(entry.get("Reference"), shared) if isinstance(entry, Mapping) else None
        if not isinstance(entry, Mapping) or not isinstance(ref, Mapping):
            raise FieldPayloadError("a Citavi entry carries no reference")
        identity = str(entry.get("ReferenceId") or ref.get("Id") or ref.get("Title") or "")
        listed_authors = ref.get("Authors")
        authors = [
            _deref(a, shared) for a in listed_authors or [] if isinstance(listed_authors, list)
        ]
        surname = next((str(a.get("LastName")) for a in authors if isinstance(a, Mapping)), "")
        year = _year(str(ref.get("Year") or ""))
        pages = _deref(entry.get("PageRange"), shared)
        locator = str(pages.get("OriginalString") or "") if isinstance(pages, Mapping) else ""
        works.append(
            CitedWork(
                f"citavi:{identity}",
                surname or "ref",
                year,
                partial(_citavi_reference, ref, authors, year, shared),
                locator=f"p. {locator}" if locator else "",
                manager="citavi",
            )
        )
    return works


def _collect_ids(value: object, shared: dict[str, Any]) -> None:
    stack = [value]
    while stack:  # iterative: a hostile payload can nest deeper than the recursion limit
        item = stack.pop()
        if isinstance(item, Mapping):
            if "$id" in item:
                shared[str(item["$id"])] = item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _deref(value: Any, shared: Mapping[str, Any]) -> Any:
    if isinstance(value, Mapping) and "$ref" in value:
        return shared.get(str(value["$ref"]), {})
    return value


def _citavi_reference(
    ref: Mapping[str, Any],
    authors: list[Any],
    year: int | None,
    shared: Mapping[str, Any],
    key: str,
    where: SourceLocation,
) -> Reference:
    names = tuple(
        Name(
            str(a.get("LastName") or ""),
            " ".join(str(a.get(p) or "") for p in ("FirstName", "MiddleName") if a.get(p)),
        )
        for a in authors
        if isinstance(a, Mapping) and a.get("LastName")
    )
    parent = _deref(ref.get("ParentReference"), shared)
    periodical = _deref(ref.get("Periodical"), shared)
    journal = str(periodical.get("Name") or "") if isinstance(periodical, Mapping) else ""
    if not journal and isinstance(parent, Mapping):
        journal = str(parent.get("Title") or "")
    doi = str(ref.get("Doi") or "")
    pmid = str(ref.get("PubMedId") or "")
    return Reference(
        key=key,
        entry_type="article" if journal and not parent else "misc",
        title=str(ref.get("Title") or ""),
        authors=names,
        year=year,
        journal=journal,
        volume=str(ref.get("Volume") or ""),
        number=str(ref.get("Number") or ""),
        doi=normalise_doi(doi) if doi else None,
        pmid=normalise_pmid(pmid) if pmid else None,
        location=where,
    )
