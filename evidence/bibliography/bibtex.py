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

import os

from evidence._gc import paused_gc
from evidence.bibliography.bibtex_edit import add_identifiers
from evidence.bibliography.cache import ParseCache
from evidence.bibliography.core import MAX_VALUE_LENGTH, NOT_LOADED, Bibliography, checked
from evidence.bibliography.encoding import decode_bytes, read_bytes
from evidence.bibliography.latex import decode_latex
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid

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
        from evidence.bibliography.bibtex_reader import Reader

        return Reader(source, fast=fast).read(text)


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
