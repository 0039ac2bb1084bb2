"""``evidence plot``: a forest plot of one claim."""

from __future__ import annotations

import argparse
import sys

from evidence.cli.steps import EXIT_OK, build, log, print_problems, protect_inputs


def run(args: argparse.Namespace) -> int:
    protect_inputs(args, args.output)
    table, _, _ = build(args)
    if not args.quiet:
        print_problems(table.input_problems, sys.stderr)
    table.plot(args.claim, outcome=args.outcome, path=args.output)
    log.info("wrote %s", args.output)
    return EXIT_OK
