"""Tests for the BibTeX reader: real exports, every bad input located, decoding, ids."""

# ruff: noqa: RUF001  (the expected texts are Unicode on purpose: en dashes, Greek, quotes)

from __future__ import annotations

import gc
import re
from functools import cache
from pathlib import Path

import pybtex.errors
import pytest
from conftest import shared_path
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.database.input.bibtex import Parser

from evidence.bibliography import (
    NOT_LOADED,
    Bibliography,
    decode_latex,
    load_references,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    parse_references,
)
from evidence.bibliography import latex as latex_module
from evidence.bibliography.latex import LatexDecoder
from evidence.errors import BibliographyError, Problem, Severity
from evidence.model import Name, Reference

# An entry is a line starting ``@type{`` or ``@type(``, except @string, @preamble, @comment:
# counted here independently of the loader, the way SOURCES.md counts them.
ENTRY_LINE = re.compile(r"^\s*@(?!(?:string|preamble|comment)\b)\w+\s*[{(]", re.I | re.M)


def fixture(name: str) -> Path:
    return shared_path("fixtures", "bib", name)


@cache
def loaded(name: str) -> Bibliography:
    return load_references(fixture(name))


@cache
def text_of(name: str) -> str:
    return fixture(name).read_text(encoding="utf-8")


def line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based line of the first ``needle`` in ``text`` at or after offset ``start``."""
    index = text.index(needle, start)
    return text.count("\n", 0, index) + 1


def problems(bib: Bibliography, code: str) -> list[Problem]:
    return [p for p in bib.problems if p.code == code]


def the_problem(bib: Bibliography, code: str) -> Problem:
    found = problems(bib, code)
    assert len(found) == 1, bib.problems
    return found[0]


def source_counts() -> dict[str, int]:
    """The ``entries`` column of fixtures/bib/SOURCES.md, by file name."""
    counts = {}
    for row in fixture("SOURCES.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in row.split("|")]
        if len(cells) > 5 and cells[1].endswith(".bib"):
            counts[cells[1]] = int(cells[4].split()[0])
    return counts


# --- every entry of every real export is loaded or reported ------------------------------

FIXTURES = [
    "acl_anthology_mixed.bib",
    "bibdesk_style_cdl_6315.bib",
    "biblatex-examples.bib",
    "cryptobib_abbrev3_strings.bib",
    "cryptobib_crypto_partial.bib",
    "endnote_trauma_medical.bib",
    "google_scholar_sysreview.bib",
    "jabref_2_10_preamble.bib",
    "jabref_5_1_groups_crossref.bib",
    "mendeley_desktop_2663_toomanycommas.bib",
    "mendeley_desktop_neuro_pmid.bib",
    "paperpile_ssm.bib",
    "scopus_export_sysreview.bib",
    "zotero_bbt_7166_pmid_large.bib",
    "zotero_pediatric_concussion_pmid.bib",
]


def test_the_fixture_list_is_the_whole_folder() -> None:
    on_disk = sorted(p.name for p in fixture("SOURCES.md").parent.glob("*.bib"))
    assert on_disk == FIXTURES
    assert sorted(source_counts()) == FIXTURES


@pytest.mark.parametrize("name", FIXTURES)
def test_every_entry_is_loaded_or_reported_as_not_loaded(name: str) -> None:
    counted = len(ENTRY_LINE.findall(text_of(name)))
    assert counted == source_counts()[name]  # our count agrees with SOURCES.md
    bib = loaded(name)
    assert len(bib) + len(bib.not_loaded) == counted
    for problem in bib.not_loaded:
        assert problem.location.path == str(fixture(name))
        assert problem.location.line is not None
    # Every reference knows its line, and that line starts its entry.
    lines = text_of(name).splitlines()
    for ref in list(bib.values())[:: max(1, len(bib) // 50)]:
        assert ref.location is not None
        assert ref.location.line is not None
        assert re.search(rf"@\w+\s*[{{(]\s*{re.escape(ref.key)}\s*,", lines[ref.location.line - 1])


def test_zotero_keys_differing_in_case_are_reported_with_both_lines() -> None:
    name = "zotero_bbt_7166_pmid_large.bib"
    bib, text = loaded(name), text_of(name)
    duplicates = problems(bib, "duplicate-key")
    assert len(duplicates) == 16
    assert len(bib) == 7150
    first, second = line_of(text, "{chen_2017,"), line_of(text, "{Chen_2017,")
    assert str(duplicates[0]) == (
        f"{fixture(name)}:{second}: error: duplicate key 'Chen_2017' (first defined at line "
        f"{first} as 'chen_2017'); the first definition is kept"
    )
    assert bib["chen_2017"].location.line == first  # type: ignore[union-attr]
    assert bib.find("CHEN_2017") is bib["chen_2017"]
    assert "Chen_2017" not in bib


def test_zotero_large_identifiers_are_normalised() -> None:
    bib = loaded("zotero_bbt_7166_pmid_large.bib")
    pmids = [r.pmid for r in bib.values() if r.pmid]
    dois = [r.doi for r in bib.values() if r.doi]
    # SOURCES.md: pmid on 1284 entries (5 of them are not PubMed ids), doi on 7062.
    assert 1200 < len(pmids) < 1284
    assert len(dois) > 6900
    assert all(p.isdigit() and len(p) <= 8 for p in pmids)
    assert all(d == d.lower() and d.startswith("10.") for d in dois)
    bad = problems(bib, "bad-identifier")
    assert {p.severity for p in bad} == {Severity.WARNING}
    text = text_of("zotero_bbt_7166_pmid_large.bib")
    assert any(p.location.line == line_of(text, "pmid = {327574500002}") for p in bad)


def test_mendeley_author_lists_with_commas_are_split_and_reported() -> None:
    name = "mendeley_desktop_2663_toomanycommas.bib"
    bib, text = loaded(name), text_of(name)
    found = problems(bib, "bad-name")
    assert [p.location.line for p in found] == [
        line_of(text, "{Samer Hassan}, Javier Arroyo"),
        line_of(text, '{Ga{\\"{e}}tan de Menten}, Gijs Dekkers'),
    ]
    ref = bib["SamerHassan2013"]
    assert [str(a) for a in ref.authors] == [
        "Samer Hassan",
        "Javier Arroyo",
        "José Manuel Galán",
        "Luis Antunes",
        "Juan Pavón",
    ]
    duplicate = the_problem(bib, "duplicate-key")
    first = text.index("{Engineeringa,")
    assert duplicate.location.line == line_of(text, "{Engineeringa,", first + 1)
    assert f"(first defined at line {line_of(text, '{Engineeringa,')})" in duplicate.message


def test_endnote_export_problems_are_located() -> None:
    name = "endnote_trauma_medical.bib"
    bib, text = loaded(name), text_of(name)
    duplicate = the_problem(bib, "duplicate-key")
    first = line_of(text, "@article{RN111,")
    assert duplicate.location.line == line_of(text, "@misc{RN111,")
    assert f"(first defined at line {first})" in duplicate.message
    november = [p for p in problems(bib, "undefined-macro") if "'november'" in p.message]
    assert len(november) == 1
    assert november[0].severity is Severity.WARNING
    assert november[0].location.line == line_of(text, "month = november")
    again = line_of(text, "month = november", text.index("month = november") + 1)
    assert f"also used at line {again}." in november[0].message
    # The month is still understood, and the corporate author with EndNote's trailing
    # comma is one collective name.
    assert all(r.month == 11 for r in bib.values() if r.raw_fields.get("month") == "november")
    assert bib["RN43"].authors == (Name("American College of Surgeons", collective=True),)


def test_scopus_field_names_with_spaces_lose_nothing() -> None:
    name = "scopus_export_sysreview.bib"
    bib, text = loaded(name), text_of(name)
    problem = the_problem(bib, "bad-field-name")
    assert problem.location.line == line_of(text, "funding_text\u00a01=")
    ref = bib["Cooper2018"]
    # Fields after the broken one are still read (pybtex drops them silently).
    assert ref.raw_fields["source"] == "Scopus"
    assert ref.fields["funding_text_1"].startswith("This publication forms")
    duplicates = problems(bib, "duplicate-field")
    first = line_of(text, "funding_details=")
    assert [p.location.line for p in duplicates] == [first + 1, first + 2, first + 3, first + 4]
    assert all(f"(first at line {first})" in p.message for p in duplicates)


def test_cryptobib_alone_loads_every_entry_and_reports_undefined_macros() -> None:
    bib = loaded("cryptobib_crypto_partial.bib")
    assert len(bib) == 5687
    assert not bib.not_loaded
    undefined = problems(bib, "undefined-macro")
    assert undefined
    assert all(p.severity is Severity.WARNING for p in undefined)
    # Once per macro, at its first use.
    names = [re.search(r"macro '([^']+)'", p.message).group(1) for p in undefined]  # type: ignore[union-attr]
    assert len(names) == len(set(names))
    # An undefined editor macro is never turned into a person.
    assert not any(n.last.startswith("acisp") for r in bib.values() for n in r.editors)


def test_cryptobib_with_its_string_file_resolves_every_macro() -> None:
    strings = text_of("cryptobib_abbrev3_strings.bib")
    crypto = text_of("cryptobib_crypto_partial.bib")
    bib = parse_references(strings + "\n" + crypto, source="crypto+abbrev.bib")
    assert len(bib) == 5687
    assert bib.problems == ()
    with_booktitle = [r for r in bib.values() if "booktitle" in r.fields]
    assert with_booktitle
    assert all(r.month is None or 1 <= r.month <= 12 for r in bib.values())
    assert sum(r.month is not None for r in bib.values()) > 5000
    assert all(r.editors for r in with_booktitle[:100])


def test_clean_exports_have_no_problems() -> None:
    for name in ("bibdesk_style_cdl_6315.bib", "zotero_pediatric_concussion_pmid.bib"):
        assert loaded(name).problems == ()


def test_names_agree_with_pybtex_on_real_files() -> None:
    """Our BibTeX name splitting gives pybtex's parts (decoded) on thousands of names."""
    compared = 0
    for name in (
        "mendeley_desktop_neuro_pmid.bib",
        "jabref_2_10_preamble.bib",
        "zotero_pediatric_concussion_pmid.bib",
        "biblatex-examples.bib",
        "acl_anthology_mixed.bib",
    ):
        data = Parser(encoding="utf-8").parse_file(str(fixture(name)))
        bib = loaded(name)
        for key, entry in data.entries.items():
            for role, ours in (("author", bib[key].authors), ("editor", bib[key].editors)):
                theirs = [p for p in entry.persons.get(role, []) if str(p) != "others"]
                if len(theirs) != len(ours) or any(n.collective for n in ours):
                    assert any(n.collective for n in ours), (key, theirs, ours)
                    continue
                for person, mine in zip(theirs, ours, strict=True):
                    parts = (
                        person.first_names + person.middle_names,
                        person.prelast_names,
                        person.last_names,
                        person.lineage_names,
                    )
                    assert (mine.first, mine.von, mine.last, mine.jr) == tuple(
                        decode_latex(" ".join(p)) for p in parts
                    ), key
                    compared += 1
    assert compared > 5000


def test_zotero_collective_authors_in_double_braces() -> None:
    bib = loaded("zotero_pediatric_concussion_pmid.bib")
    agency = Name("Public Health Agency of Canada", collective=True)
    assert any(r.authors == (agency,) for r in bib.values())


# --- bad inputs, each located ------------------------------------------------------------


def test_extra_closing_brace_is_reported_and_later_fields_are_kept() -> None:
    bib = parse_references(
        "@article{a,\n"
        "  title = {T}},\n"
        "  year = {2000},\n"
        "  doi = {10.1/x}\n"
        "}\n"
        "\n"
        "@article{b, title = {B}}\n",
        source="refs.bib",
    )
    problem = the_problem(bib, "truncated-entry")
    assert str(problem).startswith("refs.bib:2: error: entry 'a' is closed early by an extra '}'")
    assert "(year, doi)" in problem.message
    assert bib["a"].year == 2000
    assert bib["a"].doi == "10.1/x"
    assert bib["a"].title == "T"
    assert list(bib) == ["a", "b"]


def test_two_extra_closing_braces_are_each_reported_at_their_line() -> None:
    bib = parse_references(
        "\n@article{a,\n  title = {T}},\n  journal = {J}},\n\n  year = {2000}\n}\n",
        source="refs.bib",
    )
    assert [p.location.line for p in problems(bib, "truncated-entry")] == [3, 4]
    assert (bib["a"].title, bib["a"].journal, bib["a"].year) == ("T", "J", 2000)


def test_extra_closing_brace_in_a_quoted_file_with_unreadable_rest() -> None:
    bib = parse_references(
        '@article{a,\n  title = "T",\n  journal = {J}},\n  year = {2000} = ,\n}\n',
        source="refs.bib",
    )
    problem = the_problem(bib, "truncated-entry")
    assert str(problem).startswith("refs.bib:3: error: entry 'a' is closed early")
    assert "(year) were not read" in problem.message
    assert bib["a"].journal == "J"


def test_stray_brace_in_a_quoted_value_does_not_swallow_the_following_entries() -> None:
    text = (
        "@article{a,\n"
        '  title = "T {oops",\n'
        "  year = {2000},\n"
        "}\n"
        "\n"
        "@article{b,\n"
        "  title = {B}\n"
        "}\n"
        "@book{c, title = {C}}\n"
    )
    bib = parse_references(text, source="refs.bib")
    assert list(bib) == ["a", "b", "c"]
    assert bib["c"].title == "C"
    problem = the_problem(bib, "unclosed-brace")
    assert str(problem).startswith(
        "refs.bib:2: error: entry 'a' (line 1): the value of field 'title' opens a '{'"
    )
    assert "(year)" in problem.message
    # pybtex alone reads b and c into a's title.
    with pybtex.errors.capture():
        assert list(Parser().parse_string(text).entries) == ["a"]


def test_stray_brace_closed_by_the_entrys_own_brace_is_reported() -> None:
    bib = parse_references(
        "@article{a,\n  note = {n},\n  title = {T {oops},\n  year = {2000}\n}\n\n"
        "@article{b, title = {B}}\n",
        source="refs.bib",
    )
    assert list(bib) == ["a", "b"]
    assert bib["a"].fields == {"note": "n"}  # the run-on title is not kept as a title
    problem = the_problem(bib, "unclosed-brace")
    assert str(problem).startswith(
        "refs.bib:3: error: entry 'a' (line 1): the value of field 'title' has a '{' that is "
        "not closed where the value should end, so it ran on over the fields after it (year)"
    )


def test_stray_opening_brace_in_the_last_entry() -> None:
    bib = parse_references(
        "@article{a, title = {A}}\n\n@article{z,\n  note = {x},\n  title = {unclosed\n",
        source="refs.bib",
    )
    assert bib["z"].fields == {"note": "x"}
    assert str(the_problem(bib, "unclosed-brace")).startswith("refs.bib:5: error: entry 'z'")


def test_empty_key_is_reported_and_neighbours_survive() -> None:
    bib = parse_references(
        "@article{a, title = {A}}\n"
        "\n"
        "@article{,\n"
        "  title = {Blank key from Mendeley},\n"
        "  pmid = {123}\n"
        "}\n"
        "@article{b, title = {B}}\n",
        source="refs.bib",
    )
    assert list(bib) == ["a", "b"]
    problem = the_problem(bib, "empty-key")
    assert str(problem).startswith(
        "refs.bib:3: error: entry (title 'Blank key from Mendeley') has no citation key"
    )
    assert bib.not_loaded == (problem,)
    assert "empty-key" in NOT_LOADED


def test_missing_key_before_a_field_is_an_empty_key() -> None:
    bib = parse_references("\n@article{\n  title = {No key},\n}\n", source="refs.bib")
    assert len(bib) == 0
    problem = the_problem(bib, "empty-key")
    assert problem.location.line == 2
    assert "(title 'No key')" in problem.message


def test_field_name_with_a_space_is_repaired_and_reported() -> None:
    bib = parse_references(
        "@article{a,\n  title = {T},\n  funding_text 1 = {Grant},\n  year = 2001\n}\n",
        source="refs.bib",
    )
    assert str(the_problem(bib, "bad-field-name")) == (
        "refs.bib:3: error: entry 'a': field name 'funding_text 1' contains a space; read as "
        "'funding_text_1'. Remove the space"
    )
    assert bib["a"].fields["funding_text_1"] == "Grant"
    assert bib["a"].year == 2001


def test_missing_comma_is_repaired_and_reported() -> None:
    bib = parse_references("@article{a,\n  title = {T}\n  year = {2000},\n}\n", source="refs.bib")
    assert str(the_problem(bib, "missing-comma")).startswith(
        "refs.bib:3: error: entry 'a': missing comma before field 'year'"
    )
    assert bib["a"].year == 2000


def test_unclosed_entry_keeps_its_fields_and_its_neighbour() -> None:
    bib = parse_references(
        "@article{a,\n  title = {T},\n\n@article{b, title = {B}}\n", source="refs.bib"
    )
    assert list(bib) == ["a", "b"]
    assert bib["a"].title == "T"
    assert str(the_problem(bib, "unclosed-entry")).startswith(
        "refs.bib:1: error: entry 'a' has no closing '}'"
    )


def test_other_syntax_errors_keep_the_fields_before_them() -> None:
    bib = parse_references(
        '@article{a,\n  title = {T},\n  journal = "J } x",\n  year = 1999\n}\n',
        source="refs.bib",
    )
    problem = the_problem(bib, "syntax-error")
    assert str(problem).startswith(
        "refs.bib:3: error: entry 'a' (line 1): unbalanced braces, so field 'journal' and the "
        "fields after it (year) were not read"
    )
    assert bib["a"].fields == {"title": "T"}


def test_undefined_macros_are_reported_once_with_every_line() -> None:
    bib = parse_references(
        "@article{a,\n"
        "  title = {T},\n"
        "  month = november,\n"
        "  journal = jcp\n"
        "}\n"
        "@article{b,\n"
        "  month = november\n"
        "}\n",
        source="refs.bib",
    )
    november, jcp = problems(bib, "undefined-macro")
    assert str(november) == (
        "refs.bib:3: warning: undefined macro 'november' in field 'month' of entry 'a', read "
        "as the text 'november'; also used at line 7. Define it with @string, load the file "
        "that defines it first, or put the value in braces"
    )
    assert jcp.location.line == 4
    assert bib["a"].month == 11
    assert bib["b"].month == 11
    assert bib["a"].journal == "jcp"
    assert not problems(bib, "bad-date")


def test_undefined_macro_inside_a_string_definition() -> None:
    bib = parse_references('\n@string{j = jour # " of X"}\n@misc{a, journal = j}\n', source="r.bib")
    assert bib["a"].journal == "jour of X"
    assert str(the_problem(bib, "undefined-macro")).startswith(
        "r.bib:2: warning: undefined macro 'jour' in field 'j' of @string,"
    )


def test_undefined_macro_in_author_is_not_a_person() -> None:
    bib = parse_references("@book{a,\n  editor = eds2020,\n}\n", source="refs.bib")
    assert bib["a"].editors == ()
    assert "left empty" in the_problem(bib, "undefined-macro").message


def test_string_macros_are_expanded_ignoring_case() -> None:
    bib = parse_references(
        '@string{jcp = "J. Chem. Phys."}\n@article{a, journal = JCP # " (2000)", month = jan}\n'
    )
    assert bib["a"].journal == "J. Chem. Phys. (2000)"
    assert bib["a"].month == 1
    assert bib["a"].fields["month"] == "January"
    assert bib.problems == ()


def test_author_list_with_commas_for_and_as_pairs() -> None:
    bib = parse_references(
        "@article{a,\n  title = {T},\n  author = {Miller, D., Firby, J.},\n}\n", source="refs.bib"
    )
    assert bib["a"].authors == (Name("Miller", "D."), Name("Firby", "J."))
    problem = the_problem(bib, "bad-name")
    assert str(problem).startswith(
        "refs.bib:3: error: entry 'a', author: names separated by commas instead of 'and' in "
        "'Miller, D., Firby, J.'"
    )


def test_author_list_with_commas_for_and_as_full_names() -> None:
    bib = parse_references("@article{a, author = {Ann Lee, Bo Chen, Carl van Dahl}}")
    assert [(n.first, n.von, n.last) for n in bib["a"].authors] == [
        ("Ann", "", "Lee"),
        ("Bo", "", "Chen"),
        ("Carl", "van", "Dahl"),
    ]
    assert the_problem(bib, "bad-name").severity is Severity.ERROR


def test_author_list_that_cannot_be_split_is_still_one_reported_name() -> None:
    bib = parse_references("@article{a, author = {Smith, J., Jones, Lee, Kay}}", source="r.bib")
    assert len(bib["a"].authors) == 1
    assert "could not be split" in the_problem(bib, "bad-name").message


def test_duplicate_field_keeps_the_first_and_says_where() -> None:
    bib = parse_references("@article{a,\n  note = {x},\n  NOTE = {y}\n}\n", source="refs.bib")
    assert bib["a"].fields["note"] == "x"
    assert str(the_problem(bib, "duplicate-field")) == (
        "refs.bib:3: warning: entry 'a': duplicate field 'note' (first at line 2); the first "
        "value is kept"
    )


def test_duplicate_key_differing_in_case_is_reported_with_both_lines() -> None:
    text = "\n" * 16 + "@article{Chen_2017, title = {A}}\n" + "\n" * 102
    text += "@article{chen_2017, title = {B}}\n"
    bib = parse_references(text, source="refs.bib")
    assert str(the_problem(bib, "duplicate-key")) == (
        "refs.bib:120: error: duplicate key 'chen_2017' (first defined at line 17 as "
        "'Chen_2017'); the first definition is kept"
    )
    assert list(bib) == ["Chen_2017"]
    assert bib["Chen_2017"].title == "A"


def test_exact_duplicate_key_message() -> None:
    bib = parse_references("@misc{RN1, title={A}}\n@misc{RN1, title={B}}\n", source="r.bib")
    assert the_problem(bib, "duplicate-key").message == (
        "duplicate key 'RN1' (first defined at line 1); the first definition is kept"
    )


def test_percent_before_an_entry_is_reported_not_loaded() -> None:
    bib = parse_references("%@article{x, title={X}}\n@article{y, title={Y}}\n", source="r.bib")
    assert list(bib) == ["y"]
    assert the_problem(bib, "commented-out").location.line == 1
    assert bib.not_loaded == ()  # a commented-out entry is not an entry


def test_entries_on_one_line_and_in_parentheses() -> None:
    bib = parse_references("@article{a, title={A}} @book(b, title = {B}, year = 1999)\n")
    assert list(bib) == ["a", "b"]
    assert bib["b"].year == 1999
    assert bib["b"].entry_type == "book"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n",
        "% just a comment\n% another\n",
        "@comment{nothing here}\n",
        "Free text that BibTeX ignores, with an address me@example.org.\n",
        '@preamble{"\\newcommand{\\noopsort}[1]{}"}\n',
        "@string{jcp = {J. Chem. Phys.}}\n",
    ],
)
def test_empty_and_comment_only_files(text: str) -> None:
    bib = parse_references(text)
    assert len(bib) == 0
    assert bib.problems == ()


def test_bom_and_crlf_line_endings() -> None:
    bib = parse_references(
        "\ufeff@article{a,\r\n  title = {T},\r\n  note = {x},\r\n  note = {y}\r\n}\r\n",
        source="r.bib",
    )
    assert bib["a"].title == "T"
    assert the_problem(bib, "duplicate-field").location.line == 4


# --- strict mode, encoding, missing files ------------------------------------------------


def test_strict_raises_once_listing_every_problem() -> None:
    text = (
        "@article{a, title = {A}}\n"
        "@article{A, title = {again}}\n"
        "@article{,\n title = {x}}\n"
        "@article{c, month = {13}}\n"
    )
    with pytest.raises(BibliographyError) as caught:
        parse_references(text, source="refs.bib", strict=True)
    error = caught.value
    assert [(p.code, p.location.line) for p in error.problems] == [
        ("duplicate-key", 2),
        ("empty-key", 3),
        ("bad-date", 5),
    ]
    lines = str(error).splitlines()
    assert lines[0].startswith("refs.bib: 3 problems found")
    assert lines[1].startswith("refs.bib:2: error: duplicate key 'A'")
    assert lines[3].startswith("refs.bib:5: warning: entry 'c': month '13' is not a month")


def test_strict_accepts_a_clean_file() -> None:
    bib = parse_references("@article{a, title = {A}}", strict=True)
    assert list(bib) == ["a"]


def test_invalid_utf8_is_located_by_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(
        b"@article{a,\n  title = {T},\n  author = {M\xfcller, Hans},\n  note = {caf\xe9}\n}\n"
    )
    with pytest.raises(BibliographyError) as caught:
        load_references(path)
    error = caught.value
    assert error.location is not None
    assert (error.location.line, error.location.column) == (3, 14)
    assert [(p.location.line, p.location.column) for p in error.problems] == [(3, 14), (4, 14)]
    assert str(error).startswith(f"{path}:3:14: the file is not valid utf-8 (byte 0xfc)")
    assert "re-save it as UTF-8" in str(error)
    assert "encoding='latin-1'" in str(error)
    bib = load_references(path, encoding="latin-1")
    assert str(bib["a"].authors[0]) == "Hans Müller"


def test_missing_file_and_unknown_encoding(tmp_path: Path) -> None:
    with pytest.raises(BibliographyError, match="no such file") as caught:
        load_references(tmp_path / "missing.bib")
    assert caught.value.location is not None
    assert caught.value.location.path == str(tmp_path / "missing.bib")
    (tmp_path / "ok.bib").write_text("@misc{a}\n", encoding="utf-8")
    with pytest.raises(BibliographyError, match="unknown encoding 'klingon'"):
        load_references(tmp_path / "ok.bib", encoding="klingon")


def test_load_reports_the_path_it_was_given(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text("@misc{a, note = {x}, note = {y}}\n", encoding="utf-8")
    bib = load_references(path)
    assert bib.path == str(path)
    assert str(bib.problems[0]).startswith(f"{path}:1: warning:")


# --- global state is left alone ----------------------------------------------------------


def pybtex_state() -> tuple[object, ...]:
    return (pybtex.errors.strict, pybtex.errors.captured_errors, pybtex.errors.error_code)


BROKEN = "@article{a, title = {A}}\n@article{A, month = nov}\n@article{,\n}\n@x{b, y = zz}\n"


def test_pybtex_global_state_is_unchanged_after_a_load_with_errors() -> None:
    before = pybtex_state()
    bib = parse_references(BROKEN)
    assert bib.problems  # the load did hit errors
    assert pybtex_state() == before


def test_pybtex_global_state_is_unchanged_after_a_load_that_raised() -> None:
    before = pybtex_state()
    with pytest.raises(BibliographyError):
        parse_references(BROKEN, strict=True)
    assert pybtex_state() == before


def test_a_callers_pybtex_capture_sees_nothing_of_ours() -> None:
    with pybtex.errors.capture() as captured:
        parse_references(BROKEN)
        assert captured == []


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collector_state_is_restored(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        parse_references(BROKEN)
        assert gc.isenabled() is enabled
        with pytest.raises(BibliographyError):
            parse_references(BROKEN, strict=True)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


# --- LaTeX, names, fields ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"M{\"u}ller", "Müller"),
        (r"Garc\'{\i}a", "García"),
        (r"Garc{\'\i}a", "García"),
        (r"na\"{\i}ve", "naïve"),
        (r"{\O}ster", "Øster"),
        (r"Stra{\ss}e", "Straße"),
        (r"Jos{\'{e}}", "José"),
        (r"Kn{\"{o}}sche", "Knösche"),
        (r"Morko{\c c}", "Morkoç"),
        (r"\v{S}koda", "Škoda"),
        (r"Erd\H{o}s", "Erdős"),
        (r"Nguy\~{\^e}n", "Nguyễn"),
        (r"Vi\d{\^e}t", "Việt"),
        (r"{\aa}ngstr{\"o}m", "ångström"),
        (r"{\L}{\'o}d{\'z}", "Łódź"),
        (r"A \& B", "A & B"),
        (r"50\% of \$5", "50% of $5"),
        (r"\{braces\}", "{braces}"),
        ("pages 1--2", "pages 1–2"),
        ("a---b", "a—b"),
        (r"``quoted''", "“quoted”"),
        ("D.~E. Knuth", "D. E. Knuth"),
        (r"{DNA} in {\"U}ber-cells", "DNA in Über-cells"),
        (r"\emph{in vivo} and \textit{Drosophila}", "in vivo and Drosophila"),
        (r"TNF-$\alpha$ and $\beta$-blockers", "TNF-α and β-blockers"),
        (r"{Cu$_2$O} at 10$^{3}$ K", "Cu₂O at 10³ K"),
        (r"{\noopsort{1973}}Title", "Title"),
        (r"\textendash{} and \ldots", "– and …"),
        (r"\relax\foo bar", "\\foo bar"),  # unknown: kept visible (issue 20)
        ("plain words", "plain words"),
        (r"see \url{http://x.org/~a/b--c\_d\#e} -- ok", "see http://x.org/~a/b--c_d#e – ok"),
    ],
)
def test_decode_latex(latex: str, text: str) -> None:
    assert decode_latex(latex) == text


def test_a_decoder_asks_latexcodec_once_per_rare_command_and_keeps_it_to_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    real = latex_module._latexcodec_symbol

    def counting(name: str) -> str:
        asked.append(name)
        return real(name)

    monkeypatch.setattr(latex_module, "_latexcodec_symbol", counting)
    decoder = LatexDecoder()
    text = r"3 \times 4 and \alpha"
    assert decoder.decode(text) == decoder.decode(text) == decode_latex(text) == "3 ×4 and α"
    # The decoder asked once for each; decode_latex, a decoder of its own, asked again.
    assert sorted(asked) == ["alpha", "alpha", "times", "times"]


def test_fields_are_decoded_and_raw_fields_kept() -> None:
    bib = parse_references(
        "@Article{a,\n"
        '  Title = {The {RNA} World of M{\\"u}ller},\n'
        "  Author = {M{\\\"u}ller, Hans and Garc\\'{\\i}a, Ana},\n"
        "  URL = {http://x.org/~user/a_b%20c},\n"
        "  Pages = {1--9},\n"
        "}\n"
    )
    ref = bib["a"]
    assert ref.entry_type == "article"
    assert ref.title == "The RNA World of Müller"
    assert ref.pages == "1–9"
    assert ref.raw_fields["title"] == 'The {RNA} World of M{\\"u}ller'
    assert ref.fields["url"] == ref.raw_fields["url"] == "http://x.org/~user/a_b%20c"
    assert parse_references(r"@misc{m, url = {http://x.org/a\_b{\#}c}}")["m"].fields == {
        "url": "http://x.org/a_b#c"
    }
    assert [str(n) for n in ref.authors] == ["Hans Müller", "Ana García"]
    assert set(ref.fields) == {"title", "author", "url", "pages"}


@pytest.mark.parametrize(
    ("author", "names"),
    [
        ("{{World Health Organization}}", [Name("World Health Organization", collective=True)]),
        ("American College of Surgeons,", [Name("American College of Surgeons", collective=True)]),
        ("Ludwig van Beethoven", [Name("Beethoven", "Ludwig", von="van")]),
        ("van Beethoven, Ludwig", [Name("Beethoven", "Ludwig", von="van")]),
        ("Doe, Jr., John", [Name("Doe", "John", jr="Jr.")]),
        ("{V{\\'a}squez-Sancho}, Fabi{\\'a}n", [Name("Vásquez-Sancho", "Fabián")]),
        ("Liliang, Po-Chou and others", [Name("Liliang", "Po-Chou")]),
        ("Smith, J. and et al.", [Name("Smith", "J.")]),
        ("Knuth, Donald E. AND Lamport, L.", [Name("Knuth", "Donald E."), Name("Lamport", "L.")]),
        ("{\\O}ster, Bo and {\\'E}mile Zola", [Name("Øster", "Bo"), Name("Zola", "Émile")]),
    ],
)
def test_names(author: str, names: list[Name]) -> None:
    bib = parse_references(f"@article{{a, author = {{{author}}}}}")
    assert list(bib["a"].authors) == names
    assert bib["a"].raw_fields["author"] == author


def test_editors_and_first_author() -> None:
    bib = parse_references("@book{a, editor = {Lee, Ann and Chen, Bo}, year = 2001}")
    assert bib["a"].editors == (Name("Lee", "Ann"), Name("Chen", "Bo"))
    assert bib["a"].short_citation == "Lee 2001"


# --- identifiers, dates, design ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "pmid", "doi", "pmcid"),
    [
        ("pmid = {12345678}, pmcid = {PMC456}, doi = {10.1/ABC}", "12345678", "10.1/abc", "PMC456"),
        ("note = {PMID: 123; PMCID: PMC456}", "123", None, "PMC456"),
        ("annote = {PMID: 123}", "123", None, None),
        ("annotation = {DOI: 10.1000/XyZ.}", None, "10.1000/xyz", None),
        ("extra = {PMID: 31415926\nPMCID: PMC2718}", "31415926", None, "PMC2718"),
        ("doi = {https://doi.org/10.1/ABC}", None, "10.1/abc", None),
        (
            "doi = {http://dx.doi.org/10.1016/j.futures.2014.10.003}",
            None,
            "10.1016/j.futures.2014.10.003",
            None,
        ),
        ("doi = {doi:10.1111/1467-9574.00157}", None, "10.1111/1467-9574.00157", None),
        ("doi = {10.1002/(SICI)1097\\_x}", None, "10.1002/(sici)1097_x", None),
        ("url = {https://doi.org/10.1/ABC}", None, "10.1/abc", None),
        ("url = {https://pubmed.ncbi.nlm.nih.gov/21220997/}", "21220997", None, None),
        ("url = {https://www.ncbi.nlm.nih.gov/pmc/articles/PMC3124/}", None, None, "PMC3124"),
        ("eprint = {21220997}, eprinttype = {pubmed}", "21220997", None, None),
        ("eprint = {PMC3124}, eprinttype = {pmc}", None, None, "PMC3124"),
        ("eprint = {2101.00001}, archiveprefix = {arXiv}", None, None, None),
        ("pubmed_id = {29321234}", "29321234", None, None),
        ("pmcid = {3124}", None, None, "PMC3124"),
    ],
)
def test_identifiers(fields: str, pmid: str | None, doi: str | None, pmcid: str | None) -> None:
    bib = parse_references(f"@article{{a, {fields}}}")
    ref = bib["a"]
    assert (ref.pmid, ref.doi, ref.pmcid) == (pmid, doi, pmcid)
    assert bib.problems == ()


def test_malformed_identifiers_are_located_warnings() -> None:
    bib = parse_references(
        "@article{a,\n"
        "  pmid = {178037200001},\n"
        "  doi = {j.desal.2005.02.017},\n"
        "  url = {https://doi.org/10.1/good},\n"
        "  note = {PMCID: pending}\n"
        "}\n",
        source="refs.bib",
    )
    ref = bib["a"]
    assert (ref.pmid, ref.doi, ref.pmcid) == (None, "10.1/good", None)
    found = problems(bib, "bad-identifier")
    assert [str(p) for p in found] == [
        "refs.bib:2: warning: entry 'a': pmid '178037200001' is not a valid PMID; it is "
        "ignored. Fix or remove it",
        "refs.bib:3: warning: entry 'a': doi 'j.desal.2005.02.017' is not a valid DOI; it is "
        "ignored. Fix or remove it",
        "refs.bib:5: warning: entry 'a': note 'pending' is not a valid PMCID; it is ignored. "
        "Fix or remove it",
    ]


def test_conflicting_identifiers_keep_the_dedicated_field() -> None:
    bib = parse_references(
        "@article{a,\n  pmid = {111},\n  note = {PMID: 222}\n}\n", source="refs.bib"
    )
    assert bib["a"].pmid == "111"
    assert str(the_problem(bib, "conflicting-identifier")).startswith(
        "refs.bib:3: warning: entry 'a': note gives PMID 222 but pmid gives 111"
    )


def test_identifier_normalisers() -> None:
    assert normalise_doi("  DOI: 10.1016/J.CELL.2020.01.001 ") == "10.1016/j.cell.2020.01.001"
    assert normalise_doi("https://doi.org/10.1002%2Fabc") == "10.1002/abc"
    assert normalise_doi("doi: 10.1038") is None
    assert normalise_doi("papers3://publication/uuid/43E3") is None
    assert normalise_pmid("PMID: 021220997.") == "21220997"
    assert normalise_pmid("123456789") is None
    assert normalise_pmid("12a") is None
    assert normalise_pmid("") is None
    assert normalise_pmcid("PMCID: pmc456") == "PMC456"
    assert normalise_pmcid("PMC") is None
    assert normalise_pmcid("MC456") is None


@pytest.mark.parametrize(
    ("fields", "year", "month"),
    [
        ("year = {2011}, month = jan", 2011, 1),
        ("year = 2011, month = {jan}", 2011, 1),
        ("year = {{2011}}, month = {12}", 2011, 12),
        ("year = {2011a}, month = {January}", 2011, 1),
        ('year = "1997", month = oct # "-" # nov', 1997, 10),
        ("year = {in press}, month = {Sept.}", None, 9),
        ("date = {2011-03-05}", 2011, 3),
        ("year = {2012}, date = {2011-03-05}", 2012, 3),
    ],
)
def test_year_and_month(fields: str, year: int | None, month: int | None) -> None:
    bib = parse_references(f"@article{{a, {fields}}}")
    assert (bib["a"].year, bib["a"].month) == (year, month)
    assert bib.problems == ()


def test_a_month_that_is_not_one_is_a_located_warning() -> None:
    bib = parse_references("@article{a,\n  month = {Brumaire}\n}\n", source="refs.bib")
    assert bib["a"].month is None
    assert the_problem(bib, "bad-date").location.line == 2


def test_design_field_is_the_users_override() -> None:
    bib = parse_references("@article{a, design = {randomised-trial}}\n@article{b, title={B}}")
    assert bib["a"].design == "randomised-trial"
    assert bib["b"].design is None


# --- the Bibliography mapping ------------------------------------------------------------


def test_bibliography_is_an_immutable_ordered_mapping() -> None:
    bib = parse_references("@misc{b, title={B}}\n@misc{A, title={A}}\n", source="refs.bib")
    assert list(bib) == ["b", "A"]
    assert len(bib) == 2
    assert bib["A"].location is not None
    assert str(bib["A"].location) == "refs.bib:2"
    assert bib.find("a") is bib["A"]
    assert bib.find("zzz") is None
    with pytest.raises(KeyError):
        bib["a"]
    with pytest.raises(TypeError):
        bib["c"] = bib["A"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        bib.problems = ()  # type: ignore[misc]
    assert repr(bib) == "<Bibliography 'refs.bib': 2 references, 0 problems>"


def test_bibliography_built_by_hand() -> None:
    bib = Bibliography([Reference("x", "misc")], path="mine.bib")
    assert bib.path == "mine.bib"
    assert bib.problems == ()
    assert bib.not_loaded == ()
    with pytest.raises(ValueError, match="duplicate key 'x'"):
        Bibliography([Reference("x", "misc"), Reference("x", "book")])


# --- robustness --------------------------------------------------------------------------

BIBTEXISH = st.text(alphabet='@{}()",=#%\\ \n\tabkAK19_-.', max_size=200)
FRAGMENTS = st.sampled_from(
    [
        *("@article{", "@misc(", "@string{", "@comment{", "@preamble{", "a1,", "b,", ",", "\n"),
        *("title = ", "year = 2000", "month = jan", "x # ", '"q"', "{", "}", ")", "%", "\\'"),
    ]
)
# A BibTeX entry type is a name starting with a letter (pybtex's and ours).
ENTRY_TYPE_LINE = re.compile(
    r"^[ \t]*@\s*(?!(?:string|preamble|comment)\b)[A-Za-z][\w.:+-]*\s*[{(]", re.I | re.M
)


@settings(max_examples=400, deadline=None)
@given(st.lists(FRAGMENTS | BIBTEXISH, max_size=40))
def test_any_text_is_read_without_crashing_and_every_entry_is_accounted_for(
    pieces: list[str],
) -> None:
    text = "".join(pieces)
    bib = parse_references(text, source="fuzz.bib")
    lines = text.count("\n") + 1
    for problem in bib.problems:
        assert problem.location.line is not None
        assert 1 <= problem.location.line <= lines
    for ref in bib.values():
        assert ref.location is not None
        assert ref.location.line is not None
        assert 1 <= ref.location.line <= lines
    accounted = len(bib) + len(bib.not_loaded)
    counted = len(ENTRY_TYPE_LINE.findall(text))
    if all(re.match(r"[ \t]*$", text[text.rfind("\n", 0, i) + 1 : i]) for i in _ats(text)):
        assert accounted == counted  # every '@' starts its line: nothing else to read
    else:
        assert accounted >= counted  # entries later on a line are read too


def _ats(text: str) -> list[int]:
    return [i for i, char in enumerate(text) if char == "@"]


def test_and_others_marks_the_author_list_incomplete() -> None:
    bib = parse_references(
        "@article{a, author = {Liliang, P. C. and Lu, K. and others}, year = 2011}\n"
        "@article{b, author = {Katz, V. and Reynolds, J.}, year = 2003}\n"
    )
    assert [n.last for n in bib["a"].authors] == ["Liliang", "Lu"]
    assert bib["a"].authors_complete is False
    assert bib["b"].authors_complete is True
