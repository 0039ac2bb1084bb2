"""The YAML claims writer's fast path: the bytes PyYAML writes, and the tree they read as.

:func:`evidence.claims.writers.write_yaml` dumps with PyYAML's pure-Python ``SafeDumper``
(literal blocks, ``tags: [a, b]``, lists indented under their key, lines folded at 88
columns), and :func:`evidence.claims.dump_claims` reads the text back with the
pure-Python ``SafeLoader`` to prove it loads. For 20,000 extracted claims that was 7.8 s
of writing and 13.5 s of reading (CPU, ``benchmarks/bench_claims.py``); libyaml is no way
out: its emitter cannot indent lists under their key (the bytes would change), and its
loader still resolves every scalar in Python (3.6 s).

Most claims files (every one ``evidence extract`` writes) hold only one-line text and
whole numbers, which PyYAML writes in two simple styles: plain, or single-quoted when
the text starts with a YAML indicator (``[1] not mapped``) or would read as another type
(``'12'``, ``'true'``). For those, :func:`fast_yaml` writes the same bytes here,
following PyYAML's emitter rule for rule (its scalar analysis, its resolver's implicit
tags, its folding of long lines at a single space past the width), and builds at the
same time the :mod:`evidence.claims.tree` that :func:`~evidence.claims.yaml_reader.read_yaml`
would read from them, line numbers included, so the read-back check needs no parser.
Anything else (line breaks, characters PyYAML escapes, tags, certainty, comparative
numbers, floats, leading or trailing spaces) returns ``None`` and the caller uses
PyYAML for the whole file, as before.

``tests/test_claims_yaml_fast.py`` compares both the bytes and the tree with PyYAML's on
random and hand-picked claims. Measured with ``python -m benchmarks.bench_claims`` (20,000
claims with 40,140 citations, CPU seconds, median of 3, on a shared 2-core machine):
``dump_claims(claims, "yaml")`` took 21.9 s before (7.8 s writing, 13.5 s reading back)
and 1.3 s after, with the collector paused and claims that need no stripping not copied.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from evidence.claims.tree import Map, Node, Scalar, Seq

__all__ = ["fast_yaml"]

_WIDTH = 88  # writers.write_yaml's width; PyYAML folds once a line is past it
# The characters PyYAML writes as they are with allow_unicode, less line breaks (a
# multi-line text is a literal block, left to PyYAML) and the byte-order mark.
_PRINTABLE = re.compile(
    "[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010fffe]+"
)
_FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
_LOOKS_NUMERIC = re.compile(  # the same rule as writers._LOOKS_NUMERIC
    r"[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+"
)
_RESOLVERS: dict[Any, list[tuple[str, re.Pattern[str]]]] = yaml.SafeDumper.yaml_implicit_resolvers
_STR_TAG = "tag:yaml.org,2002:str"


class _NotFast(Exception):
    """A value this path does not write: the caller falls back to PyYAML."""


def _resolves_to_other_type(text: str) -> bool:
    """Whether YAML would read ``text`` written plain as something else (PyYAML's resolver)."""
    for tag, pattern in _RESOLVERS.get(text[0], []) + _RESOLVERS.get(None, []):
        if pattern.match(text):
            return tag != _STR_TAG
    return False


def _style(text: str) -> str:
    """``""`` (plain) or ``"'"``, as PyYAML's emitter chooses for this one-line text."""
    if not text or _PRINTABLE.fullmatch(text) is None or text[0] == " " or text[-1] == " ":
        raise _NotFast  # empty, line breaks, escapes, or spaces a fold could move
    if _LOOKS_NUMERIC.fullmatch(text):
        return "'"  # writers._yaml_str asks for quotes
    first = text[0]
    second = text[1:2]
    if (
        first in _FIRST_INDICATORS
        or (first in "?:-" and second in ("", " "))
        or text.startswith(("---", "..."))
        or ": " in text
        or text.endswith(":")
        or " #" in text
        or _resolves_to_other_type(text)
    ):
        return "'"
    return ""


class _Writer:
    """Writes one block mapping value after another, counting columns and lines."""

    def __init__(self, first_line: int) -> None:
        self.out: list[str] = []
        self.line = first_line  # the line being written, from 1
        self.styles: dict[str, str] = {}  # keys, stances and notes repeat thousands of times

    def scalar(self, value: object, column: int, indent: int) -> Scalar:
        """Write `` value`` after ``key:`` (the cursor at ``column``); its tree node."""
        line = self.line
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _NotFast
        if isinstance(value, int):
            text = str(value)
            self.out.append(" " + text)
            return Scalar(text, line)
        style = self.styles.get(value)
        if style is None:
            style = self.styles[value] = _style(value)
        body = value.replace("'", "''") if style else value
        column += 1 + len(style)
        if column + len(body) <= _WIDTH:  # no space can come past the width: no fold
            self.out.append(f" {style}{body}{style}")
            return Scalar(value, line)
        # PyYAML breaks the line at a single space once the column is past the width.
        parts = body.split(" ")
        out = [" ", style, parts[0]]
        column += len(parts[0])
        spaces = 1
        for word in parts[1:]:
            if not word:  # two spaces or more are kept as they are, never broken
                spaces += 1
                continue
            if spaces == 1 and column > _WIDTH:
                out.append("\n" + " " * indent)
                column = indent
                self.line += 1
            else:
                out.append(" " * spaces)
                column += spaces
            out.append(word)
            column += len(word)
            spaces = 1
        out.append(style)
        self.out.append("".join(out))
        return Scalar(value, line)

    def mapping(self, fields: dict[str, Any], indent: int, first_prefix: str) -> Map:
        """A block mapping at ``indent`` whose first key follows ``first_prefix``."""
        node = Map(self.line)
        for index, (name, value) in enumerate(fields.items()):
            if index:
                self.out.append("\n" + " " * indent)
                self.line += 1
            else:
                self.out.append(first_prefix)
            key_line = self.line
            self.out.append(name + ":")
            column = indent + len(name) + 1
            if isinstance(value, list):
                node.items.append((name, key_line, self.sequence(value, indent + 2)))
            elif isinstance(value, dict):
                raise _NotFast
            else:
                node.items.append((name, key_line, self.scalar(value, column, indent + 2)))
        return node

    def sequence(self, items: list[Any], indent: int) -> Seq:
        """A block sequence of mappings under its key, each item at ``indent``; ``[]`` empty."""
        if not items:
            self.out.append(" []")
            return Seq(self.line)
        self.line += 1
        node = Seq(self.line)
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not item:
                raise _NotFast
            if index:
                self.line += 1
            node.items.append(self.mapping(item, indent + 2, "\n" + " " * indent + "- "))
        return node


def fast_yaml(document: dict[str, Any], header: str) -> tuple[str, Node] | None:
    """The YAML PyYAML writes for ``document`` (``version`` and ``claims``) after ``header``,
    and the tree it reads as; ``None`` when the document needs PyYAML itself."""
    claims: Sequence[Any] = document.get("claims", ())
    if list(document) != ["version", "claims"] or not claims:
        return None
    writer = _Writer(header.count("\n") + 1)  # the tree's lines count the header's
    try:
        root = writer.mapping(document, 0, "")
    except _NotFast:
        return None
    writer.out.append("\n")
    return header + "".join(writer.out), root
