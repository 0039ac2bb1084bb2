"""Benchmark: ``load_references`` against pybtex's own parse, and the parse cache.

Two files: the real 7,166-entry Zotero export (``../shared/fixtures/bib``) and a 50,000-entry
file made by the seeded generator in ``benchmarks/generate.py`` (written to a temporary
folder, never committed). For each file, every round runs, each in a fresh process:

* ``pybtex``: ``pybtex.database.parse_file(path, bib_format="bibtex")`` inside
  ``pybtex.errors.capture()`` (non-strict, as our loader is, without printing warnings);
* ``bibtexparser``: bibtexparser v2's ``parse_file(path)`` with its default stack
  (``@string`` references resolved, enclosing braces and quotes removed); and
  ``bibtexparser + names``: the same with its ``SeparateCoAuthors`` and ``SplitNameParts``
  middlewares appended, which split ``author``/``editor`` into people and each person into
  first, von, last and jr parts -- the nearest it comes to what ``load_references`` does.
  Even then it does less: it decodes no LaTeX (``M{\\"u}ller`` stays as written; its
  ``LatexDecodingMiddleware`` is not in the stack), finds no PMID, DOI or PMCID, reads no
  year or month, compares keys with their case, and its failed blocks say where they start
  but not why in a user's terms; its name parts are lists of raw words, not decoded text;
* ``cold``: ``load_references(path, cache=False)``;
* ``cold + write``: ``load_references(path)`` with an empty cache folder, so it parses and
  writes the cache entry;
* ``warm``: ``load_references(path)`` from that entry; and ``warm + all``: the same, then
  every reference read (``list(bib.values())``), since a cached load builds each reference
  when it is first asked for.

A third, hostile file: :data:`HOSTILE_MB` megabytes of ``@a{`` lines (millions of blocks that
each fail), loaded once with the cache off; its peak resident memory must stay under 2 GB
(issue 12: it took 1.9 GB for 1.6 MB before each failed block's parser was freed).

Rounds interleave the runs so a busy machine slows each alike; medians are reported, with
each process's peak resident memory. Targets: cold no slower than pybtex (ratio <= 1.0)
nor than bibtexparser with names (issue 16), with a peak no higher than pybtex's; warm at
least 20 times faster than cold. bibtexparser is in the ``bench`` extra; when it is not
installed its rows are left out.

Run ``python -m benchmarks --only references`` (the whole suite: ``python -m benchmarks``),
or this file alone: ``python -m benchmarks.bench_references [--rounds N]``.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks._measure import FIXTURES, Result, main_for, median, peak_rss_mb, spawn, timed

ZOTERO = FIXTURES / "bib" / "zotero_bbt_7166_pmid_large.bib"
GENERATED_ENTRIES = 50_000
HOSTILE_MB = 20

# --- in the child process ------------------------------------------------------------


def task_pybtex(path: str) -> Result:
    import pybtex.errors
    from pybtex.database import parse_file

    base = peak_rss_mb()

    def parse() -> int:
        with pybtex.errors.capture():
            return len(parse_file(path, bib_format="bibtex").entries)

    seconds, entries = timed(parse)
    return {"seconds": seconds, "entries": entries, "base_rss_mb": base}


def task_bibtexparser(path: str, names: str = "no") -> Result:
    from importlib import metadata

    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

    base = peak_rss_mb()
    extra = [SeparateCoAuthors(), SplitNameParts()] if names == "names" else []

    def parse() -> Result:
        library = bibtexparser.parse_file(path, append_middleware=extra)
        return {"entries": len(library.entries), "failed": len(library.failed_blocks)}

    seconds, counts = timed(parse)
    return {
        "seconds": seconds,
        **counts,
        "base_rss_mb": base,
        "version": metadata.version("bibtexparser"),
    }


def has_bibtexparser() -> bool:
    """Whether the peer is installed (``pip install -e '.[bench]'``)."""
    from importlib.util import find_spec

    return find_spec("bibtexparser") is not None


def task_load(path: str, cache: str, touch: str = "no") -> Result:
    from evidence.bibliography import load_references

    base = peak_rss_mb()
    setting: bool | str = False if cache == "off" else cache
    seconds, bib = timed(lambda: load_references(path, cache=setting))
    result: Result = {
        "seconds": seconds,
        "entries": len(bib),
        "not_loaded": len(bib.not_loaded),
        "problems": len(bib.problems),
        "base_rss_mb": base,
    }
    if touch == "all":
        built, refs = timed(lambda: list(bib.values()))
        result["seconds_all"] = seconds + built
        result["entries_built"] = len(refs)
    return result


def task_generate(path: str) -> Result:
    """Write the generated .bib file (in a child, so the parent stays small)."""
    from benchmarks.generate import generate_bib

    Path(path).write_text(generate_bib(GENERATED_ENTRIES), encoding="utf-8")
    return {"path": path}


def task_hostile(path: str) -> Result:
    """Write :data:`HOSTILE_MB` MB of ``@a{`` lines, then load them (cache off)."""
    Path(path).write_text("@a{\n" * (HOSTILE_MB * 1_000_000 // 4), encoding="utf-8")
    from evidence.bibliography import load_references

    seconds, bib = timed(lambda: load_references(path, cache=False))
    return {
        "seconds": seconds,
        "size_mb": HOSTILE_MB,
        "blocks": len(bib) + len(bib.not_loaded),
        "problems": len(bib.problems),
    }


TASKS: dict[str, Callable[..., Result]] = {
    "hostile": task_hostile,
    "pybtex": task_pybtex,
    "bibtexparser": task_bibtexparser,
    "load": task_load,
    "generate": task_generate,
}

# --- in the parent ---------------------------------------------------------------------

#: Every run of a file, in the order they are shown.
RUNS = ("pybtex", "bibtexparser", "bibtexparser_names", "cold", "cold_write", "warm", "warm_all")


def write_generated(folder: Path) -> Path:
    """The generated .bib file (same seed, same bytes every run)."""
    path = folder / f"generated_{GENERATED_ENTRIES}.bib"
    spawn("bench_references", "generate", path)
    return path


def measure_file(path: Path, rounds: int, work: Path) -> Result:
    """Every variant of loading ``path``, ``rounds`` times, interleaved; medians."""
    peers = ("bibtexparser", "bibtexparser_names") if has_bibtexparser() else ()
    runs: dict[str, list[Result]] = {
        k: [] for k in ("pybtex", *peers, "cold", "cold_write", "warm", "warm_all")
    }
    for number in range(rounds):
        cache = work / f"cache-{path.stem}-{number}"
        runs["pybtex"].append(spawn("bench_references", "pybtex", path))
        if peers:
            runs["bibtexparser"].append(spawn("bench_references", "bibtexparser", path))
            runs["bibtexparser_names"].append(
                spawn("bench_references", "bibtexparser", path, "names")
            )
        runs["cold"].append(spawn("bench_references", "load", path, "off"))
        runs["cold_write"].append(spawn("bench_references", "load", path, cache))
        runs["warm"].append(spawn("bench_references", "load", path, cache))
        runs["warm_all"].append(spawn("bench_references", "load", path, cache, "all"))
    result: Result = {
        "file": path.name,
        "size_mb": round(path.stat().st_size / 1e6, 1),
        "rounds": rounds,
        "entries_pybtex": runs["pybtex"][0]["entries"],
        "entries": runs["cold"][0]["entries"],
        "not_loaded": runs["cold"][0]["not_loaded"],
        "problems": runs["cold"][0]["problems"],
    }
    for name, results in runs.items():
        key = "seconds_all" if name == "warm_all" else "seconds"
        result[name] = {
            "seconds": median([r[key] for r in results]),
            "all_seconds": [round(r[key], 4) for r in results],
            "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
            "base_rss_mb": min(r["base_rss_mb"] for r in results),
        }
    seconds = {name: result[name]["seconds"] for name in runs}
    result["ratio_cold_pybtex"] = seconds["cold"] / seconds["pybtex"]
    result["ratio_peak_pybtex"] = result["cold"]["peak_rss_mb"] / result["pybtex"]["peak_rss_mb"]
    if peers:
        first = runs["bibtexparser"][0]
        result["bibtexparser_version"] = first["version"]
        result["entries_bibtexparser"] = first["entries"]
        result["failed_bibtexparser"] = first["failed"]
        result["ratio_cold_bibtexparser"] = seconds["cold"] / seconds["bibtexparser"]
        result["ratio_cold_bibtexparser_names"] = seconds["cold"] / seconds["bibtexparser_names"]
    result["speedup_warm"] = seconds["cold"] / seconds["warm"]
    result["speedup_warm_all"] = seconds["cold"] / seconds["warm_all"]
    return result


def measure(rounds: int = 3) -> Result:
    """The references group of the suite."""
    results: Result = {}
    with tempfile.TemporaryDirectory(prefix="evidence-bench-") as folder:
        work = Path(folder)
        if ZOTERO.exists():
            results["zotero"] = measure_file(ZOTERO, rounds, work)
        results["generated"] = measure_file(write_generated(work), rounds, work)
        results["hostile"] = spawn("bench_references", "hostile", work / "hostile.bib")
    return results


def show(results: Result) -> str:
    lines = []
    for which, r in results.items():
        if which == "hostile":
            lines.append(
                f"hostile: {r['size_mb']} MB of '@a{{' lines, {r['blocks']:,} blocks reported: "
                f"{r['seconds']:.1f} s, peak {r['peak_rss_mb']:.0f} MB (target < 2048 MB)"
            )
            continue
        lines.append(f"{which}: {r['file']} ({r['size_mb']} MB, {r['entries']} entries)")
        for name in RUNS:
            if name not in r:
                continue
            lines.append(
                f"  {name:<18} {r[name]['seconds']:8.3f} s   peak {r[name]['peak_rss_mb']:6.0f} MB"
            )
        lines.append(
            f"  cold / pybtex = {r['ratio_cold_pybtex']:.2f} (target <= 1.0); warm is "
            f"{r['speedup_warm']:.0f}x faster than cold ({r['speedup_warm_all']:.0f}x with "
            "every entry read; target >= 20x)"
        )
        lines.append(f"  cold peak / pybtex peak = {r['ratio_peak_pybtex']:.2f} (target <= 1.0)")
        if "ratio_cold_bibtexparser_names" in r:
            lines.append(
                f"  cold / bibtexparser = {r['ratio_cold_bibtexparser']:.2f}; cold / "
                f"bibtexparser with names = {r['ratio_cold_bibtexparser_names']:.2f} "
                "(target <= 1.0)"
            )
    return "\n".join(lines)


def standalone() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(show(measure(args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main_for(TASKS, standalone))
