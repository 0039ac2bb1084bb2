"""``evidence completion SHELL``: the shell completion script, from argcomplete.

argcomplete (rather than shtab) because it covers bash, zsh *and* fish, and completes from
the live parser, so a new command or option completes without regenerating anything. The
script calls ``evidence`` back with ``_ARGCOMPLETE`` set; :func:`evidence.cli.runner.run_command`
answers before parsing.
"""

from __future__ import annotations

import argparse

from evidence.cli.steps import EXIT_OK, write_output


def run(args: argparse.Namespace) -> int:
    """Print the completion script for ``args.shell``."""
    from argcomplete.shell_integration import shellcode

    write_output(shellcode(["evidence"], shell=args.shell), None)
    return EXIT_OK
