"""Run the benchmark suite and write ``docs/performance.md``.

``python -m benchmarks`` (from the repository root, with ``../shared`` beside it) runs
every group, each measurement in a fresh process, and rewrites ``docs/performance.md``
with the figures, their targets, and the machine they were measured on. Options:

* ``--only GROUP`` (repeatable): ``references``, ``pubmed``, ``pubmed-parse``, ``tables``,
  ``startup`` ...; the page is written only when every group ran;
* ``--quick``: one round, tables up to 10,000 claims, 2,000 PMIDs; prints, writes nothing;
* ``--rounds N``: rounds for the references group (default 3);
* ``--json FILE``: also save the raw results;
* ``--profile GROUP``: instead of measuring, run one representative workload of the group
  under cProfile and print the 30 functions with the most time of their own;
* ``--from-json FILE``: measure nothing; write the page from the results a full run saved
  with ``--json`` (for changes to its wording).

This module measures; :mod:`benchmarks.page` writes the page and :mod:`benchmarks.targets`
its targets and misses.
"""

from __future__ import annotations

import argparse
import compileall
import cProfile
import json
import pstats
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import (
    bench_claims,
    bench_extract,
    bench_formats,
    bench_pubmed,
    bench_pubmed_parse,
    bench_references,
    bench_sentences,
    bench_startup,
    bench_tables,
)
from benchmarks._measure import FIXTURES, ROOT, Result, machine
from benchmarks.page import GROUPS, PAGE, page


def run(groups: tuple[str, ...], *, rounds: int, quick: bool) -> Result:
    """Measure ``groups``; the results with the machine and the run's own timing."""
    results: Result = {"machine": machine(), "started": datetime.now(UTC).isoformat()}
    begun = time.perf_counter()
    # Whole commands are timed as a user runs an installed package: pip writes the
    # bytecode at install, so compile it once here (a tree run with
    # PYTHONDONTWRITEBYTECODE set would otherwise recompile every module in each child).
    compileall.compile_dir(ROOT / "evidence", quiet=1)
    steps: dict[str, Callable[[], Result]] = {
        "references": lambda: bench_references.measure(1 if quick else rounds),
        "pubmed": lambda: bench_pubmed.measure(2_000 if quick else 10_000, 20 if quick else 60),
        "pubmed-parse": lambda: bench_pubmed_parse.measure(2_000 if quick else 10_000),
        "tables": lambda: bench_tables.measure((1_000, 10_000) if quick else bench_tables.SIZES),
        "formats": lambda: bench_formats.measure(2_000 if quick else 10_000, 1 if quick else 3),
        "extract": lambda: bench_extract.measure(bench_extract.QUICK if quick else None),
        "sentences": bench_sentences.measure,
        "startup": lambda: bench_startup.measure(3 if quick else 5),
        "claims": lambda: bench_claims.measure(bench_claims.QUICK if quick else None),
    }
    shows: dict[str, Callable[[Result], str]] = {
        "references": bench_references.show,
        "pubmed": bench_pubmed.show,
        "pubmed-parse": bench_pubmed_parse.show,
        "tables": bench_tables.show,
        "formats": bench_formats.show,
        "extract": bench_extract.show,
        "sentences": bench_sentences.show,
        "startup": bench_startup.show,
        "claims": bench_claims.show,
    }
    for group in groups:
        print(f"== {group}", flush=True)
        started = time.perf_counter()
        results[group] = steps[group]()
        results.setdefault("group_seconds", {})[group] = time.perf_counter() - started
        print(shows[group](results[group]), flush=True)
    results["seconds"] = time.perf_counter() - begun
    return results


# --- the page ------------------------------------------------------------------------


# --- profiles --------------------------------------------------------------------------


def profile(group: str) -> int:
    """One representative workload of ``group`` under cProfile; the top 30 by own time."""
    import tempfile

    work: Callable[[], Any]
    if group == "references":
        from evidence.bibliography import load_references

        path = FIXTURES / "bib" / "zotero_bbt_7166_pmid_large.bib"
        work = lambda: load_references(path, cache=False)  # noqa: E731
    elif group == "tables":
        from benchmarks.generate import generate_claims
        from evidence.table import build_table

        claims, refs = generate_claims(10_000, 2_000)
        work = lambda: [build_table(claims, refs).render(f) for f in bench_tables.FORMATS]  # noqa: E731
    elif group == "pubmed":
        folder = tempfile.mkdtemp(prefix="evidence-bench-")
        bench_pubmed.task_fetch("2000", folder)

        def warm() -> Result:
            return bench_pubmed.task_fetch("2000", folder)

        work = warm
    elif group == "pubmed-parse":
        from evidence.pubmed import parse_efetch

        body = bench_pubmed_parse.build_body(10_000)
        work = lambda: parse_efetch(body)  # noqa: E731
    elif group == "startup":
        # Imports are the work: the modules with the most import time of their own.
        with tempfile.TemporaryDirectory() as cache:
            command = bench_startup.COMMANDS[bench_startup.TARGETS[1]]
            found = bench_startup.measure_command(command, 3, bench_startup.environment(cache))
        for name, seconds in found["heaviest_own"]:
            print(f"{seconds * 1000:8.1f} ms  {name}")
        return 0
    elif group == "extract":
        from evidence import extract_claims

        article = bench_extract.generate_article(500_000, 100)
        work = lambda: extract_claims(article)  # noqa: E731
    elif group == "claims":
        from evidence import dump_claims, extract_claims

        article = bench_extract.generate_article(3_000_000, 100)
        extracted = list(extract_claims(article, list_references=True).claims)[:20_000]
        work = lambda: dump_claims(extracted, "yaml")  # noqa: E731
    else:
        print(f"unknown group {group!r}; one of: {', '.join(GROUPS)}", file=sys.stderr)
        return 2
    profiler = cProfile.Profile()
    profiler.runcall(work)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--only", action="append", choices=GROUPS, help="run only this group")
    parser.add_argument("--quick", action="store_true", help="a smaller run; writes nothing")
    parser.add_argument("--rounds", type=int, default=3, help="rounds for references")
    parser.add_argument("--json", type=Path, help="also save the raw results here")
    parser.add_argument("--profile", choices=GROUPS, help="profile one group instead")
    parser.add_argument("--page", type=Path, default=PAGE, help="the page to write")
    parser.add_argument(
        "--from-json",
        type=Path,
        help="write the page from the raw results a full run saved with --json (the same "
        "figures; for changes to the page's wording), measuring nothing",
    )
    args = parser.parse_args(argv)
    if args.profile:
        return profile(args.profile)
    if args.from_json:
        saved: Result = json.loads(args.from_json.read_text("utf-8"))
        args.page.write_text(page(saved), encoding="utf-8")
        print(f"wrote {args.page} from {args.from_json}")
        return 0
    groups = tuple(args.only) if args.only else GROUPS
    results = run(groups, rounds=args.rounds, quick=args.quick)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    if args.quick or set(groups) != set(GROUPS):
        print("(the page is written only by a full run)")
        return 0
    args.page.write_text(page(results), encoding="utf-8")
    print(f"wrote {args.page}")
    return 0
