"""``evidence extract``: an article's cited sentences as a claims file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evidence._files import atomic_write_text
from evidence.cli.steps import EXIT_OK, pipeline_for, plural, print_problems, protect_inputs


def run(args: argparse.Namespace) -> int:
    from evidence.extract import extract_claims

    protect_inputs(args, args.output)
    pipeline = pipeline_for(args)
    references = pipeline.bibliography(args.bib) if args.bib else None
    with pipeline.pubmed.client() as client:
        result = extract_claims(
            Path(args.article),
            references=references,
            format=args.format,
            context=args.context,
            include_uncited=args.with_uncited,
            client=None if args.offline else client,  # ECitMatch answers are not cached
            encoding=args.encoding,
        )
    suffix = Path(args.output or "").suffix.lower()
    text = result.dump({".json": "json", ".csv": "csv", ".tsv": "tsv"}.get(suffix, "yaml"))
    if args.output:
        atomic_write_text(args.output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()  # the claims before the summary when both go to a terminal
    if not args.quiet:
        print_problems(result.problems, sys.stderr)
        cited = sum(bool(c.citations) for c in result.claims)
        print(
            f"{plural(len(result.claims), 'claim')} ({cited} with citations) from "
            f"{args.article}; {plural(len(result.unmapped), 'citation')} not mapped",
            file=sys.stderr,
        )
    return EXIT_OK
