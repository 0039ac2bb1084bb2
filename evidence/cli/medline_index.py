"""``evidence medline-index``: MEDLINE/PubMed XML files into an offline index (Parquet)."""

from __future__ import annotations

import argparse
import sys

from evidence.cli.audit import engine_for
from evidence.cli.steps import EXIT_OK, EXIT_PROBLEMS, log


def run(args: argparse.Namespace) -> int:
    from evidence.audit import build_index

    build = build_index(args.files, args.output, engine=engine_for(args), buckets=args.buckets)
    for problem in build.problems:
        print(f"{problem} (record skipped)", file=sys.stderr)
    for key, error in build.failed.items():
        print(f"evidence: partition {key} failed: {error}", file=sys.stderr)
    if build.failed:
        print(
            f"evidence: {len(build.failed)} partition(s) failed; the index is not finished. "
            "Fix the cause and run the same command again: finished files are not redone.",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    log.info(
        "wrote %s: %d records (%d deletions applied)", args.output, build.records, build.deleted
    )
    return EXIT_OK
