"""BibTeX syntax, one block at a time: pybtex's grammar, driven so that no fault is silent.

``BlockParser`` is pybtex's ``LowLevelParser`` (commands, keys, fields, quoting, brace
nesting, ``#`` concatenation, ``@string`` macros) over one block of a file, recording errors
instead of raising them, with its hottest scanning methods replaced by equivalent faster
ones. The functions below it describe those errors for people and repair the faults real
exports have (a missing comma, a field name with a space). pybtex is used because it is the
maintained implementation of BibTeX's grammar; its own top-level parser loses entries
silently (see :mod:`evidence.bibliography.bibtex`). Stage 2: imports no ``evidence`` module.
"""

from __future__ import annotations

import re
from typing import Any

from pybtex.database.input.bibtex import NAME_CHARS, LowLevelParser
from pybtex.scanner import PrematureEOF, PybtexSyntaxError, Token, TokenRequired

from evidence.bibliography.core import MAX_VALUE_LENGTH

__all__ = [
    "BLOCK_START",
    "COMMAND",
    "MAX_REPAIRS",
    "MAX_VALUE_LENGTH",
    "PERSON_FIELDS",
    "TITLE_HINT",
    "BlockParser",
    "Field",
    "Macros",
    "describe",
    "error_line",
    "field_names",
    "key_is_a_field",
    "looks_like_fields",
    "repair_fault",
    "scan_entry",
]


#: How many repairs (missing comma, field name with a space) one entry may need before the
#: reader gives up and keeps what was read: a bound so that a pathological block cannot loop.
MAX_REPAIRS = 50

# ASCII only, so that pybtex's NAME token always agrees on where the name ends.
_NAME = r"[A-Za-z][A-Za-z0-9_.:+-]*"
#: A line that starts a block: the unit that is parsed on its own.
BLOCK_START = re.compile(rf"^[ \t]*@\s*{_NAME}\s*[{{(]", re.MULTILINE)
#: Any command, wherever it is (BibTeX reads ``@type{`` anywhere outside an entry).
COMMAND = re.compile(rf"@\s*({_NAME})\s*[{{(]")
# ``name =`` where a field can start: what missing commas and lost fields look like.
_FIELD_START = re.compile(rf"{_NAME}\s*=")
_FIELD_ANYWHERE = re.compile(rf"(?:^|[,\s])({_NAME})\s*=", re.MULTILINE)
#: The start of an entry's title, to name an entry that has no key.
TITLE_HINT = re.compile(r"\btitle\s*=\s*[{\"]+([^{}\"\n]{1,60})([{}\"\n]?)", re.IGNORECASE)

#: Fields holding names: an undefined macro in them is read as nothing, not its name.
PERSON_FIELDS = ("author", "editor")
_WHITESPACE = re.compile(r"\s+")
_BRACE = re.compile(r"[{}]")
_QUOTE_OR_BRACE = re.compile(r'["{}]')


class Macros(dict[str, str]):
    """``@string`` macros: BibTeX macro names ignore case."""

    def __setitem__(self, name: str, value: str) -> None:
        super().__setitem__(name.lower(), value)


#: One field as read: its name, the parts of its value, its line in the file.
Field = tuple[str, list[str], int]


class BlockParser(LowLevelParser):  # type: ignore[misc]  # pybtex has no type hints
    """pybtex's ``LowLevelParser`` over one block, one command at a time.

    It records errors instead of raising or printing them, each field's line, and
    undefined macros (read as their own name). ``line_offset`` turns the line numbers of
    this block into lines of the file.
    """

    def __init__(self, text: str, macros: Macros, line_offset: int) -> None:
        super().__init__(text, macros=macros)
        self.line_offset = line_offset
        self.errors: list[PybtexSyntaxError] = []
        self.undefined: list[tuple[str, int, str | None]] = []
        self.current_field_line: int | None = None
        self.current_field_pos = 0

    def read_command(self, at: int) -> tuple[str, tuple[Any, ...]]:
        """Parse the command whose ``@`` is at ``at``; raise ``SkipEntry`` for @comment.

        Entries give ``(type, (key, fields))``, ``@string`` ``(type, (name, value))``.
        """
        self.pos = at + 1
        self.lineno = 1 + self.text.count("\n", 0, at)
        self.command_start = at
        result: tuple[str, tuple[Any, ...]] = self.parse_command()
        return result

    def handle_error(self, error: PybtexSyntaxError) -> None:
        self.errors.append(error)

    def release(self) -> None:
        """Break the reference cycles an error makes (error -> parser -> errors, and the
        traceback's frames -> parser), once the block has been reported.

        The reader parses with the garbage collector paused, so a cycle is never freed
        during the parse: without this, every failed block kept its parser, its text and
        the traceback frames alive (some 4 KB each; a hostile file of 20 MB of ``@a{``
        lines needed gigabytes).
        """
        for error in self.errors:
            error.__traceback__ = None
            error.parser = None
        self.errors.clear()
        self.undefined.clear()

    # The scanner methods below do what pybtex's do, faster: scanning is most of the parse
    # time (see the benchmark). The reader gives them text whose line breaks are all "\n".

    def get_token(self, patterns: list[Any], allow_eof: bool = False) -> Token | None:
        text = self.text
        pos = self.pos
        space = _WHITESPACE.match(text, pos)
        if space is not None:
            end = space.end()
            self.lineno += text.count("\n", pos, end)
            self.pos = pos = end
        if pos == self.end_pos:
            if allow_eof:
                raise EOFError
            raise PrematureEOF(self)
        for pattern in patterns:
            match = pattern.match(text, pos)
            if match is not None:
                self.pos = match.end()
                return Token(match.group(), pattern)
        return None

    def optional(self, patterns: list[Any], allow_eof: bool = False) -> Token | None:
        # pybtex raises PrematureEOF here too; at the end of a block "nothing optional"
        # is the better answer: a complete last value is kept, and the closing brace
        # that is then required reports the end of the block.
        try:
            return self.get_token(patterns)
        except PrematureEOF:
            return None

    def skip_to(self, patterns: list[Any]) -> Token | None:
        text = self.text
        pos = self.pos
        end = -1
        winner = None
        for pattern in patterns:
            match = pattern.search(text, pos)
            if match is not None and (winner is None or match.end() < end):
                end = match.end()
                winner = pattern
        if winner is None:
            return None
        value = text[pos:end]
        self.pos = end
        self.lineno += value.count("\n")
        return Token(value, winner)

    def parse_string(self, string_end: Any, level: int = 0, max_level: int = 100) -> list[Token]:
        # pybtex reads a braced or quoted value one brace at a time through recursive
        # generators; one regex pass gives the same value (closing delimiter included,
        # as flatten_string() expects) and raises the same errors.
        text = self.text
        start = self.pos
        quoted = string_end is self.QUOTE
        depth = 0
        for match in (_QUOTE_OR_BRACE if quoted else _BRACE).finditer(text, start):
            char = match.group()
            if char == "{":
                depth += 1
                if depth > max_level:
                    self._advance(start, match.end())
                    raise PybtexSyntaxError("too many nested braces", self)
            elif char == "}" and depth:
                depth -= 1
            elif char == "}" and quoted:
                self._advance(start, match.end())
                raise PybtexSyntaxError("unbalanced braces", self)
            elif not depth:
                self._advance(start, match.end())
                return [Token(text[start : match.end()], string_end)]
        self._advance(start, len(text))
        raise PrematureEOF(self)

    def _advance(self, start: int, end: int) -> None:
        self.pos = end
        self.lineno += self.text.count("\n", start, end)

    def parse_value(self) -> None:
        super().parse_value()
        # Parts are the macros' own strings (not copies) until joined: check before that.
        parts: list[str] = self.current_value
        if sum(len(part) for part in parts) > MAX_VALUE_LENGTH:
            parts.clear()
            raise PybtexSyntaxError(
                f"value longer than {MAX_VALUE_LENGTH:,} characters once its @string macros "
                "are put in (a macro built from copies of itself?); it was not read",
                self,
            )

    def parse_entry_fields(self) -> None:
        # pybtex's loop, keeping each field's line and where its value starts.
        # current_field_name is set only while a field is being read, so that an error
        # tells whether it hit inside a field or between fields.
        while True:
            self.current_value: list[str] = []
            name = self.optional([self.NAME])
            if name:
                line = self.lineno + self.line_offset
                self.current_field_name = name.value
                self.current_field_line = line
                self.current_field_pos = self.pos
                self.required([self.EQUALS])
                self.parse_value()
                self.current_fields.append((name.value, self.current_value, line))
                self.current_field_name = None
            if not self.optional([self.COMMA]):
                return

    def substitute_macro(self, name: str) -> str:
        value = self.macros.get(name.lower())
        if value is None:
            field = self.current_field_name
            self.undefined.append((name, self.lineno + self.line_offset, field))
            # The name itself is the best guess at the text (``month = november``), but
            # never a person: ``editor = acisp20ed`` is left empty, as pybtex does.
            return "" if field and field.lower() in PERSON_FIELDS else name
        return str(value)


def repair_fault(
    chunk: str, parser: BlockParser, error: PybtexSyntaxError
) -> tuple[str, tuple[int, str, str]] | None:
    """The chunk with one recognisable fault fixed, and what was fixed; else ``None``."""
    if not isinstance(error, TokenRequired):
        return None
    pos = error.error_context_info[2]
    line = error.lineno + parser.line_offset
    field = parser.current_field_name
    wanted = str(error.args[0]) if error.args else ""
    if field and wanted.startswith("'='"):
        # ``funding_text 1 = {...}``: pybtex read ``funding_text`` and wants '='.
        # Scopus writes ``funding_text\u00a01``: any space but a line break counts.
        name_end = pos
        while name_end > 0 and chunk[name_end - 1].isspace() and chunk[name_end - 1] != "\n":
            name_end -= 1
        word = re.match(r"[\w.:+-]+(?=[^\S\n]*=)", chunk[pos:])
        if word is None or name_end == pos or chunk[name_end - len(field) : name_end] != field:
            return None
        joined = f"{field}_{word.group()}"
        message = (
            f"field name '{field} {word.group()}' contains a space; read as '{joined}'. "
            "Remove the space"
        )
        return chunk[:name_end] + "_" + chunk[pos:], (line, "bad-field-name", message)
    if wanted.startswith(("'}'", "')'")) and _FIELD_START.match(chunk, pos):
        name = chunk[pos : chunk.index("=", pos)].strip()
        message = f"missing comma before field '{name}'; read as if it were there. Add it"
        return chunk[:pos] + "," + chunk[pos:], (line, "missing-comma", message)
    return None


def error_line(error: PybtexSyntaxError, parser: BlockParser) -> int:
    """The line of the file where ``error`` was found."""
    return int(error.lineno) + parser.line_offset


def key_is_a_field(chunk: str, parser: BlockParser, fields: list[Field]) -> bool:
    """``@article{ title = ...``: pybtex took the first field's name for the key."""
    if fields or not parser.errors:
        return False
    pos = parser.errors[0].error_context_info[2]
    return chunk.startswith("=", pos)


def describe(error: PybtexSyntaxError) -> str:
    """pybtex's message without its own "syntax error in line N:" prefix."""
    message = error.args[0] if error.args else str(error)
    return f"{message} at column {_column(error)}" if isinstance(error, TokenRequired) else message


def _column(error: PybtexSyntaxError) -> int:
    pos = error.error_context_info[2]
    text = error.parser.text
    return int(pos - text.rfind("\n", 0, pos))


def field_names(text: str) -> list[str]:
    """The names of the fields that ``text`` appears to hold, in order (lower case)."""
    return [m.group(1).lower() for m in _FIELD_ANYWHERE.finditer(text)]


def looks_like_fields(tail: str) -> bool:
    """Text after an entry's ``}`` that is really more fields, not a comment."""
    stripped = tail.rstrip()
    return stripped.endswith(("}", ")")) and _FIELD_ANYWHERE.search(stripped) is not None


# --- the fast path ---------------------------------------------------------------------
#
# Most entries of a real export are plain: ``@type{key,`` then ``name = value`` fields whose
# values are braced or quoted (braces a few levels deep), numbers or defined macros,
# joined by ``#`` at most, and a closing ``}``. ``scan_entry`` reads such an entry with one
# regex match per field instead of BlockParser's token-by-token walk (a Token object and
# three method calls per token), and gives up -- returns ``None`` -- at the first thing it
# does not expect: the careful path then reads the entry from its start, so every error,
# repair and report comes from BlockParser alone. The patterns are BlockParser's tokens
# (pybtex's NAME built from pybtex's own characters, its key, number and whitespace), so
# where both read an entry they give the same fields; tests/test_bibtex_fast.py checks
# that on every fixture and on mutated and random text.

_PB_NAME = rf"[{re.escape(NAME_CHARS)}][{re.escape(NAME_CHARS)}0-9]*"
# Balanced braces up to six levels deep (``{A {{ZnO}} layer}`` has three), possessive so
# that an unbalanced value fails in linear time.
_NESTED = r"[^{}]*+"
for _ in range(5):
    _NESTED = rf"[^{{}}]*+(?:\{{{_NESTED}\}}[^{{}}]*+)*+"
# A quoted value: its braces balanced, and a quote inside braces is text.
_QUOTED = rf"""[^"{{}}]*+(?:\{{{_NESTED}\}}[^"{{}}]*+)*+"""
# A value part (braced, quoted, number, macro) and what follows it.
_PART = rf"""\s*(?:\{{({_NESTED})\}}|"({_QUOTED})"|([0-9]+)|({_PB_NAME}))\s*([,}}#])"""
_FAST_HEAD = re.compile(rf"@\s*({_PB_NAME})\s*\{{\s*([^\s,}}]+)\s*,")
_FAST_FIELD = re.compile(rf"\s*({_PB_NAME})\s*={_PART}")
_FAST_PART = re.compile(_PART)
_FAST_CLOSE = re.compile(r"\s*\}")
_NOT_ENTRIES = frozenset({"string", "preamble", "comment"})


def scan_entry(
    chunk: str, at: int, macros: Macros, first_line: int
) -> tuple[str, str, list[Field], int] | None:
    """The plain entry whose ``@`` is at ``at``: ``(type, key, fields, end)`` as
    :class:`BlockParser` reads it (``end`` just after its ``}``), or ``None`` when it is
    not plain (see above). ``first_line`` is the line of the chunk's first character."""
    head = _FAST_HEAD.match(chunk, at)
    if head is None:
        return None
    command = head.group(1)
    if command.lower() in _NOT_ENTRIES:
        return None
    fields: list[Field] = []
    pos = head.end()
    line = first_line
    counted = 0  # the newlines before ``counted`` are in ``line``
    field_match = _FAST_FIELD.match
    part_match = _FAST_PART.match
    count = chunk.count
    while True:
        match = field_match(chunk, pos)
        if match is None:
            close = _FAST_CLOSE.match(chunk, pos)
            return None if close is None else (command, head.group(2), fields, close.end())
        name = match.group(1)
        name_at = match.start(1)
        line += count("\n", counted, name_at)
        counted = name_at
        parts: list[str] = []
        group = 2  # the first of the part's groups in this match
        while True:
            value = match.group(group)
            if value is None:
                value = match.group(group + 1)
                if value is None:
                    value = match.group(group + 2)
                    if value is None:
                        value = macros.get(match.group(group + 3).lower())
                        if value is None:
                            return None  # an undefined macro: reported by the careful path
                        value = str(value)
            parts.append(value)
            after = match.group(group + 4)
            if after != "#":
                break
            match = part_match(chunk, match.end())
            if match is None:
                return None
            group = 1
        if (len(parts) > 1 or len(value) > MAX_VALUE_LENGTH) and sum(
            len(part) for part in parts
        ) > MAX_VALUE_LENGTH:
            return None  # refused by the careful path
        fields.append((name, parts, line))
        pos = match.end()
        if after == "}":
            return command, head.group(2), fields, pos


# --- from fields to a Reference ----------------------------------------------------------
