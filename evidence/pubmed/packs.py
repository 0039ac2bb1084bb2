"""Packs: each fetched batch of PubMed records in one file, for :mod:`evidence.pubmed.cache`.

Why: a warm build over 10,000 cached PMIDs read 10,000 files (an open, a JSON document
with a key per field and per author, a checked record per file). A pack holds one EFetch
batch (up to 200 records) in two lines of JSON:

1. a header: ``{"format": 1, "fetched_at": "...", "pmids": ["27685632", ...]}``;
2. the entries, in the header's order: a record as a row (:mod:`evidence.pubmed.rows`),
   ``null`` for "not found in PubMed", ``false`` for an entry forgotten
   (``PubMedCache.discard``).

Rules (the cache's per-PMID rules carry over):

- **Immutable, written atomically.** A pack is written to a temporary file in the same
  folder and renamed into place, under a name that begins with the time it was written,
  so names sort in the order packs were written; it is never changed afterwards. A reader
  sees a whole pack or none, and may keep what it read of one (:class:`PackStore` keeps
  the headers, and the last few packs it decoded).
- **The newest pack wins.** A PMID in several packs is taken from the one written last.
- **Damage** (a header or entries that do not read, a row that is not a record) is logged
  as a warning and the PMIDs concerned count as absent: they are fetched again, into a
  newer pack that wins.
- **Clean-up.** After writing a pack, packs whose every PMID is in a newer pack are
  deleted, and damaged ones. Another process may still be about to read one: a reader
  that finds a pack gone lists the folder again and takes the newer one.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evidence.model import PubMedRecord
from evidence.pubmed.rows import BadRow, RowReader, to_row

__all__ = ["PACK_VERSION", "PackStore"]

#: Bumped whenever the layout of a pack changes; packs of other versions are ignored.
PACK_VERSION = 1
_SUFFIX = ".pack"
_KEEP_DECODED = 4  # packs kept decoded: single look-ups in batch order reuse them

logger = logging.getLogger("evidence.pubmed")


@dataclass(frozen=True, slots=True)
class _Header:
    fetched_at: datetime
    pmids: tuple[str, ...]


class _Damaged(Exception):
    """A pack or an entry that cannot be used; the message says why."""


class PackStore:
    """The packs in one folder, with what this process has read of them.

    Thread-safe: the PubMed client stores batches from several threads at once.
    """

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._lock = threading.Lock()
        self._headers: dict[str, _Header | None] = {}  # name -> header (None: unusable)
        self._newest: dict[str, str] = {}  # PMID -> name of the newest pack holding it
        self._decoded: OrderedDict[str, list[Any]] = OrderedDict()
        self._damaged: set[str] = set()  # packs found damaged: deleted at the next clean-up

    # --- reading ------------------------------------------------------------------------

    def holds(self, pmids: Iterable[str]) -> dict[str, str]:
        """Which pack holds each of ``pmids`` (those in no pack are left out)."""
        with self._lock:
            self._refresh()
            newest = self._newest
            return {p: newest[p] for p in pmids if p in newest}

    def read(
        self, pmids: Iterable[str], reader: RowReader
    ) -> dict[str, tuple[PubMedRecord | None, datetime]]:
        """The record (``None``: not found in PubMed) and fetch time of each of ``pmids``
        held in a pack; forgotten, damaged and absent ones are left out."""
        wanted = list(pmids)
        found: dict[str, tuple[PubMedRecord | None, datetime]] = {}
        for attempt in range(2):
            by_pack: dict[str, list[str]] = {}
            for pmid, name in self.holds(wanted).items():
                by_pack.setdefault(name, []).append(pmid)
            vanished: list[str] = []
            for name, members in by_pack.items():
                try:
                    found.update(self._entries(name, members, reader))
                except FileNotFoundError:
                    vanished += members  # cleaned up by another process: list again
            if not vanished or attempt:
                break
            wanted = vanished
        return found

    def _entries(
        self, name: str, pmids: list[str], reader: RowReader
    ) -> dict[str, tuple[PubMedRecord | None, datetime]]:
        with self._lock:
            header = self._headers.get(name)
            entries = self._decoded.get(name)
            if entries is not None:
                self._decoded.move_to_end(name)
        if header is None:
            return {}
        path = self._folder / name
        if entries is None:
            try:
                entries = self._load(path, header)
            except FileNotFoundError:
                raise
            except OSError as exc:
                logger.warning(
                    "%s: cannot read this PubMed cache pack (%s); fetching again", path, exc
                )
                return {}
            except _Damaged as exc:
                logger.warning("%s: corrupt PubMed cache pack (%s); fetching again", path, exc)
                with self._lock:
                    self._headers[name] = None
                    self._damaged.add(name)
                    self._rebuild()
                return {}
            with self._lock:
                self._decoded[name] = entries
                while len(self._decoded) > _KEEP_DECODED:
                    self._decoded.popitem(last=False)
        position = {p: i for i, p in enumerate(header.pmids)}
        found: dict[str, tuple[PubMedRecord | None, datetime]] = {}
        for pmid in pmids:
            entry = entries[position[pmid]]
            if entry is None:
                found[pmid] = (None, header.fetched_at)
            elif entry is not False:
                try:
                    record = reader.record(entry)
                except BadRow as exc:
                    logger.warning(
                        "%s: corrupt PubMed cache entry for PMID %s (%s); fetching again",
                        path,
                        pmid,
                        exc,
                    )
                    continue
                if record.pmid != pmid:
                    logger.warning(
                        "%s: the entry for PMID %s holds PMID %s; fetching again",
                        path,
                        pmid,
                        record.pmid,
                    )
                    continue
                found[pmid] = (record, header.fetched_at)
        return found

    @staticmethod
    def _load(path: Path, header: _Header) -> list[Any]:
        """A pack's entries, checked against the header read before."""
        data = path.read_bytes()
        first, _, rest = data.partition(b"\n")
        try:
            again = _header(first)
            entries = json.loads(rest)
        except ValueError as exc:  # UnicodeDecodeError included
            raise _Damaged(f"not JSON: {exc}") from None
        if again != header:
            raise _Damaged("its header changed")
        if type(entries) is not list or len(entries) != len(header.pmids):
            raise _Damaged("the entries do not match the header")
        return entries

    def _refresh(self) -> None:
        """Read the headers of packs written since the last look (under the lock)."""
        try:
            names = sorted(
                n for n in os.listdir(self._folder) if n.endswith(_SUFFIX) and n[0] != "."
            )
        except FileNotFoundError:
            names = []
        known = self._headers
        listed = set(names)
        gone = [n for n in known if n not in listed]
        new = [n for n in names if n not in known]
        latest = max(known, default="")
        for name in gone:
            del known[name]
            self._decoded.pop(name, None)
            self._damaged.discard(name)
        for name in new:
            known[name] = self._read_header(name)
        if gone or (new and new[0] < latest):
            self._rebuild()  # a pack went, or an older one appeared: work it out again
        else:
            for name in new:  # the usual case: only newer packs, which win
                header = known[name]
                if header is not None:
                    for pmid in header.pmids:
                        self._newest[pmid] = name

    def _rebuild(self) -> None:
        newest: dict[str, str] = {}
        for name in sorted(self._headers):
            header = self._headers[name]
            if header is not None:
                for pmid in header.pmids:
                    newest[pmid] = name
        self._newest = newest

    def _read_header(self, name: str) -> _Header | None:
        path = self._folder / name
        try:
            with open(path, "rb") as handle:
                return _header(handle.readline())
        except OSError as exc:
            if not isinstance(exc, FileNotFoundError):
                logger.warning("%s: cannot read this PubMed cache pack (%s)", path, exc)
        except _OtherVersion:
            logger.debug("%s: written by another pack format; ignored", path)
        except (ValueError, _Damaged) as exc:
            logger.warning("%s: corrupt PubMed cache pack (%s); fetching again", path, exc)
            self._damaged.add(name)
        return None

    # --- writing ------------------------------------------------------------------------

    def write(
        self, entries: Mapping[str, PubMedRecord | bool | None], fetched_at: datetime
    ) -> None:
        """Write one pack of ``entries`` (PMID -> record, ``None`` for not found, ``False``
        for forgotten), then delete the packs it makes useless. Raises :class:`OSError`."""
        header = {
            "format": PACK_VERSION,
            "fetched_at": fetched_at.astimezone(UTC).isoformat(),
            "pmids": list(entries),
        }
        dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        # Entry by entry, not the list at once: the client writes packs in its worker
        # threads, and one encoding of 200 records would hold the interpreter lock for
        # milliseconds while the thread sending the next request waits for its turn.
        rows = ",".join(
            dump(to_row(v) if isinstance(v, PubMedRecord) else v) for v in entries.values()
        )
        text = f"{dump(header)}\n[{rows}]\n"
        self._folder.mkdir(parents=True, exist_ok=True)
        # Time first, so that names sort in the order packs were written; then the process
        # and a random part, so that two writers never pick the same name.
        name = f"{time.time_ns():020d}-{os.getpid()}-{os.urandom(4).hex()}{_SUFFIX}"
        fd, temporary = tempfile.mkstemp(dir=self._folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, self._folder / name)
        except BaseException:
            with suppress(OSError):
                os.unlink(temporary)
            raise
        self._clean_up()

    def _clean_up(self) -> None:
        """Delete the packs whose every PMID is in a newer pack, and damaged ones (their
        entries were absent already, and are fetched again when asked for). Packs of
        another format version are left alone. Best effort: a pack another process holds
        open (Windows) is left for a later clean-up."""
        with self._lock:
            self._refresh()
            current = set(self._newest.values())
            useless = [n for n, h in self._headers.items() if h is not None and n not in current]
            for name in useless + sorted(self._damaged):
                with suppress(OSError):
                    os.unlink(self._folder / name)
                    del self._headers[name]
                    self._decoded.pop(name, None)
                    self._damaged.discard(name)


class _OtherVersion(Exception):
    """A pack in another format version: not damaged, just not ours to read."""


def _header(line: bytes) -> _Header:
    """A pack's header from its first line; raises :class:`_Damaged` or
    :class:`_OtherVersion` (or ``ValueError`` for text that is not JSON)."""
    data: Any = json.loads(line)
    if type(data) is not dict:
        raise _Damaged("the header is not a JSON object")
    if data.get("format") != PACK_VERSION:
        if "format" in data:
            raise _OtherVersion
        raise _Damaged("no format version")
    pmids = data.get("pmids")
    if type(pmids) is not list or not all(
        type(p) is str and p.isascii() and p.isdigit() for p in pmids
    ):
        raise _Damaged("no list of PMIDs")
    if len(set(pmids)) != len(pmids):
        raise _Damaged("a PMID listed twice")
    try:
        fetched_at = datetime.fromisoformat(str(data.get("fetched_at")))
    except ValueError:
        raise _Damaged(f"bad fetch time {data.get('fetched_at')!r}") from None
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    return _Header(fetched_at, tuple(pmids))
