"""An on-disk cache of PubMed records: a pack file per fetched batch, safe to share.

Where it lives: ``directory`` if given, else ``$EVIDENCE_CACHE_DIR/pubmed`` if that
variable is set (read when the cache is made), else the user's cache folder from
platformdirs (``~/.cache/evidence/pubmed`` on Linux). Never the working directory.

Layout: two kinds of entry.

* **Packs** (what the client writes): each fetched batch of up to 200 records in one file,
  ``<directory>/packs/<time written>-<process>-<random>.pack``, written once and never
  changed (``evidence.pubmed.packs``). A warm read of 10,000 PMIDs opens 50 files, not
  10,000, and reads each record from a compact row (``evidence.pubmed.rows``).
* **Single entries** (what :meth:`PubMedCache.put` writes, and every entry of caches made
  before packs, which are still read):
  ``<directory>/<last two digits of the PMID>/<pmid>.json``. The shard keeps folders
  small (PMIDs are sequential, so their last digits spread evenly). Each file holds::

    {"format": 1, "pmid": "27685632", "fetched_at": "2025-01-31T09:00:00+00:00",
     "found": true, "record": {...PubMedRecord.to_dict()...}}

Only the record and when it was fetched are stored: never request URLs, never the API key.

Which entry counts: a single entry, when there is one, wins over the packs (a
:meth:`~PubMedCache.put` after a fetch replaces what was fetched); writing a pack deletes
the single entries of its PMIDs, so a fetch after a :meth:`~PubMedCache.put` replaces it;
among packs, the one written last wins. Old caches thus move into packs as their entries
are fetched again.

Measured: ``Pipeline.studies`` over a .bib of 2,000 cached PMIDs (what ``evidence table``
and ``evidence fetch`` run; CPU time, best of 5, one sitting on a 2-core machine under a
load of 10): 0.18 s from single entries (the layout before packs, and still for it),
0.085 s from packs; the cache read alone is about 30 us a record from packs (a third
JSON, half building records, the rest finding them). ``benchmarks/bench_pubmed.py``
times both layouts.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs

from evidence.errors import CacheError, SourceLocation
from evidence.model import PubMedRecord
from evidence.pubmed.packs import PackStore
from evidence.pubmed.rows import RowReader

__all__ = ["FORMAT_VERSION", "PACK_FROM", "CacheEntry", "PubMedCache", "default_cache_directory"]

#: Bumped whenever the stored layout changes; entries of other versions are ignored.
FORMAT_VERSION = 1

logger = logging.getLogger("evidence.pubmed")


def default_cache_directory() -> Path:
    """``$EVIDENCE_CACHE_DIR/pubmed`` if set, else the platform's user cache folder."""
    override = os.environ.get("EVIDENCE_CACHE_DIR", "").strip()
    root = (
        Path(override).expanduser() if override else Path(platformdirs.user_cache_dir("evidence"))
    )
    return root / "pubmed"


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """What the cache knows about one PMID.

    ``record`` is ``None`` for a cached "not found in PubMed" answer. ``stale`` is true
    when the entry is older than the cache allows and should be fetched again.
    """

    pmid: str
    record: PubMedRecord | None
    fetched_at: datetime
    stale: bool = False

    @property
    def found(self) -> bool:
        """Whether PubMed had a record for this PMID when it was fetched."""
        return self.record is not None


class _Corrupt(Exception):
    """An entry that cannot be used; the message says why."""


class _OtherVersion(Exception):
    """An entry in another format version: not corrupt, just not ours to read."""


class _Absent:
    """No single entry on disk (as opposed to one that is there but unusable)."""


_ABSENT = _Absent()
#: Batches of fewer PMIDs than this are stored as single entries, not as a pack (the
#: default of ``PubMedCache.pack_from``).
PACK_FROM = 10
# Above this many PMIDs, one listing of the shard folders says which have single entries
# (a look-up that finds no file still costs a system call).
_LIST_FROM = 64


class PubMedCache:
    """PubMed records on disk, in packs and single entries (see the module docstring).

    >>> import tempfile
    >>> from evidence.model import PubMedRecord
    >>> cache = PubMedCache(tempfile.mkdtemp())
    >>> cache.put(PubMedRecord(pmid="9997", title="A title"))
    >>> cache.get("9997").record.title
    'A title'
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        max_age: timedelta = timedelta(days=30),
        not_found_max_age: timedelta = timedelta(days=1),
    ) -> None:
        if max_age <= timedelta(0) or not_found_max_age <= timedelta(0):
            raise ValueError("cache ages must be positive")
        self._directory = (
            Path(directory).expanduser() if directory is not None else default_cache_directory()
        )
        self._root = str(self._directory)
        self._packs = PackStore(self._directory / "packs")
        self.max_age = max_age
        #: Batches of fewer PMIDs are stored as single entries (see :meth:`put_many`).
        self.pack_from = PACK_FROM
        self.not_found_max_age = not_found_max_age

    @property
    def directory(self) -> Path:
        """The folder holding the entries (created on the first write)."""
        return self._directory

    def __repr__(self) -> str:
        return f"PubMedCache({str(self._directory)!r}, max_age={self.max_age!r})"

    def path_for(self, pmid: str) -> Path:
        """The file that holds ``pmid``'s entry (whether or not it exists)."""
        if not (pmid.isascii() and pmid.isdigit()):
            raise ValueError(f"{pmid!r} is not a PMID (PMIDs are digits only)")
        return self._directory / pmid[-2:].zfill(2) / f"{pmid}.json"

    def get(self, pmid: str, *, now: datetime | None = None) -> CacheEntry | None:
        """The entry for ``pmid``, marked stale if too old; ``None`` if absent or unusable."""
        return self.get_many([pmid], now=now).get(pmid)

    def get_many(
        self, pmids: Iterable[str], *, now: datetime | None = None
    ) -> dict[str, CacheEntry]:
        """The entries of ``pmids`` as :meth:`get` gives them, the absent and unusable left
        out, in one go: each pack is read once, and the MeSH headings and publication
        types the records share are built once."""
        wanted = list(dict.fromkeys(pmids))
        for pmid in wanted:
            if not (pmid.isascii() and pmid.isdigit()):
                self.path_for(pmid)  # raises the ValueError
        when = now or datetime.now(UTC)
        reader = RowReader()
        found: dict[str, CacheEntry] = {}
        in_packs: list[str] = []
        single = self._single_entries(wanted) if len(wanted) > _LIST_FROM else None
        for pmid in wanted:
            if single is not None and pmid not in single:
                in_packs.append(pmid)
                continue
            entry = self._get_single(pmid)
            if entry is _ABSENT:
                in_packs.append(pmid)
            elif isinstance(entry, tuple):
                found[pmid] = self._entry(pmid, *entry, when)
        if in_packs:
            for pmid, (record, fetched_at) in self._packs.read(in_packs, reader).items():
                found[pmid] = self._entry(pmid, record, fetched_at, when)
        return {p: found[p] for p in wanted if p in found}

    def _entry(
        self, pmid: str, record: PubMedRecord | None, fetched_at: datetime, now: datetime
    ) -> CacheEntry:
        age = now - fetched_at
        limit = self.max_age if record is not None else self.not_found_max_age
        # An entry from the future means a clock went wrong; do not trust it for long.
        stale = age > limit or age < -timedelta(days=1)
        return CacheEntry(pmid, record, fetched_at, stale)

    def _single_entries(self, pmids: list[str]) -> set[str]:
        """Which of ``pmids`` have a single entry on disk, from one listing per shard."""
        shards = {p[-2:].zfill(2) for p in pmids}
        present: set[str] = set()
        for shard in shards:
            try:
                names = os.listdir(os.path.join(self._root, shard))
            except OSError:  # no such folder (or unreadable: the reads will say so)
                continue
            present.update(n[:-5] for n in names if n.endswith(".json"))
        return present

    def _get_single(self, pmid: str) -> tuple[PubMedRecord | None, datetime] | _Absent | None:
        """``pmid``'s single entry: its record and time, ``_ABSENT`` when there is no file,
        ``None`` when there is one but it cannot be used (and then it wins over packs)."""
        # A plain string path and a bytes read: pathlib's joins and a text wrapper were a
        # fifth of a warm read of 10,000 entries (benchmarks/, docs/performance.md).
        path = os.path.join(self._root, pmid[-2:].zfill(2), pmid + ".json")
        try:
            with open(path, "rb") as handle:
                text = handle.read()
        except FileNotFoundError:
            return _ABSENT
        except OSError as exc:
            logger.warning(
                "%s: cannot read this PubMed cache entry (%s); fetching again", path, exc
            )
            return None
        try:
            return _decode(pmid, text)
        except _OtherVersion:
            logger.debug("%s: written by another cache format; ignored", path)
            return None
        except _Corrupt as exc:
            logger.warning("%s: corrupt PubMed cache entry (%s); fetching again", path, exc)
            return None

    def put(self, record: PubMedRecord, *, fetched_at: datetime | None = None) -> None:
        """Store ``record`` (replacing any entry for its PMID). Raises :class:`CacheError`."""
        self._write(record.pmid, record, fetched_at)

    def put_not_found(self, pmid: str, *, fetched_at: datetime | None = None) -> None:
        """Remember that PubMed had no record for ``pmid`` (kept ``not_found_max_age``)."""
        self._write(pmid, None, fetched_at)

    def put_many(
        self, entries: Mapping[str, PubMedRecord | None], *, fetched_at: datetime | None = None
    ) -> None:
        """Store one fetched batch as a pack: each PMID's record, or ``None`` for "not
        found in PubMed" (replacing any entry for those PMIDs). Raises :class:`CacheError`.

        A batch of fewer than ``pack_from`` PMIDs is stored as single entries instead: a
        pack pays off when many records are read together, and single entries of a few
        PMIDs cost little and stay readable by versions from before packs."""
        for pmid in entries:
            self.path_for(pmid)  # raises the ValueError for a bad PMID
        when = (fetched_at or datetime.now(UTC)).astimezone(UTC)
        if len(entries) < self.pack_from:
            for pmid, record in entries.items():
                self._write(pmid, record, when)
            return
        try:
            self._packs.write(entries, when)
        except OSError as exc:
            raise CacheError(
                f"cannot write the PubMed cache ({exc.strerror or exc}); check that the "
                "folder is writable, or set EVIDENCE_CACHE_DIR to another folder",
                location=SourceLocation(str(self._directory / "packs")),
            ) from exc
        for pmid in entries:  # the pack replaces them
            with suppress(FileNotFoundError):
                os.unlink(os.path.join(self._root, pmid[-2:].zfill(2), pmid + ".json"))

    def discard(self, pmid: str) -> None:
        """Forget ``pmid``'s entry, if there is one."""
        with suppress(FileNotFoundError):
            self.path_for(pmid).unlink()
        if self._packs.holds([pmid]):
            try:
                self._packs.write({pmid: False}, datetime.now(UTC))
            except OSError as exc:
                raise CacheError(
                    f"cannot write the PubMed cache ({exc.strerror or exc})",
                    location=SourceLocation(str(self._directory / "packs")),
                ) from exc

    def _write(self, pmid: str, record: PubMedRecord | None, fetched_at: datetime | None) -> None:
        path = self.path_for(pmid)
        when = (fetched_at or datetime.now(UTC)).astimezone(UTC)
        payload = {
            "format": FORMAT_VERSION,
            "pmid": pmid,
            "fetched_at": when.isoformat(),
            "found": record is not None,
            "record": record.to_dict() if record is not None else None,
        }
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _replace_atomically(path, text)
        except OSError as exc:
            raise CacheError(
                f"cannot write the PubMed cache ({exc.strerror or exc}); check that the "
                "folder is writable, or set EVIDENCE_CACHE_DIR to another folder",
                location=SourceLocation(str(path)),
            ) from exc


def _replace_atomically(path: Path, text: str) -> None:
    # The temporary file must be in the same folder: os.replace is only atomic within
    # one file system. mkstemp gives each writer (process or thread) its own name.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def _decode(pmid: str, text: bytes) -> tuple[PubMedRecord | None, datetime]:
    try:
        data: Any = json.loads(text)
    except ValueError as exc:  # UnicodeDecodeError included
        raise _Corrupt(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _Corrupt("not a JSON object")
    if data.get("format") != FORMAT_VERSION:
        if "format" in data:
            raise _OtherVersion
        raise _Corrupt("no format version")
    missing = [k for k in ("pmid", "fetched_at", "found", "record") if k not in data]
    if missing:
        raise _Corrupt(f"missing {', '.join(missing)}")
    if data["pmid"] != pmid:
        raise _Corrupt(f"holds PMID {data['pmid']!r}, not {pmid}")
    try:
        fetched_at = datetime.fromisoformat(str(data["fetched_at"]))
    except ValueError:
        raise _Corrupt(f"bad fetch time {data['fetched_at']!r}") from None
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    if data["found"] is False:
        if data["record"] is not None:
            raise _Corrupt("a not-found entry that holds a record")
        return None, fetched_at
    if data["found"] is not True or not isinstance(data["record"], dict):
        raise _Corrupt("no record")
    try:
        record = PubMedRecord.from_dict(data["record"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _Corrupt(f"record does not load ({type(exc).__name__}: {exc})") from None
    if record.pmid != pmid:
        raise _Corrupt(f"record is for PMID {record.pmid}, not {pmid}")
    return record, fetched_at
