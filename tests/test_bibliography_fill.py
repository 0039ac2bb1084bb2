"""The fast record builders of bibliography/fill.py give exactly what the constructors give.

Differential: the same values through ``Reference(...)`` and ``fill_reference(...)`` (and
the same for ``Name`` and ``SourceLocation``) must give records that are equal, hash,
print, pickle, copy and refuse assignment alike, with every attribute the same, those
left out of ``==`` included.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.bibliography import fill
from evidence.errors import SourceLocation
from evidence.model import Name, Reference

PAIRS: list[tuple[type[Any], Any]] = [
    (Reference, fill.fill_reference),
    (Name, fill.fill_name),
    (SourceLocation, fill.fill_location),
]


@pytest.mark.parametrize(("record", "filler"), PAIRS, ids=lambda x: getattr(x, "__name__", ""))
def test_each_filler_takes_every_field_in_order_and_has_the_records_slots(
    record: type[Any], filler: Any
) -> None:
    names = [f.name for f in dataclasses.fields(record)]
    parameters = list(inspect.signature(filler).parameters)
    assert parameters == names  # a field added to the record must be added to its filler
    assert filler.__slots__ == record.__slots__
    assert tuple(names) == record.__slots__


texts = st.text(max_size=12)
optional_texts = st.none() | texts
numbers = st.none() | st.integers(-5, 3000)
names = st.builds(
    lambda *values: tuple(values),
    texts,
    texts,
    texts,
    texts,
    st.booleans(),
)
locations = st.none() | st.builds(lambda *values: tuple(values), texts, numbers, numbers)
field_maps = st.dictionaries(texts, texts, max_size=4)


def _same(built: Any, made: Any) -> None:
    """``built`` (by a filler) is the record ``made`` (by the constructor), in every way."""
    assert type(built) is type(made)
    for item in dataclasses.fields(made):
        assert getattr(built, item.name) == getattr(made, item.name), item.name
    assert built == made
    assert made == built
    assert hash(built) == hash(made)
    assert repr(built) == repr(made)
    assert str(built) == str(made)
    assert pickle.loads(pickle.dumps(built)) == made
    assert copy.copy(built) == made
    assert copy.deepcopy(built) == made
    first = dataclasses.fields(made)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, first, getattr(made, first))
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(built, first)


@given(
    st.lists(names, max_size=3),
    st.lists(names, max_size=2),
    st.tuples(texts, texts, texts, numbers, numbers, texts, texts, texts, texts),
    st.tuples(optional_texts, optional_texts, optional_texts, optional_texts, st.booleans()),
    field_maps,
    field_maps,
    locations,
    texts,
)
def test_fill_reference_gives_what_the_constructor_gives(
    authors: list[tuple[str, str, str, str, bool]],
    editors: list[tuple[str, str, str, str, bool]],
    plain: tuple[str, str, str, int | None, int | None, str, str, str, str],
    identifiers: tuple[str | None, str | None, str | None, str | None, bool],
    fields: dict[str, str],
    raw: dict[str, str],
    where: tuple[str, int | None, int | None] | None,
    abstract: str,
) -> None:
    key, entry_type, title, year, month, journal, volume, number, pages = plain
    pmid, doi, pmcid, design, complete = identifiers
    people = tuple(Name(*n) for n in authors), tuple(Name(*n) for n in editors)
    location = SourceLocation(*where) if where else None
    values = (
        key, entry_type, title, *people, year, month, journal, volume, number, pages,
        pmid, doi, pmcid, design, complete, fields, raw, location, abstract,
    )  # fmt: skip
    made = Reference(*values)
    built = fill.fill_reference(*values)
    _same(built, made)
    assert built.short_citation == made.short_citation
    assert dataclasses.replace(built, key="other") == dataclasses.replace(made, key="other")
    assert built.fields is fields
    assert built.raw_fields is raw


@given(names)
def test_fill_name_gives_what_the_constructor_gives(
    values: tuple[str, str, str, str, bool],
) -> None:
    made = Name(*values)
    built = fill.fill_name(*values)
    _same(built, made)
    assert (built.initials, built.surname, built.vancouver()) == (
        made.initials,
        made.surname,
        made.vancouver(),
    )


@given(texts, numbers, numbers)
def test_fill_location_gives_what_the_constructor_gives(
    path: str, line: int | None, column: int | None
) -> None:
    made = SourceLocation(path, line, column)
    built = fill.fill_location(path, line, column)
    _same(built, made)
    assert built.at(7) == made.at(7)
