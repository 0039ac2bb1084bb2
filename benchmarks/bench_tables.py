"""Benchmark: building and rendering evidence tables of 1,000 to 100,000 claims.

Claims come from the seeded generator in ``benchmarks/generate.py``: 3 citations each,
every citation with a stance, a finding, events of n and one of two outcomes (so each
claim gets intervals, a pooled estimate and a certainty rating), citing a bibliography of
one reference for every 5 claims (2,000 references for 10,000 claims; each cited about
15 times, as landmark studies are in a large evidence map). Each reference has a PubMed
record made from the real EFetch fixtures (``../shared/fixtures/pubmed``; the .bib data
alone when they are absent).

Each size runs in a fresh process, timing in turn:

* ``assess``: joining each cited reference with its record (:func:`evidence.make_study`:
  design, retraction, mismatches), the step before the table;
* ``build``: :func:`evidence.build_table`;
* ``reference list``: formatting every cited reference once in ``unsrt``, on its own
  (:func:`evidence.render.format_references` keeps nothing; the renderers keep a table's
  lines on the table); the generated references are plain journal articles, which
  evidence formats without pybtex (real .bib files mix in entries pybtex formats);
* ``markdown``, ``html``, ``json``: rendering, in that order, the first paying for the
  reference list again and the others reusing it.

Peak resident memory is read after building and after rendering. Target: 10,000 claims
built and rendered to all three formats in under 3 s and 600 MB.

Run ``python -m benchmarks --only tables`` (the whole suite: ``python -m benchmarks``),
or this file alone: ``python -m benchmarks.bench_tables [--sizes 1000,10000]``.
"""

from __future__ import annotations

import argparse
import gc
import re
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from benchmarks._measure import FIXTURES, Result, main_for, peak_rss_mb, spawn, timed

CLAIMS_PER_REFERENCE = 5
SIZES = (1_000, 10_000, 100_000)
FORMATS = ("markdown", "html", "json")


# --- in the child process ------------------------------------------------------------


def _templates() -> list[Any]:
    from evidence.pubmed import parse_efetch

    records = []
    for path in sorted((FIXTURES / "pubmed").glob("efetch_*.xml")):
        records += parse_efetch(path.read_bytes())
    return records


def task_table(count: str) -> Result:
    import evidence.table.build as table_module
    from benchmarks.generate import generate_claims, generate_records
    from evidence.extract import split_sentences
    from evidence.model import PubMedStatus
    from evidence.render import format_references
    from evidence.studies import make_study
    from evidence.table import build_table

    templates = _templates() if (FIXTURES / "pubmed").is_dir() else []
    topics = [[s for a in t.abstract for s in split_sentences(a.text)] for t in templates]
    references = max(3, int(count) // CLAIMS_PER_REFERENCE)
    claims, refs = generate_claims(int(count), references, topics=topics)
    records = generate_records(refs, templates) if templates else {}
    gc.collect()
    base = peak_rss_mb()
    result: Result = {"claims": len(claims), "references": len(refs), "base_rss_mb": base}
    result["with_pubmed"] = bool(records)

    def assess() -> dict[str, Any]:
        return {
            key: make_study(ref, records.get(key), status=PubMedStatus.FETCHED)
            for key, ref in refs.items()
        }

    result["assess"], studies = timed(assess)
    # How much of the build the abstract support checks take: their time inside the real
    # build, summed by a wrapper (evidence.table.build calls them through ``_support``).
    spent = [0.0]
    support = getattr(table_module, "_support", None)
    if support is not None:

        def timed_support(*args: Any) -> Any:
            start = time.perf_counter()
            try:
                return support(*args)
            finally:
                spent[0] += time.perf_counter() - start

        setattr(table_module, "_support", timed_support)  # noqa: B010  (a private name)
    result["build"], table = timed(lambda: build_table(claims, refs, studies=studies))
    if support is not None:
        result["support"] = spent[0]
    result["rss_after_build_mb"] = peak_rss_mb()
    result["cited"] = len(table.references)
    result["evidence_rows"] = len(table.evidence)
    # On its own: this keeps nothing, so the first render formats the list again and
    # keeps it on the table, where the others reuse its lines.
    result["reference_list"], _ = timed(lambda: format_references(table.references))
    sizes = {}
    for fmt in FORMATS:
        result[fmt], text = timed(partial(table.render, fmt))
        sizes[fmt] = _utf8_size(text)
        del text
        result[f"rss_after_{fmt}_mb"] = peak_rss_mb()
    result["output_bytes"] = sizes
    result["total"] = result["build"] + sum(result[fmt] for fmt in FORMATS)
    return result


def _utf8_size(text: str, chunk: int = 1 << 20) -> int:
    """The UTF-8 size of ``text``, encoded a megabyte at a time: encoding a 72 MB JSON
    render whole made a copy as large, which the peak memory measured with the render."""
    if text.isascii():
        return len(text)
    return sum(len(text[i : i + chunk].encode("utf-8")) for i in range(0, len(text), chunk))


TASKS: dict[str, Callable[..., Result]] = {"table": task_table}

# --- in the parent ---------------------------------------------------------------------


def measure(sizes: tuple[int, ...] = SIZES) -> Result:
    """The tables group of the suite."""
    return {str(size): spawn("bench_tables", "table", size, timeout=3600) for size in sizes}


def show(results: Result) -> str:
    lines = ["tables: claims, references, seconds for each step, peak RSS"]
    for r in results.values():
        steps = ", ".join(
            f"{name} {r[name]:.2f}"
            for name in ("assess", "build", "reference_list", *FORMATS, "total")
        )
        lines.append(
            f"  {r['claims']:>7,} claims, {r['references']:>6,} refs: {steps} s; "
            f"peak {r['peak_rss_mb']:.0f} MB"
        )
    return "\n".join(lines)


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.split(r"[,\s]+", text.strip()) if part)


def standalone() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=SIZES)
    args = parser.parse_args()
    print(show(measure(args.sizes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main_for(TASKS, standalone))
