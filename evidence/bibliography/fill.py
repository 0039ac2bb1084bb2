"""Records built fast: the same :class:`~evidence.model.Reference`,
:class:`~evidence.model.Name` and :class:`~evidence.errors.SourceLocation` as their
constructors give, at a fraction of the cost.

A frozen dataclass's ``__init__`` stores each field through ``object.__setattr__`` (its
own ``__setattr__`` refuses), and the parse cache (:mod:`evidence.bibliography.cache`)
rebuilds thousands of references and names per warm load. Each class below has exactly
the slots of its record and no ``__setattr__`` of its own, so its ``__init__`` fills each
slot with one plain store, then turns the object into the record it stands for: Python
allows assigning ``__class__`` between classes of the same layout (same base, same slots).
What comes out is an ordinary instance of the record: frozen, equal, hashed, printed,
pickled and ``dataclasses.replace``-d as one built by its constructor.

Measured with ``timeit`` (CPU, best of 5, on the busy 2-core machine of
docs/performance.md): ``Reference(...)`` with every field 2.3-2.9 us, ``fill_reference``
0.5 us; ``Name(...)`` 0.6-1.3 us, ``fill_name`` 0.3-0.4 us. Arguments are positional, every
field in field order, and nothing is checked or copied: callers check the types of what
they hand over. tests/test_bibliography_fill.py checks these classes against
``dataclasses.fields`` of their records, so a field added to a record without adding it
here fails there. Stage 2: imports :mod:`evidence.model` and :mod:`evidence.errors` only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import cast

from evidence.errors import SourceLocation
from evidence.model import Name, Reference

__all__ = ["fill_location", "fill_name", "fill_reference"]


class _NameFill:
    __slots__ = Name.__slots__

    def __init__(self, last: str, first: str, von: str, jr: str, collective: bool) -> None:
        self.last = last
        self.first = first
        self.von = von
        self.jr = jr
        self.collective = collective
        self.__class__ = Name  # type: ignore[assignment]


class _LocationFill:
    __slots__ = SourceLocation.__slots__

    def __init__(self, path: str, line: int | None, column: int | None) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.__class__ = SourceLocation  # type: ignore[assignment]


class _ReferenceFill:
    __slots__ = Reference.__slots__

    def __init__(
        self,
        key: str,
        entry_type: str,
        title: str,
        authors: tuple[Name, ...],
        editors: tuple[Name, ...],
        year: int | None,
        month: int | None,
        journal: str,
        volume: str,
        number: str,
        pages: str,
        pmid: str | None,
        doi: str | None,
        pmcid: str | None,
        design: str | None,
        authors_complete: bool,
        fields: Mapping[str, str],
        raw_fields: Mapping[str, str],
        location: SourceLocation | None,
        abstract: str,
    ) -> None:
        self.key = key
        self.entry_type = entry_type
        self.title = title
        self.authors = authors
        self.editors = editors
        self.year = year
        self.month = month
        self.journal = journal
        self.volume = volume
        self.number = number
        self.pages = pages
        self.pmid = pmid
        self.doi = doi
        self.pmcid = pmcid
        self.design = design
        self.authors_complete = authors_complete
        self.fields = fields
        self.raw_fields = raw_fields
        self.location = location
        self.abstract = abstract
        self.__class__ = Reference  # type: ignore[assignment]


#: ``fill_name(last, first, von, jr, collective)``: the same :class:`~evidence.model.Name`
#: as its constructor gives, in a third of the time (every argument, positional).
fill_name = cast("Callable[[str, str, str, str, bool], Name]", _NameFill)
#: ``fill_location(path, line, column)``: the same
#: :class:`~evidence.errors.SourceLocation` as its constructor gives, faster.
fill_location = cast("Callable[[str, int | None, int | None], SourceLocation]", _LocationFill)
#: ``fill_reference(key, entry_type, ..., location, abstract)``: the same
#: :class:`~evidence.model.Reference` as ``Reference(...)`` with the same values, in a
#: fifth of the time. Every field, in
#: the order of ``dataclasses.fields(Reference)``, positional; nothing is checked or
#: copied (the parse cache checks the types of what it hands over).
fill_reference = cast("Callable[..., Reference]", _ReferenceFill)
