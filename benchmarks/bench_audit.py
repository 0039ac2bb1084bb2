"""Benchmark: the corpus audit and the MEDLINE index on a local Dask cluster.

Needs ``../shared/fixtures`` (the JATS articles and the EFetch records) and the ``scale``
extra. Everything is replicated from the real fixtures with renumbered identifiers:

* **Index.** A pool of ``POOL`` PMIDs (``10000001`` ...). ``SEEDED`` of them, drawn with a
  fixed seed, are copies of the real retracted publication (``Retracted Publication`` and a
  ``RetractionIn`` link); every other one is a copy of a fixture record whose assessment
  is clean. They are written as gzipped MEDLINE files of 5,000 records and indexed.
* **Corpus.** Copies of the ten JATS fixtures, in ``.tar.gz`` packages of 100 articles
  (one partition each). In each copy every ``<pub-id pub-id-type="pmid">`` of the reference
  list is replaced by a pool PMID drawn with the copy's own seed; a seeded (retracted) PMID
  is only given to a reference that an ``<xref>`` cites directly, so the exact set of
  citations that must be flagged is known: ``(article, ref id)`` pairs.

Checks: the flagged citations are exactly the seeded ones (every one found, no other
flagged). Figures: articles per second on one and two worker processes, the peak resident
memory of each worker, at several corpus sizes (flat memory as the corpus grows); and
``medline-index`` records per second and peak memory per worker at several input sizes.

Run: ``python -m benchmarks.bench_audit [--articles 1000,3000] [--records 20000,60000]
[--workers 1,2]``. The issue asks for 10,000 articles and 1,000,000 records; on this
shared 2-core machine the default sizes are smaller (see docs/scaling.md for the figures
and what they extrapolate to); pass the larger sizes on a machine of your own.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import re
import shutil
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._measure import FIXTURES, Result, machine, peak_rss_mb

POOL = 20_000
SEEDED = 50
SEED = 19
PER_FILE = 5_000
PER_PACKAGE = 100
_ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)
_REF = re.compile(rb"<ref\s[^>]*id=\"([^\"]+)\".*?</ref>", re.S)
_REF_PMID = re.compile(rb"(<pub-id pub-id-type=\"pmid\">)\s*\d+\s*(</pub-id>)")
_RID = re.compile(
    rb"<xref[^>]*ref-type=\"bibr\"[^>]*rid=\"([^\"]+)\"|<xref[^>]*rid=\"([^\"]+)\"[^>]*ref-type=\"bibr\""
)


def _templates() -> tuple[bytes, list[tuple[bytes, str]]]:
    """The retracted record, and the clean records with their PMIDs."""
    from evidence.assess import assess_retraction
    from evidence.pubmed import parse_efetch

    retracted = b""
    clean: list[tuple[bytes, str]] = []
    for path in sorted((FIXTURES / "pubmed").glob("efetch_pubmed_*.xml")):
        for block in _ARTICLE.findall(path.read_bytes()):
            (record,) = parse_efetch(b"<PubmedArticleSet>" + block + b"</PubmedArticleSet>")
            status = assess_retraction(record).status.value
            if status == "retracted":
                retracted = block.replace(record.pmid.encode(), b"@PMID@")
            elif status == "none":
                clean.append((block.replace(f">{record.pmid}<".encode(), b">@PMID@<"), record.pmid))
    return retracted, clean


def write_medline(folder: Path, count: int, seeded: set[str]) -> list[Path]:
    """Gzipped MEDLINE files holding PMIDs ``10000001 ..`` (count of them)."""
    retracted, clean = _templates()
    files = []
    for start in range(0, count, PER_FILE):
        buffer = io.BytesIO()
        buffer.write(b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n')
        for i in range(start, min(count, start + PER_FILE)):
            pmid = str(10_000_001 + i)
            template = retracted if pmid in seeded else clean[i % len(clean)][0]
            buffer.write(template.replace(b"@PMID@", pmid.encode()) + b"\n")
        buffer.write(b"</PubmedArticleSet>\n")
        path = folder / f"pubmed-bench-{start // PER_FILE:04d}.xml.gz"
        path.write_bytes(gzip.compress(buffer.getvalue(), compresslevel=1))
        files.append(path)
    return files


def write_corpus(
    folder: Path, articles: int, pool: list[str], seeded: set[str]
) -> set[tuple[str, str]]:
    """Packages of JATS copies; the (member name, ref id) pairs citing seeded PMIDs."""
    sources = sorted(p for p in (FIXTURES / "jats").iterdir() if p.suffix in (".xml", ".nxml"))
    texts = [p.read_bytes() for p in sources]
    clean_pool = [p for p in pool if p not in seeded]
    expected: set[tuple[str, str]] = set()
    for start in range(0, articles, PER_PACKAGE):
        package = folder / f"corpus-{start // PER_PACKAGE:05d}.tar.gz"
        with tarfile.open(package, "w:gz", compresslevel=1) as tar:
            for k in range(start, min(articles, start + PER_PACKAGE)):
                rng = random.Random(SEED * 1_000_003 + k)
                template = texts[k % len(texts)]
                cited = {
                    rid
                    for m in _RID.finditer(template)
                    for rid in (m.group(1) or m.group(2)).split()
                }
                name = f"a{k:06d}-{sources[k % len(sources)].name}"

                def renumber(
                    ref: re.Match[bytes],
                    name: str = name,
                    rng: random.Random = rng,
                    cited: set[bytes] = cited,
                ) -> bytes:
                    rid = ref.group(1).decode()
                    pmid = rng.choice(pool if rid.encode() in cited else clean_pool)
                    if pmid in seeded and _REF_PMID.search(ref.group(0)):
                        expected.add((name, rid))
                    return _REF_PMID.sub(rb"\g<1>" + pmid.encode() + rb"\g<2>", ref.group(0))

                data = _REF.sub(renumber, template)
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return expected


def _worker_peaks(client: Any) -> list[float]:
    return sorted(round(v, 1) for v in client.run(peak_rss_mb).values())


def _cluster(workers: int) -> tuple[Any, Any]:
    import distributed

    cluster = distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    return cluster, distributed.Client(cluster)


def bench_index(records: int, workers: int, seeded: set[str], folder: Path) -> Result:
    from evidence.audit import Engine, build_index
    from evidence.pubmed.medline import MedlineIndex

    inputs = folder / f"medline-{records}"
    inputs.mkdir()
    files = write_medline(inputs, records, {p for p in seeded if int(p) - 10_000_001 < records})
    out = folder / f"index-{records}-{workers}"
    cluster, client = _cluster(workers)
    try:
        started = time.perf_counter()
        build = build_index(files, out, engine=Engine(client=client))
        seconds = time.perf_counter() - started
        peaks = _worker_peaks(client)
    finally:
        client.close()
        cluster.close()
    import pyarrow.parquet as pq

    statuses = pq.read_table(out / "records", columns=["retraction"]).column("retraction")
    retracted = sum(1 for s in statuses.to_pylist() if s == "retracted")
    return {
        "records": records,
        "workers": workers,
        "files": len(files),
        "buckets": MedlineIndex(out).buckets,
        "seconds": round(seconds, 2),
        "records_per_second": round(records / seconds),
        "worker_peak_rss_mb": peaks,
        "retracted_in_index": retracted,
        "retracted_expected": sum(1 for p in seeded if int(p) - 10_000_001 < records),
        "failed": len(build.failed),
    }


def bench_audit(
    articles: int, workers: int, index: Path, pool: list[str], seeded: set[str], folder: Path
) -> Result:
    from evidence.audit import Engine
    from evidence.audit.check import AuditSettings
    from evidence.audit.run import load_audit, run_audit

    corpus = folder / f"corpus-{articles}"
    if not corpus.exists():
        corpus.mkdir()
        expected = write_corpus(corpus, articles, pool, seeded)
        (corpus / "expected.json").write_text(json.dumps(sorted(expected)))
    expected = {tuple(x) for x in json.loads((corpus / "expected.json").read_text())}
    out = folder / f"audit-{articles}-{workers}"
    cluster, client = _cluster(workers)
    try:
        started = time.perf_counter()
        run = run_audit(
            sorted(corpus.glob("*.tar.gz")),
            AuditSettings(os.fspath(out), index=os.fspath(index)),
            engine=Engine(client=client, progress=False),
            batch=PER_PACKAGE,
        )
        seconds = time.perf_counter() - started
        peaks = _worker_peaks(client)
    finally:
        client.close()
        cluster.close()
    citations, frame, _ = load_audit(out)
    flagged = citations[citations["status"] == "retracted"]
    found = {
        (s.rpartition(":")[2], r) for s, r in zip(flagged["source"], flagged["ref_id"], strict=True)
    }
    return {
        "articles": articles,
        "workers": workers,
        "citations": len(citations),
        "seconds": round(seconds, 2),
        "articles_per_second": round(articles / seconds, 1),
        "worker_peak_rss_mb": peaks,
        "seeded_citations": len(expected),
        "found": len(found & expected),
        "missed": len(expected - found),
        "wrongly_flagged": len(found - expected),
        "failed": len(run.report.failed),
        "unreadable_articles": int(frame["error"].notna().sum()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", default="500,1500", help="corpus sizes, comma-separated")
    parser.add_argument("--records", default="20000,40000", help="index sizes, comma-separated")
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--json", metavar="FILE", help="also save the results here")
    args = parser.parse_args()
    sizes = [int(x) for x in args.articles.split(",") if x]
    record_sizes = [int(x) for x in args.records.split(",") if x]
    workers = [int(x) for x in args.workers.split(",")]
    pool = [str(10_000_001 + i) for i in range(POOL)]
    seeded = set(random.Random(SEED).sample(pool, SEEDED))
    results: Result = {"machine": machine(), "index": [], "audit": []}
    folder = Path(tempfile.mkdtemp(prefix="bench_audit_"))
    try:
        for count in record_sizes:
            for w in workers:
                row = bench_index(count, w, seeded, folder)
                shutil.rmtree(folder / f"medline-{count}")
                print(json.dumps(row), flush=True)
                results["index"].append(row)
        # The audit's index: the whole pool, built once (serially: not what is measured).
        from evidence.audit import Engine, build_index

        pool_files = folder / "pool"
        pool_files.mkdir()
        index = folder / "pool-index"
        build_index(write_medline(pool_files, POOL, seeded), index, engine=Engine(serial=True))
        for count in sizes:
            for w in workers:
                row = bench_audit(count, w, index, pool, seeded, folder)
                print(json.dumps(row), flush=True)
                results["audit"].append(row)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results["driver_peak_rss_mb"] = round(peak_rss_mb(), 1)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
