"""The audit job: a corpus cut into partitions, each audited on Dask, the results read back.

The output folder ``OUT``::

    OUT/manifest.json           the job (corpus, index, settings), partitions, failures
    OUT/citations/part-KEY.parquet   one row per citation (columns: check.schemas)
    OUT/articles/part-KEY.parquet    one row per article
    OUT/done/KEY.json           a partition's marker, written after its two files

Both folders are Parquet datasets (``pandas.read_parquet(OUT / "citations")``, DuckDB's
``read_parquet('OUT/citations/*.parquet')``). A rerun with the same corpus and settings
skips every partition with a marker; with different ones it refuses, rather than mix two
jobs' rows (use another folder, or ``restart=True``).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence._files import atomic_write_text
from evidence.audit.check import AuditSettings, audit_slice, marker_path
from evidence.audit.corpus import slices
from evidence.audit.engine import Engine, RunReport, Summary, Task, run_tasks
from evidence.errors import OutputError, SourceLocation

__all__ = ["AuditRun", "load_audit", "run_audit"]


@dataclass
class AuditRun:
    """A finished (or partly failed) audit: its folder, partitions, and the run's report."""

    out: Path
    partitions: int
    report: RunReport


def run_audit(
    corpus: Sequence[str | os.PathLike[str]],
    settings: AuditSettings,
    *,
    engine: Engine,
    batch: int = 25,
    restart: bool = False,
    on_result: Callable[[str, Summary], None] | None = None,
) -> AuditRun:
    """Audit ``corpus`` into ``settings.out`` (resuming a previous run of the same job)."""
    out = Path(settings.out)
    pieces = slices(corpus, batch)
    job = {
        "corpus": [os.path.abspath(os.fspath(c)) for c in corpus],
        "batch": batch,
        **settings.key(),
    }
    manifest = out / "manifest.json"
    if manifest.exists() and not restart:
        try:
            previous = json.loads(manifest.read_text("utf-8")).get("job")
        except ValueError:
            previous = None
        if previous != job:
            raise OutputError(
                "this folder holds the output of another audit (other corpus or settings); "
                "choose another folder, or pass --restart to start it again",
                location=SourceLocation(os.fspath(out)),
            )
    if restart and out.exists():
        for sub in ("citations", "articles", "done"):
            shutil.rmtree(out / sub, ignore_errors=True)
    for sub in ("citations", "articles", "done"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    tasks = [Task(p.key, p.label, (p, settings)) for p in pieces]
    keys = [t.key for t in tasks]
    _write_manifest(out, job, keys, {})
    report = run_tasks(
        tasks,
        audit_slice,
        engine=engine,
        done=lambda task: marker_path(out, task.key).exists(),
        desc="audit",
        on_result=on_result,
    )
    _write_manifest(out, job, keys, report.failed)
    return AuditRun(out, len(tasks), report)


def _write_manifest(
    out: Path, job: dict[str, Any], keys: list[str], failed: dict[str, str]
) -> None:
    atomic_write_text(
        out / "manifest.json",
        json.dumps({"job": job, "partitions": keys, "failed": failed}, indent=1),
    )


def load_audit(out: str | os.PathLike[str]) -> tuple[Any, Any, dict[str, Any]]:
    """The citation and article tables (pandas DataFrames, in partition order) and the
    manifest of the audit in ``out``. Partitions not finished are listed in the manifest's
    ``missing``; their rows are absent."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from evidence.audit.check import schemas

    root = Path(out)
    try:
        manifest = json.loads((root / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise OutputError(
            f"not an audit folder (no readable manifest.json: {error}); run 'evidence audit' first",
            location=SourceLocation(os.fspath(root)),
        ) from error
    citation_schema, article_schema = schemas()
    tables: dict[str, list[pa.Table]] = {"citations": [], "articles": []}
    missing = []
    for key in manifest["partitions"]:
        if not marker_path(root, key).exists():
            missing.append(key)
            continue
        for what in tables:
            tables[what].append(pq.read_table(root / what / f"part-{key}.parquet"))
    manifest["missing"] = missing
    frames: list[pd.DataFrame] = []
    for what, schema in (("citations", citation_schema), ("articles", article_schema)):
        table = pa.concat_tables(tables[what]) if tables[what] else schema.empty_table()
        frames.append(table.to_pandas())
    return frames[0], frames[1], manifest
