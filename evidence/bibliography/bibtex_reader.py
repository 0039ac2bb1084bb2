"""The BibTeX reader itself: one parse of one text (see :mod:`evidence.bibliography.bibtex`
for what it guarantees and its fast paths).

Apart from :mod:`~evidence.bibliography.bibtex` so that importing the package, or a load
answered from the parse cache, does not import pybtex's grammar (about a tenth of the
start-up of ``evidence check``): :func:`~evidence.bibliography.bibtex._parse` imports this
module when a file is really parsed. Stage 2, like the rest of the package.
"""

from __future__ import annotations

import functools
import itertools
import re
import sys
from dataclasses import dataclass

from pybtex.database.input.bibtex import SkipEntry, month_names
from pybtex.scanner import PrematureEOF, PybtexSyntaxError

from evidence.bibliography.bibtex_fields import EntryBuilder
from evidence.bibliography.bibtex_syntax import (
    BLOCK_START,
    COMMAND,
    MAX_REPAIRS,
    PERSON_FIELDS,
    TITLE_HINT,
    BlockParser,
    Field,
    Macros,
    describe,
    error_line,
    field_names,
    key_is_a_field,
    looks_like_fields,
    repair_fault,
    scan_entry,
)
from evidence.bibliography.core import Bibliography
from evidence.bibliography.latex import LatexDecoder
from evidence.bibliography.names import NameSplitter, parse_names
from evidence.errors import Problem, Severity, SourceLocation
from evidence.model import Reference

__all__ = ["Reader"]

_ERROR = Severity.ERROR
_WARNING = Severity.WARNING


@dataclass
class _Undefined:
    """Uses of one undefined macro, reported once with the lines of its first uses."""

    name: str
    lines: list[int]
    first_owner: str  # "entry 'smith2020'", "@string"...
    first_field: str | None


class Reader:
    """One parse: the state that lives as long as reading one text.

    ``fast=False`` turns the fast paths off (see "Fast paths" above): the differential
    tests read every input both ways and compare.
    """

    def __init__(self, source: str, *, fast: bool = True) -> None:
        self.source = source
        self.fast = fast
        self.macros = Macros(month_names)
        self.problems: list[Problem] = []
        self.references: dict[str, Reference] = {}
        self.first_seen: dict[str, tuple[str, int]] = {}  # folded key -> key, line
        self.visible_seen: dict[str, tuple[str, int]] = {}  # key without invisibles -> ...
        self.undefined: dict[str, _Undefined] = {}
        self.decoder = LatexDecoder()  # remembers rare commands for this parse
        self.decode = self.decoder.decode
        self.split_names = (
            NameSplitter(self.decoder).parse
            if fast
            else functools.partial(parse_names, decode=self.decode)
        )
        self.live: list[BlockParser] = []  # the parsers of the block being read

    def parser(self, text: str, line_offset: int) -> BlockParser:
        """A parser for one block; released (its cycles broken) once the block is read."""
        parser = BlockParser(text, self.macros, line_offset)
        self.live.append(parser)
        return parser

    def problem(
        self,
        line: int | None,
        message: str,
        code: str,
        severity: Severity = _ERROR,
        key: str | None = None,
    ) -> None:
        """Note a problem; ``key`` names the entry it is about (docs builds report such a
        problem only when some page cites the entry)."""
        where = SourceLocation(self.source, line)
        # Interned: a flood of identical faults (``@a{`` a million times) keeps one message.
        self.problems.append(Problem(where, sys.intern(message), code, severity, key=key))

    def read(self, text: str) -> Bibliography:
        if text.startswith("\ufeff"):
            text = text[1:]
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        # The block starts are walked, not listed: a hostile file has millions of them.
        starts = (m.start() for m in BLOCK_START.finditer(text))
        bounds = itertools.chain((0,), starts, (len(text),))
        line = 1
        for begin, end in itertools.pairwise(bounds):
            if end > begin:
                self._read_chunk(text[begin:end], line)
                line += text.count("\n", begin, end)
        for undefined in self.undefined.values():
            self._report_undefined(undefined)
        # Problems are found per block in order, except undefined macros (reported at
        # their first use once the whole file is read): sort by line, stably.
        self.problems.sort(key=lambda p: p.location.line or 0)
        return Bibliography(self.references.values(), problems=self.problems, path=self.source)

    def _read_chunk(self, chunk: str, first_line: int) -> None:
        """Read every command in ``chunk`` (one block, or the text before the first)."""
        match = COMMAND.search(chunk)
        while match is not None:
            at = match.start()
            line_start = chunk.rfind("\n", 0, at) + 1
            if "%" in chunk[line_start:at]:
                self._report_commented_out(chunk, match, first_line)
                match = COMMAND.search(chunk, match.end())
                continue
            try:
                outcome = self._read_command(chunk, at, first_line)
            finally:
                for parser in self.live:
                    parser.release()
                self.live.clear()
            if outcome is None:
                return  # the rest of the chunk belongs to a broken command
            chunk, end = outcome
            match = COMMAND.search(chunk, end)

    def _report_commented_out(self, chunk: str, match: re.Match[str], first_line: int) -> None:
        if match.group(1).lower() in ("comment", "string", "preamble"):
            return
        line = first_line + chunk.count("\n", 0, match.start())
        self.problem(
            line,
            f"'%' before '@{match.group(1)}' does not comment out an entry in BibTeX, which "
            "would read it; it is ignored here. Delete it, or write '@comment' instead of '@'",
            "commented-out",
            _WARNING,
        )

    def _read_command(self, chunk: str, at: int, first_line: int) -> tuple[str, int] | None:
        """Parse the command at ``at``; give the (possibly repaired) chunk and where to go
        on, or ``None`` when the rest of the chunk cannot be trusted."""
        line = first_line + chunk.count("\n", 0, at)
        plain = scan_entry(chunk, at, self.macros, first_line) if self.fast else None
        if plain is not None and self._nothing_after(chunk, plain[3]):
            self._add_entry(plain[0], plain[1], line, plain[2], set())
            return chunk, plain[3]
        repairs: list[tuple[int, str, str]] = []
        while True:
            parser = self.parser(chunk, first_line - 1)
            try:
                command, body = parser.read_command(at)
            except SkipEntry:  # @comment: BibTeX goes on reading right after its name
                return chunk, parser.pos
            except PybtexSyntaxError as error:  # not a command after all; cannot happen
                self.problem(line, f"cannot read this block: {error}", "syntax-error")
                return None
            is_entry = command.lower() not in ("string", "preamble")
            if not is_entry or not parser.errors or len(repairs) >= MAX_REPAIRS:
                break
            repaired = repair_fault(chunk, parser, parser.errors[0])
            if repaired is None:
                break
            chunk, repair = repaired
            repairs.append(repair)

        owner = str(body[0]) if is_entry and body[0] is not None else None
        where = f"entry '{owner}'" if owner else ("an entry with no key" if is_entry else "")
        for undefined_name, use_line, field_name in parser.undefined:
            self._note_undefined(undefined_name, use_line, field_name, where or f"@{command}")
        if not is_entry:
            for fault in parser.errors:
                self.problem(
                    error_line(fault, parser),
                    f"syntax error in @{command}: {describe(fault)}; fix it so that the "
                    "entries using it can be read",
                    "syntax-error",
                )
            return None if parser.errors else (chunk, parser.pos)

        fields: list[Field] = body[1]
        if owner is None or key_is_a_field(chunk, parser, fields):
            self._report_empty_key(chunk, at, line)
            return None
        for repair_line, code, message in repairs:
            self.problem(repair_line, f"entry '{owner}': {message}", code, key=owner)
        end: int | None = parser.pos
        if parser.errors:
            self._report_entry_error(chunk, owner, line, parser, fields)
            end = None
        else:
            chunk, end = self._recover_after_extra_brace(chunk, command, owner, parser, fields)
        from_macros = {name.lower() for _, _, name in parser.undefined if name}
        self._add_entry(command, owner, line, fields, from_macros)
        return None if end is None else (chunk, end)

    def _report_empty_key(self, chunk: str, at: int, line: int) -> None:
        hint = TITLE_HINT.search(chunk, at)
        title = ""
        if hint:
            more = "" if hint.group(2) else "..."  # the title went on past the hint
            title = f" (title '{self.decode(hint.group(1)).strip()}{more}')"
        self.problem(
            line,
            f"entry{title} has no citation key, so it was not loaded; give it one, e.g. "
            "'@article{smith2020,' (Mendeley and EndNote write '@article{,' for a blank key)",
            "empty-key",
        )

    def _report_entry_error(
        self, chunk: str, key: str, line: int, parser: BlockParser, fields: list[Field]
    ) -> None:
        error = parser.errors[0]
        inside_field = parser.current_field_name is not None
        pos = parser.current_field_pos if inside_field else error.error_context_info[2]
        lost = field_names(chunk[pos:])
        lost_text = f" ({', '.join(lost)})" if lost else ""
        if isinstance(error, PrematureEOF) and not inside_field:
            swallowed = field_names("".join(fields[-1][1])) if fields else []
            if swallowed:
                # A stray '{' in the last value was closed by the entry's own '}': the
                # value ran over the fields after it. It is garbage, so it is dropped.
                name, _, field_line = fields.pop()
                self.problem(
                    field_line,
                    f"entry '{key}' (line {line}): the value of field '{name}' has a '{{' "
                    f"that is not closed where the value should end, so it ran on over the "
                    f"fields after it ({', '.join(swallowed)}); none of them were read. Add "
                    "the missing '}'",
                    "unclosed-brace",
                )
            else:
                self.problem(
                    line,
                    f"entry '{key}' has no closing '}}'; add it after its last field",
                    "unclosed-entry",
                )
        elif isinstance(error, PrematureEOF):
            field = parser.current_field_name
            self.problem(
                parser.current_field_line or line,
                f"entry '{key}' (line {line}): the value of field '{field}' opens a '{{' or "
                f"'\"' that is never closed, so it and the fields after it{lost_text} were not "
                "read; add the missing '}' or '\"'",
                "unclosed-brace",
            )
        else:
            what = (
                f"field '{parser.current_field_name}' and the fields after it"
                if inside_field
                else "the fields from here on"
            )
            self.problem(
                error_line(error, parser),
                f"entry '{key}' (line {line}): {describe(error)}, so {what}{lost_text} were "
                "not read; fix the entry",
                "syntax-error",
            )

    def _recover_after_extra_brace(
        self, chunk: str, command: str, key: str, parser: BlockParser, fields: list[Field]
    ) -> tuple[str, int]:
        """Read the fields left after an entry closed early by an extra ``}``.

        pybtex (and BibTeX) end the entry at the extra brace and skip what follows as a
        comment, silently. We read those fields into the entry and report the brace.
        """
        end: int = parser.pos
        chunk_offset = parser.line_offset
        for _ in range(MAX_REPAIRS):
            if self._nothing_after(chunk, end):
                break
            following = COMMAND.search(chunk, end)
            tail = chunk[end : following.start() if following else len(chunk)]
            brace_line = parser.lineno + parser.line_offset
            prefix = f"@{command}{{{key}"
            tail_line = chunk_offset + 1 + chunk.count("\n", 0, end)
            more = self.parser(prefix + tail, tail_line - 1)
            more.read_command(0)
            names = [name for name, _, _ in more.current_fields]
            if more.errors:
                lost = field_names(tail)
                self.problem(
                    brace_line,
                    f"entry '{key}' is closed early by an extra '}}' on this line, so its "
                    f"fields after it ({', '.join(lost)}) were not read; remove the extra '}}'",
                    "truncated-entry",
                )
                break
            fields.extend(more.current_fields)
            for undefined_name, use_line, field_name in more.undefined:
                self._note_undefined(undefined_name, use_line, field_name, f"entry '{key}'")
            self.problem(
                brace_line,
                f"entry '{key}' is closed early by an extra '}}' on this line; BibTeX would "
                f"drop the fields after it ({', '.join(names)}), which were read here anyway. "
                "Remove the extra '}'",
                "truncated-entry",
            )
            end = end + more.pos - len(prefix)
            parser = more
        return chunk, end

    @staticmethod
    def _nothing_after(chunk: str, end: int) -> bool:
        """Whether the text between an entry's ``}`` at ``end`` and the next command is a
        comment, not fields left behind by an extra ``}``."""
        following = COMMAND.search(chunk, end)
        tail = chunk[end : following.start() if following else len(chunk)]
        return not tail or tail.isspace() or not looks_like_fields(tail)

    def _note_undefined(self, name: str, line: int, field_name: str | None, owner: str) -> None:
        folded = name.lower()
        seen = self.undefined.get(folded)
        if seen is None:
            self.undefined[folded] = _Undefined(name, [line], owner, field_name)
        else:
            seen.lines.append(line)

    def _report_undefined(self, undefined: _Undefined) -> None:
        lines = undefined.lines
        where = f" in {undefined.first_owner}"
        if undefined.first_field:
            where = f" in field '{undefined.first_field}' of {undefined.first_owner}"
        more = ""
        if len(lines) > 1:
            shown = ", ".join(str(n) for n in lines[1:6])
            rest = f" and {len(lines) - 6} more" if len(lines) > 6 else ""
            more = f"; also used at line{'s' if len(lines) > 2 else ''} {shown}{rest}"
        field = (undefined.first_field or "").lower()
        read_as = "left empty" if field in PERSON_FIELDS else f"read as the text '{undefined.name}'"
        self.problem(
            lines[0],
            f"undefined macro '{undefined.name}'{where}, {read_as}{more}. Define it with "
            "@string, load the file that defines it first, or put the value in braces",
            "undefined-macro",
            _WARNING,
        )

    def _report_invisible(self, key: str, line: int) -> None:
        """A key holding characters no one can see (or type when citing): say which, and
        name the earlier key it is indistinguishable from, if any."""
        shown = "".join(c if c.isprintable() else f"<U+{ord(c):04X}>" for c in key)
        visible = "".join(c for c in key if c.isprintable())
        codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in key if not c.isprintable()))
        twin = self.visible_seen.get(visible.lower())
        also = (
            f"; it looks the same as '{twin[0]}' (line {twin[1]}) but is a different key"
            if twin is not None
            else ""
        )
        self.visible_seen.setdefault(visible.lower(), (key, line))
        self.problem(
            line,
            f"key '{shown}' contains invisible or control characters ({codes}){also}; "
            "delete them so that the key can be cited",
            "invisible-character",
            key=key,
        )

    def _add_entry(
        self, command: str, key: str, line: int, fields: list[Field], from_macros: set[str]
    ) -> None:
        folded = key.lower()
        first = self.first_seen.get(folded)
        if first is not None:
            first_key, first_line = first
            as_key = f" as '{first_key}'" if first_key != key else ""
            self.problem(
                line,
                f"duplicate key '{key}' (first defined at line {first_line}{as_key}); the "
                "first definition is kept",
                "duplicate-key",
                key=first_key,
            )
            return
        self.first_seen[folded] = (key, line)
        if not key.isprintable():
            self._report_invisible(key, line)
        else:
            twin, twin_line = self.visible_seen.setdefault(folded, (key, line))
            if twin.lower() != folded:
                self.problem(
                    line,
                    f"key '{key}' looks the same as the key at line {twin_line}, which holds "
                    "invisible characters, but is a different key; delete them there",
                    "invisible-character",
                    key=key,
                )
        builder = EntryBuilder(
            functools.partial(self.problem, key=key),
            self.source,
            self.decode,
            self.split_names,
            key,
            line,
            from_macros,
        )
        self.decoder.unknown.clear()
        self.references[key] = builder.build(command, fields)
        if self.decoder.unknown:
            names = ", ".join(f"\\{name}" for name in dict.fromkeys(self.decoder.unknown))
            self.problem(
                line,
                f"entry '{key}': LaTeX command{'s' if ',' in names else ''} {names} "
                "unknown to every decoder; kept in the text as written. Replace it with the "
                "character meant",
                "latex-unknown",
                _WARNING,
                key=key,
            )
