"""``evidence medline-index``: MEDLINE/PubMed XML files into the offline index, on Dask.

Three passes, each a set of partitions run by :func:`evidence.audit.engine.run_tasks`:

1. **files** (one partition per input file, in parallel): each file is streamed by
   :func:`evidence.pubmed.medline.iter_medline` (constant memory) into
   ``parts/file-NNNNN.parquet``: one row per record or deletion with its bucket, the
   file's position in the command line and the item's position in the file, the record
   (JSON, exactly as the record builder made it) and the columns people query: PMID, DOI,
   PMCID, title, year, journal, publication types, abstract and the retraction status
   with its notices, from :func:`evidence.assess.assess_retraction` on that same record
   (so an index status is the assessment's status by construction). Rows are written
   grouped by bucket, one row group each, so pass 2 reads only its own groups.
2. **records** (one partition per bucket): all rows of the bucket from every part; the
   last item for a PMID wins (later files override earlier ones, later items in a file
   override earlier ones), and a PMID whose last item is a ``DeleteCitation`` is gone.
   Written sorted by PMID in small row groups, so a look-up reads one of them.
3. **ids** (one partition per bucket): DOI and PMCID to PMID, bucketed by the identifier.

Memory: pass 1 holds one batch of articles and one file's rows (a baseline file is
30,000 records); passes 2 and 3 one bucket. The number of buckets grows with the input
(one per ~25 MB of gzip, i.e. ~30,000 records) so a bucket stays that size at any scale;
``buckets=`` overrides it. Each pass's partitions end with a marker file in ``_done/``
(beside, not inside, the Parquet folders, which stay pure datasets); a rerun skips
finished ones, and passes 2-3 are redone only when pass 1's outputs changed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence._files import atomic_write_bytes, atomic_write_text
from evidence.assess import assess_retraction
from evidence.audit.engine import Engine, RunReport, Summary, Task, run_tasks
from evidence.audit.parquet import read_groups, table_bytes, write_grouped
from evidence.errors import Problem
from evidence.model import PubMedRecord
from evidence.pubmed.medline import (
    INDEX_VERSION,
    bucket_of_id,
    bucket_of_pmid,
    iter_medline,
)

__all__ = ["IndexBuild", "build_index", "default_buckets", "record_columns"]

#: Bytes of gzip input per bucket (a baseline file of ~30,000 records is ~25 MB).
BUCKET_INPUT = 25 << 20


def _schemas() -> tuple[Any, Any]:
    import pyarrow as pa

    text = pa.string()
    part = pa.schema(
        [
            ("bucket", pa.int32()),
            ("pmid", text),
            ("pmid_int", pa.int64()),
            ("file", pa.int32()),
            ("seq", pa.int64()),
            ("deleted", pa.bool_()),
            ("record", text),
            ("doi", text),
            ("pmcid", text),
            ("title", text),
            ("year", pa.int32()),
            ("journal", text),
            ("publication_types", pa.list_(text)),
            ("retraction", text),
            ("retraction_detail", text),
            ("notices", pa.list_(text)),
            ("abstract", text),
        ]
    )
    ids = pa.schema([("ibucket", pa.int32()), ("id", text), ("pmid", text)])
    return part, ids


def default_buckets(paths: Sequence[str | os.PathLike[str]]) -> int:
    """Buckets for these inputs: one per ~25 MB of gzip (uncompressed XML counts 1/7)."""
    total = 0
    for path in paths:
        size = Path(path).stat().st_size
        total += size if os.fspath(path).lower().endswith(".gz") else size // 7
    return max(1, min(8192, math.ceil(total / BUCKET_INPUT)))


def record_columns(record: PubMedRecord) -> dict[str, Any]:
    """The queryable columns of one record, its retraction status included."""
    status = assess_retraction(record)
    return {
        "doi": record.doi,
        "pmcid": record.pmcid,
        "title": record.title,
        "year": record.year,
        "journal": record.journal,
        "publication_types": [pt.name for pt in record.publication_types],
        "retraction": status.status.value,
        "retraction_detail": status.detail,
        "notices": [f"{n.ref_type} {n.pmid or ''}".strip() for n in status.notices],
        "abstract": record.abstract_text,
    }


@dataclass(frozen=True)
class _FileJob:
    order: int
    path: str
    out: str
    buckets: int


@dataclass(frozen=True)
class _BucketJob:
    bucket: int
    inputs: tuple[str, ...]
    out: str
    buckets: int
    digest: str


@dataclass
class IndexBuild:
    """What :func:`build_index` did: records kept, deletions applied, problems found in the
    files (records skipped, each with its file line), and the three passes' reports."""

    records: int
    deleted: int
    problems: list[str]
    passes: dict[str, RunReport]

    @property
    def failed(self) -> dict[str, str]:
        """Partitions that failed after their retries, across the passes."""
        return {k: v for report in self.passes.values() for k, v in report.failed.items()}


def _file_marker(job: _FileJob) -> Path:
    return Path(job.out) / "_done" / f"file-{job.order:05d}.json"


def _source_stamp(path: str) -> dict[str, Any]:
    stat = os.stat(path)
    return {"source": os.path.abspath(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def index_file(task: Task) -> Summary:
    """Pass 1 for one file: its records and deletions into ``parts/file-NNNNN.parquet``."""
    job: _FileJob = task.payload
    problems: list[Problem] = []
    part_schema, _ = _schemas()
    rows: dict[str, list[Any]] = {name: [] for name in part_schema.names}
    empty = dict.fromkeys(
        ("doi", "pmcid", "title", "year", "journal", "retraction", "retraction_detail", "abstract")
    )
    deleted = 0
    for seq, item in enumerate(iter_medline(job.path, problems)):
        pmid = item.pmid
        rows["bucket"].append(bucket_of_pmid(pmid, job.buckets))
        rows["pmid"].append(pmid)
        rows["pmid_int"].append(int(pmid))
        rows["file"].append(job.order)
        rows["seq"].append(seq)
        if item.record is None:
            deleted += 1
            rows["deleted"].append(True)
            rows["record"].append(None)
            columns: dict[str, Any] = {**empty, "publication_types": [], "notices": []}
        else:
            rows["deleted"].append(False)
            rows["record"].append(json.dumps(item.record.to_dict(), ensure_ascii=False))
            columns = record_columns(item.record)
        for name, value in columns.items():
            rows[name].append(value)
    data = write_grouped(rows, "bucket", sort=("bucket", "pmid_int", "seq"), schema=part_schema)
    atomic_write_bytes(Path(job.out) / "parts" / f"file-{job.order:05d}.parquet", data)
    summary = {
        **_source_stamp(job.path),
        "items": len(rows["pmid"]),
        "deletions": deleted,
        "problems": [f"{p.location}: {p.message}" for p in problems],
    }
    atomic_write_text(_file_marker(job), json.dumps(summary, indent=1))
    return summary


def _file_done(task: Task) -> bool:
    job: _FileJob = task.payload
    try:
        marker = json.loads(_file_marker(job).read_text("utf-8"))
        stamp = _source_stamp(job.path)
    except (OSError, ValueError):
        return False
    return all(marker.get(k) == v for k, v in stamp.items())


def compact_records(task: Task) -> Summary:
    """Pass 2 for one bucket: the last item per PMID, deletions applied, sorted by PMID."""
    job: _BucketJob = task.payload
    import pyarrow as pa
    import pyarrow.compute as pc

    table = read_groups(job.inputs, "bucket", job.bucket)
    if table.num_rows:
        # Latest wins: sort by PMID, then file and position descending; keep each PMID's
        # first row.
        order = pc.sort_indices(
            table,
            sort_keys=[("pmid_int", "ascending"), ("file", "descending"), ("seq", "descending")],
        )
        table = table.take(order)
        pmids = table.column("pmid_int").to_numpy()
        keep = [True, *list(pmids[1:] != pmids[:-1])]
        table = table.filter(pa.array(keep))
        table = table.filter(pc.invert(table.column("deleted")))
    records = table.drop_columns(["bucket", "file", "seq", "deleted"])
    atomic_write_bytes(
        Path(job.out) / "records" / f"bucket-{job.bucket:04d}.parquet",
        table_bytes(records, row_group_size=1000),
    )
    ids: dict[str, list[Any]] = {"ibucket": [], "id": [], "pmid": []}
    for pmid, doi, pmcid in zip(
        records.column("pmid").to_pylist(),
        records.column("doi").to_pylist(),
        records.column("pmcid").to_pylist(),
        strict=True,
    ):
        for identifier in (doi, pmcid):
            if identifier:
                ids["ibucket"].append(bucket_of_id(identifier, job.buckets))
                ids["id"].append(identifier)
                ids["pmid"].append(pmid)
    atomic_write_bytes(
        Path(job.out) / "idparts" / f"records-{job.bucket:04d}.parquet",
        write_grouped(ids, "ibucket", sort=("ibucket", "id", "pmid"), schema=_schemas()[1]),
    )
    summary = {"digest": job.digest, "records": records.num_rows}
    atomic_write_text(_bucket_marker(job, "records"), json.dumps(summary))
    return summary


def compact_ids(task: Task) -> Summary:
    """Pass 3 for one bucket: identifier to PMID (the lowest PMID when several share one)."""
    job: _BucketJob = task.payload
    import pyarrow as pa
    import pyarrow.compute as pc

    table = read_groups(job.inputs, "ibucket", job.bucket)
    if table.num_rows:
        order = pc.sort_indices(table, sort_keys=[("id", "ascending"), ("pmid", "ascending")])
        table = table.take(order)
        ids = table.column("id").to_pylist()
        keep = [i == 0 or ids[i] != ids[i - 1] for i in range(len(ids))]
        table = table.filter(pa.array(keep))
    table = table.drop_columns(["ibucket"])
    atomic_write_bytes(
        Path(job.out) / "ids" / f"bucket-{job.bucket:04d}.parquet",
        table_bytes(table, row_group_size=2000),
    )
    summary = {"digest": job.digest, "ids": table.num_rows}
    atomic_write_text(_bucket_marker(job, "ids"), json.dumps(summary))
    return summary


def _bucket_marker(job: _BucketJob, what: str) -> Path:
    return Path(job.out) / "_done" / f"{what}-{job.bucket:04d}.json"


def _bucket_done(what: str) -> Any:
    def done(task: Task) -> bool:
        job: _BucketJob = task.payload
        try:
            marker = json.loads(_bucket_marker(job, what).read_text("utf-8"))
        except (OSError, ValueError):
            return False
        return bool(marker.get("digest") == job.digest)

    return done


def build_index(
    paths: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    engine: Engine,
    buckets: int | None = None,
) -> IndexBuild:
    """Build (or finish building) the index of ``paths`` in the folder ``out``.

    Later paths override earlier ones. ``manifest.json`` is written last, only when every
    partition succeeded, so a folder without it is never read as an index.
    """
    root = Path(out)
    for sub in ("parts", "records", "idparts", "ids", "_done"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    sources = [os.fspath(p) for p in paths]
    count = buckets or default_buckets(sources)
    settings = {"version": INDEX_VERSION, "buckets": count, "files": sources}
    previous = root / "build.json"
    if previous.exists() and json.loads(previous.read_text("utf-8")) != settings:
        # Other files or another bucket count: every partition's output is different.
        for sub in ("parts", "records", "idparts", "ids", "_done"):
            for old in (root / sub).iterdir():
                old.unlink()
        (root / "manifest.json").unlink(missing_ok=True)
    atomic_write_text(previous, json.dumps(settings, indent=1))
    files = [
        Task(f"file-{i:05d}", path, _FileJob(i, path, os.fspath(root), count))
        for i, path in enumerate(sources)
    ]
    passes = {"files": run_tasks(files, index_file, engine=engine, done=_file_done, desc="files")}
    if not passes["files"].ok:
        return IndexBuild(0, 0, [], passes)
    markers = [json.loads(_file_marker(t.payload).read_text("utf-8")) for t in files]
    digest = hashlib.sha256(json.dumps(markers, sort_keys=True).encode()).hexdigest()[:16]
    parts = tuple(os.fspath(root / "parts" / f"file-{i:05d}.parquet") for i in range(len(files)))
    record_tasks = [
        Task(
            f"records-{b:04d}", f"bucket {b}", _BucketJob(b, parts, os.fspath(root), count, digest)
        )
        for b in range(count)
    ]
    passes["records"] = run_tasks(
        record_tasks, compact_records, engine=engine, done=_bucket_done("records"), desc="records"
    )
    if not passes["records"].ok:
        return IndexBuild(0, 0, [], passes)
    idparts = tuple(os.fspath(root / "idparts" / f"records-{b:04d}.parquet") for b in range(count))
    id_tasks = [
        Task(
            f"ids-{b:04d}",
            f"ids bucket {b}",
            _BucketJob(b, idparts, os.fspath(root), count, digest),
        )
        for b in range(count)
    ]
    passes["ids"] = run_tasks(
        id_tasks, compact_ids, engine=engine, done=_bucket_done("ids"), desc="ids"
    )
    if not passes["ids"].ok:
        return IndexBuild(0, 0, [], passes)
    records = sum(
        json.loads(_bucket_marker(t.payload, "records").read_text("utf-8"))["records"]
        for t in record_tasks
    )
    deleted = sum(int(m["deletions"]) for m in markers)
    problems = [p for m in markers for p in m["problems"]]
    manifest = {
        **settings,
        "records": records,
        "deletions": deleted,
        "problems": len(problems),
        "digest": digest,
    }
    atomic_write_text(root / "manifest.json", json.dumps(manifest, indent=1))
    return IndexBuild(records, deleted, problems, passes)
