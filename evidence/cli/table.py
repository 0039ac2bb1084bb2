"""``evidence table``: build the evidence table and write it in a format."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evidence._files import atomic_write_text
from evidence.cli.steps import (
    EXIT_OK,
    SUFFIX_FORMATS,
    build,
    log,
    partial_snapshot,
    print_problems,
    protect_inputs,
)


def run(args: argparse.Namespace) -> int:
    protect_inputs(args, args.output)
    table, _, snapshot = build(args)
    if snapshot is not None and not snapshot.complete and not args.quiet:
        print(partial_snapshot(args.snapshot, snapshot), file=sys.stderr)
    # Problems in the inputs do not stop the table; they are told on stderr, located.
    if not args.quiet:
        print_problems(table.input_problems, sys.stderr)
    fmt = args.format or SUFFIX_FORMATS.get(Path(args.output or "").suffix.lower(), "markdown")
    options: dict[str, str] = {}
    if fmt not in ("csv", "json"):
        options = {"style": args.style, "audience": args.audience}
    text = table.render(fmt, **options)
    if args.output:
        atomic_write_text(args.output, text)
        log.info("wrote %s (%s)", args.output, fmt)
    else:
        sys.stdout.write(text)
    return EXIT_OK
