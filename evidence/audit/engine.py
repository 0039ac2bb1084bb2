"""Running partitions on Dask: local cluster or an existing one, retries, resumable output.

Why Dask (``dask.distributed``): it is the engine the scientific Python stack already
runs on, it starts a cluster of worker *processes* on one machine with no set-up (parsing
XML is CPU-bound Python, so threads would share one core), the same code runs unchanged on
a cluster reached at ``tcp://HOST:8786``, and its scheduler already does what a home-made
queue would have to: it re-runs the tasks of a worker that died, retries a task that raised
(``retries=``), and reports the rest as errors with their traceback.

What this module adds is the contract every job here keeps:

* a **partition** (:class:`Task`) is a file, or a slice of a tar package, with a stable
  ``key``; its function writes its output files atomically and a small JSON *marker* last,
  so a marker on disk means the partition's output is complete;
* a rerun skips every partition whose marker is there (``done``), so an interrupted job
  (Ctrl-C, a lost cluster, a killed machine) redoes only what had not finished;
* a partition that still fails after its retries is **reported** in the returned
  :class:`RunReport` (with the error), never dropped: the command prints it and exits 1;
* on a terminal, a progress bar counts finished partitions.

``Engine(serial=True)`` runs the same functions in this process, one after the other,
without Dask: it is the reference the parallel result must equal, and it needs no extra.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from evidence.errors import EvidenceError, SourceLocation

__all__ = ["Engine", "EngineError", "RunReport", "Task", "run_tasks"]

#: A partition's summary, as its function returns it (JSON-ready).
Summary = dict[str, Any]


class EngineError(EvidenceError):
    """The engine cannot run: Dask missing, or the scheduler cannot be reached."""


@dataclass(frozen=True, slots=True)
class Task:
    """One partition: a stable ``key`` (used for its file names), a ``label`` for people
    (a path, ``package.tar.gz[0:200]``) and the picklable ``payload`` its function reads."""

    key: str
    label: str
    payload: Any


@dataclass
class RunReport:
    """What a run did: summaries of the partitions run now, those skipped as already done,
    and those that failed after their retries (key to the error, traceback last)."""

    results: dict[str, Summary] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether no partition failed."""
        return not self.failed


@dataclass(frozen=True)
class Engine:
    """Where partitions run.

    ``serial=True``: in this process, no Dask. Else ``client`` (a ``distributed.Client``
    already connected: tests and notebooks), else ``address`` (``tcp://HOST:8786``, an
    existing scheduler), else a local cluster of ``workers`` processes (default: all
    cores) with one thread each, started for the run and closed after. ``retries`` is how
    often Dask re-runs a partition that raised before it is reported as failed.
    """

    serial: bool = False
    address: str | None = None
    workers: int | None = None
    client: Any = None
    retries: int = 2
    progress: bool = True

    def describe(self) -> str:
        """A short phrase for messages: where the job runs."""
        if self.serial:
            return "serially in this process"
        if self.client is not None:
            return "on the given Dask client"
        if self.address:
            return f"on the Dask cluster at {self.address}"
        return f"on a local Dask cluster of {self.workers or os.cpu_count() or 1} worker(s)"


def run_tasks(
    tasks: Sequence[Task],
    fn: Callable[[Task], Summary],
    *,
    engine: Engine,
    done: Callable[[Task], bool],
    desc: str,
    on_result: Callable[[str, Summary], None] | None = None,
) -> RunReport:
    """Run ``fn`` on every task not ``done`` yet; see the module docstring.

    ``on_result(key, summary)`` is called on this machine as each partition finishes (the
    CLI's progress and the tests' fault injection use it).
    """
    report = RunReport()
    todo = []
    for task in tasks:
        if done(task):
            report.skipped.append(task.key)
        else:
            todo.append(task)
    if not todo:
        return report
    show = engine.progress and sys.stderr is not None and sys.stderr.isatty()
    with tqdm(total=len(todo), unit="part", desc=desc, disable=not show) as bar:
        if engine.serial:
            _run_serial(todo, fn, engine.retries, report, on_result, bar)
        else:
            _run_dask(todo, fn, engine, report, on_result, bar)
    return report


def _run_serial(
    todo: Sequence[Task],
    fn: Callable[[Task], Summary],
    retries: int,
    report: RunReport,
    on_result: Callable[[str, Summary], None] | None,
    bar: tqdm[Any],
) -> None:
    for task in todo:
        for attempt in range(retries + 1):
            try:
                summary = fn(task)
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as error:  # reported with the partition, like Dask does
                if attempt == retries:
                    report.failed[task.key] = _describe(task, error)
                continue
            report.results[task.key] = summary
            if on_result is not None:
                on_result(task.key, summary)
            break
        bar.update(1)


def _describe(task: Task, error: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    return f"{task.label}: {text}"


def _exception_of(future: Any) -> BaseException:
    """The error a failed future holds (a cancelled one raises it instead of returning)."""
    try:
        error: BaseException = future.exception()
    except BaseException as cancelled:
        return cancelled
    return error


def _run_dask(
    todo: Sequence[Task],
    fn: Callable[[Task], Summary],
    engine: Engine,
    report: RunReport,
    on_result: Callable[[str, Summary], None] | None,
    bar: tqdm[Any],
) -> None:
    try:
        # Imported as Any: distributed's annotations are partial, and mypy --strict would
        # flag every call.
        dist: Any = importlib.import_module("distributed")
    except ImportError:
        raise EngineError(
            "running on Dask needs the 'scale' extra: pip install 'evidence[scale]' "
            "(or run serially with --serial)",
            location=SourceLocation("evidence"),
        ) from None
    cluster = None
    client = engine.client
    own = client is None
    if own:
        try:
            if engine.address:
                client = dist.Client(engine.address, timeout="30s")
            else:
                # One thread per process: the work is CPU-bound Python. No dashboard: it
                # would need a free port, and on a shared machine 8787 often is not.
                cluster = dist.LocalCluster(
                    n_workers=engine.workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                client = dist.Client(cluster)
        except OSError as error:
            raise EngineError(
                f"cannot reach the Dask scheduler: {error}; check the address and that "
                "'dask scheduler' is running there",
                location=SourceLocation(engine.address or "local cluster"),
            ) from error
    by_key: dict[str, Task] = {}
    futures = []
    try:
        for task in todo:
            future = client.submit(fn, task, retries=engine.retries, pure=False)
            by_key[future.key] = task
            futures.append(future)
        for future in dist.as_completed(futures):
            task = by_key[future.key]
            if future.status == "finished":
                summary = future.result()
                report.results[task.key] = summary
                if on_result is not None:
                    on_result(task.key, summary)
            else:
                report.failed[task.key] = _describe(task, _exception_of(future))
            future.release()
            bar.update(1)
    finally:
        for future in futures:
            if not future.done():
                future.cancel()
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
