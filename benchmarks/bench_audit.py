"""Benchmark: the corpus audit and the MEDLINE index on a local Dask cluster.

Needs ``../shared/fixtures`` (the JATS articles and the EFetch records) and the ``scale``
extra. Everything is replicated from the real fixtures with renumbered identifiers:

* **Audit index.** A pool of ``POOL`` PMIDs (``10000001`` ...). ``SEEDED`` of them, drawn
  with a fixed seed, are copies of the real retracted publication (``Retracted
  Publication`` and a ``RetractionIn`` link); every other one is a copy of a fixture record
  whose assessment is clean (whole records, reference lists included). They are written as
  gzipped MEDLINE files of 5,000 records and indexed (serially: not what is measured).
* **Corpus.** Copies of the ten JATS fixtures, in ``.tar.gz`` packages of 100 articles
  (one partition each). In each copy every ``<pub-id pub-id-type="pmid">`` of the reference
  list is replaced by a pool PMID drawn with the copy's own seed; a seeded (retracted) PMID
  is only given to a reference that an ``<xref>`` cites directly, so the exact set of
  citations that must be flagged is known: ``(article, ref id)`` pairs.
* **MEDLINE input** for ``medline-index`` at 250,000 to 1,000,000 records: the same
  replicas, but *light*: each fixture record with its ``<ReferenceList>`` removed (12.6 KB
  of XML on average instead of 18 KB; a real baseline record averages about 6 KB, and
  fewer than half carry a reference list), so that a million records fit in the time this
  shared machine has. The files are generated once, for the largest size; a smaller size
  indexes the first of them. The PMIDs run from ``10000001`` on, and the seeded ones among
  them are the retracted copies.

Checks. Audit: the flagged citations are exactly the seeded ones (every one found, no other
flagged). Index: the status column holds exactly ``retracted`` for the seeded records and
``none`` for all others (their templates' statuses), and for a sample of 2,000 records
read back from the index the stored status, detail and notices equal
:func:`evidence.assess.assess_retraction` of that record, one by one. Figures: articles or
records per second on one and two worker processes (one thread each, a fresh
``LocalCluster`` per measurement, its start-up not timed), the peak resident memory of each
worker (``VmHWM``, Dask's own ~150 MB included), the load average before and after.

Run: ``python -m benchmarks.bench_audit [--articles 2500,10000] [--records
250000:2,1000000] [--workers 1,2] [--page docs/performance.md] [--json FILE] [--with
OTHER.json]``, or ``--show A.json B.json`` to write the figures of saved runs into the
page. A size ``N:W`` is measured on ``W`` workers only; a plain ``N`` on every
``--workers`` count. After each measurement the figures so far are written into ``--page``
between the ``<!-- audit:start -->`` and ``<!-- audit:end -->`` markers
(``benchmarks/page.py`` keeps that block when it rewrites the page), so a run that is
stopped still leaves what it measured; ``--with`` shows another run's saved figures beside
this run's (two runs side by side write one block). The issue's sizes take about 10 CPU
minutes of workers for 10,000 articles on one and two workers and about 17 for 1,000,000
records, which on the shared 2-core machine (load average 5 to 14) was two to three hours
of wall time: see docs/performance.md for when and under what load.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import random
import re
import resource
import shutil
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks._measure import FIXTURES, Result, machine, peak_rss_mb

POOL = 20_000
SAMPLE = 2_000
SEEDED = 50
SEED = 19
PER_FILE = 5_000
PER_PACKAGE = 100
_ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)
_REF = re.compile(rb"<ref\s[^>]*id=\"([^\"]+)\".*?</ref>", re.S)
_REF_PMID = re.compile(rb"(<pub-id pub-id-type=\"pmid\">)\s*\d+\s*(</pub-id>)")
_REFERENCE_LIST = re.compile(rb"\s*<ReferenceList>.*?</ReferenceList>", re.S)
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


def write_medline(
    folder: Path, count: int, seeded: set[str], *, light: bool = False
) -> tuple[list[Path], int]:
    """Gzipped MEDLINE files holding PMIDs ``10000001 ..`` (count of them), and the bytes
    of XML they hold. ``light``: the records without their reference lists."""
    retracted, clean = _templates()
    if light:
        retracted = _REFERENCE_LIST.sub(b"", retracted)
        clean = [(_REFERENCE_LIST.sub(b"", block), pmid) for block, pmid in clean]
    files = []
    total = 0
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
        total += buffer.tell()
        files.append(path)
    return files, total


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


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _worker_cpu(client: Any) -> float:
    """CPU seconds used so far by all the workers together (user + system)."""
    return float(sum(client.run(_cpu_seconds).values()))


def _cluster(workers: int) -> tuple[Any, Any]:
    import distributed

    cluster = distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    )
    return cluster, distributed.Client(cluster)


class MedlineInput:
    """The light MEDLINE files, generated once for the largest size asked for."""

    def __init__(self, folder: Path, seeded: set[str], largest: int) -> None:
        self.folder = folder / "medline"
        self.seeded = seeded
        self.largest = largest
        self.files: list[Path] = []
        self.bytes = 0

    def first(self, records: int) -> tuple[list[Path], float]:
        """The files holding the first ``records`` records, and the KB of XML per record."""
        if len(self.files) * PER_FILE < records:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir()
            self.files, self.bytes = write_medline(
                self.folder, max(records, self.largest), self.seeded, light=True
            )
        count = -(-records // PER_FILE)
        return self.files[:count], self.bytes / (len(self.files) * PER_FILE) / 1000


def _statuses(out: Path, seeded_here: set[str]) -> Result:
    """The index's status column against what each record's template is, and a sample of
    records read back and assessed one by one against the stored columns."""
    import pyarrow.parquet as pq

    from evidence.assess import assess_retraction
    from evidence.pubmed.medline import MedlineIndex

    table = pq.read_table(
        out / "records", columns=["pmid", "retraction", "retraction_detail", "notices"]
    )
    pmids = table.column("pmid").to_pylist()
    statuses = table.column("retraction").to_pylist()
    wrong = sum(
        1
        for pmid, status in zip(pmids, statuses, strict=True)
        if status != ("retracted" if pmid in seeded_here else "none")
    )
    rng = random.Random(SEED)
    rows = sorted(rng.sample(range(len(pmids)), min(SAMPLE, len(pmids))))
    sample = {pmids[i]: i for i in rows} | {p: pmids.index(p) for p in sorted(seeded_here)}
    details = table.column("retraction_detail").to_pylist()
    notices = table.column("notices").to_pylist()
    records = MedlineIndex(out).get_many(sorted(sample))
    differ = 0
    for pmid, i in sample.items():
        got = assess_retraction(records[pmid])
        stored = (statuses[i], details[i], notices[i])
        made = (
            got.status.value,
            got.detail,
            [f"{n.ref_type} {n.pmid or ''}".strip() for n in got.notices],
        )
        differ += stored != made
    return {
        "index_records": len(pmids),
        "status_counts": dict(sorted(Counter(statuses).items())),
        "status_not_expected": wrong,
        "reassessed": len(sample),
        "reassessed_differ": differ,
    }


def bench_index(records: int, workers: int, medline: MedlineInput, folder: Path) -> Result:
    from evidence.audit import Engine, build_index
    from evidence.pubmed.medline import MedlineIndex

    files, kb_per_record = medline.first(records)
    out = folder / f"index-{records}-{workers}"
    load_before = os.getloadavg()
    cluster, client = _cluster(workers)
    try:
        cpu = _worker_cpu(client)
        started = time.perf_counter()
        build = build_index(files, out, engine=Engine(client=client, progress=False))
        seconds = time.perf_counter() - started
        cpu = _worker_cpu(client) - cpu
        peaks = _worker_peaks(client)
    finally:
        client.close()
        cluster.close()
    load_after = os.getloadavg()
    seeded_here = {p for p in medline.seeded if int(p) - 10_000_001 < records}
    row = {
        "records": records,
        "workers": workers,
        "files": len(files),
        "kb_xml_per_record": round(kb_per_record, 1),
        "buckets": MedlineIndex(out).buckets,
        "seconds": round(seconds, 1),
        "records_per_second": round(records / seconds),
        "worker_cpu_seconds": round(cpu, 1),
        "records_per_cpu_second": round(records / cpu),
        "worker_peak_rss_mb": peaks,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "retracted_expected": len(seeded_here),
        "failed": len(build.failed),
        **_statuses(out, seeded_here),
    }
    shutil.rmtree(out, ignore_errors=True)
    return row


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
    load_before = os.getloadavg()
    cluster, client = _cluster(workers)
    try:
        cpu = _worker_cpu(client)
        started = time.perf_counter()
        run = run_audit(
            sorted(corpus.glob("*.tar.gz")),
            AuditSettings(os.fspath(out), index=os.fspath(index)),
            engine=Engine(client=client, progress=False),
            batch=PER_PACKAGE,
        )
        seconds = time.perf_counter() - started
        cpu = _worker_cpu(client) - cpu
        peaks = _worker_peaks(client)
    finally:
        client.close()
        cluster.close()
    load_after = os.getloadavg()
    citations, frame, _ = load_audit(out)
    flagged = citations[citations["status"] == "retracted"]
    found = {
        (s.rpartition(":")[2], r) for s, r in zip(flagged["source"], flagged["ref_id"], strict=True)
    }
    return {
        "articles": articles,
        "workers": workers,
        "citations": len(citations),
        "seconds": round(seconds, 1),
        "articles_per_second": round(articles / seconds, 1),
        "worker_cpu_seconds": round(cpu, 1),
        "articles_per_cpu_second": round(articles / cpu, 1),
        "worker_peak_rss_mb": peaks,
        "seeded_citations": len(expected),
        "found": len(found & expected),
        "missed": len(expected - found),
        "wrongly_flagged": len(found - expected),
        "failed": len(run.report.failed),
        "unreadable_articles": int(frame["error"].notna().sum()),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    }


START = "<!-- audit:start -->"
END = "<!-- audit:end -->"
PAGE = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
PLACEHOLDER = [
    START,
    "## Corpus audit",
    "",
    "Measured by its own, longer run: `python -m benchmarks.bench_audit`, which writes its "
    "figures here; the sizing they lead to is in [scaling](scaling.md).",
    END,
]


def kept_block(page: str) -> list[str]:
    """The lines of ``page`` from the start marker to the end marker (the placeholder when
    the page has none): what a rewrite of the rest of the page keeps."""
    lines = page.splitlines()
    if START in lines and END in lines[lines.index(START) :]:
        first = lines.index(START)
        return lines[first : lines.index(END, first) + 1]
    return list(PLACEHOLDER)


def splice(page: str, block: list[str]) -> str:
    """``page`` with its marked block replaced by ``block`` (appended when it has none)."""
    lines = page.splitlines()
    if START in lines and END in lines[lines.index(START) :]:
        first = lines.index(START)
        lines[first : lines.index(END, first) + 1] = block
    else:
        lines += ["", *block]
    return "\n".join(lines).rstrip() + "\n"


def _mb(values: list[float]) -> str:
    return ", ".join(f"{v:.0f}" for v in values) + " MB"


def _load(row: Result) -> str:
    return f"{row['load_before'][0]:.1f} / {row['load_after'][0]:.1f}"


def show(runs: list[Result], running: bool) -> list[str]:
    """The marked block of docs/performance.md for the results of one or more runs."""
    runs = sorted(runs, key=lambda r: (not r["audit"], r["started"]))  # the audit first
    m = runs[0]["machine"]
    started = "; ".join(
        f"`{r['command']}` started {r['started']} UTC (load average "
        + ", ".join(f"{x:.2f}" for x in r["machine"]["load"])
        + ")"
        for r in runs
    )
    lines = [
        START,
        "## Corpus audit",
        "",
        f"{started}; `benchmarks/bench_audit.py`, whose docstring says how the inputs are "
        f"made; {m['cpus']} CPUs ({m['cpu']}) shared with other jobs"
        + (", the runs side by side" if len(runs) > 1 else "")
        + ". Each measurement is a fresh Dask `LocalCluster` of one-thread worker "
        "processes; *seconds* is the wall time of the job (cluster start-up excluded), "
        "*worker CPU s* the CPU time all its workers used (user + system, Dask's own work "
        "included: the figure the load of other jobs does not change much), memory the peak "
        "resident size of each worker (`VmHWM`, Dask's own ~150 MB included); *load* is the "
        "1-minute load average before / after the measurement. The sizing these figures "
        "lead to is in [scaling](scaling.md).",
        "",
    ]
    audit = [row for r in runs for row in r["audit"]]
    index = [row for r in runs for row in r["index"]]
    if running:
        lines += ["*The run is still going: the figures below are those measured so far.*", ""]
    if audit:
        lines += [
            "**`evidence audit`** on replicated JATS articles (64 citations each on average) "
            "against an index of 20,000 records, 50 of them retracted copies; packages of "
            "100 articles, one partition each.",
            "",
            "| articles | citations | workers | seconds | articles/s | worker CPU s "
            "| articles per CPU s | peak RSS per worker | seeded citations found "
            "| other citations flagged | load |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in audit:
            lines.append(
                f"| {r['articles']:,} | {r['citations']:,} | {r['workers']} | {r['seconds']} "
                f"| {r['articles_per_second']} | {r['worker_cpu_seconds']} "
                f"| {r['articles_per_cpu_second']} | {_mb(r['worker_peak_rss_mb'])} "
                f"| {r['found']} of {r['seeded_citations']} | {r['wrongly_flagged']} "
                f"| {_load(r)} |"
            )
        lines.append("")
    if index:
        kb = index[0]["kb_xml_per_record"]
        lines += [
            f"**`evidence medline-index`** on light replicated records ({kb} KB of XML each: "
            "the fixture records without their reference lists), gzipped files of 5,000 "
            "records; three passes (files, record buckets, identifier buckets). *statuses* "
            "is the status column against each record's template (wrong ones counted), "
            "*re-assessed* the sample read back from the index and assessed one by one "
            "(stored status, detail and notices that differ).",
            "",
            "| records | files | buckets | workers | seconds | records/s | worker CPU s "
            "| records per CPU s | peak RSS per worker | statuses | re-assessed | load |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in index:
            counts = ", ".join(f"{v:,} {k}" for k, v in r["status_counts"].items())
            lines.append(
                f"| {r['records']:,} | {r['files']} | {r['buckets']} | {r['workers']} "
                f"| {r['seconds']} | {r['records_per_second']:,} | {r['worker_cpu_seconds']:,} "
                f"| {r['records_per_cpu_second']:,} "
                f"| {_mb(r['worker_peak_rss_mb'])} | {counts}; {r['status_not_expected']} wrong "
                f"| {r['reassessed']:,}, {r['reassessed_differ']} differ | {_load(r)} |"
            )
        lines.append("")
    return [*lines, END]


def _sizes(spec: str, workers: list[int]) -> list[tuple[int, int]]:
    """``"2500,10000:2"`` -> every worker count for 2,500, two workers for 10,000."""
    out = []
    for item in filter(None, spec.split(",")):
        size, _, only = item.partition(":")
        out += [(int(size), int(only))] if only else [(int(size), w) for w in workers]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", default="500,1500", help="corpus sizes (N or N:WORKERS)")
    parser.add_argument("--records", default="20000,40000", help="index sizes (N or N:WORKERS)")
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--json", metavar="FILE", help="also save the results here")
    parser.add_argument("--page", type=Path, help="write the figures into this page's block")
    parser.add_argument(
        "--with",
        dest="others",
        action="append",
        default=[],
        metavar="JSON",
        help="another run's --json, shown beside this run's figures (read at each write)",
    )
    parser.add_argument(
        "--show",
        nargs="+",
        metavar="JSON",
        help="measure nothing: write the figures of these runs' --json into --page",
    )
    args = parser.parse_args()
    if args.show:
        runs = [json.loads(Path(name).read_text("utf-8")) for name in args.show]
        page = args.page or PAGE
        text = page.read_text("utf-8") if page.exists() else ""
        page.write_text(splice(text, show(runs, any(r.get("running") for r in runs))), "utf-8")
        return 0
    workers = [int(x) for x in args.workers.split(",")]
    audits = _sizes(args.articles, workers)
    indexes = _sizes(args.records, workers)
    pool = [str(10_000_001 + i) for i in range(POOL)]
    seeded = set(random.Random(SEED).sample(pool, SEEDED))
    command = "python -m benchmarks.bench_audit " + " ".join(
        f"--{name} {value}"
        for name, value in (
            ("articles", args.articles),
            ("records", args.records),
            ("workers", args.workers),
        )
        if value
    )

    results: Result = {
        "machine": machine(),
        "started": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "command": command,
        "index": [],
        "audit": [],
    }
    folder = Path(tempfile.mkdtemp(prefix="bench_audit_"))

    def save(running: bool) -> None:
        results["running"] = running
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1))
        if args.page:
            runs = [results]
            for other in args.others:
                with contextlib.suppress(OSError, ValueError):  # nothing measured there yet
                    runs.append(json.loads(Path(other).read_text("utf-8")))
            still = running or any(r.get("running") for r in runs[1:])
            page = args.page.read_text("utf-8") if args.page.exists() else ""
            args.page.write_text(splice(page, show(runs, still)), "utf-8")

    try:
        if audits:
            # The audit's index: the whole pool, built once (serially: not what is measured).
            from evidence.audit import Engine, build_index

            pool_files = folder / "pool"
            pool_files.mkdir()
            index = folder / "pool-index"
            files, _ = write_medline(pool_files, POOL, seeded)
            build_index(files, index, engine=Engine(serial=True))
            for count, w in audits:
                row = bench_audit(count, w, index, pool, seeded, folder)
                print(json.dumps(row), flush=True)
                results["audit"].append(row)
                save(running=True)
        medline = MedlineInput(folder, seeded, max((n for n, _ in indexes), default=0))
        for count, w in indexes:
            row = bench_index(count, w, medline, folder)
            print(json.dumps(row), flush=True)
            results["index"].append(row)
            save(running=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results["driver_peak_rss_mb"] = round(peak_rss_mb(), 1)
    save(running=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
