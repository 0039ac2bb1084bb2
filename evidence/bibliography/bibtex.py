r"""BibTeX -> references: every entry loaded, or reported with its line and the reason.

:func:`parse_references` reads BibTeX text (pure); :func:`load_references` reads a file,
decodes it and calls it. Both return a :class:`Bibliography`: an immutable mapping from
citation key to :class:`~evidence.model.Reference`, in file order, with ``.problems``.

>>> bib = parse_references('''
... @article{Liliang2011,
...   author = {Liliang, Po-Chou and M{\\"u}ller, Hans},
...   title  = {Sacroiliac joint pain after lumbar fusion},
...   year   = {2011}, month = jan,
...   note   = {PMID: 21220997},
... }''', source="refs.bib")
>>> ref = bib["Liliang2011"]
>>> ref.short_citation, ref.month, ref.pmid, str(ref.authors[1])
('Liliang 2011', 1, '21220997', 'Hans Müller')
>>> bib.problems
()

How it reads a file, and why
============================

pybtex's own parser (``pybtex.database.parse_file``) loses entries and fields silently on
real exports (see ``../shared/reference/pybtex.md``): an extra ``}`` closes an entry early,
a stray ``{`` swallows the rest of the file, ``@article{,`` (Mendeley, EndNote) becomes a
field-less ``unnamed-1``; its errors carry no line numbers for duplicates, and it keeps its
settings in module globals. So this reader uses pybtex's grammar (``LowLevelParser``:
commands, keys, fields, quoting, brace nesting, ``#`` concatenation, ``@string`` macros)
but drives it itself, with its hottest scanning methods replaced by equivalent faster ones
(the benchmark ``benchmarks/bench_references.py`` has the figures). This module finds the
blocks and turns each into an entry or a problem; :mod:`~evidence.bibliography.bibtex_syntax`
parses one block, :mod:`~evidence.bibliography.bibtex_fields` builds the
:class:`~evidence.model.Reference`:

1. A scan of the raw text finds every line that starts an ``@type{`` block. The file is
   cut at those lines and each block is parsed on its own, so one broken entry cannot eat
   its neighbours, and every entry knows its line. (Text between blocks is a comment, as in
   BibTeX; an ``@type{`` later on a line is still read, unless a ``%`` comes before it on
   that line, which is reported as ``commented-out``.) The price: a line inside a value
   that itself starts with ``@word{`` would start a new block; real exports do not have
   such lines (the tests check all of ``../shared/fixtures/bib``).
2. Errors go to a handler of our own, never to pybtex's global strict mode or
   ``pybtex.errors.capture()``, which this module does not touch.
3. Recoverable faults are repaired and reported: a missing comma between fields, a field
   name with a space (Scopus ``funding_text 1``), fields left after an extra ``}``, an
   undefined macro (read as its own name, so ``month = november`` still gives 11), author
   lists separated by commas instead of ``and``.
4. Names are split by :mod:`~evidence.bibliography.names`, following BibTeX's rules as
   pybtex implements them (a test checks they agree on the real files), because building
   pybtex ``Person`` objects is a third of pybtex's parse time. LaTeX is decoded by
   :mod:`~evidence.bibliography.latex` (accents, special letters,
   symbols, dashes, quotes, protective braces), with latexcodec as a look-up table for rare
   commands; verbatim fields (``url``, ``doi``, ``file``, ``eprint``...) are kept as read.
5. The cyclic garbage collector is paused during a parse (pybtex.md measures 9-25% gained)
   and restored afterwards to the state it was in.
6. A value longer than :data:`MAX_VALUE_LENGTH` characters once its ``@string`` macros are
   put in is refused (``syntax-error``) before it is built: macros that double themselves
   line by line would otherwise exhaust memory with a 30-line file.

Every ``@entry`` therefore ends up either in the mapping or in ``.problems`` with a code in
:data:`NOT_LOADED` (``len(bib) + len(bib.not_loaded)`` equals the number of entries).

Fast paths
==========

A cold load takes fast paths where the input is ordinary, each falling back to the careful
path above the moment something is not, and each checked against it by a differential
test (``tests/test_bibtex_fast.py``: the same references and problems, with their lines,
on every file of ``../shared/fixtures/bib``, on mutated copies and on random text):

* **Plain entries in one regex match per field**
  (``scan_entry`` in :mod:`~evidence.bibliography.bibtex_syntax`): ``@type{key,`` then
  ``name = value`` fields, values braced or quoted, numbers or defined macros, a closing
  ``}``. Anything else (an error to report, an undefined macro, ``@string``, parentheses,
  braces nested deeper than six levels, fields after an extra ``}``) is read by the
  careful path from the entry's start. On the 7,166-entry Zotero export, where every
  entry is plain, scanning went from 0.59 s to 0.11 s of CPU (``_parse`` timed with
  ``time.process_time``, best of 3, with and without the entry builder).
* **Each distinct name split once per load**
  (a ``NameSplitter`` of :mod:`~evidence.bibliography.names`, owned by the reader): what a name
  between ``and`` gave is kept, with its notes and the LaTeX commands it could not decode,
  which are reported again wherever the name comes back. The Zotero export has 42,153
  names, 23,650 distinct; building its entries went from 0.66 s to 0.52 s.

Altogether a cold ``load_references`` of the Zotero export went from 1.38 s to 0.65 s of
CPU (``python -m benchmarks.compare OLD NEW --stage bib``, best of 5), where bibtexparser
2.1.0 takes 0.65 s for its plain parse, 1.20 s with its name-splitting middlewares (which
decode no LaTeX and find no identifiers), and pybtex 1.88 s; the generated 50,000-entry
file went from 10.6 s to 4.8 s (bibtexparser 6.1 s, 10.9 s with names; pybtex 13.4 s) with
a peak of 325 MB (pybtex 434 MB). What remains is building the entries: splitting names,
decoding LaTeX and finding identifiers, about two thirds of the time; ``python -m
benchmarks --profile references`` shows it.

The parse cache
===============

:func:`load_references` keeps what it read in a cache
(:mod:`~evidence.bibliography.cache`), on by default: ``bib/`` under the user's cache
folder (``~/.cache/evidence/bib`` on Linux; ``$EVIDENCE_CACHE_DIR/bib`` when that is set),
beside the PubMed cache. An entry is keyed on the SHA-256 of the file's bytes, the
encoding, the library's and pybtex's versions and every source file of the reader package
(so it can never outlive the parser that wrote it). It stores type-checked columns of
plain values in chunks of 64 entries with one table of names, never pickled objects, with
every problem and its line, so a load from the cache reports exactly what a parse would,
located in the file as it is named now. A chunk becomes
:class:`~evidence.model.Reference` objects when one of its entries is first asked for, so a
warm load costs a few milliseconds and a build that cites 40 entries of 7,000 builds at most
40 chunks (``docs/performance.md``
has the figures). Writes are atomic; a damaged entry is logged, ignored and rewritten; a
cache that cannot be written is logged and costs only speed. ``cache=False`` turns it off,
a path puts it in that folder. The 32 most recently used entries are kept.

Problem codes
=============

Severity ``error`` means BibTeX or biber would fail or lose data on the file as it is, even
where this loader recovered; ``warning`` means the file is valid but something is dubious.

======================  ========  ====================================================
code                    severity  what happened to the entry
======================  ========  ====================================================
duplicate-key           error     not loaded; the first entry with that key (ignoring
                                  case) is kept
empty-key               error     not loaded (``@article{,`` or a field where the key
                                  belongs)
syntax-error            error     loaded with the fields before the error
unclosed-brace          error     loaded with the fields before the unclosed value
unclosed-entry          error     loaded; its closing ``}`` is missing
truncated-entry         error     an extra ``}`` closed it early; later fields read anyway
missing-comma           error     loaded; the comma was assumed
bad-field-name          error     loaded; spaces in the field name became ``_``
bad-name                error     loaded; the author list was split as explained, or
                        /warning  a name was dropped or read as "and others"
duplicate-field         warning   loaded; the first value is kept
undefined-macro         warning   loaded; the macro's name is used as the text (in
                                  author and editor, nothing is)
bad-identifier          warning   loaded without that PMID/DOI/PMCID
conflicting-identifier  warning   loaded with the first identifier found
bad-date                warning   loaded without a month
invisible-character     error     loaded; its key holds an invisible or control
                                  character, or looks the same as another key
latex-unknown           warning   loaded; a LaTeX command no decoder knows is kept
                                  in the text as written
commented-out           warning   ignored, and not counted as an entry: ``%`` before
                                  ``@`` on its line (BibTeX itself would read it)
======================  ========  ====================================================

Keys and case
=============

BibTeX and pybtex compare keys ignoring case; biber and bibtexparser do not. Two keys that
differ only in case are reported as duplicates (biber users cite one of them by mistake
more often than they mean both), and the first is kept. Indexing a :class:`Bibliography`
is exact (``bib["Chen_2017"]``); :meth:`Bibliography.find` falls back to ignoring case.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import sys
from dataclasses import dataclass

from pybtex.database.input.bibtex import SkipEntry, month_names
from pybtex.scanner import PrematureEOF, PybtexSyntaxError

from evidence._gc import paused_gc
from evidence.bibliography.bibtex_edit import add_identifiers
from evidence.bibliography.bibtex_fields import EntryBuilder
from evidence.bibliography.bibtex_syntax import (
    BLOCK_START,
    COMMAND,
    MAX_REPAIRS,
    MAX_VALUE_LENGTH,
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
from evidence.bibliography.cache import ParseCache
from evidence.bibliography.core import NOT_LOADED, Bibliography, checked
from evidence.bibliography.encoding import decode_bytes, read_bytes
from evidence.bibliography.latex import LatexDecoder, decode_latex
from evidence.bibliography.names import NameSplitter, parse_names
from evidence.errors import Problem, Severity, SourceLocation
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid
from evidence.model import Reference

__all__ = [
    "MAX_VALUE_LENGTH",
    "NOT_LOADED",
    "Bibliography",
    "add_identifiers",
    "decode_latex",
    "load_references",
    "normalise_doi",
    "normalise_pmcid",
    "normalise_pmid",
    "parse_references",
]

_ERROR = Severity.ERROR
_WARNING = Severity.WARNING


def parse_references(text: str, *, source: str = "<string>", strict: bool = False) -> Bibliography:
    """Read BibTeX ``text``; ``source`` names it in locations (``refs.bib:12``).

    Never raises for bad content unless ``strict`` is true: problems are collected in
    ``.problems``. With ``strict=True`` any problem (warnings included) raises one
    :class:`~evidence.errors.BibliographyError` that lists them all.
    """
    return checked(_parse(text, source), strict)


def _parse(text: str, source: str, *, fast: bool = True) -> Bibliography:
    """The parse behind both entry points; ``fast=False`` is the careful path alone."""
    with paused_gc():  # the parse builds many small objects and no cycles; see module doc
        return _Reader(source, fast=fast).read(text)


def load_references(
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    strict: bool = False,
    cache: bool | str | os.PathLike[str] = True,
) -> Bibliography:
    """Read the .bib file at ``path`` (see :func:`parse_references`).

    Raises :class:`~evidence.errors.BibliographyError` if the file cannot be opened, or if
    it is not valid in ``encoding``; then the undecodable bytes (the first 20) are listed
    by line and column (``refs.bib:12:7``), with what to do.

    The result is kept in a parse cache (see "The parse cache" above), so reading the same
    file again is some 20-40 times faster: ``cache=True`` (the default) keeps it in
    ``bib/`` under the user's cache folder (``$EVIDENCE_CACHE_DIR`` if set, the folder the
    PubMed cache uses too), a path keeps it in that folder, ``cache=False`` turns it off.
    """
    name = os.fspath(path)
    data = read_bytes(name)
    store = ParseCache.at(cache)
    key = store.key(data, encoding) if store is not None else None
    if store is not None and key is not None:
        cached = store.load(key, name)
        if cached is not None:
            return checked(cached, strict)
    bib = _parse(decode_bytes(data, encoding, name), name)
    if store is not None and key is not None:
        store.save(key, bib)
    return checked(bib, strict)


@dataclass
class _Undefined:
    """Uses of one undefined macro, reported once with the lines of its first uses."""

    name: str
    lines: list[int]
    first_owner: str  # "entry 'smith2020'", "@string"...
    first_field: str | None


class _Reader:
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
