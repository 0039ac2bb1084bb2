"""The BibTeX reader's fast paths give exactly what its careful path gives.

The cold load of a .bib file takes fast paths (``evidence.bibliography.bibtex``, "Fast
paths"): a one-regex-per-field scan of plain entries, each distinct name split once per
load, and LaTeX decoding that skips values with nothing to decode. Each must give the
same result as the careful path alone (``_parse(..., fast=False)``): the same references
(every field, name, identifier and location) and the same problems (location, message,
code, severity, key), in the same order. Compared here on every real file of
``../shared/fixtures/bib``, on the repository's own .bib files, on those files mutated in
the ways real files go wrong (seeded, so a failure reproduces), and on random text made of
BibTeX's syntax. A test also checks that the fast paths are taken at all, so that the
comparison is not between two runs of the careful path.
"""

from __future__ import annotations

import random
from dataclasses import fields as dataclass_fields
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, shared_path
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.database.input.bibtex import month_names

from evidence.bibliography import Bibliography, bibtex
from evidence.bibliography.bibtex_syntax import COMMAND, BlockParser, Macros, scan_entry
from evidence.model import Reference

BIB = FIXTURES / "bib"
OWN_FILES = sorted((ROOT / "tests" / "data").glob("*.bib"))
SEED = 16


def snapshot(bib: Bibliography) -> list[object]:
    """Everything a reader of ``bib`` can see, as plain comparable values."""
    out: list[object] = []
    for ref in bib.values():
        values = tuple(getattr(ref, f.name) for f in dataclass_fields(Reference))
        out.append(("ref", values, dict(ref.fields), dict(ref.raw_fields)))
    for problem in bib.problems:
        out.append(("problem", problem.location, problem.message, problem.code))
        out.append((problem.severity, problem.key))
    return out


def both_ways(text: str, source: str = "t.bib") -> tuple[list[object], list[object]]:
    fast = snapshot(bibtex._parse(text, source, fast=True))
    careful = snapshot(bibtex._parse(text, source, fast=False))
    return fast, careful


def fixture_text(name: str) -> str:
    return shared_path("fixtures", "bib", name).read_text(encoding="utf-8")


def fixture_names() -> list[str]:
    return sorted(p.name for p in BIB.glob("*.bib")) or ["zotero_bbt_7166_pmid_large.bib"]


@pytest.mark.parametrize("name", fixture_names())
def test_fast_and_careful_paths_agree_on_every_real_file(name: str) -> None:
    fast, careful = both_ways(fixture_text(name), name)
    assert len(fast) == len(careful)
    for got, wanted in zip(fast, careful, strict=True):
        assert got == wanted


def test_fast_and_careful_paths_agree_with_string_macros_defined_first() -> None:
    text = fixture_text("cryptobib_abbrev3_strings.bib") + fixture_text(
        "cryptobib_crypto_partial.bib"
    )
    fast, careful = both_ways(text)
    assert fast == careful


@pytest.mark.parametrize("path", OWN_FILES, ids=lambda p: p.name)
def test_fast_and_careful_paths_agree_on_the_repositorys_own_files(path: Path) -> None:
    fast, careful = both_ways(path.read_text(encoding="utf-8"), path.name)
    assert fast == careful


def test_the_fast_scan_reads_every_entry_of_a_plain_export() -> None:
    """The Zotero export has no construct the fast scan leaves to the careful path: every
    entry is read by it (else the comparisons above would prove little)."""
    text = fixture_text("zotero_bbt_7166_pmid_large.bib")
    entries = 0
    months = Macros(month_names)  # as the reader starts: jan..dec defined
    for match in COMMAND.finditer(text):
        entries += 1
        assert scan_entry(text, match.start(), months, 1) is not None, match.group()
    assert entries == 7166


def test_the_fast_scan_gives_blockparsers_fields() -> None:
    text = (
        "junk\n@Article { k1 ,\n  title = {A {{ZnO}} {\\'e} layer},\n"
        '  Author = "Smith, J. and {Doe}, A." # { and } # mac,\n'
        "  year = 2011, month=jan,\n  note={}, \n}\n"
    )
    macros = Macros({**month_names, "mac": "Roe, B."})
    at = text.index("@")
    fast = scan_entry(text, at, macros, 10)
    parser = BlockParser(text, macros, 9)
    command, (key, fields) = parser.read_command(at)
    assert not parser.errors
    assert not parser.undefined
    assert fast == (command, key, fields, parser.pos)
    assert fast is not None
    assert [line for _, _, line in fast[2]] == [12, 13, 14, 14, 15]


@pytest.mark.parametrize(
    "entry",
    [
        "@article{k, title = {a}",  # no closing brace
        "@article(k, title = {a})",  # parentheses
        "@article{k title = {a}}",  # no comma after the key
        "@article{k, title = {a}b}",  # text after a value
        "@article{k, title = undefinedmacro}",
        "@article{k, title = {a{b{c{d{e{f{g}}}}}}}}",  # deeper than the fast pattern
        '@article{k, title = "a}b"}',
        "@article{k,, title = {a}}",
        "@string{k = {a}}",
        "@comment{k, title = {a}}",
        "@article{k, title = {a} # }",
    ],
)
def test_the_fast_scan_leaves_the_unusual_to_the_careful_path(entry: str) -> None:
    assert scan_entry(entry, 0, Macros(), 1) is None
    fast, careful = both_ways(entry + "\n@misc{next, year = 2000}\n")
    assert fast == careful


def test_fields_after_an_extra_brace_go_to_the_careful_path() -> None:
    text = "@article{k, title = {a}}, year = 2000}\n"
    assert scan_entry(text, 0, Macros(), 1) is not None  # the entry up to the extra '}'
    fast, careful = both_ways(text)
    assert fast == careful
    assert [p[3] for p in careful if p[0] == "problem"] == ["truncated-entry"]


# --- mutations and random text -----------------------------------------------------------

SYNTAX = '{}(),="#@%\\~$ \n\tand'


def mutate(text: str, rng: random.Random) -> str:
    """``text`` with a few of the faults real files have: a syntax character inserted,
    deleted or replaced; a line deleted or repeated; the file cut short."""
    kind = rng.randrange(5)
    if kind == 0:
        out = list(text)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(out) + 1)
            choice = rng.randrange(3)
            if choice == 0:
                out.insert(at, rng.choice(SYNTAX))
            elif out and at < len(out):
                if choice == 1:
                    del out[at]
                else:
                    out[at] = rng.choice(SYNTAX)
        return "".join(out)
    lines = text.splitlines(keepends=True) or [text]
    at = rng.randrange(len(lines))
    if kind == 1:
        del lines[at]
    elif kind == 2:
        lines[at:at] = lines[at : at + rng.randint(1, 4)]
    elif kind == 3:
        lines[at] = lines[at].replace(",", "", 1)
    else:
        return text[: rng.randrange(len(text) + 1)]
    return "".join(lines)


def windows(text: str, rng: random.Random, count: int, size: int = 4000) -> list[str]:
    """``count`` pieces of ``text`` about ``size`` characters long, starting at entries."""
    starts = [m.start() for m in COMMAND.finditer(text)] or [0]
    return [text[s : s + size] for s in (rng.choice(starts) for _ in range(count))]


@pytest.mark.parametrize("name", fixture_names())
def test_fast_and_careful_paths_agree_on_mutated_real_files(name: str) -> None:
    rng = random.Random(f"{SEED}-{name}")
    for piece in windows(fixture_text(name), rng, 25):
        for _ in range(4):
            mutant = mutate(piece, rng)
            fast, careful = both_ways(mutant)
            assert fast == careful, mutant


ENTRY_PIECES = st.sampled_from(
    [
        *("@article{", "@Book {", "@misc(", "@string{", "@comment{", "k1,", "k2 ,", ",", "\n"),
        *(" title = ", "author=", "year = 2000", "month = jan", " # ", '"q {x} "', "{a {b}}"),
        *("{", "}", "}}", ")", "%", "\\'e", '{\\"o}', 'M{\\"u}ller, Hans', " and ", "others"),
        *("Doe, J.", "von Beethoven, Ludwig", "{World Health Organization}", "\\emph{x}"),
        *("$\\alpha$", "--", "~", "\\unknowncmd", "doi = {10.1/x}", "pmid = {123}", "=", "#"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ENTRY_PIECES | st.text(alphabet=SYNTAX + "abkAK19_-.", max_size=30), max_size=50))
def test_fast_and_careful_paths_agree_on_random_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    fast, careful = both_ways(text)
    assert fast == careful


# --- names -------------------------------------------------------------------------------


def test_a_name_split_once_reports_its_unknown_command_in_every_entry() -> None:
    text = "".join(
        f"@article{{k{n}, author = {{Sm\\qqq ith, J. and Doe, A. and et al.}}, year = 2000}}\n"
        for n in range(3)
    )
    fast, careful = both_ways(text)
    assert fast == careful
    codes = [(p[1].line, p[3]) for p in careful if p[0] == "problem"]
    assert codes == [(n, code) for n in (1, 2, 3) for code in ("bad-name", "latex-unknown")]


def test_the_name_splitter_agrees_with_parse_names_on_every_real_name() -> None:
    from evidence.bibliography.latex import LatexDecoder
    from evidence.bibliography.names import NameSplitter, parse_names

    decoder = LatexDecoder()
    splitter = NameSplitter(decoder)
    values = []
    for name in fixture_names():
        for ref in bibtex._parse(fixture_text(name), name, fast=False).values():
            values += [ref.raw_fields[f] for f in ("author", "editor") if f in ref.raw_fields]
    assert len(values) > 10_000
    for value in values + values:  # the second time from the splitter's memory
        decoder.unknown.clear()
        fast = splitter.parse(value)
        fast_unknown = list(decoder.unknown)
        decoder.unknown.clear()
        assert fast == parse_names(value, decoder.decode)
        assert fast_unknown == decoder.unknown
