"""Benchmark: parse_efetch on 10,000 PubMed records built from the real EFetch fixtures.

It needs ``../shared/fixtures/pubmed``. In a fresh process it times ``parse_efetch`` on
one body of 10,000 articles (cycling through every article of the fixtures), then parses
it again under ``tracemalloc`` for the peak of Python's own allocations.

Target: 10,000 records in under 10 s on one core, with the traced peak below the body's
size (articles become records and are freed as they are read, so memory does not grow
with the number of articles beyond the records themselves). These records are heavy
(18 KB each on average: reference lists, investigator lists); typical PubMed records are
smaller and parse faster.

Run ``python -m benchmarks --only pubmed-parse`` (the whole suite: ``python -m
benchmarks``), or this file alone: ``python -m benchmarks.bench_pubmed_parse [COUNT]``.
"""

from __future__ import annotations

import re
import sys
import tracemalloc
from collections.abc import Callable

from benchmarks._measure import FIXTURES, Result, main_for, spawn, timed

PUBMED = FIXTURES / "pubmed"
HEAD = (
    '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    '1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    "<PubmedArticleSet>\n"
)
ARTICLE = re.compile(
    r"<PubmedArticle>.*?</PubmedArticle>|<PubmedBookArticle>.*?</PubmedBookArticle>", re.S
)


def build_body(count: int) -> bytes:
    """``count`` articles, cycling through every article in the EFetch fixtures."""
    articles: list[str] = []
    for path in sorted(PUBMED.glob("efetch_*.xml")):
        articles += ARTICLE.findall(path.read_text(encoding="utf-8"))
    if not articles:
        sys.exit(f"no EFetch fixtures found in {PUBMED}")
    lines = [articles[i % len(articles)] for i in range(count)]
    return (HEAD + "\n".join(lines) + "\n</PubmedArticleSet>\n").encode("utf-8")


def task_parse(count: str) -> Result:
    from evidence.pubmed import parse_efetch

    body = build_body(int(count))
    seconds, records = timed(lambda: parse_efetch(body))
    parsed = len(records)
    del records
    # A second parse under tracemalloc (which slows Python down a lot) for the memory peak.
    tracemalloc.start()
    parse_efetch(body)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": seconds,
        "records": parsed,
        "body_mb": len(body) / 1e6,
        "traced_peak_mb": peak / 1e6,
    }


TASKS: dict[str, Callable[..., Result]] = {"parse": task_parse}


def measure(count: int = 10_000) -> Result:
    """The PubMed parsing group of the suite."""
    if not PUBMED.is_dir():
        return {"skipped": f"needs the shared fixtures at {PUBMED}"}
    return spawn("bench_pubmed_parse", "parse", count)


def show(r: Result) -> str:
    if "skipped" in r:
        return f"pubmed parse: skipped ({r['skipped']})"
    return (
        f"parse_efetch: {r['records']:,} records ({r['body_mb']:.0f} MB) in {r['seconds']:.2f} s "
        f"({r['records'] / r['seconds']:,.0f}/s); traced peak {r['traced_peak_mb']:.0f} MB"
    )


def standalone() -> int:
    print(show(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main_for(TASKS, standalone))
