"""The on-disk parse cache of reference files: a warm load in milliseconds, never a wrong one.

``ParseCache`` keeps each file's :class:`~evidence.bibliography.core.Bibliography` as
plain columns keyed on the file's bytes, its encoding and the code that read it (see
``code_fingerprint``), with every problem and its line, so a load from the cache reports
exactly what a parse would. Stage 2: imports the shared modules below it,
:mod:`evidence.bibliography.core` and ``evidence.bibliography.fill``.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import logging
import os
import pickle
import sys
import time
import zlib
from collections.abc import Iterable
from itertools import accumulate, chain, count, repeat
from operator import or_
from pathlib import Path
from typing import Any, cast

from platformdirs import user_cache_dir

from evidence._files import atomic_write_bytes
from evidence._gc import paused_gc
from evidence.bibliography.core import Bibliography
from evidence.bibliography.fill import fill_location, fill_name, fill_reference
from evidence.errors import BibliographyError, Problem, Severity, SourceLocation
from evidence.model import Name, Reference

__all__ = [
    "CACHE_KEEP",
    "CACHE_MAGIC",
    "ParseCache",
    "code_fingerprint",
    "reader_sources",
    "source_digest",
]
# A cache entry is one file: magic, a CRC-32 of the rest (see _checksum), the size of the
# index, the index (a pickle of the format, the key, the citation keys, the chunk size,
# where each part starts, and the problems), then the parts, each a pickle read in place:
# * the name table: every distinct person once (as one text split at load), so a warm load
#   builds each Name once and every reference naming that person shares it;
# * the chunks: _CHUNK entries each, as columns (a list per field, in _COLUMN_TYPES order;
#   authors as numbers in the name table, decoded fields only where they differ from raw).
# Why this shape:
# * plain data loads 15-85x faster than pickled rich objects (../shared/reference/pybtex.md:
#   the cyclic GC walking millions of small objects is most of that cost), and an unpickler
#   that refuses every global (_PlainUnpickler) cannot be made to run code by a planted file;
#   each column is type-checked in one C-speed pass (issue 12: nothing wrong-typed gets in);
# * a warm load decodes only the index; a reference read alone decodes its chunk (a docs
#   build that cites 40 entries of 7,000 builds 40), and reading every entry builds each
#   column with one ``map`` (no Python loop per entry), the GC paused.
# Measured: CPU time (time.process_time) of ``load_references(path)`` from a warm cache,
# then ``list(bib.values())``, in a fresh process, best of 7, format 2 and this one in the
# same sitting, on the 2-core machine at load average 12-14: the 7,166-entry Zotero export
# 145-149 -> 58-62 ms (the load alone 17.5 -> 8.7 ms; its cold parse takes 1.38 s), the
# generated 50,000 entries 1,035 -> 431 ms (load alone 187 -> 90 ms; cold 10.4 s). Format
# 2 kept one pickled row per entry and built each reference through Reference(...), 15-20
# us an entry. Reading 40 random references instead of all: 19 -> 21 ms (a chunk and the
# name table decoded for the first reference of each chunk). Chunks of 64, 128 or 256
# entries read all at the same speed; 64 is the cheapest for a few references.
CACHE_MAGIC = b"evidence-bib-cache\n"
_CACHE_FORMAT = 3  # bumped whenever the rows below change shape (3: columns in chunks)
_CHECKSUM_SIZE = 4
_CHUNK = 64  # entries a chunk: a reference read alone decodes its chunk
_CACHE_SUFFIX = ".pickle"
# Entries are named by their key, so an edited file gets a new one: keep the most recently
# used few (a hit refreshes the entry's time), and sweep temporary files left by a writer
# that was killed mid-write.
CACHE_KEEP = 32
_STALE_TEMPORARY = 3600.0

_Location = tuple[str | None, int | None, int | None]  # path (None: the file's), line, column
_ProblemRow = tuple[_Location | None, str, str, str, str | None]

# The fingerprint's sources: this package and the shared modules its result depends on.
_PACKAGE = Path(__file__).resolve().parent
_SHARED_SOURCES = ("model.py", "errors.py", "identifiers.py", "text.py", "_files.py", "_gc.py")

logger = logging.getLogger(__name__)


class _PlainUnpickler(pickle.Unpickler):
    """Loads plain data only: any class or function named in the pickle is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"the parse cache holds only plain data, not {module}.{name}")


class _CorruptEntry(Exception):
    """A cache entry that cannot be used; the message says why."""


class ParseCache:
    """Parsed .bib files on disk, keyed on the bytes read and on the code that parsed them.

    The key is the SHA-256 of :func:`code_fingerprint` (the entry format, the library's,
    pybtex's and Python's versions and a hash of every source file of the reader, so a
    development checkout never reads entries written by other code), the encoding and the
    file's bytes. It never fails a load: an unreadable entry is logged and replaced, and a
    cache that cannot be written costs speed, not the result.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._fingerprint: bytes | None = None

    @property
    def fingerprint(self) -> bytes:
        """:func:`code_fingerprint`, computed once for this cache."""
        if self._fingerprint is None:
            self._fingerprint = code_fingerprint()
        return self._fingerprint

    @classmethod
    def at(cls, setting: bool | str | os.PathLike[str]) -> ParseCache | None:
        """The cache a ``cache=setting`` argument means, or ``None`` when it is off: ``True``
        is ``bib/`` under the user's cache folder (``$EVIDENCE_CACHE_DIR`` if set), a path
        is that folder."""
        if setting is False:
            return None
        if setting is True:
            override = os.environ.get("EVIDENCE_CACHE_DIR", "").strip()
            root = Path(override).expanduser() if override else Path(user_cache_dir("evidence"))
            return cls(root / "bib")
        return cls(Path(setting).expanduser())

    def key(self, data: bytes, encoding: str) -> str | None:
        """The entry name for ``data`` read in ``encoding`` (``None``: unknown encoding)."""
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            return None  # the parse reports it
        digest = hashlib.sha256(self.fingerprint)
        digest.update(codec.encode("ascii", "replace") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def path_for(self, key: str) -> Path:
        """The file holding the entry ``key`` (whether or not it exists)."""
        return self.directory / f"{key}{_CACHE_SUFFIX}"

    def load(self, key: str, source: str) -> Bibliography | None:
        """The cached bibliography for ``key``, located in ``source``; ``None`` if absent."""
        path = self.path_for(key)
        try:
            with open(path, "rb") as handle:
                blob = handle.read()
        except FileNotFoundError:
            return None
        except OSError as error:
            logger.warning(
                "%s: cannot read this parse cache entry (%s); parsing again", path, error
            )
            return None
        try:
            bib = _decode_entry(blob, key, source)
        except _CorruptEntry as error:
            logger.warning("%s: corrupt parse cache entry (%s); parsing again", path, error)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept longest when the cache is pruned
        return bib

    def save(self, key: str, bib: Bibliography) -> None:
        """Store ``bib`` under ``key``, atomically; a failure is logged, never raised."""
        path = self.path_for(key)
        try:
            with paused_gc():  # encoding makes many small objects and no cycles
                blob = _encode_entry(bib, key)
        except (pickle.PicklingError, RecursionError, MemoryError) as error:
            logger.warning("%s: cannot write the parse cache (%s)", path, error)
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, blob)
        except OSError as error:
            reason = error.strerror or error
            logger.warning(
                "%s: cannot write the parse cache (%s); the file was read as usual and "
                "will be parsed again next time (set EVIDENCE_CACHE_DIR to a writable folder, "
                "or pass cache=False)",
                path,
                reason,
            )
            return
        self._prune(keep=path)

    def _prune(self, keep: Path) -> None:
        """Delete all but the ``CACHE_KEEP`` most recently used entries, and old temporaries."""
        now = time.time()
        entries: list[tuple[float, Path]] = []
        try:
            with os.scandir(self.directory) as listing:
                for item in listing:
                    try:
                        modified = item.stat().st_mtime
                    except OSError:
                        continue
                    if item.name.endswith(_CACHE_SUFFIX) and not item.name.startswith("."):
                        entries.append((modified, Path(item.path)))
                    elif item.name.endswith(".tmp") and now - modified > _STALE_TEMPORARY:
                        with contextlib.suppress(OSError):
                            os.unlink(item.path)
        except OSError:
            return
        entries.sort(reverse=True)
        for _, old in entries[CACHE_KEEP:]:
            if old != keep:
                with contextlib.suppress(OSError):
                    old.unlink()


def reader_sources(package: Path = _PACKAGE) -> list[Path]:
    """Every source file a reader's result can depend on: all of ``package`` (this reader
    package, however it is split into modules) and the shared modules below it."""
    top = package.parent
    return sorted(package.rglob("*.py")) + [top / name for name in _SHARED_SOURCES]


def source_digest(sources: Iterable[Path]) -> str:
    """A SHA-256 over the names and contents of ``sources``: it changes when any changes."""
    digest = hashlib.sha256()
    for source in sources:
        try:
            content = hashlib.sha256(source.read_bytes()).hexdigest()
        except OSError:
            content = "unreadable"  # e.g. a zipped install: the versions still count
        digest.update(f"{source.name} {content}\n".encode())
    return digest.hexdigest()


# Hashed once, when the reader is imported: that is the code that runs (a file edited later
# does not change it), and hashing the 16 files costs 0.6-2 ms, which every warm load
# (10-20 ms for 7,000 entries) would otherwise pay again. An immutable value, not a memo.
_SOURCE_DIGEST = source_digest(reader_sources())


def code_fingerprint() -> bytes:
    """What a parse result depends on besides the file: the entry format, the versions of
    this library, pybtex and Python, and the digest of :func:`reader_sources`."""
    import pybtex

    from evidence._version import __version__

    parts = [
        f"format {_CACHE_FORMAT}",
        f"evidence {__version__}",
        f"pybtex {getattr(pybtex, '__version__', '?')}",
        f"python {sys.version_info[0]}.{sys.version_info[1]}",
        f"sources {_SOURCE_DIGEST}",
    ]
    return "\n".join(parts).encode() + b"\n"


def _location_row(location: SourceLocation | None, source: str) -> _Location | None:
    if location is None:
        return None
    # The file's own name is not stored: the same bytes read under another name (a moved
    # file, another checkout) must report that name.
    path = None if location.path == source else location.path
    return (path, location.line, location.column)


def _location(row: _Location | None, source: str) -> SourceLocation | None:
    if row is None:
        return None
    path, line, column = row
    if (path is not None and type(path) is not str) or not {type(line), type(column)} <= _INT:
        raise ValueError(f"a location of the wrong type: {row!r}")
    return SourceLocation(source if path is None else path, line, column)


def _where(location: SourceLocation | None, source: str) -> int | _Location | None:
    """A reference's location as stored: its line alone in the common case (this file, no
    column), which builds without a tuple per entry."""
    if (
        location is not None
        and location.path == source
        and location.column is None
        and type(location.line) is int
    ):
        return location.line
    return _location_row(location, source)


# Types a column may hold (checked per column at C speed, not per item in Python).
_STR: frozenset[type] = frozenset({str})
_INT: frozenset[type] = frozenset({int, type(None)})
_TEXT: frozenset[type] = frozenset({str, type(None)})
_COLUMN_TYPES: tuple[frozenset[type], ...] = (
    _STR,  # entry_type
    _STR,  # title
    frozenset({tuple}),  # authors: indices into the name table
    frozenset({tuple}),  # editors
    _INT,  # year
    _INT,  # month
    _STR,  # journal
    _STR,  # volume
    _STR,  # number
    _STR,  # pages
    _TEXT,  # pmid
    _TEXT,  # doi
    _TEXT,  # pmcid
    _TEXT,  # design
    frozenset({bool}),  # authors_complete
    frozenset({dict}),  # decoded: the fields whose decoded value differs from the raw one
    frozenset({dict}),  # raw fields
    frozenset({int, tuple, type(None)}),  # where: see _where
    _STR,  # abstract
)
_DECODED, _RAW = 15, 16  # the columns holding dicts


def _only(values: Iterable[object], types: frozenset[type]) -> None:
    if not set(map(type, values)) <= types:
        raise ValueError(
            f"a value of the wrong type (expected {sorted(t.__name__ for t in types)})"
        )


def _encode_entry(bib: Bibliography, key: str) -> bytes:
    """``bib`` as a cache entry: magic, checksum, pickle of plain columns (see the top)."""
    source = bib.path
    protocol = pickle.HIGHEST_PROTOCOL
    table: dict[Name, int] = {}  # each distinct name once, numbered in order of appearance

    def numbers(people: tuple[Name, ...]) -> tuple[int, ...]:
        return tuple([table.setdefault(person, len(table)) for person in people])

    references = list(bib.values())
    chunks: list[bytes] = []
    for start in range(0, len(references), _CHUNK):
        # Equal texts as one object, which pickle writes once and a load creates once (a
        # chunk of the 7,166-entry Zotero export holds each distinct text about 4 times:
        # journals, years, field names, titles both decoded and raw).
        seen: dict[str | None, str | None] = {}
        one = seen.setdefault
        rows = []
        for ref in references[start : start + _CHUNK]:
            raw = {one(k, k): one(v, v) for k, v in ref.raw_fields.items()}
            # Most decoded values equal the raw ones (no LaTeX in them): store the others only.
            decoded = {one(k, k): one(v, v) for k, v in ref.fields.items() if raw.get(k) != v}
            rows.append(
                (
                    one(ref.entry_type, ref.entry_type),
                    one(ref.title, ref.title),
                    numbers(ref.authors),
                    numbers(ref.editors),
                    ref.year,
                    ref.month,
                    one(ref.journal, ref.journal),
                    one(ref.volume, ref.volume),
                    one(ref.number, ref.number),
                    one(ref.pages, ref.pages),
                    one(ref.pmid, ref.pmid),
                    one(ref.doi, ref.doi),
                    one(ref.pmcid, ref.pmcid),
                    one(ref.design, ref.design),
                    ref.authors_complete,
                    decoded,
                    raw,
                    _where(ref.location, source),
                    one(ref.abstract, ref.abstract),
                )
            )
        columns = tuple(list(column) for column in zip(*rows, strict=True))
        chunks.append(pickle.dumps(columns, protocol=protocol))
    names = list(table)
    # The name table as one text: the parts of every name (last names, then first names,
    # von and jr parts) joined by a character none of them holds, split again in one C
    # call at load (3x faster than unpickling a list of texts, and only texts come out).
    texts = [n.last for n in names] + [n.first for n in names]
    texts += [n.von for n in names] + [n.jr for n in names]
    used = set("".join(texts))
    separator = next(chr(code) for code in count() if chr(code) not in used)
    name_table = (
        len(names),
        separator,
        separator.join(texts),
        [number for number, n in enumerate(names) if n.collective],
    )
    problems: list[_ProblemRow] = [
        (_location_row(p.location, source), p.message, p.code, p.severity.value, p.key)
        for p in bib.problems
    ]
    parts = [pickle.dumps(name_table, protocol=protocol), *chunks]
    starts = list(accumulate((len(part) for part in parts[:-1]), initial=0))
    index = pickle.dumps(
        (_CACHE_FORMAT, key, [ref.key for ref in references], _CHUNK, starts, problems),
        protocol=protocol,
    )
    payload = b"".join([len(index).to_bytes(8, "big"), index, *parts])
    return CACHE_MAGIC + _checksum(payload) + payload


def _checksum(payload: bytes | memoryview) -> bytes:
    """The entry's check against damage (a cut or a flipped byte): CRC-32, 2.5x faster
    than SHA-256 here (11 against 26 ms on the 46 MB entry of 50,000 references), and as
    good at catching accidents. Neither stops a planted file, which can carry any
    checksum: what stops it is the unpickler that refuses globals and the type checks."""
    return zlib.crc32(payload).to_bytes(_CHECKSUM_SIZE, "big")


def _decode_entry(blob: bytes, key: str, source: str) -> Bibliography:
    """A cache entry back to a bibliography; :class:`_CorruptEntry` if it is not sound."""
    start = len(CACHE_MAGIC) + _CHECKSUM_SIZE
    if not blob.startswith(CACHE_MAGIC):
        raise _CorruptEntry("not a parse cache entry")
    if _checksum(memoryview(blob)[start:]) != blob[len(CACHE_MAGIC) : start]:
        raise _CorruptEntry("checksum mismatch: the file was cut short or changed")
    index_size = int.from_bytes(blob[start : start + 8], "big")
    stream = io.BytesIO(blob)  # shares blob's memory (a memoryview would be copied)
    stream.seek(start + 8)
    try:
        data = _PlainUnpickler(stream).load()
    except Exception as error:  # a damaged pickle can raise almost anything
        raise _CorruptEntry(f"cannot unpickle: {type(error).__name__}: {error}") from None
    try:
        version, stored_key, keys, chunk_size, starts, problem_rows = data
        if version != _CACHE_FORMAT or stored_key != key:
            raise _CorruptEntry(f"holds another entry ({version!r}, {stored_key!r})")
        if type(keys) is not list or type(starts) is not list:
            raise _CorruptEntry("keys or parts of the wrong type")
        "".join(keys)  # TypeError unless every key is a text
        _only(starts, frozenset({int}))
        if type(chunk_size) is not int or chunk_size < 1:
            raise _CorruptEntry(f"a wrong chunk size: {chunk_size!r}")
        body = start + 8 + index_size
        if len(starts) != 1 + -(-len(keys) // chunk_size) or starts != sorted(set(starts)):
            raise _CorruptEntry("keys and chunks do not match")
        if starts and (starts[0] != 0 or body + starts[-1] >= len(blob)):
            raise _CorruptEntry("a chunk out of the entry")
        problems = [
            Problem(
                _location(where, source) or SourceLocation(source),
                message,
                code,
                Severity(level),
                key=entry if entry is None or type(entry) is str else str(entry),
            )
            for where, message, code, level, entry in problem_rows
        ]
        store = _Store(keys, chunk_size, blob, [body + at for at in starts], source)
        return Bibliography.from_stored(
            keys, store.one, store.every, problems=problems, path=source
        )
    except (TypeError, ValueError) as error:
        raise _CorruptEntry(f"unexpected contents ({error})") from None


_NameTable = tuple[list[str], list[str], list[str], list[str], list[bool]]


class _Store:
    """The chunks of one cache entry, turned into references when a bibliography asks:
    one at a time (:meth:`one`), or all at once (:meth:`every`), column by column.

    Holds the entry's bytes until :meth:`every` has run (then lets them go), the chunks
    decoded for :meth:`one`, and the name table, decoded when first needed: each
    :class:`Name` is built once and shared by every reference naming that person.
    Every value is type-checked before it goes into a reference; a wrong one raises a
    located :class:`BibliographyError` (the checksum held, so only a planted file can
    hold one).
    """

    __slots__ = ("_blob", "_decoded", "_keys", "_names", "_size", "_source", "_starts", "_table")

    def __init__(
        self, keys: list[str], size: int, blob: bytes, starts: list[int], source: str
    ) -> None:
        self._keys = keys
        self._size = size
        self._blob = blob  # the whole entry: the name table at starts[0], chunk n at starts[n + 1]
        self._starts = starts
        self._source = source
        self._decoded: dict[int, tuple[list[Any], ...]] = {}  # chunks decoded for one()
        self._table: _NameTable | None = None
        self._names: dict[int, Name] = {}  # the names built by one()

    def one(self, index: int) -> Reference:
        """The reference of ``keys[index]``."""
        try:
            return self._one(index)
        except Exception as error:
            raise self._damaged(error) from None

    def every(self) -> list[Reference]:
        """Every reference, in the order of the keys."""
        try:
            references = self._every()
        except Exception as error:
            raise self._damaged(error) from None
        self._blob = b""  # every reference is built: the entry is not needed again
        self._decoded = {}
        self._names = {}
        return references

    def _damaged(self, error: Exception) -> BibliographyError:
        return BibliographyError(
            f"the parse cache entry for this file is damaged ({type(error).__name__}: "
            f"{error}); load it with cache=False, or delete the cache folder",
            location=SourceLocation(self._source),
        )

    def _load(self, part: int) -> Any:
        stream = io.BytesIO(self._blob)  # shares the entry's memory: no copy
        stream.seek(self._starts[part])
        return _PlainUnpickler(stream).load()

    def _name_table(self) -> _NameTable:
        if self._table is None:
            size, separator, text, collective = self._load(0)
            if type(size) is not int or type(text) is not str or type(collective) is not list:
                raise ValueError("a name table of the wrong shape")
            if type(separator) is not str or len(separator) != 1:
                raise ValueError("a name table of the wrong shape")
            parts = text.split(separator) if size else []
            if len(parts) != 4 * size:
                raise ValueError(f"{len(parts)} name parts for {size} names")
            flags = [False] * size
            for number in collective:
                flags[number] = True  # TypeError or IndexError unless a name's number
            self._table = (
                parts[:size],
                parts[size : 2 * size],
                parts[2 * size : 3 * size],
                parts[3 * size :],
                flags,
            )
        return self._table

    def _unchecked(self, number: int) -> tuple[list[Any], ...]:
        """Chunk ``number`` decoded: a tuple of columns of the right length, each a list."""
        columns = self._load(number + 1)
        rows = len(self._keys[number * self._size : (number + 1) * self._size])
        if type(columns) is not tuple or len(columns) != len(_COLUMN_TYPES):
            raise ValueError("a chunk of the wrong shape")
        if {type(c) for c in columns} != {list} or {len(c) for c in columns} != {rows}:
            raise ValueError("a chunk of the wrong shape")
        return columns

    @staticmethod
    def _check(columns: tuple[list[Any], ...]) -> None:
        """Type-check every value of a chunk, column by column (at C speed)."""
        for column, types in zip(columns, _COLUMN_TYPES, strict=True):
            if types is _STR:
                "".join(column)  # TypeError unless every item is a text: faster than _only
            else:
                _only(column, types)
        for fields in columns[_DECODED : _RAW + 1]:
            "".join(set().union(*fields))  # the field names (a few dozen distinct ones)
            "".join(chain.from_iterable(map(dict.values, fields)))
        # The authors and editors are checked as they are looked up in the name table: an
        # index that is not a whole number, or out of range, raises.

    def _one(self, index: int) -> Reference:
        number, at = divmod(index, self._size)
        columns = self._decoded.get(number)
        if columns is None:  # checked a row at a time below: a chunk costs 10x a row
            columns = self._decoded[number] = self._unchecked(number)
        row = [column[at] for column in columns]
        for value, types in zip(row, _COLUMN_TYPES, strict=True):
            if type(value) not in types:
                raise ValueError(f"a value of the wrong type: {type(value).__name__}")
        (entry_type, title, authors, editors, year, month, journal, volume, number_, pages,
         pmid, doi, pmcid, design, complete, decoded, raw, where, abstract) = row  # fmt: skip
        for fields in (decoded, raw):
            "".join(fields)  # TypeError unless every name and value is a text
            "".join(fields.values())
        return fill_reference(
            self._keys[index],
            entry_type,
            title,
            tuple([self._name(i) for i in authors]),
            tuple([self._name(i) for i in editors]),
            year,
            month,
            journal,
            volume,
            number_,
            pages,
            pmid,
            doi,
            pmcid,
            design,
            complete,
            {**raw, **decoded},
            raw,
            self._location(where),
            abstract,
        )

    def _name(self, index: int) -> Name:
        name = self._names.get(index)
        if name is None:
            lasts, firsts, vons, jrs, collective = self._name_table()
            name = self._names[index] = fill_name(
                lasts[index], firsts[index], vons[index], jrs[index], collective[index]
            )
        return name

    def _location(self, where: int | _Location | None) -> SourceLocation | None:
        if type(where) is int:
            return fill_location(self._source, where, None)
        return _location(cast(_Location | None, where), self._source)

    def _every(self) -> list[Reference]:
        names = list(map(fill_name, *self._name_table()))  # each name once
        get = names.__getitem__
        source = self._source
        size = self._size
        references: list[Reference] = []
        for number in range(len(self._starts) - 1):
            columns = self._decoded.pop(number, None) or self._unchecked(number)
            self._check(columns)
            (entry_types, titles, authors, editors, years, months, journals, volumes,
             numbers, pages, pmids, dois, pmcids, designs, complete, decoded, raw, where,
             abstracts) = columns  # fmt: skip
            locations: list[SourceLocation | None]
            if set(map(type, where)) == {int}:  # the usual: all in this file, no column
                locations = list(map(fill_location, repeat(source), where, repeat(None)))
            else:
                locations = list(map(self._location, where))
            # Column by column, then one map over the columns: no Python loop per entry.
            references += map(
                fill_reference,
                self._keys[number * size : (number + 1) * size],
                entry_types,
                titles,
                list(map(tuple, map(map, repeat(get), authors))),
                list(map(tuple, map(map, repeat(get), editors))) if any(editors) else editors,
                years,
                months,
                journals,
                volumes,
                numbers,
                pages,
                pmids,
                dois,
                pmcids,
                designs,
                complete,
                list(map(or_, raw, decoded)),  # the decoded fields: raw ones, then the others
                raw,
                locations,
                abstracts,
            )
        return references
