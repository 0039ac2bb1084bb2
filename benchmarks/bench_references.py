"""Benchmark: ``load_references`` against pybtex's own parse of the same large export.

Run ``python benchmarks/bench_references.py`` from the repository root (it needs
``../shared/fixtures/bib``; ``--file`` picks another file there or anywhere, ``--rounds``
the number of timed rounds). In one process, each round times pybtex's
``parse_file(path, bib_format="bibtex")`` inside ``pybtex.errors.capture()`` (so it runs
non-strict without printing thousands of warnings) and then ``load_references(path)``;
rounds interleave the two so that a busy machine slows both alike. The medians are
printed with their ratio; pybtex with the cyclic GC off is shown too, for reference.

Target: ``load_references`` no slower than pybtex's own parse (ratio <= 1.0), although it
does more: it checks every entry against the raw text, keeps lines, decodes LaTeX and
normalises identifiers.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pybtex.errors
from pybtex.database import parse_file

from evidence.references import load_references

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "fixtures" / "bib" / "zotero_bbt_7166_pmid_large.bib"


def pybtex_parse(path: Path) -> int:
    """pybtex's own parse, non-strict: errors are captured, not raised or printed."""
    with pybtex.errors.capture():
        return len(parse_file(str(path), bib_format="bibtex").entries)


def pybtex_parse_gc_off(path: Path) -> int:
    gc.disable()
    try:
        return pybtex_parse(path)
    finally:
        gc.enable()


def ours(path: Path) -> int:
    return len(load_references(path))


def timed(function: Callable[[Path], int], path: Path) -> tuple[float, int]:
    gc.collect()  # start each run from the same heap state
    start = time.perf_counter()
    count = function(path)
    return time.perf_counter() - start, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT, help="the .bib file to read")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (median taken)")
    args = parser.parse_args()
    path: Path = args.file
    if not path.exists():
        print(f"{path}: no such file (the benchmark needs ../shared beside the repository)")
        return 2

    runs: dict[str, list[float]] = {"pybtex": [], "pybtex, GC off": [], "load_references": []}
    counts: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, function in (
            ("pybtex", pybtex_parse),
            ("load_references", ours),
            ("pybtex, GC off", pybtex_parse_gc_off),
        ):
            elapsed, counts[name] = timed(function, path)
            runs[name].append(elapsed)

    size = path.stat().st_size / 1e6
    print(f"{path.name}: {size:.1f} MB, median of {args.rounds} interleaved rounds")
    for name, seconds in runs.items():
        median = statistics.median(seconds)
        print(
            f"  {name:<16} {median:6.3f} s  {counts[name]:>6} entries  "
            f"{counts[name] / median:>7,.0f} entries/s  {size / median:4.1f} MB/s"
        )
    ratio = statistics.median(runs["load_references"]) / statistics.median(runs["pybtex"])
    verdict = "meets" if ratio <= 1.0 else "MISSES"
    print(f"load_references / pybtex = {ratio:.2f} ({verdict} the target of <= 1.0)")
    return 0 if ratio <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
