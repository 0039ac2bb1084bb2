"""``evidence extract``: an article's cited sentences as a claims file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evidence.cli.steps import (
    EXIT_OK,
    STDIN,
    output_format,
    pipeline_for,
    plural,
    print_problems,
    protect_inputs,
    read_stdin,
    sniff_article_format,
    write_output,
)

_CLAIMS_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".tsv": "tsv"}


def run(args: argparse.Namespace) -> int:
    """Extract the claims and write them as YAML (or the ``-o`` suffix's format)."""
    from evidence.extract import extract_claims

    protect_inputs(args, args.output)
    fmt = output_format(args.output, None, _CLAIMS_SUFFIXES, "yaml")
    article: str | Path = Path(args.article)
    article_format = args.format
    if args.article == "-":
        article = read_stdin()
        article_format = article_format or sniff_article_format(article)
    pipeline = pipeline_for(args)
    references = pipeline.bibliography(args.bib) if args.bib else None
    with pipeline.pubmed.client() as client:
        result = extract_claims(
            article,
            references=references,
            format=article_format,
            context=args.context,
            include_uncited=args.with_uncited,
            client=None if args.offline else client,  # ECitMatch answers are not cached
            encoding=args.encoding,
        )
    write_output(result.dump(fmt), args.output)
    if not args.quiet:
        print_problems(result.problems, sys.stderr, color=args.color)
        cited = sum(bool(c.citations) for c in result.claims)
        source = STDIN if args.article == "-" else args.article
        print(
            f"{plural(len(result.claims), 'claim')} ({cited} with citations) from "
            f"{source}; {plural(len(result.unmapped), 'citation')} not mapped",
            file=sys.stderr,
        )
    return EXIT_OK
