"""MEDLINE/PubMed XML files read as a stream, and the offline index they are built into.

**Reading** (:func:`iter_medline`). NLM's baseline and update files (``pubmed26n0001.xml.gz``
...) are the same ``PubmedArticleSet`` an EFetch answer is, only 30,000 records long and
followed, in update files, by ``<DeleteCitation>`` lists. A file is read in 1 MiB pieces
(gzip decompressed on the fly); a cheap byte scan cuts it at the article boundaries
(``<PubmedArticle>``, ``<PubmedBookArticle>``, ``<DeleteCitation>``: they never nest and
their tags cannot occur inside text, where ``<`` is always escaped), and every few hundred
articles are handed to :func:`~evidence.pubmed.efetch.parse_efetch` -- the very record
builder the client uses, so an index record is identical to a fetched one -- which parses
them through :mod:`defusedxml` and clears each article as soon as it is built. Memory is
therefore one batch, whatever the file's size. Why not ``iterparse`` over the whole file:
the records would then have to be built by a second copy of the builder (or by serialising
each element back to bytes and parsing it again); the scan costs a few per cent of the
parse. A file whose prologue declares an entity is refused, as EFetch bodies are.

**The index** (:class:`MedlineIndex`) is a folder written by ``evidence medline-index``
(:mod:`evidence.audit.medline_build`): ``manifest.json``, ``records/bucket-NNNN.parquet``
(one row per live PMID, bucketed by ``int(pmid) % buckets`` and sorted by PMID, so a
look-up reads one row group of one file) and ``ids/bucket-NNNN.parquet`` (DOI and PMCID to
PMID, bucketed by a CRC-32 of the identifier). It is a read-only
``Mapping[str, PubMedRecord]`` with lazy look-ups, so it can be given as ``snapshot=`` to
:class:`~evidence.pubmed.client.PubMedClient` or the pipeline unchanged. Reading it needs
:mod:`pyarrow` (``pip install 'evidence[scale]'``).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, cast

from evidence.errors import InputError, Problem, PubMedResponseError, SourceLocation
from evidence.model import PubMedRecord
from evidence.pubmed.efetch import parse_efetch

__all__ = [
    "BATCH",
    "INDEX_VERSION",
    "Deletion",
    "MedlineIndex",
    "MedlineIndexError",
    "MedlineItem",
    "bucket_of_id",
    "bucket_of_pmid",
    "iter_medline",
    "open_medline",
]

#: Articles handed to the record builder at a time (memory is one batch).
BATCH = 256
#: Bytes read from a file at a time.
_READ = 1 << 20
#: The index layout version written to ``manifest.json``.
INDEX_VERSION = 1

_ITEM_START = re.compile(rb"<(PubmedArticle|PubmedBookArticle|DeleteCitation)[\s>]")
_ROOT = re.compile(rb"<PubmedArticleSet[\s>]")
_PMID = re.compile(rb"<PMID[^>]*>\s*(\d+)\s*</PMID>")


@dataclass(frozen=True, slots=True)
class Deletion:
    """A ``<DeleteCitation>`` entry: ``pmid`` is to be removed from the index."""

    pmid: str
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class MedlineItem:
    """One record of a MEDLINE file, or one deletion, with where it starts in the file."""

    record: PubMedRecord | None
    deletion: Deletion | None
    location: SourceLocation

    @property
    def pmid(self) -> str:
        """The PMID the item is about."""
        if self.record is not None:
            return self.record.pmid
        assert self.deletion is not None  # one of the two is always set
        return self.deletion.pmid


def open_medline(path: str | os.PathLike[str]) -> IO[bytes]:
    """The bytes of a MEDLINE file, decompressed when it ends in ``.gz``."""
    if os.fspath(path).lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


def iter_medline(
    path: str | os.PathLike[str],
    problems: list[Problem] | None = None,
    *,
    source: str | None = None,
) -> Iterator[MedlineItem]:
    """The records and deletions of one MEDLINE/PubMed XML file, in file order.

    Memory stays at one batch of articles however long the file is. Records the builder
    cannot use (no PMID) are appended to ``problems`` with their file line and skipped;
    without a ``problems`` list they raise. Raises
    :class:`~evidence.errors.PubMedResponseError` for a file that is not a
    ``PubmedArticleSet``, is cut off, is not well-formed, or declares an entity.
    """
    name = source or os.fspath(path)
    try:
        handle = open_medline(path)
    except OSError as error:
        raise PubMedResponseError(
            f"cannot read the MEDLINE file: {error.strerror or error}",
            location=SourceLocation(name),
        ) from error
    with handle:
        yield from _Scanner(handle, name, problems).items()


class _Scanner:
    """Cuts a file into article byte blocks and builds records a batch at a time.

    ``buffer[pos:]`` is what has been read and not yet consumed; ``line`` is the file line
    at ``pos``. The buffer is compacted only when more is read (once per MiB), never per
    article: slicing it per article made the scan quadratic in the read size.
    """

    def __init__(self, handle: IO[bytes], source: str, problems: list[Problem] | None) -> None:
        self.handle = handle
        self.source = source
        self.problems = problems
        self.buffer = b""
        self.pos = 0
        self.line = 1
        self.eof = False

    def _more(self) -> bool:
        if self.eof:
            return False
        try:
            data = self.handle.read(_READ)
        except (OSError, EOFError, zlib.error) as error:
            raise PubMedResponseError(
                f"cannot read the MEDLINE file: {error} (is the .gz file complete?)",
                location=SourceLocation(self.source, self.line),
            ) from error
        if not data:
            self.eof = True
            return False
        self.buffer = self.buffer[self.pos :] + data
        self.pos = 0
        return True

    def _consume(self, upto: int) -> None:
        """Move ``pos`` to the absolute buffer offset ``upto``, counting lines."""
        self.line += self.buffer.count(b"\n", self.pos, upto)
        self.pos = upto

    def _prologue(self) -> None:
        """Check the file up to the root element: a PubmedArticleSet, no entity declared."""
        while True:
            root = _ROOT.search(self.buffer)
            if root is not None:
                break
            if not self._more() or len(self.buffer) > (16 << 20):
                raise PubMedResponseError(
                    "not a MEDLINE/PubMed XML file: no <PubmedArticleSet> element (expected "
                    "a baseline or update file such as pubmed26n0001.xml.gz)",
                    location=SourceLocation(self.source, 1),
                )
        if b"<!ENTITY" in self.buffer[: root.start()]:
            raise PubMedResponseError(
                "refused to read the MEDLINE file: its prologue declares an entity, which "
                "NLM files never do (expanding it could read local files or exhaust memory)",
                location=SourceLocation(self.source, 1),
            )
        self._consume(root.end())

    def items(self) -> Iterator[MedlineItem]:
        self._prologue()
        batch: list[tuple[bytes, int]] = []
        while True:
            start = _ITEM_START.search(self.buffer, self.pos)
            if start is None:
                if self._more():
                    continue
                break
            tag = start.group(1)
            end_tag = b"</" + tag + b">"
            end = self.buffer.find(end_tag, start.end())
            while end < 0:
                offset = start.start() - self.pos  # _more() moves the buffer
                if not self._more():
                    raise self._cut_off(start.start(), tag)
                start = _ITEM_START.search(self.buffer, offset)
                assert start is not None  # the same match, moved
                end = self.buffer.find(end_tag, start.end())
            stop = end + len(end_tag)
            self._consume(start.start())
            line = self.line
            block = self.buffer[start.start() : stop]
            self._consume(stop)
            if tag == b"DeleteCitation":
                yield from self._flush(batch)
                batch = []
                for match in _PMID.finditer(block):
                    where = SourceLocation(self.source, line + block.count(b"\n", 0, match.start()))
                    pmid = match.group(1).decode("ascii")
                    yield MedlineItem(None, Deletion(pmid, where), where)
                continue
            batch.append((block, line))
            if len(batch) >= BATCH:
                yield from self._flush(batch)
                batch = []
        if b"</PubmedArticleSet>" not in self.buffer[self.pos :]:
            raise PubMedResponseError(
                "the MEDLINE file is cut off: it ends before </PubmedArticleSet> (download "
                "it again and compare its MD5 with NLM's .md5 file)",
                location=SourceLocation(self.source, self.line),
            )
        yield from self._flush(batch)

    def _cut_off(self, offset: int, tag: bytes) -> PubMedResponseError:
        line = self.line + self.buffer.count(b"\n", self.pos, offset)
        return PubMedResponseError(
            f"the MEDLINE file is cut off inside a <{tag.decode()}> element (download it "
            "again and compare its MD5 with NLM's .md5 file)",
            location=SourceLocation(self.source, line),
        )

    def _flush(self, batch: list[tuple[bytes, int]]) -> Iterator[MedlineItem]:
        if not batch:
            return
        try:
            records = self._parse(batch)
        except PubMedResponseError as error:
            if not error.problems or len(batch) == 1:
                raise self._relocated(error, batch[0][1]) from error
            # Some article is unusable: build the others one by one, report that one.
            records = []
            for one in batch:
                try:
                    records += self._parse([one])
                except PubMedResponseError as single:
                    moved = self._relocated(single, one[1])
                    if self.problems is None or not single.problems:
                        raise moved from single
                    self.problems.extend(moved.problems)
        for record, line in records:
            where = SourceLocation(self.source, line)
            yield MedlineItem(record, None, where)

    def _parse(self, batch: list[tuple[bytes, int]]) -> list[tuple[PubMedRecord, int]]:
        # Each block starts on its own line of the body, so body line k + 1 is block k.
        body = b"<PubmedArticleSet>\n" + b"\n".join(b for b, _ in batch) + b"\n</PubmedArticleSet>"
        records = parse_efetch(body, source=self.source)
        if len(records) != len(batch):  # cannot happen: each block is one article
            raise PubMedResponseError(
                f"{len(batch)} articles gave {len(records)} records",
                location=SourceLocation(self.source, batch[0][1]),
            )
        return [(r, line) for r, (_, line) in zip(records, batch, strict=True)]

    def _relocated(self, error: PubMedResponseError, first_line: int) -> PubMedResponseError:
        """``error`` with body lines turned into file lines (the batch starts at body line 2)."""

        def moved(where: SourceLocation | None) -> SourceLocation:
            if where is None or where.line is None:
                return SourceLocation(self.source, first_line)
            return replace(where, path=self.source, line=first_line + where.line - 2)

        problems = [replace(p, location=moved(p.location)) for p in error.problems]
        return PubMedResponseError(error.message, location=moved(error.location), problems=problems)


# -- the index ---------------------------------------------------------------------------


def bucket_of_pmid(pmid: str, buckets: int) -> int:
    """The records bucket a PMID lives in."""
    return int(pmid) % buckets


def bucket_of_id(identifier: str, buckets: int) -> int:
    """The ids bucket a DOI or PMCID (in its normal form) lives in: stable across runs."""
    return zlib.crc32(identifier.encode("utf-8")) % buckets


class MedlineIndexError(InputError):
    """The MEDLINE index folder cannot be used (missing, unfinished or another version)."""


class MedlineIndex(Mapping[str, PubMedRecord]):
    """A MEDLINE index folder as a read-only ``Mapping[str, PubMedRecord]``.

    Look-ups are lazy: ``index["27685632"]`` reads one row group of one bucket file. Use
    :meth:`get_many` for many PMIDs at once (one read per bucket touched) and
    :meth:`pmids_for` to turn DOIs and PMCIDs into PMIDs. Records looked up are kept on the
    object (up to ``memo`` of them) so the client's ``in`` then ``[]`` reads once.
    """

    def __init__(self, path: str | os.PathLike[str], *, memo: int = 100_000) -> None:
        self.path = Path(path)
        manifest = self.path / "manifest.json"
        try:
            meta = json.loads(manifest.read_text("utf-8"))
        except FileNotFoundError:
            raise MedlineIndexError(
                "not a MEDLINE index: no manifest.json; build one with "
                "'evidence medline-index FILES... -o INDEX'",
                location=SourceLocation(os.fspath(self.path)),
            ) from None
        except (OSError, ValueError) as error:
            raise MedlineIndexError(
                f"cannot read the index manifest: {error}; build the index again",
                location=SourceLocation(os.fspath(manifest)),
            ) from error
        if meta.get("version") != INDEX_VERSION or "buckets" not in meta:
            raise MedlineIndexError(
                f"index layout version {meta.get('version')!r} is not {INDEX_VERSION}; build "
                "the index again with this version of evidence",
                location=SourceLocation(os.fspath(manifest)),
            )
        self.buckets = int(meta["buckets"])
        self.count = int(meta.get("records", 0))
        self.meta: dict[str, Any] = meta
        self._memo_size = memo
        self._memo: dict[str, PubMedRecord | None] = {}

    def __repr__(self) -> str:
        return f"MedlineIndex({os.fspath(self.path)!r}, {self.count} records)"

    def records_file(self, bucket: int) -> Path:
        """The Parquet file of records bucket ``bucket``."""
        return self.path / "records" / f"bucket-{bucket:04d}.parquet"

    def ids_file(self, bucket: int) -> Path:
        """The Parquet file of identifiers bucket ``bucket``."""
        return self.path / "ids" / f"bucket-{bucket:04d}.parquet"

    def _read(self, path: Path, column: str, values: list[str], columns: list[str]) -> Any:
        import pyarrow.parquet as pq

        if not path.exists():
            return None
        return pq.read_table(path, columns=columns, filters=[(column, "in", values)])

    def get_many(self, pmids: Iterable[str]) -> dict[str, PubMedRecord]:
        """The records of those ``pmids`` the index holds (absent ones are left out)."""
        wanted: dict[int, list[str]] = {}
        found: dict[str, PubMedRecord] = {}
        for raw in pmids:
            pmid = str(raw).strip()
            if not pmid.isdigit():
                continue
            if pmid in self._memo:
                known = self._memo[pmid]
                if known is not None:
                    found[pmid] = known
                continue
            wanted.setdefault(bucket_of_pmid(pmid, self.buckets), []).append(pmid)
        for bucket, group in sorted(wanted.items()):
            table = self._read(self.records_file(bucket), "pmid", group, ["pmid", "record"])
            got: dict[str, PubMedRecord] = {}
            if table is not None:
                for pmid, text in zip(
                    table.column("pmid").to_pylist(),
                    table.column("record").to_pylist(),
                    strict=True,
                ):
                    got[pmid] = PubMedRecord.from_dict(json.loads(text))
            for pmid in group:
                self._remember(pmid, got.get(pmid))
            found.update(got)
        return found

    def pmids_for(self, identifiers: Iterable[str]) -> dict[str, str]:
        """PMIDs of DOIs and PMCIDs (in their normal forms: lower-case DOI, ``PMC123``)."""
        wanted: dict[int, list[str]] = {}
        for identifier in identifiers:
            wanted.setdefault(bucket_of_id(identifier, self.buckets), []).append(identifier)
        found: dict[str, str] = {}
        for bucket, group in sorted(wanted.items()):
            table = self._read(self.ids_file(bucket), "id", group, ["id", "pmid"])
            if table is not None:
                found.update(
                    zip(
                        table.column("id").to_pylist(),
                        table.column("pmid").to_pylist(),
                        strict=True,
                    )
                )
        return found

    def _remember(self, pmid: str, record: PubMedRecord | None) -> None:
        if len(self._memo) >= self._memo_size:
            self._memo.clear()  # a bounded memo: cheap, and look-ups come in batches
        self._memo[pmid] = record

    def __getitem__(self, pmid: str) -> PubMedRecord:
        record = self.get_many([pmid]).get(str(pmid).strip())
        if record is None:
            raise KeyError(pmid)
        return record

    def __contains__(self, pmid: object) -> bool:
        return isinstance(pmid, str) and bool(self.get_many([pmid]))

    def __iter__(self) -> Iterator[str]:
        import pyarrow.parquet as pq

        for bucket in range(self.buckets):
            path = self.records_file(bucket)
            if path.exists():
                yield from pq.read_table(path, columns=["pmid"]).column("pmid").to_pylist()

    def __len__(self) -> int:
        return self.count
