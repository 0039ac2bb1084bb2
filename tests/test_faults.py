"""A failing network and a killed process: no PMID is ever lost without a reason.

* 2,000 PMIDs are fetched from the loopback NCBI while it misbehaves at random (seeded):
  429s, 5xx pages in HTML, 429 bodies inside 200s, XML cut short (with and without a
  length), answers that stall past the client's timeout, reset connections, NCBI
  ``<ERROR>`` answers, and records silently left out. Every PMID must end fetched and equal
  to the server's own record, or reported not-found or unavailable with its reason.
* A fetch into a cache folder is killed with SIGKILL at random moments, 20 times: after
  each kill the cache reads without error, every entry in it is whole and right, and a
  last run completes from it.

Waits are short through the client's own settings (timeout, backoff, rate), so the whole
module runs in well under a minute; nothing here asserts a time.
"""

from __future__ import annotations

import logging
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, shared_path
from ncbi_server import Fault, NCBIServer, RecordedRequest

from evidence.model import PubMedRecord, PubMedStatus
from evidence.pubmed import parse_efetch
from evidence.pubmed.cache import PubMedCache
from evidence.pubmed.client import PubMedClient

PMIDS = [str(31_000_000 + n) for n in range(2_000)]
SEED = 20260125

FAULTS = {
    "429": Fault.rate_limited(),
    "429 body in a 200": Fault.rate_limited(status=200),
    "500 HTML": Fault.server_error(500),
    "502 HTML": Fault.server_error(502),
    "503 HTML": Fault.server_error(503),
    "504 HTML": Fault.server_error(504),
    "cut short": Fault.truncated(),
    "cut short, no length": Fault.truncated(silent=True),
    "stall past the timeout": Fault.stall(1.0),
    "reset": Fault.reset(),
}


class ChaosServer(NCBIServer):
    """The loopback NCBI misbehaving on EFetch requests: first every kind of fault once,
    each followed by a normal answer (so each is surely met, and no batch runs out of
    retries on them), then a seeded random fault on a ``share`` of requests."""

    def __init__(self, fixtures: Path, *, seed: int, share: float) -> None:
        super().__init__(fixtures)
        self.random = random.Random(seed)
        self.share = share
        self.kinds: Counter[str] = Counter()
        self.schedule: list[Fault | None] = [x for f in FAULTS.values() for x in (f, None)]

    def _arrive(self, request: RecordedRequest) -> Fault | None:
        fault = super()._arrive(request)
        if fault is None and request.endpoint == "efetch.fcgi":
            with self._lock:
                if self.schedule:
                    fault = self.schedule.pop(0)
                else:
                    roll = self.random.random()
                    if roll < 0.01:
                        fault = Fault.error_element()
                    elif roll < self.share:
                        fault = self.random.choice(list(FAULTS.values()))
        if fault is not None:
            self.kinds[fault.kind] += 1
        return fault


def expected_records(server: NCBIServer, pmids: list[str]) -> dict[str, PubMedRecord]:
    """What the server holds for ``pmids``, read by the same parser from one clean body."""
    articles = "\n".join(server.article_xml(p) for p in pmids)
    body = f"{server._header}<PubmedArticleSet>\n{articles}\n</PubmedArticleSet>"
    return {r.pmid: r for r in parse_efetch(body.encode())}


@pytest.fixture
def chaos() -> Iterator[ChaosServer]:
    with ChaosServer(shared_path("fixtures", "pubmed"), seed=SEED, share=0.5) as server:
        server.missing = set(random.Random(SEED).sample(PMIDS, 100))
        yield server


def test_every_pmid_ends_fetched_and_right_or_reported_with_its_reason(
    chaos: ChaosServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = PubMedCache(tmp_path)
    client = PubMedClient(
        base_url=chaos.url,
        email="dev@example.org",
        cache=cache,
        batch_size=50,
        timeout=0.3,
        backoff=0.005,
        max_retries=8,
        max_total_wait=30.0,
        max_rate=500.0,
    )
    with caplog.at_level(logging.INFO, logger="evidence.pubmed"):
        result = client.fetch(PMIDS)
    expected = expected_records(chaos, PMIDS)

    assert list(result) == PMIDS  # every PMID has an outcome, in order
    statuses = Counter(outcome.status for outcome in result.values())
    assert set(statuses) <= {
        PubMedStatus.FETCHED,
        PubMedStatus.NOT_FOUND,
        PubMedStatus.UNAVAILABLE,
    }
    for pmid, outcome in result.items():
        if outcome.status is PubMedStatus.FETCHED:
            assert pmid not in chaos.missing
            assert outcome.record == expected[pmid]
            entry = cache.get(pmid)
            assert entry is not None
            assert entry.record == expected[pmid]
        elif outcome.status is PubMedStatus.NOT_FOUND:
            assert pmid in chaos.missing  # left out by the server, and said so
            assert outcome.reason == "not found in PubMed"
        else:
            assert outcome.reason  # unavailable, with the reason
            assert cache.get(pmid) is None
    # The faults really happened, and were survived.
    assert {f.kind for f in FAULTS.values()} <= set(chaos.kinds)
    assert sum(chaos.kinds.values()) >= 30
    assert statuses[PubMedStatus.FETCHED] >= 1_500
    assert statuses[PubMedStatus.NOT_FOUND] >= 50
    retried = " ".join(r.getMessage() for r in caplog.records if "retry" in r.getMessage())
    for said in ("HTTP 429", "HTTP 503", "429 body", "no answer before the timeout"):
        assert said in retried


def test_an_error_answer_makes_its_batch_unavailable_with_the_reason(tmp_path: Path) -> None:
    with NCBIServer(shared_path("fixtures", "pubmed")) as server:
        server.fail_next(Fault.error_element())
        client = PubMedClient(
            base_url=server.url,
            email="dev@example.org",
            cache=PubMedCache(tmp_path),
            batch_size=100,
            backoff=0.005,
            max_rate=500.0,
        )
        result = client.fetch(PMIDS[:300])
    first, rest = PMIDS[:100], PMIDS[100:300]
    assert all(result[p].status is PubMedStatus.UNAVAILABLE for p in first)
    assert all("NCBI answered with an error" in result[p].reason for p in first)
    assert all(result[p].status is PubMedStatus.FETCHED for p in rest)


# --- SIGKILL in the middle of a fetch -----------------------------------------------------

# Every entry counts as stale for the child, so each run fetches and rewrites them all: a
# kill can land while an entry that exists is being replaced, the riskiest moment.
CHILD = """
import sys
from datetime import timedelta
from evidence.pubmed.cache import PubMedCache
from evidence.pubmed.client import PubMedClient

url, folder, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
now = timedelta(microseconds=1)
cache = PubMedCache(folder, max_age=now, not_found_max_age=now)
client = PubMedClient(base_url=url, email="dev@example.org", cache=cache,
                      batch_size=50, backoff=0.005, max_rate=1000.0)
print("ready", flush=True)
client.fetch([str(first + n) for n in range(count)])
print("done", flush=True)
"""


def test_a_fetch_killed_at_random_moments_leaves_a_cache_that_reads_and_completes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(SEED)
    cache = PubMedCache(tmp_path / "cache")
    with NCBIServer(shared_path("fixtures", "pubmed")) as server:
        server.missing = set(rng.sample(PMIDS, 40))
        expected = expected_records(server, PMIDS)
        kills = 0
        for _ in range(20):
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, server.url, str(cache.directory), PMIDS[0], "2000"],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.0, 0.8))
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            child.stdout.close()
            kills += child.returncode == -signal.SIGKILL

            # After every kill the cache reads without error, and what is in it is right.
            with caplog.at_level(logging.WARNING, logger="evidence.pubmed"):
                for pmid in PMIDS:
                    entry = cache.get(pmid)
                    if entry is None:
                        continue
                    if pmid in server.missing:
                        assert entry.record is None
                    else:
                        assert entry.record == expected[pmid]
            assert caplog.records == []  # nothing corrupt, nothing unreadable

        cached = sum(cache.get(p) is not None for p in PMIDS)
        server.requests.clear()
        client = PubMedClient(
            base_url=server.url, email="dev@example.org", cache=cache, max_rate=1000.0
        )
        result = client.fetch(PMIDS)

    assert kills >= 15  # most children were killed mid-fetch, not after it ended
    assert cached > 0
    for pmid, outcome in result.items():
        if pmid in server.missing:
            assert outcome.status is PubMedStatus.NOT_FOUND
        else:
            assert outcome.status in (PubMedStatus.CACHE, PubMedStatus.FETCHED)
            assert outcome.record == expected[pmid]
    asked = sum(len(r.ids) for r in server.requests)
    assert asked == len(PMIDS) - cached  # only what the cache lacked was fetched
