"""The on-disk parse cache of reference files: a warm load in milliseconds, never a wrong one.

``ParseCache`` keeps each file's :class:`~evidence.bibliography.core.Bibliography` as
plain rows keyed on the file's bytes, its encoding and the code that read it (see
``code_fingerprint``), with every problem and its line, so a load from the cache reports
exactly what a parse would. Stage 2: imports the shared modules below it and
:mod:`evidence.bibliography.core`.
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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

from evidence._files import atomic_write_bytes
from evidence._gc import paused_gc
from evidence.bibliography.core import Bibliography
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
# A cache entry is one file: magic, the SHA-256 of the payload, then the payload: a pickle
# of the keys, one small pickle per entry (its row: plain tuples, dicts and strings) and
# the problems. Two reasons for this shape:
# * plain data loads 15-85x faster than pickled rich objects (../shared/reference/pybtex.md:
#   the cyclic GC walking millions of small objects is most of that cost), and an unpickler
#   that refuses every global (_PlainUnpickler) cannot be made to run code by a planted file;
# * a row stays bytes until its entry is asked for, so a warm load creates a few objects per
#   entry instead of ~30 (the GC has almost nothing to walk), and a docs build that cites 40
#   entries of a 7,000-entry library builds 40 references. Reading every entry costs the
#   rest (the benchmark measures both).
CACHE_MAGIC = b"evidence-bib-cache\n"
_CACHE_FORMAT = 2  # bumped whenever the rows below change shape (2: problems keep their key)
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
    return SourceLocation(source if path is None else path, line, column)


def _names_row(people: tuple[Name, ...]) -> tuple[tuple[str, str, str, str, bool], ...]:
    return tuple((n.last, n.first, n.von, n.jr, n.collective) for n in people)


def _encode_entry(bib: Bibliography, key: str) -> bytes:
    """``bib`` as a cache entry: magic, checksum, pickle of plain rows."""
    source = bib.path
    protocol = pickle.HIGHEST_PROTOCOL
    rows: list[bytes] = []
    for ref in bib.values():
        raw = dict(ref.raw_fields)
        # Most decoded values equal the raw ones (no LaTeX in them): store the others only.
        decoded = {k: v for k, v in ref.fields.items() if raw.get(k) != v}
        row = (
            ref.key,
            ref.entry_type,
            ref.title,
            _names_row(ref.authors),
            _names_row(ref.editors) if ref.editors else (),
            ref.year,
            ref.month,
            ref.journal,
            ref.volume,
            ref.number,
            ref.pages,
            ref.pmid,
            ref.doi,
            ref.pmcid,
            ref.design,
            ref.authors_complete,
            decoded,
            raw,
            _location_row(ref.location, source),
        )
        rows.append(pickle.dumps(row, protocol=protocol))
    problems: list[_ProblemRow] = [
        (_location_row(p.location, source), p.message, p.code, p.severity.value, p.key)
        for p in bib.problems
    ]
    payload = pickle.dumps((_CACHE_FORMAT, key, list(bib), rows, problems), protocol=protocol)
    return CACHE_MAGIC + hashlib.sha256(payload).digest() + payload


def _decode_entry(blob: bytes, key: str, source: str) -> Bibliography:
    """A cache entry back to a bibliography; :class:`_CorruptEntry` if it is not sound."""
    start = len(CACHE_MAGIC) + 32
    if not blob.startswith(CACHE_MAGIC):
        raise _CorruptEntry("not a parse cache entry")
    if hashlib.sha256(memoryview(blob)[start:]).digest() != blob[len(CACHE_MAGIC) : start]:
        raise _CorruptEntry("checksum mismatch: the file was cut short or changed")
    stream = io.BytesIO(blob)  # shares blob's memory (a memoryview would be copied)
    stream.seek(start)
    try:
        data = _PlainUnpickler(stream).load()
    except Exception as error:  # a damaged pickle can raise almost anything
        raise _CorruptEntry(f"cannot unpickle: {type(error).__name__}: {error}") from None
    try:
        version, stored_key, keys, rows, problem_rows = data
        if version != _CACHE_FORMAT or stored_key != key:
            raise _CorruptEntry(f"holds another entry ({version!r}, {stored_key!r})")
        if len(keys) != len(rows) or len(set(keys)) != len(keys):
            raise _CorruptEntry("keys and rows do not match")
        if not all(type(k) is str for k in keys) or not all(type(r) is bytes for r in rows):
            raise _CorruptEntry("a key or row of the wrong type")
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
        return Bibliography.from_rows(
            keys, rows, _reference_from_row, problems=problems, path=source
        )
    except (TypeError, ValueError) as error:
        raise _CorruptEntry(f"unexpected contents ({error})") from None


def _reference_from_row(blob: bytes, source: str) -> Reference:
    """Build the :class:`Reference` a parse cache row stands for."""
    try:
        row = _PlainUnpickler(io.BytesIO(blob)).load()
        (key, entry_type, title, authors, editors, year, month, journal, volume, number,
         pages, pmid, doi, pmcid, design, complete, decoded, raw, where) = row  # fmt: skip
        fields = dict(raw)
        fields.update(decoded)
        return Reference(
            key=key,
            entry_type=entry_type,
            title=title,
            authors=tuple([Name(*n) for n in authors]),
            editors=tuple([Name(*n) for n in editors]),
            year=year,
            month=month,
            journal=journal,
            volume=volume,
            number=number,
            pages=pages,
            pmid=pmid,
            doi=doi,
            pmcid=pmcid,
            design=design,
            authors_complete=complete,
            fields=fields,
            raw_fields=raw,
            location=_location(where, source),
        )
    except Exception as error:  # the entry's checksum held, so only a planted file gets here
        raise BibliographyError(
            f"the parse cache entry for this file is damaged ({type(error).__name__}); load "
            "it with cache=False, or delete the cache folder",
            location=SourceLocation(source),
        ) from None


# --- finding blocks and driving pybtex's tokeniser ---------------------------------------
