"""``evidence plot``: a forest plot of one claim (imports matplotlib only here)."""

from __future__ import annotations

import argparse
import sys

from evidence.cli.steps import EXIT_OK, build, log, output_format, print_problems, protect_inputs

_PLOT_SUFFIXES = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def run(args: argparse.Namespace) -> int:
    """Draw the claim's forest plot to ``-o`` (PNG, SVG or PDF by its suffix)."""
    protect_inputs(args, args.output)
    if args.output == "-":
        raise ValueError("a plot is an image: give a file name ending .png, .svg or .pdf")
    output_format(args.output, None, _PLOT_SUFFIXES, "png")  # refuses an unknown suffix
    table, _, _, _ = build(args)
    if not args.quiet:
        print_problems(table.input_problems, sys.stderr, color=args.color)
    table.plot(args.claim, outcome=args.outcome, path=args.output)
    log.info("wrote %s", args.output)
    return EXIT_OK
