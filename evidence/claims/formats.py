"""The claims formats: for each, its reader, its writer and the names it goes by.

A new format is one new module (a reader from text to a :mod:`evidence.claims.tree`, and
a writer from claims to text) plus one line in :data:`REGISTRY`. Everything else --
:func:`~evidence.claims.parse_claims`, :func:`~evidence.claims.load_claims`,
:func:`~evidence.claims.dump_claims`, the suffixes a file is recognised by, the names in
messages -- follows from the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from evidence.claims.csv_reader import read_csv
from evidence.claims.json_reader import read_json
from evidence.claims.tree import Node, Report
from evidence.claims.writers import write_csv, write_json, write_yaml
from evidence.claims.yaml_reader import read_yaml
from evidence.model import Claim


@dataclass(frozen=True, slots=True)
class ClaimsFormat:
    """One claims format.

    ``read`` turns text into a tree (``None`` when there is nothing usable; problems go
    to the report). ``write`` turns claims into text; it is given the name the format was
    asked for by, one of ``name`` and ``aliases`` (``"tsv"`` asks the CSV writer for
    tabs). ``suffixes`` are the file suffixes that mean this format. ``tabular`` formats
    have columns rather than fields, and messages say so.
    """

    name: str
    read: Callable[[str, Report], Node | None]
    write: Callable[[Sequence[Claim], str], str]
    aliases: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    tabular: bool = False


#: Every claims format, in the order they are listed to users.
REGISTRY: tuple[ClaimsFormat, ...] = (
    ClaimsFormat("yaml", read_yaml, write_yaml, ("yml",), (".yaml", ".yml")),
    ClaimsFormat("json", read_json, write_json, (), (".json",)),
    ClaimsFormat("csv", read_csv, write_csv, ("tsv",), (".csv", ".tsv"), tabular=True),
)

#: The formats :func:`~evidence.claims.parse_claims` and
#: :func:`~evidence.claims.dump_claims` accept.
FORMATS = tuple(f.name for f in REGISTRY)

#: The file suffixes :func:`~evidence.claims.load_claims` recognises, in registry order.
SUFFIXES = tuple(suffix for f in REGISTRY for suffix in f.suffixes)


def spelled(fmt: str) -> str:
    """A format name as given by a user, in the form the registry uses (``".YML"`` -> ``"yml"``)."""
    return fmt.strip().lower().lstrip(".")


def find_format(fmt: str, report: Report) -> ClaimsFormat | None:
    """The format called ``fmt`` (a name or alias, any case, a leading dot forgiven).

    An unknown name is reported as an error and gives ``None``.
    """
    wanted = spelled(fmt)
    for known in REGISTRY:
        if wanted == known.name or wanted in known.aliases:
            return known
    report.error(
        None,
        f"unknown claims format {fmt!r}; use one of: {', '.join(FORMATS)}",
        "unknown-format",
    )
    return None


def format_of_suffix(suffix: str) -> ClaimsFormat | None:
    """The format a file suffix (``".yaml"``, any case) stands for, or ``None``."""
    wanted = suffix.lower()
    return next((f for f in REGISTRY if wanted in f.suffixes), None)
