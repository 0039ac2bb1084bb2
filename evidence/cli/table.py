"""``evidence table``: build the evidence table and write it in a format."""

from __future__ import annotations

import argparse
import sys

from evidence.cli.steps import (
    EXIT_OK,
    SUFFIX_FORMATS,
    build,
    log,
    output_format,
    partial_snapshot,
    print_problems,
    protect_inputs,
    to_stdout,
    write_output,
)


def run(args: argparse.Namespace) -> int:
    """Build the table and write it; the format from ``-f``, else the ``-o`` suffix."""
    protect_inputs(args, args.output)
    # Before anything runs: an output name with an unknown suffix is refused at once.
    fmt = output_format(args.output, args.format, SUFFIX_FORMATS, "markdown")
    from evidence.render.styles import style_kind

    style_kind(args.style)  # an unknown style: one line with the close names, exit 2
    table, _, snapshot, _ = build(args)
    if snapshot is not None and not snapshot.complete and not args.quiet:
        print(partial_snapshot(args.snapshot, snapshot), file=sys.stderr)
    # Problems in the inputs do not stop the table; they are told on stderr, located.
    if not args.quiet:
        print_problems(table.input_problems, sys.stderr, color=args.color)
    options: dict[str, object] = {}
    if fmt == "json":
        options = {"style": args.style}  # the references' citations
    elif fmt != "csv":
        options = {"style": args.style, "audience": args.audience}
    if args.columns:
        if fmt != "latex":
            raise ValueError("--columns picks the printed columns: it needs the latex format")
        options["columns"] = [name.strip() for name in args.columns.split(",") if name.strip()]
    text = table.render(fmt, **options)
    write_output(text, args.output)
    if not to_stdout(args.output):
        log.info("wrote %s (%s)", args.output, fmt)
    return EXIT_OK
