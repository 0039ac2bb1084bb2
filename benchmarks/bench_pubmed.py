"""Benchmark: 10,000 PMIDs through the PubMed client against a rate-limiting local server.

The loopback server from ``tests/ncbi_server.py`` (it needs ``../shared/fixtures/pubmed``)
answers 429 to any request beyond 3 in the trailing second, as NCBI does without an API
key. Each step runs in a fresh process:

* ``batched``: the client with its default settings (no key: 3 requests a second, 200 PMIDs
  a request) and an empty cache fetches all the PMIDs. Reported: requests used, 429 answers
  received, wall time against the floor the rate allows: ``(requests - 1) / 3`` seconds,
  the first request going out at once.
* ``one per PMID``: the same client with ``batch_size=1`` and no cache, as clients that
  fetch one PMID per request (Manubot, metapub) do, on a sample (60 PMIDs by default) in the
  same run; its time per PMID is extrapolated to the full count, and said to be.
* ``warm``: a new client fetches the same PMIDs from the cache the batched run filled.

Targets: at most ceil(count / 200) requests and no 429; the batched wall time within 20 %
of the floor; the warm run under 1 s, with no request.

Run ``python -m benchmarks --only pubmed`` (the whole suite: ``python -m benchmarks``),
or this file alone: ``python -m benchmarks.bench_pubmed [--count N] [--sample N]``.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks._measure import FIXTURES, ROOT, Result, main_for, peak_rss_mb, spawn, timed

PUBMED = FIXTURES / "pubmed"


def _pmids(count: int, start: int = 30_000_000) -> list[str]:
    return [str(start + n) for n in range(count)]


# --- in the child process ------------------------------------------------------------


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

    server_module = _server_module()
    pmids = _pmids(int(count), int(start))
    with server_module.NCBIServer(PUBMED, rate_limit=3) as server:  # type: ignore[attr-defined]
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


TASKS: dict[str, Callable[..., Result]] = {"fetch": task_fetch}

# --- in the parent ---------------------------------------------------------------------


def measure(count: int = 10_000, sample: int = 60) -> Result:
    """The PubMed group of the suite."""
    if not PUBMED.is_dir():
        return {"skipped": f"needs the shared fixtures at {PUBMED}"}
    with tempfile.TemporaryDirectory(prefix="evidence-bench-") as folder:
        cache = Path(folder) / "pubmed"
        batched = spawn("bench_pubmed", "fetch", count, cache)
        warm = spawn("bench_pubmed", "fetch", count, cache)
    # Other PMIDs, so nothing could come from a cache even if one were used.
    single = spawn("bench_pubmed", "fetch", sample, "none", 1, 40_000_000)
    floor = (batched["requests"] - 1) / 3
    per_pmid = single["seconds"] / sample
    return {
        "count": count,
        "batched": batched,
        "warm": warm,
        "single": single,
        "sample": sample,
        "floor": floor,
        "ratio_floor": batched["seconds"] / floor if floor else math.inf,
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
            f"(floor {r['floor']:.2f} s, ratio {r['ratio_floor']:.2f}, target <= 1.20)",
            f"  one per PMID: {s['requests']} requests for {r['sample']} PMIDs in "
            f"{s['seconds']:.2f} s, {s['rate_limited']} 429s; extrapolated to {r['count']:,}: "
            f"{r['single_extrapolated_seconds'] / 60:.0f} min",
            f"  warm cache: {w['seconds']:.2f} s, {w['requests']} requests, {w['cached']:,} "
            "cached (target < 1 s)",
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
    raise SystemExit(main_for(TASKS, standalone))
