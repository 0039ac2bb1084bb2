"""The JSON claims reader: JSON text to a :mod:`evidence.claims.tree`, with lines.

JSON is checked by the standard library first (its syntax errors give line and column),
then a small tokenizer walks the now-valid text to give every value the line it starts
on. Numbers and words are kept as typed, so ``"id": 1.50`` is the id ``"1.50"``.
"""

from __future__ import annotations

import json
import re

from evidence.claims.tree import Map, Node, Report, Scalar, Seq

# --- JSON ------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(
    r"""(?P<space>[ \t\r\n]+)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<word>-?Infinity|NaN|true|false|null)
      | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)
      | (?P<mark>[{}\[\]:,])""",
    re.VERBOSE,
)


def read_json(text: str, report: Report) -> Node | None:
    """The tree of a JSON claims file; ``None`` when it is empty or cannot be read."""
    if not text.strip():
        return None
    try:
        # Only the syntax is checked here; numbers stay text (a 5,000-digit integer would
        # otherwise hit Python's int-size limit with a bare ValueError).
        json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        report.error(exc.lineno, f"invalid JSON: {exc.msg}", "syntax", column=exc.colno)
        return None
    # The text is valid JSON now, so a tokenizer that only understands valid JSON is
    # enough to give every value the line it starts on.
    tokens: list[tuple[str, str, int]] = []
    line = 1
    for match in _JSON_TOKEN.finditer(text):
        kind = match.lastgroup or ""
        if kind == "space":
            line += match.group().count("\n")
        else:
            tokens.append((kind, match.group(), line))
    return _JsonReader(tokens).value()


class _JsonReader:
    """Recursive descent over the tokens of a valid JSON text."""

    def __init__(self, tokens: list[tuple[str, str, int]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def value(self) -> Node:
        kind, token, line = self.take()
        if token == "{":
            mapping = Map(line)
            while self.tokens[self.pos][1] != "}":
                _, name, key_line = self.take()
                self.take()  # ':'
                mapping.items.append((json.loads(name), key_line, self.value()))
                if self.tokens[self.pos][1] == ",":
                    self.take()
            self.take()
            return mapping
        if token == "[":
            seq = Seq(line)
            while self.tokens[self.pos][1] != "]":
                seq.items.append(self.value())
                if self.tokens[self.pos][1] == ",":
                    self.take()
            self.take()
            return seq
        if kind == "string":
            return Scalar(json.loads(token), line)
        # Numbers and words are kept as typed, so "id": 1.50 is the id "1.50".
        return Scalar(None if token == "null" else token, line)
