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
      "records": {
        "21463470": {"fetched_at": "2026-11-25T10:00:00+00:00", "record": {...}},
        ...
      }
    }

where each ``record`` is :meth:`evidence.model.PubMedRecord.to_dict`. No API key, email or
URL is ever written to it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
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


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Records by PMID, with the time each was fetched."""

    records: dict[str, PubMedRecord]
    fetched_at: dict[str, datetime]


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
    for pmid, entry in entries.items():
        try:
            record = PubMedRecord.from_dict(entry["record"])
            when = datetime.fromisoformat(entry["fetched_at"])
        except (KeyError, TypeError, ValueError) as error:
            raise SnapshotError(
                f"record for PMID {pmid} is damaged ({error!r}); fetch it again",
                location=where,
            ) from None
        if record.pmid != str(pmid):
            raise SnapshotError(
                f"record filed under PMID {pmid} is PMID {record.pmid}; fetch it again",
                location=where,
            )
        records[record.pmid] = record
        fetched_at[record.pmid] = when
    return Snapshot(records, fetched_at)


def write_snapshot(
    path: str | os.PathLike[str],
    records: Mapping[str, PubMedRecord],
    fetched_at: Mapping[str, datetime] | None = None,
) -> None:
    """Write ``records`` as a sorted, reviewable snapshot, atomically."""
    now = datetime.now(UTC)
    when = fetched_at or {}
    entries = {
        pmid: {
            "fetched_at": when.get(pmid, now).isoformat(timespec="seconds"),
            "record": records[pmid].to_dict(),
        }
        for pmid in sorted(records, key=lambda p: (len(p), p))
    }
    document = {"schema": SCHEMA, "schema_version": VERSION, "records": entries}
    atomic_write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


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
