"""Benchmark: 10,000 PMIDs through the PubMed client against a rate-limiting local server.

The loopback server from ``tests/ncbi_server.py`` (it needs ``../shared/fixtures/pubmed``),
in a process of its own as NCBI is, answers 429 to any request beyond 3 in the trailing
second, as NCBI does without an API key. Each step runs in a fresh process:

* ``batched``: the client with its default settings (no key: 3 requests a second, 200 PMIDs
  a request) and an empty cache fetches all the PMIDs. Reported: requests used, 429 answers
  received, wall time against the floor the rate allows: ``(requests - 1) / 3`` seconds,
  the first request going out at once.
* ``one per PMID``: the same client with ``batch_size=1`` and no cache, as clients that
  fetch one PMID per request (Manubot, metapub) do, on a sample (60 PMIDs by default) in the
  same run; its time per PMID is extrapolated to the full count, and said to be.
* ``warm``: a new client fetches the same PMIDs from the cache the batched run filled
  (a library call: ``PubMedClient.fetch``).
* ``warm studies``: the pipeline's studies step over a .bib of the same PMIDs (a library
  call: ``Pipeline.studies``, what ``evidence table`` runs before building the table:
  cache reads and study records), CPU time.
* ``warm studies, single entries``: the same step over a cache in the layout written
  before packs (one file per PMID, as :meth:`PubMedCache.put` still writes and caches made
  by earlier versions hold), copied from the packed one: old caches must still read.
* ``warm command``: the whole ``evidence fetch --bib ... --cache-dir ...`` command over
  that .bib in a fresh interpreter, start-up and imports included: wall and CPU time.
* ``Bio.Entrez``: the peer, in the same run against the same server: ``Entrez.efetch``
  of 200 PMIDs a request, each answer read with ``Entrez.read``, one after another (its
  URLs are NCBI's, so the child points ``Bio.Entrez.urlopen`` at the loopback server).
  Needs ``biopython`` (``pip install -e '.[bench]'``); skipped, and said so, without it.

Targets: at most ceil(count / 200) requests and no 429; the batched wall time within 10 %
of the floor; the warm command under 1 s of CPU, with no request.

Run ``python -m benchmarks --only pubmed`` (the whole suite: ``python -m benchmarks``),
or this file alone: ``python -m benchmarks.bench_pubmed [--count N] [--sample N]``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._measure import FIXTURES, ROOT, Result, main_for, peak_rss_mb, spawn, timed

PUBMED = FIXTURES / "pubmed"


def _pmids(count: int, start: int = 30_000_000) -> list[str]:
    return [str(start + n) for n in range(count)]


# --- in the child process ------------------------------------------------------------


class _ServerProcess:
    """The loopback NCBI server in a process of its own, as NCBI is: in the client's own
    process its threads would take the interpreter lock from the client's parsing, and
    the figure would measure the two sharing one core. ``statuses()`` is every answer's
    HTTP status, read when the server stops."""

    def __init__(self, rate_limit: int = 3) -> None:
        import subprocess

        command = [sys.executable, "-m", "benchmarks.bench_pubmed", "--serve", str(rate_limit)]
        self._process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        stdout = self._process.stdout
        if stdout is None:
            raise RuntimeError("the server process has no output pipe")
        self.url = stdout.readline().strip()
        self._statuses: list[int] | None = None

    def statuses(self) -> list[int]:
        if self._statuses is None:
            out, _ = self._process.communicate("stop\n", timeout=60)
            self._statuses = [int(x) for x in json.loads(out.strip().splitlines()[-1])]
        return self._statuses

    def __enter__(self) -> _ServerProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._statuses is None and self._process.poll() is None:
            self.statuses()


def serve(rate_limit: str) -> int:
    """In the server process: serve until a line arrives on stdin, then print the
    statuses as JSON."""
    server_module = _server_module()
    limit = int(rate_limit)
    with server_module.NCBIServer(PUBMED, rate_limit=limit) as server:  # type: ignore[attr-defined]
        print(server.url, flush=True)
        sys.stdin.readline()
        statuses = server.statuses()
    print(json.dumps(statuses), flush=True)
    return 0


def _server_module() -> object:
    # tests/ is not a package: its server module is imported from the path, as the tests do.
    sys.path.insert(0, str(ROOT / "tests"))
    import ncbi_server  # type: ignore[import-not-found]

    return ncbi_server


def task_fetch(
    count: str, cache_dir: str, batch_size: str = "200", start: str = "30000000"
) -> Result:
    """Fetch ``count`` PMIDs through a server limiting to 3 a second; what it took."""
    from evidence.model import PubMedStatus
    from evidence.pubmed.cache import PubMedCache
    from evidence.pubmed.client import PubMedClient

    pmids = _pmids(int(count), int(start))
    with _ServerProcess(rate_limit=3) as server:
        cache = PubMedCache(cache_dir) if cache_dir != "none" else None
        client = PubMedClient(
            base_url=server.url,
            email="bench@example.org",
            cache=cache,
            batch_size=int(batch_size),
        )
        base = peak_rss_mb()
        seconds, result = timed(lambda: client.fetch(pmids))
        statuses = server.statuses()
    return {
        "seconds": seconds,
        "pmids": len(pmids),
        "requests": len(statuses),
        "rate_limited": statuses.count(429),
        "client_counted_429": result.rate_limited,
        "fetched": len(result.with_status(PubMedStatus.FETCHED)),
        "cached": len(result.with_status(PubMedStatus.CACHE)),
        "base_rss_mb": base,
    }


def task_warm_studies(count: str, cache_root: str, bib: str) -> Result:
    """The pipeline's studies step over ``bib`` from a filled cache: CPU and wall time."""
    import time

    from evidence.pipeline import Pipeline, PubMedSettings

    pipeline = Pipeline(PubMedSettings(cache_dir=cache_root, base_url="http://127.0.0.1:9/"))
    references = pipeline.bibliography([bib])
    cpu = time.process_time()
    seconds, collection = timed(lambda: pipeline.studies(list(references.values())))
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "studies": len(collection.studies),
        "requests": collection.requests,
        "count": int(count),
    }


def task_warm_single(count: str, cache_root: str, bib: str) -> Result:
    """The studies step over a copy of the cache in the single-entry layout (one file per
    PMID, written by ``PubMedCache.put``): CPU and wall time of reading it."""
    import time
    from pathlib import Path

    from evidence.pipeline import Pipeline, PubMedSettings
    from evidence.pubmed.cache import PubMedCache

    packed = PubMedCache(Path(cache_root) / "pubmed")
    single_root = Path(cache_root) / "single"
    single = PubMedCache(single_root / "pubmed")
    for pmid, entry in packed.get_many(_pmids(int(count))).items():
        if entry.record is not None:
            single.put(entry.record, fetched_at=entry.fetched_at)
        else:
            single.put_not_found(pmid, fetched_at=entry.fetched_at)
    pipeline = Pipeline(PubMedSettings(cache_dir=single_root, base_url="http://127.0.0.1:9/"))
    references = pipeline.bibliography([bib])
    cpu = time.process_time()
    seconds, collection = timed(lambda: pipeline.studies(list(references.values())))
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "studies": len(collection.studies),
        "cached": sum(s.pubmed_status.value == "cache" for s in collection.studies.values()),
        "count": int(count),
    }


def task_warm_command(count: str, cache_root: str, bib: str) -> Result:
    """``evidence fetch`` over ``bib`` from a filled cache, as a user runs it: the child's
    wall and CPU time (user + system), interpreter start-up included."""
    import os
    import resource
    import subprocess

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "evidence", "-q", "fetch", "--bib", bib]
    command += ["--cache-dir", cache_root, "--eutils-url", "http://127.0.0.1:9/"]
    env = dict(os.environ, NCBI_EMAIL="bench@example.org")
    seconds, done = timed(
        lambda: subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "exit": done.returncode,
        "summary": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "",
        "count": int(count),
    }


def task_entrez(count: str, batch_size: str = "200") -> Result:
    """Bio.Entrez fetching ``count`` PMIDs in batches, each answer read with Entrez.read."""
    try:
        from Bio import Entrez
    except ImportError:
        return {"skipped": "biopython is not installed (pip install -e '.[bench]')"}
    import time
    from importlib import metadata

    pmids = _pmids(int(count), 50_000_000)
    size = int(batch_size)
    with _ServerProcess(rate_limit=3) as server:
        real_open = Entrez.urlopen  # type: ignore[attr-defined]

        def to_loopback(request: Any) -> Any:
            request.full_url = request.full_url.replace(
                "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/", server.url
            )
            return real_open(request)

        Entrez.urlopen = to_loopback  # type: ignore[attr-defined]
        Entrez.email = "bench@example.org"
        cpu = time.process_time()

        def fetch_all() -> int:
            articles = 0
            for start in range(0, len(pmids), size):
                batch = pmids[start : start + size]
                with Entrez.efetch(db="pubmed", id=",".join(batch), retmode="xml") as handle:
                    articles += len(Entrez.read(handle)["PubmedArticle"])
            return articles

        seconds, articles = timed(fetch_all)
        statuses = server.statuses()
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "articles": articles,
        "requests": len(statuses),
        "rate_limited": statuses.count(429),
        "version": metadata.version("biopython"),
    }


TASKS: dict[str, Callable[..., Result]] = {
    "fetch": task_fetch,
    "warm-studies": task_warm_studies,
    "warm-single": task_warm_single,
    "warm-command": task_warm_command,
    "entrez": task_entrez,
}

# --- in the parent ---------------------------------------------------------------------


def measure(count: int = 10_000, sample: int = 60) -> Result:
    """The PubMed group of the suite."""
    if not PUBMED.is_dir():
        return {"skipped": f"needs the shared fixtures at {PUBMED}"}
    from benchmarks.generate import generate_bib

    with tempfile.TemporaryDirectory(prefix="evidence-bench-") as folder:
        cache = Path(folder) / "pubmed"
        bib = Path(folder) / "pmids.bib"
        bib.write_text(generate_bib(count), encoding="utf-8")  # PMIDs 30,000,000 onwards
        batched = spawn("bench_pubmed", "fetch", count, cache)
        warm = spawn("bench_pubmed", "fetch", count, cache)
        warm_studies = spawn("bench_pubmed", "warm-studies", count, folder, bib)
        warm_command = spawn("bench_pubmed", "warm-command", count, folder, bib)
        warm_single = spawn("bench_pubmed", "warm-single", count, folder, bib)
    # Other PMIDs, so nothing could come from a cache even if one were used.
    single = spawn("bench_pubmed", "fetch", sample, "none", 1, 40_000_000)
    entrez = spawn("bench_pubmed", "entrez", count)
    floor = (batched["requests"] - 1) / 3
    per_pmid = single["seconds"] / sample
    return {
        "count": count,
        "batched": batched,
        "warm": warm,
        "warm_studies": warm_studies,
        "warm_command": warm_command,
        "warm_single": warm_single,
        "entrez": entrez,
        "single": single,
        "sample": sample,
        "floor": floor,
        "ratio_floor": batched["seconds"] / floor if floor else math.inf,
        "entrez_floor": (entrez.get("requests", 1) - 1) / 3,
        "target_requests": math.ceil(count / 200),
        "single_extrapolated_seconds": per_pmid * count,
        "single_floor_seconds": (count - 1) / 3,
        "speedup_batched": per_pmid * count / batched["seconds"],
    }


def show(r: Result) -> str:
    if "skipped" in r:
        return f"pubmed: skipped ({r['skipped']})"
    b, w, s = r["batched"], r["warm"], r["single"]
    return "\n".join(
        [
            f"pubmed: {r['count']:,} PMIDs, server answering 429 above 3 requests/s",
            f"  batched: {b['requests']} requests (target <= {r['target_requests']}), "
            f"{b['rate_limited']} 429s, {b['fetched']:,} fetched, {b['seconds']:.2f} s "
            f"(floor {r['floor']:.2f} s, ratio {r['ratio_floor']:.2f}, target <= 1.10)",
            f"  one per PMID: {s['requests']} requests for {r['sample']} PMIDs in "
            f"{s['seconds']:.2f} s, {s['rate_limited']} 429s; extrapolated to {r['count']:,}: "
            f"{r['single_extrapolated_seconds'] / 60:.0f} min",
            f"  warm cache: {w['seconds']:.2f} s, {w['requests']} requests, {w['cached']:,} cached",
            f"  warm studies step (library): {r['warm_studies']['cpu_seconds']:.2f} s CPU, "
            f"{r['warm_studies']['seconds']:.2f} s wall",
            f"  warm studies step, single-entry cache (layout before packs): "
            f"{r['warm_single']['cpu_seconds']:.2f} s CPU, "
            f"{r['warm_single']['cached']:,} from the cache",
            f"  warm `evidence fetch` (command): {r['warm_command']['cpu_seconds']:.2f} s CPU, "
            f"{r['warm_command']['seconds']:.2f} s wall (target < 1 s CPU); "
            f"{r['warm_command']['summary']}",
            "  Bio.Entrez: "
            + (
                f"skipped ({r['entrez']['skipped']})"
                if "skipped" in r["entrez"]
                else f"{r['entrez']['requests']} requests, {r['entrez']['seconds']:.2f} s, "
                f"{r['entrez']['cpu_seconds']:.2f} s CPU"
            ),
        ]
    )


def standalone() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=60)
    args = parser.parse_args()
    print(show(measure(args.count, args.sample)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        raise SystemExit(serve(sys.argv[2]))
    raise SystemExit(main_for(TASKS, standalone))
