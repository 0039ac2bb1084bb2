"""The ``evidence`` command line (also ``python -m evidence``).

Messages follow the compiler convention ``path:line: severity: message`` so editors and
CI annotators can jump to them (``check --output-format`` also writes JSON, GitHub
annotations and SARIF). Exit codes:

* 0 — done, and (for ``check``) nothing to report;
* 1 — ``check`` found problems;
* 2 — the input or the arguments cannot be used (nothing is written);
* 130 — interrupted (Ctrl-C); 141 — the reader of the output went away (a closed pipe).

Output goes to stdout unless ``-o FILE`` is given (``-o -`` is stdout too); a file is
written whole or not at all, and every output ends with a newline. ``-`` as the claims file
or the article reads standard input.

PubMed: ``table``, ``check`` and ``plot`` fetch what the snapshot and the cache lack,
unless ``--offline``. When NCBI cannot be reached they say so once and carry on with the
.bib data; each row's PubMed status tells what happened to it.

The package: ``runner`` runs a command and turns errors into exit codes; ``parser`` builds
the options (importing nothing heavy, so ``--help`` is quick); ``steps`` holds what the
commands share, all through :class:`evidence.pipeline.Pipeline`; each command has a module
(``table``, ``check``, ``fetch``, ``plot``, ``extract``, ``completion``), and a new command
is a new module plus a line in ``runner.COMMANDS`` and a function in ``parser.SUBCOMMANDS``.
Commands import their heavy dependencies (pandas, requests, matplotlib) inside ``run``.
May import every stage below the front ends.

This ``__init__`` holds only :func:`main`, which catches Ctrl-C before anything else is
imported, so an interrupt during start-up prints one line, not a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    try:
        # Imported here, inside the try: an interrupt while the command's modules load is
        # reported like one while it runs.
        from evidence.cli.runner import run_command

        return run_command(argv)
    except KeyboardInterrupt:
        import sys

        print("evidence: interrupted", file=sys.stderr)
        return 130
