"""Running one command: logging, colour, errors to exit codes, interrupts, closed pipes.

The command modules are imported only when their command runs, so ``--help`` and ``check``
do not pay for what ``plot`` or ``fetch`` need.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from evidence.cli.parser import build_parser
from evidence.cli.steps import EXIT_UNUSABLE, print_problems, use_color
from evidence.errors import EvidenceError

COMMANDS: dict[str, str] = {
    "table": "evidence.cli.table",
    "check": "evidence.cli.check",
    "fetch": "evidence.cli.fetch",
    "plot": "evidence.cli.plot",
    "extract": "evidence.cli.extract",
    "review": "evidence.cli.review",
    "audit": "evidence.cli.audit",
    "medline-index": "evidence.cli.medline_index",
    "completion": "evidence.cli.completion",
}
"""Each command's module; its ``run(args) -> int`` runs the command."""

EXIT_INTERRUPTED = 130
EXIT_CLOSED_PIPE = 141  # 128 + SIGPIPE, what a C tool killed by the signal reports


def run_command(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run its command; return the exit code (see :mod:`evidence.cli`)."""
    parser = build_parser()
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions: answer and exit
        import argcomplete

        argcomplete.autocomplete(parser)
    args = parser.parse_args(argv)
    # The choice stays for a command that colours stdout; ``color`` is the answer for stderr.
    args.color_choice = args.color
    args.color = use_color(args.color, sys.stderr)
    _set_up_logging(args)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_UNUSABLE
    try:
        module = importlib.import_module(COMMANDS[args.command])
        code: int = module.run(args)
        sys.stdout.flush()  # inside the try: a closed pipe found at the end is handled too
        return code
    except EvidenceError as error:
        report_error(error, color=args.color)
        return EXIT_UNUSABLE
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_CLOSED_PIPE
    except ValueError as error:  # a bad option value found late (e.g. an unknown claim id)
        print(f"evidence: error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as error:
        where = error.filename or "evidence"
        print(f"{where}: error: {error.strerror or error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("evidence: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _set_up_logging(args: argparse.Namespace) -> None:
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


def _silence_stdout() -> None:
    """After the reader of stdout went away: point stdout at /dev/null, so the interpreter's
    final flush does not print "Exception ignored ... BrokenPipeError" on the way out."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (a test's capture): nothing to do
        pass


def report_error(error: EvidenceError, *, color: bool = False) -> None:
    """An error on stderr: one located line per problem, then the summary."""
    if error.problems:
        # One located line per problem, then the summary (which says nothing was written).
        print_problems(error.problems, sys.stderr, color=color)
        print(f"evidence: {error.message}", file=sys.stderr)
        return
    where = f"{error.location}: " if error.location else ""
    print(f"{where}error: {error.message}", file=sys.stderr)
