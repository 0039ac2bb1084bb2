"""The ``evidence`` command line (also ``python -m evidence``).

Messages follow the compiler convention ``path:line: severity: message`` so editors and
CI annotators can jump to them. Exit codes:

* 0 — done, and (for ``check``) nothing to report;
* 1 — ``check`` found problems;
* 2 — the input or the arguments cannot be used (nothing is written).

Output goes to stdout unless ``-o FILE`` is given; a file is written whole or not at all.

PubMed: ``table``, ``check`` and ``plot`` fetch what the snapshot and the cache lack,
unless ``--offline``. When NCBI cannot be reached they say so once and carry on with the
.bib data; each row's PubMed status tells what happened to it.

The package: ``main`` runs a command and turns errors into exit codes; ``parser`` builds
the options (importing nothing heavy, so ``--help`` is quick); ``steps`` holds what the
commands share, all through :class:`evidence.pipeline.Pipeline`; each command has a module
(``table``, ``check``, ``fetch``, ``plot``, ``extract``), and a new command is a new
module plus a line in ``main.COMMANDS``. May import every stage below the front ends.
"""

from evidence.cli.main import main

__all__ = ["main"]
