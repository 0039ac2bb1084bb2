"""Benchmark: 10,000 PMIDs through the PubMed client against a rate-limiting local server.

Run ``python benchmarks/bench_pubmed.py`` from the repository root (it needs
``../shared/fixtures/pubmed``; ``--count`` changes the number of PMIDs). The loopback
server from ``tests/ncbi_server.py`` answers 429 to any request beyond 3 in the trailing
second, as NCBI does without an API key. The client runs with its default settings (no
key: 3 requests per second, 200 PMIDs per request) and a fresh cache in a temporary
folder; then a second client fetches the same PMIDs from the warm cache.

Printed: requests used, 429 answers received, the cold wall time against the floor the
rate allows ((requests - 1) / 3 s, the first request going out at once), and the warm
cache time.

Targets: at most ceil(count / 200) requests (50 for 10,000) and no 429; cold time within
a few seconds of the floor (the client spaces requests 0.35 s apart, 5 % under the limit,
so ~17 s for 10,000); the warm run makes no request.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from ncbi_server import NCBIServer  # noqa: E402

from evidence.model import PubMedStatus  # noqa: E402
from evidence.pubmed.cache import PubMedCache  # noqa: E402
from evidence.pubmed.client import PubMedClient  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "pubmed"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="PMIDs to fetch")
    args = parser.parse_args()
    if not FIXTURES.is_dir():
        sys.exit(f"needs the shared fixtures at {FIXTURES}")
    pmids = [str(30_000_000 + n) for n in range(args.count)]

    with NCBIServer(FIXTURES, rate_limit=3) as server, tempfile.TemporaryDirectory() as folder:
        cache = PubMedCache(folder)
        client = PubMedClient(base_url=server.url, email="bench@example.org", cache=cache)
        started = time.perf_counter()
        cold = client.fetch(pmids)
        cold_time = time.perf_counter() - started
        sent = len(server.requests)
        refused = server.statuses().count(429)

        warm_client = PubMedClient(base_url=server.url, email="bench@example.org", cache=cache)
        started = time.perf_counter()
        warm = warm_client.fetch(pmids)
        warm_time = time.perf_counter() - started
        warm_requests = len(server.requests) - sent

    floor = (sent - 1) / 3 if sent else 0.0
    target = math.ceil(args.count / 200)
    fetched = len(cold.with_status(PubMedStatus.FETCHED))
    cached = len(warm.with_status(PubMedStatus.CACHE))
    print(f"PMIDs:                 {args.count:,}")
    print(f"requests used:         {sent} (target <= {target})")
    print(f"429 answers received:  {refused} (client counted {cold.rate_limited})")
    print(f"fetched:               {fetched:,} of {args.count:,}")
    print(f"cold wall time:        {cold_time:.2f} s (rate floor {floor:.2f} s at 3/s)")
    print(f"warm cache time:       {warm_time:.2f} s, {warm_requests} requests, {cached:,} cached")
    ok = sent <= target and refused == 0 and fetched == cached == args.count and not warm_requests
    print("result:                " + ("meets the targets" if ok else "MISSES a target"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
