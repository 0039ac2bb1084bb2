"""PubMed records as compact JSON rows: how the cache (format 2) stores them.

A row is a JSON array holding the fields of :class:`~evidence.model.PubMedRecord` in the
order of :data:`FIELDS`, each nested value an array too (an author is
``[last, first, von, jr, collective]``, a MeSH heading ``[ui, name, major, [qualifiers]]``
...). It carries the same information as
:meth:`~evidence.model.PubMedRecord.to_dict` without repeating a key per field and per
item, and it reads back much faster:

- **No keys.** ``json.loads`` makes no dict per author or heading, and reading a field is
  unpacking a list, not a ``get`` and a check per key.
- **Checked in bulk.** Every field is type-checked as issue 12 requires (a text is a
  ``str``, a flag a ``bool``, a year an ``int`` or ``null`` ...), but a run of texts is
  checked by one ``"".join`` (which refuses anything that is not a ``str``), not by a call
  per value.
- **Shared vocabulary.** MeSH headings, publication types and qualifier lists come from
  controlled vocabularies and repeat from record to record ("Humans", "Female", "Journal
  Article"); one :class:`RowReader` builds each distinct one once and hands the same
  (immutable) object to every record that has it. Records compare equal either way.

What this gains is measured with the packs that hold rows (see ``evidence.pubmed.cache``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from evidence.model import (
    AbstractSection,
    CommentCorrection,
    MeshHeading,
    Name,
    PublicationType,
    PubMedRecord,
)

__all__ = ["FIELDS", "BadRow", "RowReader", "to_row"]

#: The record's fields, in the order a row holds them: the dataclass's own order, taken
#: from it, so a field added to the record changes the width rows must have and the
#: round-trip tests fail until ``to_row`` and the reader hold it too.
FIELDS = tuple(field.name for field in dataclasses.fields(PubMedRecord))


class BadRow(ValueError):
    """A row that is not what :func:`to_row` writes; the message says where."""


def to_row(record: PubMedRecord) -> list[Any]:
    """``record`` as a JSON-ready row (see the module docstring)."""
    return [
        record.pmid,
        record.title,
        record.kind,
        [[s.text, s.label, s.category] for s in record.abstract],
        [_name_row(a) for a in record.authors],
        record.authors_complete,
        record.journal,
        record.journal_abbrev,
        record.year,
        record.pub_date,
        record.volume,
        record.issue,
        record.pages,
        record.doi,
        record.pmcid,
        [[p.ui, p.name] for p in record.publication_types],
        [[m.ui, m.name, m.major, list(m.qualifiers)] for m in record.mesh],
        list(record.keywords),
        [[c.ref_type, c.source, c.pmid] for c in record.comments_corrections],
        list(record.languages),
        record.status,
        [_name_row(e) for e in record.editors],
        record.publisher,
        record.publisher_location,
        record.book_accession,
    ]


def _name_row(name: Name) -> list[Any]:
    return [name.last, name.first, name.von, name.jr, name.collective]


def _texts(values: Any, where: str) -> None:
    """Raise :class:`BadRow` unless ``values`` (a list or tuple) holds only texts."""
    try:
        "".join(values)
    except TypeError:
        raise BadRow(f"{where}: expected texts") from None


def _list(value: Any, where: str) -> list[Any]:
    if type(value) is not list:
        raise BadRow(f"{where}: expected a list")
    return value


def _rows(value: Any, width: int, where: str) -> list[list[Any]]:
    """``value`` as a list of lists of ``width`` items each."""
    for item in _list(value, where):
        if type(item) is not list or len(item) != width:
            raise BadRow(f"{where}: expected lists of {width} items")
    return value  # type: ignore[no-any-return]


def _optional_text(value: Any, where: str) -> str | None:
    if value is not None and type(value) is not str:
        raise BadRow(f"{where}: expected text or null")
    return value


def _flag(value: Any, where: str) -> bool:
    if value is not True and value is not False:
        raise BadRow(f"{where}: expected true or false")
    return value


class RowReader:
    """Reads rows back into records, building each distinct vocabulary item once.

    One reader serves one bulk read (its memory goes with it). Raises :class:`BadRow`
    for a row that is not what :func:`to_row` writes.
    """

    def __init__(self) -> None:
        self._mesh: dict[tuple[Any, ...], MeshHeading] = {}
        self._types: dict[tuple[str, str], PublicationType] = {}
        self._texts: dict[tuple[str, ...], tuple[str, ...]] = {}

    def record(self, row: Any) -> PubMedRecord:
        """The record ``row`` holds."""
        if type(row) is not list or len(row) != len(FIELDS):
            raise BadRow(f"expected a list of {len(FIELDS)} fields")
        (
            pmid,
            title,
            kind,
            abstract,
            authors,
            authors_complete,
            journal,
            journal_abbrev,
            year,
            pub_date,
            volume,
            issue,
            pages,
            doi,
            pmcid,
            publication_types,
            mesh,
            keywords,
            comments_corrections,
            languages,
            status,
            editors,
            publisher,
            publisher_location,
            book_accession,
        ) = row
        _texts(
            (
                pmid,
                title,
                kind,
                journal,
                journal_abbrev,
                pub_date,
                volume,
                issue,
                pages,
                status,
                publisher,
                publisher_location,
                book_accession,
            ),
            "texts",
        )
        if year is not None and type(year) is not int:
            raise BadRow("year: expected a whole number or null")
        return PubMedRecord(
            pmid=pmid,
            title=title,
            kind=kind,
            abstract=self._abstract(abstract),
            authors=self._names(authors, "authors"),
            authors_complete=_flag(authors_complete, "authors_complete"),
            journal=journal,
            journal_abbrev=journal_abbrev,
            year=year,
            pub_date=pub_date,
            volume=volume,
            issue=issue,
            pages=pages,
            doi=_optional_text(doi, "doi"),
            pmcid=_optional_text(pmcid, "pmcid"),
            publication_types=self._publication_types(publication_types),
            mesh=self._mesh_headings(mesh),
            keywords=self._text_tuple(keywords, "keywords"),
            comments_corrections=self._links(comments_corrections),
            languages=self._text_tuple(languages, "languages"),
            status=status,
            editors=self._names(editors, "editors"),
            publisher=publisher,
            publisher_location=publisher_location,
            book_accession=book_accession,
        )

    def _text_tuple(self, value: Any, where: str) -> tuple[str, ...]:
        _texts(_list(value, where), where)
        key = tuple(value)
        return self._texts.setdefault(key, key)

    @staticmethod
    def _abstract(value: Any) -> tuple[AbstractSection, ...]:
        sections = []
        for text, label, category in _rows(value, 3, "abstract"):
            _texts((text, label, category), "abstract")
            sections.append(AbstractSection(text, label, category))
        return tuple(sections)

    @staticmethod
    def _names(value: Any, where: str) -> tuple[Name, ...]:
        names = []
        for last, first, von, jr, collective in _rows(value, 5, where):
            # Inline checks, not calls: a record has dozens of names.
            if (
                type(last) is not str
                or type(first) is not str
                or type(von) is not str
                or type(jr) is not str
                or (collective is not True and collective is not False)
            ):
                raise BadRow(f"{where}: expected four texts and true or false")
            names.append(Name(last, first, von, jr, collective))
        return tuple(names)

    def _publication_types(self, value: Any) -> tuple[PublicationType, ...]:
        found = []
        known = self._types
        for ui, name in _rows(value, 2, "publication_types"):
            if type(ui) is not str or type(name) is not str:
                raise BadRow("publication_types: expected texts")
            key = (ui, name)
            item = known.get(key)
            if item is None:
                item = known[key] = PublicationType(ui, name)
            found.append(item)
        return tuple(found)

    def _mesh_headings(self, value: Any) -> tuple[MeshHeading, ...]:
        found = []
        known = self._mesh
        for ui, name, major, qualifiers in _rows(value, 4, "mesh"):
            if type(qualifiers) is not list or (major is not True and major is not False):
                raise BadRow("mesh: expected a flag and a list of qualifiers")
            key = (ui, name, major, *qualifiers)
            try:
                item = known.get(key)
            except TypeError:  # a list or an object where a text belongs
                raise BadRow("mesh: expected texts") from None
            # A key equal to a stored one holds texts where that one does (no other JSON
            # value equals a str), and the flag was checked by identity above (1 would
            # equal True): a heading found is the right one.
            if item is None:
                _texts(key[:2] + key[3:], "mesh")
                item = known[key] = MeshHeading(ui, name, major, tuple(qualifiers))
            found.append(item)
        return tuple(found)

    @staticmethod
    def _links(value: Any) -> tuple[CommentCorrection, ...]:
        links = []
        for ref_type, source, pmid in _rows(value, 3, "comments_corrections"):
            _texts((ref_type, source), "comments_corrections")
            links.append(CommentCorrection(ref_type, source, _optional_text(pmid, "pmid")))
        return tuple(links)
