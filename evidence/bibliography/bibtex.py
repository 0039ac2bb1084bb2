r"""BibTeX -> references: every entry loaded, or reported with its line and the reason.

:func:`parse_references` reads BibTeX text (pure); :func:`load_references` reads a file,
decodes it and calls it. Both return a :class:`Bibliography`: an immutable mapping from
citation key to :class:`~evidence.model.Reference`, in file order, with ``.problems``.

>>> bib = parse_references('''
... @article{Liliang2011,
...   author = {Liliang, Po-Chou and M{\\"u}ller, Hans},
...   title  = {Sacroiliac joint pain after lumbar fusion},
...   year   = {2011}, month = jan,
...   note   = {PMID: 21220997},
... }''', source="refs.bib")
>>> ref = bib["Liliang2011"]
>>> ref.short_citation, ref.month, ref.pmid, str(ref.authors[1])
('Liliang 2011', 1, '21220997', 'Hans Müller')
>>> bib.problems
()

How it reads a file, and why
============================

pybtex's own parser (``pybtex.database.parse_file``) loses entries and fields silently on
real exports (see ``../shared/reference/pybtex.md``): an extra ``}`` closes an entry early,
a stray ``{`` swallows the rest of the file, ``@article{,`` (Mendeley, EndNote) becomes a
field-less ``unnamed-1``; its errors carry no line numbers for duplicates, and it keeps its
settings in module globals. So this module uses pybtex's grammar (``LowLevelParser``:
commands, keys, fields, quoting, brace nesting, ``#`` concatenation, ``@string`` macros)
but drives it itself, with its hottest scanning methods replaced by equivalent faster ones
(the benchmark ``benchmarks/bench_references.py`` has the figures):

1. A scan of the raw text finds every line that starts an ``@type{`` block. The file is
   cut at those lines and each block is parsed on its own, so one broken entry cannot eat
   its neighbours, and every entry knows its line. (Text between blocks is a comment, as in
   BibTeX; an ``@type{`` later on a line is still read, unless a ``%`` comes before it on
   that line, which is reported as ``commented-out``.) The price: a line inside a value
   that itself starts with ``@word{`` would start a new block; real exports do not have
   such lines (the tests check all of ``../shared/fixtures/bib``).
2. Errors go to a handler of our own, never to pybtex's global strict mode or
   ``pybtex.errors.capture()``, which this module does not touch.
3. Recoverable faults are repaired and reported: a missing comma between fields, a field
   name with a space (Scopus ``funding_text 1``), fields left after an extra ``}``, an
   undefined macro (read as its own name, so ``month = november`` still gives 11), author
   lists separated by commas instead of ``and``.
4. Names are split here, following BibTeX's rules as pybtex implements them (a test checks
   they agree on the real files), because building pybtex ``Person`` objects is a third of
   pybtex's parse time. LaTeX is decoded by :func:`decode_latex` (accents, special letters,
   symbols, dashes, quotes, protective braces), with latexcodec as a look-up table for rare
   commands; verbatim fields (``url``, ``doi``, ``file``, ``eprint``...) are kept as read.
5. The cyclic garbage collector is paused during a parse (pybtex.md measures 9-25% gained)
   and restored afterwards to the state it was in.
6. A value longer than :data:`MAX_VALUE_LENGTH` characters once its ``@string`` macros are
   put in is refused (``syntax-error``) before it is built: macros that double themselves
   line by line would otherwise exhaust memory with a 30-line file.

Every ``@entry`` therefore ends up either in the mapping or in ``.problems`` with a code in
:data:`NOT_LOADED` (``len(bib) + len(bib.not_loaded)`` equals the number of entries).

The parse cache
===============

:func:`load_references` keeps what it read in a cache, on by default: ``bib/`` under the
user's cache folder (``~/.cache/evidence/bib`` on Linux; ``$EVIDENCE_CACHE_DIR/bib`` when
that is set), beside the PubMed cache. An entry is keyed on the SHA-256 of the file's bytes,
the encoding, the library's and pybtex's versions and the source of the code that parses
(so it can never outlive the parser that wrote it). It stores plain rows, not pickled
objects, with every problem and its line, so a load from the cache reports exactly what a
parse would, located in the file as it is named now. The rows of a cached load become
:class:`Reference` objects when first asked for, so a warm load costs a few milliseconds
and a build that cites 40 entries of 7,000 builds 40 (``docs/performance.md`` has the
figures). Writes are atomic; a damaged entry is logged, ignored and rewritten; a cache
that cannot be written is logged and costs only speed. ``cache=False`` turns it off, a
path puts it in that folder. The 32 most recently used entries are kept.

Problem codes
=============

Severity ``error`` means BibTeX or biber would fail or lose data on the file as it is, even
where this loader recovered; ``warning`` means the file is valid but something is dubious.

======================  ========  ====================================================
code                    severity  what happened to the entry
======================  ========  ====================================================
duplicate-key           error     not loaded; the first entry with that key (ignoring
                                  case) is kept
empty-key               error     not loaded (``@article{,`` or a field where the key
                                  belongs)
syntax-error            error     loaded with the fields before the error
unclosed-brace          error     loaded with the fields before the unclosed value
unclosed-entry          error     loaded; its closing ``}`` is missing
truncated-entry         error     an extra ``}`` closed it early; later fields read anyway
missing-comma           error     loaded; the comma was assumed
bad-field-name          error     loaded; spaces in the field name became ``_``
bad-name                error     loaded; the author list was split as explained, or
                        /warning  a name was dropped or read as "and others"
duplicate-field         warning   loaded; the first value is kept
undefined-macro         warning   loaded; the macro's name is used as the text (in
                                  author and editor, nothing is)
bad-identifier          warning   loaded without that PMID/DOI/PMCID
conflicting-identifier  warning   loaded with the first identifier found
bad-date                warning   loaded without a month
commented-out           warning   ignored, and not counted as an entry: ``%`` before
                                  ``@`` on its line (BibTeX itself would read it)
======================  ========  ====================================================

Keys and case
=============

BibTeX and pybtex compare keys ignoring case; biber and bibtexparser do not. Two keys that
differ only in case are reported as duplicates (biber users cite one of them by mistake
more often than they mean both), and the first is kept. Indexing a :class:`Bibliography`
is exact (``bib["Chen_2017"]``); :meth:`Bibliography.find` falls back to ignoring case.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import hashlib
import io
import itertools
import logging
import os
import pickle
import re
import sys
import time
import unicodedata
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, ValuesView
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import latexcodec  # noqa: F401  (registers the "ulatex" codec used for rare commands)
from platformdirs import user_cache_dir
from pybtex.database.input.bibtex import LowLevelParser, SkipEntry, month_names
from pybtex.scanner import PrematureEOF, PybtexSyntaxError, Token, TokenRequired

from evidence._files import atomic_write_bytes
from evidence.errors import BibliographyError, Problem, Severity, SourceLocation
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid
from evidence.model import Name, Reference

__all__ = [
    "MAX_VALUE_LENGTH",
    "NOT_LOADED",
    "Bibliography",
    "decode_latex",
    "load_references",
    "normalise_doi",
    "normalise_pmcid",
    "normalise_pmid",
    "parse_references",
]

#: Problem codes that stand for an entry left out of the mapping (one problem each).
NOT_LOADED = frozenset({"duplicate-key", "empty-key", "empty-record", "duplicate-work"})

_ERROR = Severity.ERROR
_WARNING = Severity.WARNING

# How many repairs (missing comma, field name with a space) one entry may need before we
# give up and keep what was read: a bound so that a pathological block cannot loop.
_MAX_REPAIRS = 50

#: The longest value read, in characters after ``@string`` macros are put in: a bound so
#: that a hostile file cannot exhaust memory. ``@string{b = a # a}`` doubles a macro in one
#: line, so 30 such lines would ask for gigabytes (pybtex would build them). Real values,
#: long abstracts and file lists included, stay far below it.
MAX_VALUE_LENGTH = 1_000_000

# --- the public mapping ------------------------------------------------------------------


class Bibliography(Mapping[str, Reference]):
    """An immutable mapping from citation key to :class:`Reference`, in file order.

    ``problems`` lists everything found while reading, in file order; ``path`` is the file
    (or the ``source`` name given to :func:`parse_references`). Indexing is exact, as in
    biber; :meth:`find` also accepts a key written in another case, as BibTeX does.

    >>> from evidence.model import Reference
    >>> bib = Bibliography([Reference("Chen_2017", "article")], path="refs.bib")
    >>> "chen_2017" in bib, bib.find("chen_2017").key
    (False, 'Chen_2017')
    """

    __slots__ = ("_entries", "_folded", "_path", "_problems")

    def __init__(
        self,
        references: Iterable[Reference] = (),
        *,
        problems: Iterable[Problem] = (),
        path: str = "<string>",
    ) -> None:
        entries: dict[str, Reference | bytes] = {}
        folded: dict[str, str] = {}
        for ref in references:
            if ref.key in entries:
                raise ValueError(f"duplicate key {ref.key!r} in a Bibliography")
            entries[ref.key] = ref
            folded.setdefault(ref.key.lower(), ref.key)
        self._entries = entries
        self._folded = folded
        self._problems = tuple(problems)
        self._path = path

    @classmethod
    def _from_cache(
        cls, keys: list[str], rows: list[bytes], problems: Iterable[Problem], path: str
    ) -> Bibliography:
        """A bibliography read from the parse cache: each :class:`Reference` is built from
        its stored row the first time it is asked for (see "The parse cache" above)."""
        bib = cls(problems=problems, path=path)
        bib._entries = dict(zip(keys, rows, strict=True))
        folded = bib._folded
        for key in keys:
            folded.setdefault(key.lower(), key)
        return bib

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem found while reading, in file order."""
        return self._problems

    @property
    def path(self) -> str:
        """The file read, or the ``source`` name of parsed text."""
        return self._path

    @property
    def not_loaded(self) -> tuple[Problem, ...]:
        """The problems that stand for entries left out of the mapping (one each)."""
        return tuple(p for p in self._problems if p.code in NOT_LOADED)

    def find(self, key: str) -> Reference | None:
        """The reference cited as ``key``: exact match first, then ignoring case."""
        if key not in self._entries:
            exact = self._folded.get(key.lower())
            if exact is None:
                return None
            key = exact
        return self[key]

    def __getitem__(self, key: str) -> Reference:
        value = self._entries[key]
        if type(value) is bytes:  # a row from the parse cache, not built yet
            value = self._entries[key] = _reference_from_row(value, self._path)
        return cast(Reference, value)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def values(self) -> ValuesView[Reference]:
        """The references in file order (rows from the parse cache are built first)."""
        self._build_all()
        return super().values()

    def items(self) -> ItemsView[str, Reference]:
        """``(key, reference)`` pairs in file order."""
        self._build_all()
        return super().items()

    def _build_all(self) -> None:
        """Build every reference still held as a parse cache row, all at once: with the GC
        paused (many small objects, no cycles) that is twice as fast as one at a time."""
        entries = self._entries
        pending = [key for key, value in entries.items() if type(value) is bytes]
        if not pending:
            return
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for key in pending:
                entries[key] = _reference_from_row(cast(bytes, entries[key]), self._path)
        finally:
            if gc_was_enabled:
                gc.enable()

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return (
            f"<Bibliography {self._path!r}: {len(self)} references, {len(self._problems)} problems>"
        )


# --- entry points ------------------------------------------------------------------------


def parse_references(text: str, *, source: str = "<string>", strict: bool = False) -> Bibliography:
    """Read BibTeX ``text``; ``source`` names it in locations (``refs.bib:12``).

    Never raises for bad content unless ``strict`` is true: problems are collected in
    ``.problems``. With ``strict=True`` any problem (warnings included) raises one
    :class:`~evidence.errors.BibliographyError` that lists them all.
    """
    return _checked(_parse(text, source), strict)


def _parse(text: str, source: str) -> Bibliography:
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the parse builds many small objects and no cycles; see module doc
    try:
        return _Reader(source).read(text)
    finally:
        if gc_was_enabled:
            gc.enable()


def _checked(bib: Bibliography, strict: bool) -> Bibliography:
    """``bib``, or the strict mode's error listing all its problems."""
    if strict and bib.problems:
        count = len(bib.problems)
        raise BibliographyError(
            f"{count} problem{'s' if count != 1 else ''} found; fix them, or load with "
            "strict=False to keep every entry that could be read",
            location=SourceLocation(bib.path),
            problems=bib.problems,
        )
    return bib


def load_references(
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    strict: bool = False,
    cache: bool | str | os.PathLike[str] = True,
) -> Bibliography:
    """Read the .bib file at ``path`` (see :func:`parse_references`).

    Raises :class:`~evidence.errors.BibliographyError` if the file cannot be opened, or if
    it is not valid in ``encoding``; then the undecodable bytes (the first 20) are listed
    by line and column (``refs.bib:12:7``), with what to do.

    The result is kept in a parse cache (see "The parse cache" above), so reading the same
    file again is some 20-40 times faster: ``cache=True`` (the default) keeps it in
    ``bib/`` under the user's cache folder (``$EVIDENCE_CACHE_DIR`` if set, the folder the
    PubMed cache uses too), a path keeps it in that folder, ``cache=False`` turns it off.
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise BibliographyError(
            "no such file; check the path (it is read relative to the current directory "
            f"{os.getcwd()!r})",
            location=SourceLocation(name),
        ) from None
    except OSError as error:
        raise BibliographyError(
            f"cannot read the file: {error.strerror or error}", location=SourceLocation(name)
        ) from error
    store = _ParseCache.at(cache)
    key = store.key(data, encoding) if store is not None else None
    if store is not None and key is not None:
        cached = store.load(key, name)
        if cached is not None:
            return _checked(cached, strict)
    bib = _parse(_decode(data, encoding, name), name)
    if store is not None and key is not None:
        store.save(key, bib)
    return _checked(bib, strict)


def _decode(data: bytes, encoding: str, name: str) -> str:
    """``data`` as text, or an error listing every undecodable line (up to 20)."""
    try:
        return data.decode(encoding)
    except LookupError:
        raise BibliographyError(
            f"unknown encoding {encoding!r}; pass a Python codec name such as 'utf-8' or 'latin-1'",
            location=SourceLocation(name),
        ) from None
    except UnicodeDecodeError as first:
        problems: list[Problem] = []
        start = 0
        error: UnicodeDecodeError | None = first
        while error is not None and len(problems) < 20:
            at = start + error.start
            line_start = data.rfind(b"\n", 0, at) + 1
            line = data.count(b"\n", 0, at) + 1
            column = len(data[line_start:at].decode(encoding, errors="replace")) + 1
            problems.append(
                Problem(
                    SourceLocation(name, line, column),
                    f"byte 0x{data[at]:02x} is not valid {encoding}",
                    code="encoding",
                )
            )
            start = start + error.end
            try:
                data[start:].decode(encoding)
                error = None
            except UnicodeDecodeError as later:
                error = later
        where = problems[0].location
        raise BibliographyError(
            f"the file is not valid {encoding} (byte 0x{data[first.start]:02x}); re-save it "
            "as UTF-8, or pass its real encoding, e.g. load_references(path, "
            "encoding='latin-1')",
            location=where,
            problems=problems,
        ) from None


# --- the parse cache -----------------------------------------------------------------------

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
_CACHE_MAGIC = b"evidence-bib-cache\n"
_CACHE_FORMAT = 1  # bumped whenever the rows below change shape
_CACHE_SUFFIX = ".pickle"
# Entries are named by their key, so an edited file gets a new one: keep the most recently
# used few (a hit refreshes the entry's time), and sweep temporary files left by a writer
# that was killed mid-write.
_CACHE_KEEP = 32
_STALE_TEMPORARY = 3600.0

_Location = tuple[str | None, int | None, int | None]  # path (None: the file's), line, column
_ProblemRow = tuple[_Location | None, str, str, str]

logger = logging.getLogger("evidence.bibliography.bibtex")


class _PlainUnpickler(pickle.Unpickler):
    """Loads plain data only: any class or function named in the pickle is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"the parse cache holds only plain data, not {module}.{name}")


class _CorruptEntry(Exception):
    """A cache entry that cannot be used; the message says why."""


class _ParseCache:
    """Parsed .bib files on disk, keyed on the bytes read and on the code that parsed them.

    The key is the SHA-256 of: the entry format, the library's and pybtex's versions, the
    Python version, a hash of the source of this module and the records it builds (so a
    development checkout never reads entries written by other code), the encoding and the
    file's bytes. It never fails a load: an unreadable entry is logged and replaced, and a
    cache that cannot be written costs speed, not the result.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def at(cls, setting: bool | str | os.PathLike[str]) -> _ParseCache | None:
        """The cache ``load_references(cache=setting)`` uses, or ``None`` when it is off."""
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
        digest = hashlib.sha256(_code_fingerprint())
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
        gc_was_enabled = gc.isenabled()
        gc.disable()  # encoding makes many small objects and no cycles, as a parse does
        try:
            blob = _encode_entry(bib, key)
        except (pickle.PicklingError, RecursionError, MemoryError) as error:
            logger.warning("%s: cannot write the parse cache (%s)", path, error)
            return
        finally:
            if gc_was_enabled:
                gc.enable()
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
        """Delete all but the ``_CACHE_KEEP`` most recently used entries, and old temporaries."""
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
        for _, old in entries[_CACHE_KEEP:]:
            if old != keep:
                with contextlib.suppress(OSError):
                    old.unlink()


@lru_cache(maxsize=1)
def _code_fingerprint() -> bytes:
    """What the parse result depends on besides the file: versions and this code."""
    import pybtex

    from evidence._version import __version__

    parts = [
        f"format {_CACHE_FORMAT}",
        f"evidence {__version__}",
        f"pybtex {getattr(pybtex, '__version__', '?')}",
        f"python {sys.version_info[0]}.{sys.version_info[1]}",
    ]
    # Every source file the reader's result can depend on: the whole reader package (however
    # it is split) and the shared modules below it.
    package = Path(__file__).resolve().parent
    top = package.parent
    sources = sorted(package.rglob("*.py")) + [
        top / name for name in ("model.py", "errors.py", "identifiers.py", "text.py", "_files.py")
    ]
    for source in sources:
        try:
            parts.append(f"{source.name} {hashlib.sha256(source.read_bytes()).hexdigest()}")
        except OSError:
            parts.append(f"{source.name} unreadable")  # e.g. a zipped install: versions only
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
        (_location_row(p.location, source), p.message, p.code, p.severity.value)
        for p in bib.problems
    ]
    payload = pickle.dumps((_CACHE_FORMAT, key, list(bib), rows, problems), protocol=protocol)
    return _CACHE_MAGIC + hashlib.sha256(payload).digest() + payload


def _decode_entry(blob: bytes, key: str, source: str) -> Bibliography:
    """A cache entry back to a bibliography; :class:`_CorruptEntry` if it is not sound."""
    start = len(_CACHE_MAGIC) + 32
    if not blob.startswith(_CACHE_MAGIC):
        raise _CorruptEntry("not a parse cache entry")
    if hashlib.sha256(memoryview(blob)[start:]).digest() != blob[len(_CACHE_MAGIC) : start]:
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
                _location(where, source) or SourceLocation(source), message, code, Severity(level)
            )
            for where, message, code, level in problem_rows
        ]
        return Bibliography._from_cache(keys, rows, problems, source)
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

# ASCII only, so that pybtex's NAME token always agrees on where the name ends.
_NAME = r"[A-Za-z][A-Za-z0-9_.:+-]*"
# A line that starts a block: the unit that is parsed on its own.
_BLOCK_START = re.compile(rf"^[ \t]*@\s*{_NAME}\s*[{{(]", re.MULTILINE)
# Any command, wherever it is (BibTeX reads ``@type{`` anywhere outside an entry).
_COMMAND = re.compile(rf"@\s*({_NAME})\s*[{{(]")
# ``name =`` where a field can start: what missing commas and lost fields look like.
_FIELD_START = re.compile(rf"{_NAME}\s*=")
_FIELD_ANYWHERE = re.compile(rf"(?:^|[,\s])({_NAME})\s*=", re.MULTILINE)
_TITLE_HINT = re.compile(r"\btitle\s*=\s*[{\"]+([^{}\"\n]{1,60})([{}\"\n]?)", re.IGNORECASE)

# Fields kept as read: identifiers, paths and URLs where ``%``, ``_`` and ``~`` are literal.
_VERBATIM = frozenset(
    {"url", "doi", "eprint", "file", "pdf", "pmid", "pmcid", "isbn", "issn", "urlraw"}
    | {"verba", "verbb", "verbc", "ids", "pubmed_id", "arxivid", "adsurl"}
)
_PERSON_FIELDS = ("author", "editor")
_WHITESPACE = re.compile(r"\s+")
_BRACE = re.compile(r"[{}]")
_QUOTE_OR_BRACE = re.compile(r'["{}]')


class _Macros(dict[str, str]):
    """``@string`` macros: BibTeX macro names ignore case."""

    def __setitem__(self, name: str, value: str) -> None:
        super().__setitem__(name.lower(), value)


_Field = tuple[str, list[str], int]  # name, value parts, line


class _BlockParser(LowLevelParser):  # type: ignore[misc]  # pybtex has no type hints
    """pybtex's ``LowLevelParser`` over one block, one command at a time.

    It records errors instead of raising or printing them, each field's line, and
    undefined macros (read as their own name). ``line_offset`` turns the line numbers of
    this block into lines of the file.
    """

    def __init__(self, text: str, macros: _Macros, line_offset: int) -> None:
        super().__init__(text, macros=macros)
        self.line_offset = line_offset
        self.errors: list[PybtexSyntaxError] = []
        self.undefined: list[tuple[str, int, str | None]] = []
        self.current_field_line: int | None = None
        self.current_field_pos = 0

    def read_command(self, at: int) -> tuple[str, tuple[Any, ...]]:
        """Parse the command whose ``@`` is at ``at``; raise ``SkipEntry`` for @comment.

        Entries give ``(type, (key, fields))``, ``@string`` ``(type, (name, value))``.
        """
        self.pos = at + 1
        self.lineno = 1 + self.text.count("\n", 0, at)
        self.command_start = at
        result: tuple[str, tuple[Any, ...]] = self.parse_command()
        return result

    def handle_error(self, error: PybtexSyntaxError) -> None:
        self.errors.append(error)

    # The scanner methods below do what pybtex's do, faster: scanning is most of the parse
    # time (see the benchmark). The reader gives them text whose line breaks are all "\n".

    def get_token(self, patterns: list[Any], allow_eof: bool = False) -> Token | None:
        text = self.text
        pos = self.pos
        space = _WHITESPACE.match(text, pos)
        if space is not None:
            end = space.end()
            self.lineno += text.count("\n", pos, end)
            self.pos = pos = end
        if pos == self.end_pos:
            if allow_eof:
                raise EOFError
            raise PrematureEOF(self)
        for pattern in patterns:
            match = pattern.match(text, pos)
            if match is not None:
                self.pos = match.end()
                return Token(match.group(), pattern)
        return None

    def optional(self, patterns: list[Any], allow_eof: bool = False) -> Token | None:
        # pybtex raises PrematureEOF here too; at the end of a block "nothing optional"
        # is the better answer: a complete last value is kept, and the closing brace
        # that is then required reports the end of the block.
        try:
            return self.get_token(patterns)
        except PrematureEOF:
            return None

    def skip_to(self, patterns: list[Any]) -> Token | None:
        text = self.text
        pos = self.pos
        end = -1
        winner = None
        for pattern in patterns:
            match = pattern.search(text, pos)
            if match is not None and (winner is None or match.end() < end):
                end = match.end()
                winner = pattern
        if winner is None:
            return None
        value = text[pos:end]
        self.pos = end
        self.lineno += value.count("\n")
        return Token(value, winner)

    def parse_string(self, string_end: Any, level: int = 0, max_level: int = 100) -> list[Token]:
        # pybtex reads a braced or quoted value one brace at a time through recursive
        # generators; one regex pass gives the same value (closing delimiter included,
        # as flatten_string() expects) and raises the same errors.
        text = self.text
        start = self.pos
        quoted = string_end is self.QUOTE
        depth = 0
        for match in (_QUOTE_OR_BRACE if quoted else _BRACE).finditer(text, start):
            char = match.group()
            if char == "{":
                depth += 1
                if depth > max_level:
                    self._advance(start, match.end())
                    raise PybtexSyntaxError("too many nested braces", self)
            elif char == "}" and depth:
                depth -= 1
            elif char == "}" and quoted:
                self._advance(start, match.end())
                raise PybtexSyntaxError("unbalanced braces", self)
            elif not depth:
                self._advance(start, match.end())
                return [Token(text[start : match.end()], string_end)]
        self._advance(start, len(text))
        raise PrematureEOF(self)

    def _advance(self, start: int, end: int) -> None:
        self.pos = end
        self.lineno += self.text.count("\n", start, end)

    def parse_value(self) -> None:
        super().parse_value()
        # Parts are the macros' own strings (not copies) until joined: check before that.
        parts: list[str] = self.current_value
        if sum(len(part) for part in parts) > MAX_VALUE_LENGTH:
            parts.clear()
            raise PybtexSyntaxError(
                f"value longer than {MAX_VALUE_LENGTH:,} characters once its @string macros "
                "are put in (a macro built from copies of itself?); it was not read",
                self,
            )

    def parse_entry_fields(self) -> None:
        # pybtex's loop, keeping each field's line and where its value starts.
        # current_field_name is set only while a field is being read, so that an error
        # tells whether it hit inside a field or between fields.
        while True:
            self.current_value: list[str] = []
            name = self.optional([self.NAME])
            if name:
                line = self.lineno + self.line_offset
                self.current_field_name = name.value
                self.current_field_line = line
                self.current_field_pos = self.pos
                self.required([self.EQUALS])
                self.parse_value()
                self.current_fields.append((name.value, self.current_value, line))
                self.current_field_name = None
            if not self.optional([self.COMMA]):
                return

    def substitute_macro(self, name: str) -> str:
        value = self.macros.get(name.lower())
        if value is None:
            field = self.current_field_name
            self.undefined.append((name, self.lineno + self.line_offset, field))
            # The name itself is the best guess at the text (``month = november``), but
            # never a person: ``editor = acisp20ed`` is left empty, as pybtex does.
            return "" if field and field.lower() in _PERSON_FIELDS else name
        return str(value)


@dataclass
class _Undefined:
    """Uses of one undefined macro, reported once with the lines of its first uses."""

    name: str
    lines: list[int]
    first_owner: str  # "entry 'smith2020'", "@string"...
    first_field: str | None


class _Reader:
    """One parse: the state that lives as long as reading one text."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.macros = _Macros(month_names)
        self.problems: list[Problem] = []
        self.references: dict[str, Reference] = {}
        self.first_seen: dict[str, tuple[str, int]] = {}  # folded key -> key, line
        self.undefined: dict[str, _Undefined] = {}

    def problem(
        self, line: int | None, message: str, code: str, severity: Severity = _ERROR
    ) -> None:
        self.problems.append(Problem(SourceLocation(self.source, line), message, code, severity))

    def read(self, text: str) -> Bibliography:
        if text.startswith("\ufeff"):
            text = text[1:]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        starts = [m.start() for m in _BLOCK_START.finditer(text)]
        bounds = [0, *starts, len(text)]
        line = 1
        for begin, end in itertools.pairwise(bounds):
            if end > begin:
                self._read_chunk(text[begin:end], line)
                line += text.count("\n", begin, end)
        for undefined in self.undefined.values():
            self._report_undefined(undefined)
        # Problems are found per block in order, except undefined macros (reported at
        # their first use once the whole file is read): sort by line, stably.
        self.problems.sort(key=lambda p: p.location.line or 0)
        return Bibliography(self.references.values(), problems=self.problems, path=self.source)

    def _read_chunk(self, chunk: str, first_line: int) -> None:
        """Read every command in ``chunk`` (one block, or the text before the first)."""
        match = _COMMAND.search(chunk)
        while match is not None:
            at = match.start()
            line_start = chunk.rfind("\n", 0, at) + 1
            if "%" in chunk[line_start:at]:
                self._report_commented_out(chunk, match, first_line)
                match = _COMMAND.search(chunk, match.end())
                continue
            outcome = self._read_command(chunk, at, first_line)
            if outcome is None:
                return  # the rest of the chunk belongs to a broken command
            chunk, end = outcome
            match = _COMMAND.search(chunk, end)

    def _report_commented_out(self, chunk: str, match: re.Match[str], first_line: int) -> None:
        if match.group(1).lower() in ("comment", "string", "preamble"):
            return
        line = first_line + chunk.count("\n", 0, match.start())
        self.problem(
            line,
            f"'%' before '@{match.group(1)}' does not comment out an entry in BibTeX, which "
            "would read it; it is ignored here. Delete it, or write '@comment' instead of '@'",
            "commented-out",
            _WARNING,
        )

    def _read_command(self, chunk: str, at: int, first_line: int) -> tuple[str, int] | None:
        """Parse the command at ``at``; give the (possibly repaired) chunk and where to go
        on, or ``None`` when the rest of the chunk cannot be trusted."""
        line = first_line + chunk.count("\n", 0, at)
        repairs: list[tuple[int, str, str]] = []
        while True:
            parser = _BlockParser(chunk, self.macros, first_line - 1)
            try:
                command, body = parser.read_command(at)
            except SkipEntry:  # @comment: BibTeX goes on reading right after its name
                return chunk, parser.pos
            except PybtexSyntaxError as error:  # not a command after all; cannot happen
                self.problem(line, f"cannot read this block: {error}", "syntax-error")
                return None
            is_entry = command.lower() not in ("string", "preamble")
            if not is_entry or not parser.errors or len(repairs) >= _MAX_REPAIRS:
                break
            repaired = _repair(chunk, parser, parser.errors[0])
            if repaired is None:
                break
            chunk, repair = repaired
            repairs.append(repair)

        owner = str(body[0]) if is_entry and body[0] is not None else None
        where = f"entry '{owner}'" if owner else ("an entry with no key" if is_entry else "")
        for undefined_name, use_line, field_name in parser.undefined:
            self._note_undefined(undefined_name, use_line, field_name, where or f"@{command}")
        if not is_entry:
            for fault in parser.errors:
                self.problem(
                    _error_line(fault, parser),
                    f"syntax error in @{command}: {_describe(fault)}; fix it so that the "
                    "entries using it can be read",
                    "syntax-error",
                )
            return None if parser.errors else (chunk, parser.pos)

        fields: list[_Field] = body[1]
        if owner is None or _key_is_a_field(chunk, parser, fields):
            self._report_empty_key(chunk, at, line)
            return None
        for repair_line, code, message in repairs:
            self.problem(repair_line, f"entry '{owner}': {message}", code)
        end: int | None = parser.pos
        if parser.errors:
            self._report_entry_error(chunk, owner, line, parser, fields)
            end = None
        else:
            chunk, end = self._recover_after_extra_brace(chunk, command, owner, parser, fields)
        from_macros = {name.lower() for _, _, name in parser.undefined if name}
        self._add_entry(command, owner, line, fields, from_macros)
        return None if end is None else (chunk, end)

    def _report_empty_key(self, chunk: str, at: int, line: int) -> None:
        hint = _TITLE_HINT.search(chunk, at)
        title = ""
        if hint:
            more = "" if hint.group(2) else "..."  # the title went on past the hint
            title = f" (title '{decode_latex(hint.group(1)).strip()}{more}')"
        self.problem(
            line,
            f"entry{title} has no citation key, so it was not loaded; give it one, e.g. "
            "'@article{smith2020,' (Mendeley and EndNote write '@article{,' for a blank key)",
            "empty-key",
        )

    def _report_entry_error(
        self, chunk: str, key: str, line: int, parser: _BlockParser, fields: list[_Field]
    ) -> None:
        error = parser.errors[0]
        inside_field = parser.current_field_name is not None
        pos = parser.current_field_pos if inside_field else error.error_context_info[2]
        lost = _field_names(chunk[pos:])
        lost_text = f" ({', '.join(lost)})" if lost else ""
        if isinstance(error, PrematureEOF) and not inside_field:
            swallowed = _field_names("".join(fields[-1][1])) if fields else []
            if swallowed:
                # A stray '{' in the last value was closed by the entry's own '}': the
                # value ran over the fields after it. It is garbage, so it is dropped.
                name, _, field_line = fields.pop()
                self.problem(
                    field_line,
                    f"entry '{key}' (line {line}): the value of field '{name}' has a '{{' "
                    f"that is not closed where the value should end, so it ran on over the "
                    f"fields after it ({', '.join(swallowed)}); none of them were read. Add "
                    "the missing '}'",
                    "unclosed-brace",
                )
            else:
                self.problem(
                    line,
                    f"entry '{key}' has no closing '}}'; add it after its last field",
                    "unclosed-entry",
                )
        elif isinstance(error, PrematureEOF):
            field = parser.current_field_name
            self.problem(
                parser.current_field_line or line,
                f"entry '{key}' (line {line}): the value of field '{field}' opens a '{{' or "
                f"'\"' that is never closed, so it and the fields after it{lost_text} were not "
                "read; add the missing '}' or '\"'",
                "unclosed-brace",
            )
        else:
            what = (
                f"field '{parser.current_field_name}' and the fields after it"
                if inside_field
                else "the fields from here on"
            )
            self.problem(
                _error_line(error, parser),
                f"entry '{key}' (line {line}): {_describe(error)}, so {what}{lost_text} were "
                "not read; fix the entry",
                "syntax-error",
            )

    def _recover_after_extra_brace(
        self, chunk: str, command: str, key: str, parser: _BlockParser, fields: list[_Field]
    ) -> tuple[str, int]:
        """Read the fields left after an entry closed early by an extra ``}``.

        pybtex (and BibTeX) end the entry at the extra brace and skip what follows as a
        comment, silently. We read those fields into the entry and report the brace.
        """
        end: int = parser.pos
        chunk_offset = parser.line_offset
        for _ in range(_MAX_REPAIRS):
            following = _COMMAND.search(chunk, end)
            tail_end = following.start() if following else len(chunk)
            tail = chunk[end:tail_end]
            if not tail or tail.isspace() or not _looks_like_fields(tail):
                break
            brace_line = parser.lineno + parser.line_offset
            prefix = f"@{command}{{{key}"
            tail_line = chunk_offset + 1 + chunk.count("\n", 0, end)
            more = _BlockParser(prefix + tail, self.macros, tail_line - 1)
            more.read_command(0)
            names = [name for name, _, _ in more.current_fields]
            if more.errors:
                lost = _field_names(tail)
                self.problem(
                    brace_line,
                    f"entry '{key}' is closed early by an extra '}}' on this line, so its "
                    f"fields after it ({', '.join(lost)}) were not read; remove the extra '}}'",
                    "truncated-entry",
                )
                break
            fields.extend(more.current_fields)
            for undefined_name, use_line, field_name in more.undefined:
                self._note_undefined(undefined_name, use_line, field_name, f"entry '{key}'")
            self.problem(
                brace_line,
                f"entry '{key}' is closed early by an extra '}}' on this line; BibTeX would "
                f"drop the fields after it ({', '.join(names)}), which were read here anyway. "
                "Remove the extra '}'",
                "truncated-entry",
            )
            end = end + more.pos - len(prefix)
            parser = more
        return chunk, end

    def _note_undefined(self, name: str, line: int, field_name: str | None, owner: str) -> None:
        folded = name.lower()
        seen = self.undefined.get(folded)
        if seen is None:
            self.undefined[folded] = _Undefined(name, [line], owner, field_name)
        else:
            seen.lines.append(line)

    def _report_undefined(self, undefined: _Undefined) -> None:
        lines = undefined.lines
        where = f" in {undefined.first_owner}"
        if undefined.first_field:
            where = f" in field '{undefined.first_field}' of {undefined.first_owner}"
        more = ""
        if len(lines) > 1:
            shown = ", ".join(str(n) for n in lines[1:6])
            rest = f" and {len(lines) - 6} more" if len(lines) > 6 else ""
            more = f"; also used at line{'s' if len(lines) > 2 else ''} {shown}{rest}"
        field = (undefined.first_field or "").lower()
        read_as = (
            "left empty" if field in _PERSON_FIELDS else f"read as the text '{undefined.name}'"
        )
        self.problem(
            lines[0],
            f"undefined macro '{undefined.name}'{where}, {read_as}{more}. Define it with "
            "@string, load the file that defines it first, or put the value in braces",
            "undefined-macro",
            _WARNING,
        )

    def _add_entry(
        self, command: str, key: str, line: int, fields: list[_Field], from_macros: set[str]
    ) -> None:
        folded = key.lower()
        first = self.first_seen.get(folded)
        if first is not None:
            first_key, first_line = first
            as_key = f" as '{first_key}'" if first_key != key else ""
            self.problem(
                line,
                f"duplicate key '{key}' (first defined at line {first_line}{as_key}); the "
                "first definition is kept",
                "duplicate-key",
            )
            return
        self.first_seen[folded] = (key, line)
        self.references[key] = _EntryBuilder(self, key, line, from_macros).build(command, fields)


def _repair(
    chunk: str, parser: _BlockParser, error: PybtexSyntaxError
) -> tuple[str, tuple[int, str, str]] | None:
    """The chunk with one recognisable fault fixed, and what was fixed; else ``None``."""
    if not isinstance(error, TokenRequired):
        return None
    pos = error.error_context_info[2]
    line = error.lineno + parser.line_offset
    field = parser.current_field_name
    wanted = str(error.args[0]) if error.args else ""
    if field and wanted.startswith("'='"):
        # ``funding_text 1 = {...}``: pybtex read ``funding_text`` and wants '='.
        # Scopus writes ``funding_text\u00a01``: any space but a line break counts.
        name_end = pos
        while name_end > 0 and chunk[name_end - 1].isspace() and chunk[name_end - 1] != "\n":
            name_end -= 1
        word = re.match(r"[\w.:+-]+(?=[^\S\n]*=)", chunk[pos:])
        if word is None or name_end == pos or chunk[name_end - len(field) : name_end] != field:
            return None
        joined = f"{field}_{word.group()}"
        message = (
            f"field name '{field} {word.group()}' contains a space; read as '{joined}'. "
            "Remove the space"
        )
        return chunk[:name_end] + "_" + chunk[pos:], (line, "bad-field-name", message)
    if wanted.startswith(("'}'", "')'")) and _FIELD_START.match(chunk, pos):
        name = chunk[pos : chunk.index("=", pos)].strip()
        message = f"missing comma before field '{name}'; read as if it were there. Add it"
        return chunk[:pos] + "," + chunk[pos:], (line, "missing-comma", message)
    return None


def _error_line(error: PybtexSyntaxError, parser: _BlockParser) -> int:
    return int(error.lineno) + parser.line_offset


def _key_is_a_field(chunk: str, parser: _BlockParser, fields: list[_Field]) -> bool:
    """``@article{ title = ...``: pybtex took the first field's name for the key."""
    if fields or not parser.errors:
        return False
    pos = parser.errors[0].error_context_info[2]
    return chunk.startswith("=", pos)


def _describe(error: PybtexSyntaxError) -> str:
    """pybtex's message without its own "syntax error in line N:" prefix."""
    message = error.args[0] if error.args else str(error)
    return f"{message} at column {_column(error)}" if isinstance(error, TokenRequired) else message


def _column(error: PybtexSyntaxError) -> int:
    pos = error.error_context_info[2]
    text = error.parser.text
    return int(pos - text.rfind("\n", 0, pos))


def _field_names(text: str) -> list[str]:
    return [m.group(1).lower() for m in _FIELD_ANYWHERE.finditer(text)]


def _looks_like_fields(tail: str) -> bool:
    """Text after an entry's ``}`` that is really more fields, not a comment."""
    stripped = tail.rstrip()
    return stripped.endswith(("}", ")")) and _FIELD_ANYWHERE.search(stripped) is not None


# --- from fields to a Reference ----------------------------------------------------------


class _EntryBuilder:
    """Turns one entry's fields into a :class:`Reference`, reporting what is dubious."""

    def __init__(self, reader: _Reader, key: str, line: int, from_macros: set[str]) -> None:
        self.reader = reader
        self.key = key
        self.line = line
        self.from_macros = from_macros  # fields holding an undefined macro, already reported
        self.lines: dict[str, int] = {}

    def warn(self, line: int | None, message: str, code: str) -> None:
        self.reader.problem(line or self.line, f"entry '{self.key}': {message}", code, _WARNING)

    def build(self, command: str, fields: list[_Field]) -> Reference:
        raw: dict[str, str] = {}
        lines = self.lines
        for name, parts, line in fields:
            lower = name.lower()
            if lower in raw:
                self.warn(
                    line,
                    f"duplicate field '{lower}' (first at line {lines[lower]}); the first "
                    "value is kept",
                    "duplicate-field",
                )
                continue
            raw[lower] = " ".join("".join(parts).split())
            lines[lower] = line
        decoded = {
            name: _verbatim(value) if name in _VERBATIM else decode_latex(value)
            for name, value in raw.items()
        }
        authors = self.names(raw, "author")
        editors = self.names(raw, "editor")
        year, month = self.date(decoded)
        pmid, doi, pmcid = self.identifiers(raw)
        return Reference(
            key=self.key,
            entry_type=command.lower(),
            title=decoded.get("title", ""),
            authors=authors,
            editors=editors,
            year=year,
            month=month,
            journal=decoded.get("journal") or decoded.get("journaltitle", ""),
            volume=decoded.get("volume", ""),
            number=decoded.get("number") or decoded.get("issue", ""),
            pages=decoded.get("pages", ""),
            pmid=pmid,
            doi=doi,
            pmcid=pmcid,
            design=decoded.get("design") or None,
            authors_complete=not _ends_with_others(raw.get("author", "")),
            fields=decoded,
            raw_fields=raw,
            location=SourceLocation(self.reader.source, self.line),
        )

    def names(self, raw: Mapping[str, str], role: str) -> tuple[Name, ...]:
        value = raw.get(role)
        if not value:
            return ()
        names, notes = _parse_names(value)
        for note in notes:
            self.reader.problem(
                self.lines[role],
                f"entry '{self.key}', {role}: {note.message}",
                "bad-name",
                note.severity,
            )
        return names

    def date(self, decoded: Mapping[str, str]) -> tuple[int | None, int | None]:
        year_text = decoded.get("year", "")
        month_text = decoded.get("month", "")
        date = decoded.get("date", "")
        if date and (not year_text or not month_text):
            # biblatex ``date = {2011-03-05}`` stands in for year and month.
            found = re.match(r"\s*(\d{4})(?:-(\d{1,2}))?", date)
            if found:
                year_text = year_text or found.group(1)
                month_text = month_text or (found.group(2) or "")
        year_match = _YEAR.search(year_text)
        year = int(year_match.group(1)) if year_match else None
        month = _month_number(month_text) if month_text else None
        if month_text and month is None and "month" not in self.from_macros:
            self.warn(
                self.lines.get("month"),
                f"month '{month_text}' is not a month; write a number 1-12 or jan..dec",
                "bad-date",
            )
        return year, month

    def identifiers(self, raw: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
        found: dict[str, list[tuple[str, str, int | None]]] = {
            "pmid": [],
            "doi": [],
            "pmcid": [],
        }

        def offer(kind: str, value: str, where: str, *, strict: bool) -> None:
            normal = _NORMALISERS[kind](value)
            line = self.lines.get(where)
            if normal is None:
                if strict:
                    self.warn(
                        line,
                        f"{where} '{value}' is not a valid {_KIND_LABEL[kind]}; it is "
                        "ignored. Fix or remove it",
                        "bad-identifier",
                    )
                return
            found[kind].append((normal, where, line))

        for kind, names in _ID_FIELDS.items():
            for name in names:
                if raw.get(name):
                    offer(kind, raw[name], name, strict=True)
        eprint = raw.get("eprint")
        if eprint:
            scheme = (raw.get("eprinttype") or raw.get("archiveprefix") or "").lower()
            kind_for_scheme = _EPRINT_KINDS.get(scheme)
            if kind_for_scheme:
                offer(kind_for_scheme, eprint, "eprint", strict=True)
        url = raw.get("url", "")
        if url:
            for kind, pattern in _URL_PATTERNS.items():
                for hit in pattern.finditer(url):
                    offer(kind, hit.group(1), "url", strict=False)
        for name in _NOTE_FIELDS:
            text = raw.get(name)
            if text and _NOTE_HINT.search(text):
                for kind, pattern in _NOTE_PATTERNS.items():
                    for hit in pattern.finditer(text):
                        offer(kind, hit.group(1), name, strict=True)
        chosen: list[str | None] = []
        for kind in ("pmid", "doi", "pmcid"):
            candidates = found[kind]
            if not candidates:
                chosen.append(None)
                continue
            value, where, _ = candidates[0]
            for other, other_where, other_line in candidates[1:]:
                if other != value:
                    self.warn(
                        other_line,
                        f"{other_where} gives {_KIND_LABEL[kind]} {other} but {where} gives "
                        f"{value}; {value} is used. Remove the wrong one",
                        "conflicting-identifier",
                    )
                    break
            chosen.append(value)
        return chosen[0], chosen[1], chosen[2]


_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_MONTH_NAMES = [name.lower() for name in month_names.values()]
_MONTHS = {name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)}
_MONTH_WORD = re.compile(r"[a-z]+")


def _month_number(text: str) -> int | None:
    """1..12 from ``jan``, ``January``, ``Sept.``, ``{12}`` or ``October-November``."""
    value = text.strip().lower()
    if value.isdigit():
        return int(value) if 1 <= int(value) <= 12 else None
    word = _MONTH_WORD.match(value)
    number = _MONTHS.get(word.group()[:3]) if word else None
    if word is None or number is None:
        return None
    full = _MONTH_NAMES[number - 1]
    return number if full.startswith(word.group()) or word.group() == "sept" else None


_LATEX_ESCAPE = re.compile(r"\\([_%&#$])")

# --- identifiers -------------------------------------------------------------------------

_NORMALISERS: dict[str, Callable[[str], str | None]] = {
    "pmid": normalise_pmid,
    "doi": normalise_doi,
    "pmcid": normalise_pmcid,
}
_KIND_LABEL = {"pmid": "PMID", "doi": "DOI", "pmcid": "PMCID"}
_ID_FIELDS = {"pmid": ("pmid", "pubmed_id"), "doi": ("doi",), "pmcid": ("pmcid",)}
_EPRINT_KINDS = {"pubmed": "pmid", "pmid": "pmid", "pmc": "pmcid", "pmcid": "pmcid", "doi": "doi"}
_URL_PATTERNS = {
    "doi": re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/([^\s\\]+)", re.IGNORECASE),
    "pmid": re.compile(
        r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d+)", re.IGNORECASE
    ),
    "pmcid": re.compile(r"(?:/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/articles/)(PMC\d+)", re.I),
}
_NOTE_FIELDS = ("note", "annote", "annotation", "extra")
_NOTE_HINT = re.compile(r"pmid|pmc|doi", re.IGNORECASE)
_NOTE_PATTERNS = {
    "pmid": re.compile(r"\bPMID\s*:\s*(\S+)", re.IGNORECASE),
    "pmcid": re.compile(r"\bPMCID\s*:\s*(\S+)", re.IGNORECASE),
    "doi": re.compile(r"\bDOI\s*:\s*(\S+)", re.IGNORECASE),
}


# --- names -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _NameNote:
    message: str
    severity: Severity


def _top_level_splitter(separator: str) -> Callable[[str], list[str]]:
    """A function splitting text at ``separator`` where it is outside braces."""
    plain = re.compile(separator, re.IGNORECASE)
    combined = re.compile(rf"(\{{)|(\}})|{separator}", re.IGNORECASE)

    def split(text: str) -> list[str]:
        if "{" not in text:
            return plain.split(text)
        parts: list[str] = []
        depth = 0
        start = 0
        for match in combined.finditer(text):
            if match.group(1):
                depth += 1
            elif match.group(2):
                depth = max(depth - 1, 0)
            elif depth == 0:
                parts.append(text[start : match.start()])
                start = match.end()
        parts.append(text[start:])
        return parts

    return split


_split_and = _top_level_splitter(r"(?:^|\s+)and(?:\s+|$)")
_split_commas = _top_level_splitter(r",")
_split_words_raw = _top_level_splitter(r"(?:\\ |\s|(?<!\\)~)+")
_ET_AL = re.compile(r"et\.?,?\s*a\.?\s*l\.?|et\s+al\.?", re.IGNORECASE)
_JR = re.compile(r"(?:jr|sr|jnr|snr)\.?|[IVX]+|\d+(?:st|nd|rd|th)\.?", re.IGNORECASE)
_INITIALS = re.compile(r"(?:[A-Z]\.?(?:-?[A-Z]\.?)*[\s.]*)+")


def _words(text: str) -> list[str]:
    return [w for w in _split_words_raw(text) if w]


def _is_von(word: str) -> bool:
    """Whether a name word counts as lower case for BibTeX (starts the "von" part)."""
    first = word[0]
    if first.isupper():
        return False
    if first.islower():
        return True
    depth = 0
    for index, char in enumerate(word):
        if char == "{":
            depth += 1
            if depth == 1 and word[index + 1 : index + 2] == "\\":
                return _special_is_lower(word, index + 2)
        elif char == "}":
            depth -= 1
        elif depth == 0 and char.isalpha():
            return char.islower()
    return False


def _special_is_lower(word: str, start: int) -> bool:
    # ``{\'e}`` is lower case, ``{\"O}`` upper; a control word alone (``{\O}``, ``{\ss}``)
    # counts as upper case, as in pybtex.
    in_control_word = True
    for char in word[start:]:
        if char == "}":
            return False
        if in_control_word:
            if not char.isalpha():
                in_control_word = False
        elif char.isalpha():
            return char.islower()
    return False


def _split_von_last(words: list[str]) -> tuple[list[str], list[str]]:
    """von and Last parts: von runs to the last lower-case word before the final word."""
    for index in range(len(words) - 2, -1, -1):
        if _is_von(words[index]):
            return words[: index + 1], words[index + 1 :]
    return [], words


def _is_one_group(text: str) -> bool:
    """``{World Health Organization}``: one brace group spanning the whole text."""
    if not (text.startswith("{") and text.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0 and index != len(text) - 1:
                return False
    return True


def _join(words: list[str]) -> str:
    return decode_latex(" ".join(words))


def _name_from_parts(parts: list[str], plain: bool = False) -> Name:
    """A name from its comma-separated parts (one, two or three of them).

    ``plain`` says the text has no braces, commands or ties, so words split on spaces and
    need no decoding: the common case, kept fast.
    """
    split = str.split if plain else _words
    join = " ".join if plain else _join
    if len(parts) == 1:
        words = split(parts[0])
        index = next((i for i, w in enumerate(words) if _is_von(w)), len(words))
        first, von_last = words[:index], words[index:]
        if not von_last and first:
            von_last = [first.pop()]
        von, last = _split_von_last(von_last)
        return Name(last=join(last), first=join(first), von=join(von))
    von, last = _split_von_last(split(parts[0]))
    jr = split(parts[1]) if len(parts) == 3 else []
    return Name(last=join(last), first=join(split(parts[-1])), von=join(von), jr=join(jr))


_OTHERS = re.compile(r"\band\s+(?:others|et\.?\s*al\.?)\s*$", re.IGNORECASE)


def _ends_with_others(text: str) -> bool:
    """True when an author list ends ``and others``: the list is not complete (et al.)."""
    return _OTHERS.search(text) is not None


def _parse_names(text: str) -> tuple[tuple[Name, ...], list[_NameNote]]:
    """Split an ``author``/``editor`` value into names, with notes on anything odd.

    ``and others`` is dropped (the raw field keeps it); a name in one brace group is a
    collective author; ``American College of Surgeons,`` (EndNote's corporate form) too.
    """
    names: list[Name] = []
    notes: list[_NameNote] = []
    plain = _NEEDS_DECODING.search(text) is None
    for piece in _split_and(text):
        name = piece.strip()
        if not name:
            if text.strip():
                notes.append(_NameNote("an empty name (two 'and' in a row?) was skipped", _WARNING))
            continue
        if not plain and _is_one_group(name):
            names.append(Name(last=decode_latex(name), collective=True))
            continue
        if name[:2].lower() == "et" and _ET_AL.fullmatch(name):
            notes.append(_NameNote(f"'{name}' read as 'and others'; write 'and others'", _WARNING))
            continue
        parts = [p.strip() for p in (name.split(",") if plain else _split_commas(name))]
        if len(parts) == 2 and parts[1]:
            names.append(_name_from_parts(parts, plain))  # "Last, First": most names
        elif len(parts) == 1 and name.lower() == "others":
            continue
        elif len(parts) == 2 and len(_words(parts[0])) > 1:
            names.append(Name(last=decode_latex(parts[0]), collective=True))
        elif len(parts) < 3 or (len(parts) == 3 and _JR.fullmatch(parts[1])):
            names.append(_name_from_parts(parts, plain))
        else:
            recovered, note = _split_comma_list(name, parts)
            if note is None:  # "Last, Jr, First" after all
                names.append(_name_from_parts(parts, plain))
                continue
            names.extend(recovered)
            notes.append(note)
    return tuple(names), notes


def _split_comma_list(text: str, parts: list[str]) -> tuple[list[Name], _NameNote | None]:
    """Names from ``Miller, D., Firby, J.`` or ``Ann Lee, Bo Chen``: commas for ``and``.

    Three parts whose middle is not a "Jr" are split only when each is clearly a whole
    name; otherwise (note ``None``) they are BibTeX's "von Last, Jr, First".
    """
    segments = [p for p in parts if p]
    if all(_is_one_group(s) or len(_words(s)) > 1 for s in segments) and not any(
        _INITIALS.fullmatch(s) for s in segments
    ):
        names = [
            Name(last=decode_latex(s), collective=True)
            if _is_one_group(s)
            else _name_from_parts([s])
            for s in segments
        ]
        how = "each part between commas as one name"
    elif len(segments) % 2 == 0 and all(
        _INITIALS.fullmatch(s) or len(_words(s)) <= 2 for s in segments[1::2]
    ):
        names = [
            _name_from_parts([last, first])
            for last, first in zip(segments[::2], segments[1::2], strict=True)
        ]
        how = "as 'Last, First' pairs"
    elif len(parts) == 3:
        return [], None
    else:
        names = [_name_from_parts([parts[0], parts[1], " ".join(parts[2:])])]
        listed = f"'{text}'"
        return names, _NameNote(
            f"too many commas in {listed}; it could not be split into names and was read as "
            f"one ('{names[0]}'). Separate names with 'and'",
            _ERROR,
        )
    listed = "; ".join(str(n) for n in names)
    return names, _NameNote(
        f"names separated by commas instead of 'and' in '{text}'; read {how}: {listed}. "
        "Separate names with 'and'",
        _ERROR,
    )


# --- LaTeX -> Unicode --------------------------------------------------------------------

_NEEDS_DECODING = re.compile(r"[\\{}~$]|--|``|''")
_ACCENT_MARKS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "d": "\u0323",
    "b": "\u0331",
    "k": "\u0328",
    "r": "\u030a",
}
# ``\'e``, ``\'{e}``, ``\' e``, ``\'{\i}``, ``\'\i``, ``\c c``, ``\c{c}``; letter-named
# accents (``\u``, ``\c``...) must not run into a longer command name such as ``\url``.
_ACCENT = re.compile(
    r"""\\(?:(['`^"~=.])|([uvHcdbkr])(?![A-Za-z]))\s*"""
    r"""(?:\{\s*(\\[ij](?![A-Za-z])|[^\W\d_]?)\s*\}|(\\[ij])(?![A-Za-z])\ ?|([^\W\d_]))"""
)
_LETTERS = {
    "ss": "ß",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "\u0131",  # dotless i
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "dj": "đ",
    "DJ": "Đ",
    "SS": "SS",
    "textendash": "\u2013",
    "textemdash": "—",
    "textquoteleft": "\u2018",
    "textquoteright": "\u2019",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "ldots": "…",
    "dots": "…",
    "textellipsis": "…",
    "textregistered": "®",
    "texttrademark": "™",
    "textcopyright": "©",
    "textdegree": "°",
    "textmu": "µ",
    "textbullet": "•",
    "textbackslash": "\\",
    "textunderscore": "_",
    "textasciitilde": "~",
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "S": "§",
    "P": "¶",
    "pounds": "£",
    "euro": "€",
    "texteuro": "€",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "relax": "",
    "protect": "",
}
# Commands whose argument is not text (sort keys, labels, links): dropped with it.
_DROP_ARGUMENT = re.compile(r"\\(?:noopsort|sortnoop|SortNoop|nocite|label|cite|href)\s*\{[^{}]*\}")
_COMMAND_WORD = re.compile(r"\\([A-Za-z]+)[ \t]*")
_CONTROL_SYMBOL = re.compile(r"\\([^A-Za-z])")
_CONTROL_SYMBOLS = {" ": " ", ",": " ", ";": " ", ":": " ", "!": "", "-": "", "/": "", "\\": " "}
_MATH = re.compile(r"(?<!\\)\$([^$]*)\$")
_SUBSCRIPT = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SUPERSCRIPT = str.maketrans("0123456789+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾")
_SCRIPT = re.compile(r"([_^])(?:\{([0-9+\-=()]+)\}|([0-9+\-=()]))")
# Escaped braces and dollars survive brace stripping and math as private-use characters.
_HIDE = {"{": "\ue000", "}": "\ue001", "$": "\ue002"}
_URL_HIDE = {"~": "\ue003", "-": "\ue004", "`": "\ue005", "'": "\ue006", "\\": "\ue007"}
_PROTECT_URL = str.maketrans({**{"$": "\ue002"}, **_URL_HIDE})
_UNHIDE = str.maketrans({v: k for k, v in (_HIDE | _URL_HIDE).items()})
_URL_COMMAND = re.compile(r"\\url\s*\{([^{}]*)\}")
_DROP_BRACES = str.maketrans("", "", "{}")


def decode_latex(text: str) -> str:
    r"""LaTeX as plain Unicode for display, protective braces dropped, spaces collapsed.

    >>> decode_latex(r'M{\"u}ller and Garc\'{\i}a, {\O}ster, Stra{\ss}e \& {DNA} 1--2')
    'Müller and García, Øster, Straße & DNA 1–2'
    >>> decode_latex(r"\emph{In vivo} TNF-$\alpha$ in {Cu$_2$O}")
    'In vivo TNF-α in Cu₂O'

    ``~`` becomes a plain space (easier to search and compare than a no-break space).
    Unknown commands are dropped and their argument kept.
    """  # noqa: RUF002  (the examples show real Unicode output)
    if _NEEDS_DECODING.search(text) is None:
        return text
    if "\\" in text:
        text = _decode_commands(text)
    if "$" in text:
        text = _MATH.sub(_math, text)
    if "-" in text:
        text = text.replace("---", "\u2014").replace("--", "\u2013")
    if "`" in text or "'" in text:
        text = text.replace("``", "“").replace("''", "”")
    text = text.replace("~", " ").translate(_DROP_BRACES).translate(_UNHIDE)
    return " ".join(text.split())


def _verbatim(text: str) -> str:
    r"""A URL, DOI or path as meant: ``a\_b{\#}c`` is ``a_b#c``; nothing else changes."""
    if "\\" in text:
        text = _LATEX_ESCAPE.sub(r"\1", text)
    return text.translate(_DROP_BRACES) if "{" in text else text


def _decode_commands(text: str) -> str:
    if "\\url" in text:
        # \url{...} is verbatim: its ~, -, $ and quotes are literal (escapes like \# aside).
        text = _URL_COMMAND.sub(lambda m: _verbatim(m.group(1)).translate(_PROTECT_URL), text)
    for char, hidden in _HIDE.items():
        text = text.replace("\\" + char, hidden)
    text = _LATEX_ESCAPE.sub(r"\1", text)
    for _ in range(3):  # nested accents, inside first: \d{\^e} is ệ
        accented = _ACCENT.sub(_accent, text)
        if accented == text:
            break
        text = accented
    text = _DROP_ARGUMENT.sub("", text)
    text = _COMMAND_WORD.sub(_command, text)
    if "\\" in text:
        text = _CONTROL_SYMBOL.sub(lambda m: _CONTROL_SYMBOLS.get(m.group(1), m.group(1)), text)
    return text


def _accent(match: re.Match[str]) -> str:
    mark = _ACCENT_MARKS[match.group(1) or match.group(2)]
    base = match.group(3) if match.group(3) is not None else (match.group(4) or match.group(5))
    if not base:
        return ""
    if base.startswith("\\"):
        base = base[1]  # an accent on a dotless i or j means an accented i or j
    return unicodedata.normalize("NFC", base + mark)


def _command(match: re.Match[str]) -> str:
    name = match.group(1)
    known = _LETTERS.get(name)
    if known is not None:
        return known
    following = match.string[match.end() : match.end() + 1]
    if following == "{":
        return ""  # \emph{...}, \textit{...}, \url{...}: keep the argument
    return _latexcodec_symbol(name)


@lru_cache(maxsize=512)
def _latexcodec_symbol(name: str) -> str:
    """latexcodec's Unicode for a rare command (``\\times``, ``\\alpha``), or nothing."""
    # latexcodec decodes text to text; typeshed only knows bytes -> text decoders.
    decode = cast(Any, codecs.decode)
    for form in ("\\" + name, "$\\" + name + "$"):  # Greek letters are known in math only
        try:
            decoded = str(decode(form, "ulatex")).strip()
        except (UnicodeDecodeError, ValueError):
            continue
        if "\\" not in decoded and "$" not in decoded:
            return decoded
    return ""


def _math(match: re.Match[str]) -> str:
    return _SCRIPT.sub(_script, match.group(1))


def _script(match: re.Match[str]) -> str:
    digits = match.group(2) or match.group(3)
    table = _SUBSCRIPT if match.group(1) == "_" else _SUPERSCRIPT
    return digits.translate(table)


def add_identifiers(
    text: str,
    bibliography: Mapping[str, Reference],
    found: Mapping[str, tuple[str | None, str | None]],
) -> str:
    """A copy of a .bib file's ``text`` with the PMIDs and DOIs in ``found`` added.

    ``found`` maps keys to ``(pmid, doi)``. A field is added only where the entry has no
    identifier of that kind; nothing that is there is changed. Each new field goes on its
    own line right after the entry's ``@type{key,`` line, so the rest of the file, comments
    and formatting included, stays as it was.

    >>> bib = parse_references("@article{a,\\n  title = {T},\\n}\\n")
    >>> print(add_identifiers("@article{a,\\n  title = {T},\\n}\\n", bib, {"a": ("12", None)}))
    @article{a,
      pmid = {12},
      title = {T},
    }
    <BLANKLINE>
    """
    lines = text.splitlines(keepends=True)
    inserts: dict[int, list[str]] = {}
    for key, (pmid, doi) in found.items():
        ref = bibliography.get(key)
        if ref is None or ref.location is None or ref.location.line is None:
            continue
        index = ref.location.line - 1
        if index >= len(lines) or not lines[index].rstrip().endswith(","):
            continue  # an unusual header layout: leave the entry alone rather than guess
        new = []
        if pmid and not ref.pmid:
            new.append(f"  pmid = {{{pmid}}},\n")
        if doi and not ref.doi:
            new.append(f"  doi = {{{doi}}},\n")
        if new:
            inserts[index] = new
    out: list[str] = []
    for index, line in enumerate(lines):
        out.append(line if line.endswith("\n") or index not in inserts else line + "\n")
        out.extend(inserts.get(index, ()))
    return "".join(out)
