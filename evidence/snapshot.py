"""Offline snapshots: the PubMed records a build uses, frozen in one reviewable JSON file.

``evidence fetch --snapshot pubmed.json`` writes the records of every reference it could
resolve; ``evidence table --snapshot pubmed.json`` (and the Sphinx directive) then read
them with no network at all. The file is meant to be committed and reviewed: keys are
sorted, records are in PMID order, one field per line, and it says when each record was
fetched. ``evidence fetch --refresh`` fetches again and reports what changed — a new
retraction above all — before writing the new snapshot.

The format (``schema_version`` 1)::

    {
      "schema": "evidence-pubmed-snapshot",
      "schema_version": 1,
      "written_at": "2026-11-25T10:00:05+00:00",
      "complete": true,
      "missing": {"31978945": "PubMed could not be reached (...)"},
      "records": {
        "21463470": {"fetched_at": "2026-11-25T10:00:00+00:00", "record": {...}},
        ...
      }
    }

where each ``record`` is :meth:`evidence.model.PubMedRecord.to_dict`. No API key, email or
URL is ever written to it.

``complete`` says whether every PMID asked for was answered (a record, or PubMed's word
that there is none); ``missing`` lists those that were not, with the reason, so a snapshot
written while NCBI was down says it is partial rather than looking whole. Each record keeps
the time it was fetched, also when ``fetch`` carries it over from an earlier snapshot, so
``evidence check --max-age DAYS`` can report records too old to trust for retractions.
Snapshots written before these fields existed read as complete, with no ``written_at``.

Reading is strict: every record is checked field by field (a hand-edited ``"name": true``
is a located error, not a crash later), a PMID filed twice is an error naming both lines
(JSON itself would keep the last silently), and errors name the line of the record.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from evidence._files import atomic_write_text
from evidence.assess import assess_retraction
from evidence.errors import InputError, SourceLocation
from evidence.model import PubMedRecord

__all__ = [
    "SCHEMA",
    "Change",
    "Snapshot",
    "SnapshotError",
    "diff_records",
    "load_snapshot",
    "write_snapshot",
]

SCHEMA = "evidence-pubmed-snapshot"
VERSION = 1


class SnapshotError(InputError):
    """A snapshot file cannot be read; the message says where and what to do."""


class Snapshot(Mapping[str, PubMedRecord]):
    """Records by PMID (the mapping itself), the time each was fetched, and whether the
    snapshot is complete (``missing`` maps the PMIDs it lacks to the reason)."""

    __slots__ = ("complete", "fetched_at", "missing", "records", "written_at")

    def __init__(
        self,
        records: Mapping[str, PubMedRecord],
        fetched_at: Mapping[str, datetime],
        *,
        complete: bool = True,
        missing: Mapping[str, str] | None = None,
        written_at: datetime | None = None,
    ) -> None:
        self.records = dict(records)
        self.fetched_at = dict(fetched_at)
        self.missing = dict(missing or {})
        self.complete = complete and not self.missing
        self.written_at = written_at

    def __getitem__(self, pmid: str) -> PubMedRecord:
        return self.records[pmid]

    def __iter__(self) -> Iterator[str]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def older_than(self, age: timedelta, *, now: datetime | None = None) -> dict[str, datetime]:
        """The PMIDs whose record was fetched longer than ``age`` ago, with that time."""
        limit = (now or datetime.now(UTC)) - age
        return {pmid: when for pmid, when in self.fetched_at.items() if when < limit}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between a snapshot's record and a freshly fetched one."""

    pmid: str
    field: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"PMID {self.pmid}: {self.field} changed from {self.old!r} to {self.new!r}"


def load_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Read a snapshot written by :func:`write_snapshot`.

    Raises :class:`SnapshotError` with the file (and line, for JSON syntax errors) when
    the file is missing, is not JSON, or is not a snapshot.
    """
    where = SourceLocation(str(path))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnapshotError(
            f"snapshot file not found; create it with 'evidence fetch --bib BIB --snapshot {path}'",
            location=where,
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SnapshotError(f"cannot read the snapshot: {error}", location=where) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SnapshotError(
            f"not valid JSON ({error.msg}); restore it from version control or fetch again",
            location=where.at(error.lineno, error.colno),
        ) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise SnapshotError(
            f'not an evidence PubMed snapshot (no "schema": "{SCHEMA}")', location=where
        )
    if data.get("schema_version") != VERSION:
        raise SnapshotError(
            f"snapshot schema_version {data.get('schema_version')!r} is not supported "
            f"(this library reads {VERSION}); fetch it again",
            location=where,
        )
    records: dict[str, PubMedRecord] = {}
    fetched_at: dict[str, datetime] = {}
    entries = data.get("records")
    if not isinstance(entries, dict):
        raise SnapshotError("'records' must be an object keyed by PMID", location=where)
    lines = _record_lines(text)
    for pmid, entry in entries.items():
        at = where.at(lines.get(pmid, [None])[0])
        try:
            if not isinstance(entry, dict):
                raise ValueError(f"expected an object, found {type(entry).__name__}")
            record = PubMedRecord.from_dict(entry["record"])
            when = _aware(datetime.fromisoformat(entry["fetched_at"]))
        except (KeyError, TypeError, ValueError) as error:
            raise SnapshotError(
                f"record for PMID {pmid} is damaged ({error}); fetch it again",
                location=at,
            ) from None
        if record.pmid != str(pmid):
            raise SnapshotError(
                f"record filed under PMID {pmid} is PMID {record.pmid}; fetch it again",
                location=at,
            )
        records[record.pmid] = record
        fetched_at[record.pmid] = when
    twice = {pmid: found for pmid, found in lines.items() if len(found) > 1}
    if twice:
        pmid, found = next(iter(twice.items()))
        raise SnapshotError(
            f"PMID {pmid} is filed twice (lines {', '.join(map(str, found))}); JSON would keep "
            "only the last: remove one, or fetch the snapshot again",
            location=where.at(found[1]),
        )
    missing = data.get("missing", {})
    complete = data.get("complete", True)
    written = data.get("written_at")
    if (
        not isinstance(missing, dict)
        or not all(isinstance(v, str) for v in missing.values())
        or not isinstance(complete, bool)
        or not (written is None or isinstance(written, str))
    ):
        raise SnapshotError(
            "'complete', 'missing' or 'written_at' is damaged; fetch the snapshot again",
            location=where,
        )
    try:
        written_at = _aware(datetime.fromisoformat(written)) if written else None
    except ValueError:
        raise SnapshotError(
            f"'written_at' is not a time ({written!r}); fetch the snapshot again", location=where
        ) from None
    return Snapshot(records, fetched_at, complete=complete, missing=missing, written_at=written_at)


_RECORD_KEY = re.compile(r'^ {4}"(\d+)": \{', re.MULTILINE)


def _record_lines(text: str) -> dict[str, list[int]]:
    """The line of each record's key in a snapshot as written (indent 2), every time it
    occurs: a PMID filed twice has two lines. Hand-formatted files may give none."""
    found: dict[str, list[int]] = {}
    for match in _RECORD_KEY.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        found.setdefault(match.group(1), []).append(line)
    return found


def _aware(when: datetime) -> datetime:
    """A time with a zone (a naive one is taken as UTC)."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def write_snapshot(
    path: str | os.PathLike[str],
    records: Mapping[str, PubMedRecord],
    fetched_at: Mapping[str, datetime] | None = None,
    *,
    missing: Mapping[str, str] | None = None,
) -> None:
    """Write ``records`` as a sorted, reviewable snapshot, atomically.

    ``fetched_at`` gives each record's fetch time (now, when absent); ``missing`` the PMIDs
    that were asked for but not answered, with the reason: the snapshot is then marked
    ``"complete": false``.
    """
    now = datetime.now(UTC)
    when = fetched_at or {}
    entries = {
        pmid: {
            "fetched_at": when.get(pmid, now).isoformat(timespec="seconds"),
            "record": records[pmid].to_dict(),
        }
        for pmid in sorted(records, key=_pmid_order)
    }
    lacking = {pmid: (missing or {})[pmid] for pmid in sorted(missing or {}, key=_pmid_order)}
    document = {
        "schema": SCHEMA,
        "schema_version": VERSION,
        "written_at": now.isoformat(timespec="seconds"),
        "complete": not lacking,
        "missing": lacking,
        "records": entries,
    }
    atomic_write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _pmid_order(pmid: str) -> tuple[int, str]:
    return (len(pmid), pmid)


_COMPARED = ("title", "year", "journal", "doi", "pmcid", "volume", "issue", "pages")


def diff_records(old: PubMedRecord, new: PubMedRecord) -> list[Change]:
    """What changed between two versions of one record, retraction status first."""
    changes = []
    was, now = assess_retraction(old).status, assess_retraction(new).status
    if was != now:
        changes.append(Change(new.pmid, "retraction status", was.label, now.label))
    for name in _COMPARED:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(Change(new.pmid, name, str(before or ""), str(after or "")))
    old_types = {p.name for p in old.publication_types}
    new_types = {p.name for p in new.publication_types}
    if old_types != new_types:
        changes.append(
            Change(
                new.pmid,
                "publication types",
                "; ".join(sorted(old_types)),
                "; ".join(sorted(new_types)),
            )
        )
    return changes
