"""What every claims reader produces: a neutral tree with line numbers, and the problems.

YAML, JSON and CSV are first turned into :class:`Map`, :class:`Seq` and :class:`Scalar`
nodes, each carrying the line it starts on; :mod:`evidence.claims.build` then checks the
tree and makes the records. Scalars keep the text as the user typed it (``012`` stays
``"012"``), so every format is read by the same rules.

:class:`Report` collects the problems of one input; every problem in a file is gathered
first, then :func:`fail` raises one :class:`~evidence.errors.ClaimFileError` listing them
all, each as ``path:line: error: ...``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NoReturn, TypeAlias

from evidence.errors import ClaimFileError, Problem, Severity, SourceLocation


class Report:
    """The problems found in one input, and the path they are reported against."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.errors = 0
        self.csv = False  # messages name CSV columns instead of YAML fields
        self.title = ""  # the file's optional title, kept for the table it feeds

    def error(self, line: int | None, message: str, code: str, column: int | None = None) -> None:
        """Record an error: the file cannot be loaded."""
        self.errors += 1
        self.problems.append(Problem(SourceLocation(self.source, line, column), message, code))

    def warn(self, line: int | None, message: str, code: str) -> None:
        """Record a warning: the file loads, and the warning is kept with its claims."""
        where = SourceLocation(self.source, line)
        self.problems.append(Problem(where, message, code, Severity.WARNING))

    def at(self, line: int | None) -> SourceLocation:
        """The location of ``line`` in this input."""
        return SourceLocation(self.source, line)

    def sorted_problems(self) -> list[Problem]:
        """Every problem so far, in line order."""
        return sorted(self.problems, key=lambda p: p.location.line or 0)


def fail(report: Report) -> NoReturn:
    """Raise one :class:`~evidence.errors.ClaimFileError` with every problem, in line order."""
    count = report.errors
    raise ClaimFileError(
        f"cannot load claims: {count} error{'s' if count != 1 else ''}",
        location=SourceLocation(report.source),
        problems=report.sorted_problems(),
    )


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice nearest to ``word`` for a "did you mean" hint, or ``None``."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


@dataclass(slots=True)
class Scalar:
    """A value: the text as typed (``None`` for an explicit null or an empty CSV cell)."""

    text: str | None  # None: an explicit null, or an empty CSV cell
    line: int


@dataclass(slots=True)
class Map:
    """A mapping: its fields in file order, each with the line of its name."""

    line: int
    items: list[tuple[str, int, Node]] = field(default_factory=list)  # name, key line, value


@dataclass(slots=True)
class Seq:
    """A list of nodes."""

    line: int
    items: list[Node] = field(default_factory=list)


#: Any node of the tree.
Node: TypeAlias = "Scalar | Map | Seq"


# One search in C per text: a generator over every character cost 0.4 s at 20,000 claims.
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_characters(root: Node | None, report: Report) -> None:
    """Report every text holding a lone surrogate (``"\\ud800"`` in JSON or YAML escapes):
    half of a character pair, which no file can hold, so writing the claims back (or any
    output) would fail later with a bare encoding error."""
    stack = [root] if root is not None else []
    seen: set[int] = set()  # a YAML alias can make the tree refer to itself
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Scalar):
            texts = [node.text or ""]
        elif isinstance(node, Map):
            texts = [name for name, _, _ in node.items]
            stack.extend(value for _, _, value in node.items)
        else:
            texts = []
            stack.extend(node.items)
        for text in texts:
            found = _SURROGATE.search(text)
            if found is not None:
                bad = found.group()
                report.error(
                    node.line,
                    f"the text {text[:40]!r} holds \\u{ord(bad):04x}, half of a character "
                    "pair, which no file can hold: remove the escape or give the whole pair",
                    "bad-character",
                )


def describe(node: Node) -> str:
    """What a node is, for messages: ``a list``, ``the text 'abc'``, ``nothing``."""
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    if node.text is None:
        return "nothing"
    shown = node.text if len(node.text) <= 40 else node.text[:37] + "..."
    return f"the text {shown!r}"
