"""Running one command: logging, errors to exit codes, interrupts."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from evidence.cli import audit, check, extract, fetch, medline_index, plot, table
from evidence.cli.parser import build_parser
from evidence.cli.steps import EXIT_UNUSABLE, print_problems
from evidence.errors import EvidenceError

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "table": table.run,
    "check": check.run,
    "fetch": fetch.run,
    "plot": plot.run,
    "extract": extract.run,
    "audit": audit.run,
    "medline-index": medline_index.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.ERROR if args.quiet else logging.WARNING - 10 * min(args.verbose, 2)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("evidence: %(message)s"))
    root = logging.getLogger("evidence")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    # The client logs its own trouble; the CLI sums it up in one line (PubMed unreachable is
    # said once), so the client's messages show only with -v.
    logging.getLogger("evidence.pubmed").setLevel(level if args.verbose else logging.ERROR)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_UNUSABLE
    try:
        return COMMANDS[args.command](args)
    except EvidenceError as error:
        report_error(error)
        return EXIT_UNUSABLE
    except ValueError as error:  # a bad option value found late (e.g. an unknown claim id)
        print(f"evidence: error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as error:
        where = error.filename or "evidence"
        print(f"{where}: error: {error.strerror or error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("evidence: interrupted", file=sys.stderr)
        return 130


def report_error(error: EvidenceError) -> None:
    if error.problems:
        # One located line per problem, then the summary (which says nothing was written).
        print_problems(error.problems, sys.stderr)
        print(f"evidence: {error.message}", file=sys.stderr)
        return
    where = f"{error.location}: " if error.location else ""
    print(f"{where}error: {error.message}", file=sys.stderr)
