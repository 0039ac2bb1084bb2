"""``evidence audit``: every citation of a corpus checked against retractions, on Dask."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from evidence._files import atomic_write_text
from evidence.audit import Engine
from evidence.cli.steps import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE, log, settings_for

if TYPE_CHECKING:
    from evidence.pipeline import PubMedSettings


def engine_for(args: argparse.Namespace) -> Engine:
    """The engine the options ask for: serial, an existing cluster, or a local one."""
    return Engine(
        serial=args.serial,
        address=args.scheduler,
        workers=args.workers,
        progress=not args.quiet,
    )


def _pubmed_share(args: argparse.Namespace) -> PubMedSettings:
    """PubMed settings whose request rate, summed over the workers, stays within NCBI's.

    Every worker process has its own client and rate limiter, so each gets its share of
    the 3 (or, with a key, 10) requests per second. On a remote cluster the number of
    workers is not known here: the audit stays offline there (use an index).
    """
    settings = settings_for(args)
    if settings.offline or args.serial:
        return settings
    if args.scheduler:
        log.warning(
            "on a remote cluster the audit does not ask PubMed (the workers together would "
            "exceed NCBI's rate limit); records come from --index, the snapshot and the cache"
        )
        return replace(settings, offline=True)
    workers = args.workers or os.cpu_count() or 1
    rate = 10.0 if os.environ.get("NCBI_API_KEY", "").strip() else 3.0
    return replace(settings, options={**settings.options, "max_rate": rate / workers})


def run(args: argparse.Namespace) -> int:
    from evidence.audit.check import AuditSettings
    from evidence.audit.report import render_report
    from evidence.audit.run import load_audit, run_audit

    if args.report:
        citations, articles, manifest = load_audit(args.report)
        page, markdown = render_report(citations, articles, manifest)
        atomic_write_text(Path(args.report) / "report.html", page)
        atomic_write_text(Path(args.report) / "report.md", markdown)
        log.info("wrote %s/report.html and report.md", args.report)
        return EXIT_OK
    if not args.corpus or not args.output:
        print("evidence audit: give CORPUS... and -o OUT, or --report OUT", file=sys.stderr)
        return EXIT_UNUSABLE
    settings = AuditSettings(
        out=args.output,
        index=args.index,
        snapshot=args.snapshot,
        pubmed=_pubmed_share(args),
        support=not args.no_support,
    )
    done = run_audit(
        args.corpus, settings, engine=engine_for(args), batch=args.batch, restart=args.restart
    )
    report = done.report
    for key, error in report.failed.items():
        print(f"evidence: partition {key} failed: {error}", file=sys.stderr)
    citations, articles, _ = load_audit(args.output)
    retracted = int((citations["status"] == "retracted").sum())
    if not args.quiet:
        print(
            f"{len(articles)} articles, {len(citations)} citations, {retracted} citing "
            f"retracted work; {len(report.skipped)} partition(s) already done, "
            f"{len(report.results)} run now, {len(report.failed)} failed",
            file=sys.stderr,
        )
    return EXIT_PROBLEMS if report.failed or retracted else EXIT_OK
