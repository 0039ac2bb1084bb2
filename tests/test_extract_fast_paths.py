"""Extraction's fast paths against the code they replaced: the same results on any text.

Issue 16 made extraction faster by rewriting a few hot spots; each is compared here with
its first form (kept in this file) on random text built from the characters that
matter to it, and on the articles of the shared fixtures when they are present:

* patterns that began with a look-behind now begin with their first character;
* URLs are found from their literal starts rather than by trying ``URL`` everywhere;
* the view is blanked by slices, markers blanked for sentence splitting by slices;
* Markdown clean-up skips substitutions whose character the claim lacks;
* one-number markers skip the list splitting.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.extract import markers, reflist
from evidence.extract.markdown import _CODE_SPAN, clean_markdown
from evidence.extract.markers import Found, Item, MarkerFinder
from evidence.extract.sentences import _blanked, _blanked_by_character
from evidence.extract.view import URL, TextView, urls
from evidence.text import _BOUNDARY

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# --- the first forms ----------------------------------------------------------------------

_RANGE = r"\d{1,5}(?:\s*[-\u2010-\u2014]\s*\d{1,5})?"
_NUMBER_LIST = rf"{_RANGE}(?:\s*[,;]\s*{_RANGE})*"
_SUPER = "⁰¹²³⁴⁵⁶⁷⁸⁹"
OLD_PATTERNS = {
    "_PANDOC_BRACKET": re.compile(
        r"(?<![\w\]])\[(?P<body>[^\[\]\n]*(?<![\w.+-])-?@[^\[\]]*)\](?![(\[])"
    ),
    "_NUMERIC_BRACKET": re.compile(rf"(?<![\]!^])\[(?P<nums>{_NUMBER_LIST})\](?P<rst>_)?(?![(\[])"),
    "_BRACKET_RUN": re.compile(rf"(?<![\]!^])(?:\[{_NUMBER_LIST}\]){{2,}}(?![(\[])"),
    "_UNICODE_SUP": re.compile(rf"[{_SUPER}]+(?:\s?[,\u207b\u2010-\u2014-]\s?[{_SUPER}]+)*"),
    "_PLAIN_DIGITS": re.compile(
        r"(?P<nums>\d{1,3}(?:[-\u2010-\u2013]\d{1,3})?(?:,\s?\d{1,3}(?:[-\u2010-\u2013]\d{1,3})?)*)"
    ),
}
OLD_CODE_SPAN = re.compile(
    r"(?<!`)(`+)(?!`)"
    r"(?:(?!\n[ \t]*\n|\n[ \t]*(?:\d{1,5}[.)]|\[\d{1,5}\]|\(\d{1,5}\)|[-*+])[ \t]).)+?"
    r"(?<!`)\1(?!`)",
    re.S,
)
OLD_BOUNDARY = re.compile(r"(?<![.!?\u2026])[.!?\u2026]++(?P<close>[\"'\u201d\u2019)\]]*+)(?=\s|$)")


def old_clean_prose(text: str) -> str:
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\[\]]*)\]\([^()]*(?:\([^()]*\))?[^()]*\)", r"\1", text)
    text = re.sub(r"\[([^\[\]]+)\]\[[^\[\]]*\]", r"\1", text)
    text = re.sub(r"\[\^[^\]]+\]", "", text)
    text = re.sub(r"<sup>.*?</sup>", "", text, flags=re.I)
    text = re.sub(r"<!--.*?-->|</?[A-Za-z][^<>]*>", "", text, flags=re.S)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])", r"\1", text)
    return text


def old_clean_markdown(text: str) -> str:
    out: list[str] = []
    at = 0
    for code in re.finditer(r"(`+)(.+?)\1", text, re.S):
        out.append(old_clean_prose(text[at : code.start()]))
        out.append(code.group(2).strip())
        at = code.end()
    out.append(old_clean_prose(text[at:]))
    return "".join(out)


def old_expand_numbers(text: str) -> list[int] | None:
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", text.strip()):
        if not part:
            return None
        bounds = re.split(r"\s*[-\u2010-\u2014\u2212\u207b]\s*", part)
        if any(len(bound) > 6 or not (bound.isascii() and bound.isdigit()) for bound in bounds):
            return None
        if len(bounds) == 1:
            numbers.append(int(bounds[0]))
            continue
        low, high = int(bounds[0]), int(bounds[1])
        if high < low or high - low > 50:
            return None
        numbers.extend(range(low, high + 1))
    return numbers


def old_blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, min(end, len(chars))):
        if chars[i] != "\n":
            chars[i] = " "


# --- random text made of what the patterns look at ----------------------------------------

_PIECES = st.sampled_from(
    [
        "[", "]", "(", ")", "!", "^", "@", "-@", "@key2003", "[@a]", "[1]", "[2,5]", "[3-4]",
        "[1][4]", "]_", "_", "12", "3", "1999", "2010.", ",", ";", " ", "  ", "\n", "\n\n",
        ".", "...", "!", "?", "…", '"', "'", "\u201d", "\u2019", "A", "a", "word", "Word", "et al.",
        "e.g.", "²", "¹⁻³", "⁴⁵", "µ", "-", "\u2013", "http://x.org/10.1234/a)b", "https://a.b/c",
        "www.x.y", "doi:10.1000/xyz", "10.1234/abc", "10.12", "ftp://f", "**", "*", "`", "<",
        "<sup>1</sup>", "<b>", "``", "```", "`x`", "``a`b``", "1. ", "![i](u)", "[t](u)",
        "[t][r]", "[^1]", "\t", "x:1", "p53",
    ]
)  # fmt: skip
_TEXTS = st.lists(_PIECES, max_size=60).map("".join)


Spans = list[tuple[tuple[int, int], dict[str, str | None]]]


def _spans(pattern: re.Pattern[str], text: str) -> Spans:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(_TEXTS)
def test_rewritten_patterns_match_what_their_first_forms_matched(text: str) -> None:
    for name, old in OLD_PATTERNS.items():
        assert _spans(getattr(markers, name), text) == _spans(old, text), name
    assert _spans(_BOUNDARY, text) == _spans(OLD_BOUNDARY, text)
    assert _spans(_CODE_SPAN, text) == _spans(OLD_CODE_SPAN, text)
    for start in range(0, len(text), 7):  # sentence_spans searches from inside the text
        new = [(m.span(), m.groupdict()) for m in _BOUNDARY.finditer(text, start, len(text))]
        old = [(m.span(), m.groupdict()) for m in OLD_BOUNDARY.finditer(text, start, len(text))]
        assert new == old


@settings(max_examples=500, deadline=None)
@given(_TEXTS)
def test_urls_are_found_where_url_finditer_finds_them(text: str) -> None:
    assert [m.span() for m in urls(text)] == [m.span() for m in URL.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.lists(st.tuples(st.integers(0, 80), st.integers(0, 40)), max_size=6))
def test_the_view_is_blanked_as_character_by_character(
    text: str, spans: list[tuple[int, int]]
) -> None:
    view = TextView(text)
    chars = list(text)
    for start, length in spans:
        view.blank(start, start + length)
        old_blank(chars, start, start + length)
    assert view.text() == "".join(chars)


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.data())
def test_markers_are_blanked_for_sentences_as_character_by_character(
    text: str, data: st.DataObject
) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    found = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        narrative = data.draw(st.sampled_from(["", "authors"]))
        found.append(Found("numeric", start, end, [Item("number", "1")], narrative=narrative))
    assert _blanked(text, found) == _blanked_by_character(text, found)


@settings(max_examples=500, deadline=None)
@given(_TEXTS)
def test_markdown_clean_up_gives_what_the_nine_substitutions_gave(text: str) -> None:
    assert clean_markdown(text) == old_clean_markdown(text)


@given(st.text(alphabet="0123456789,;- \u2013\u2212⁻", max_size=14))
def test_number_lists_expand_as_before(text: str) -> None:
    assert markers._expand_numbers(text) == old_expand_numbers(text)


_CITING = st.lists(
    st.sampled_from(
        [
            "Katz", "Smith", "van der Berg", "de la Cruz", "O'Neil", "Müller", " ", "  ", "\n",
            "et al.", " et al", " and ", " & ", "'s", "\u2019s", "(", ")", "(2003)", "(2003a, b)",
            "(1999, p. 4)", "(2011a, 2011b)", "(in 2003)", "(2003", "2004", ", ", "; ", "@", "-@",
            "@katz2003", "@{odd key}", "[p. 4]", "-", ".", "x@y.org", "word", "\\@",
        ]
    ),
    max_size=50,
).map("".join)  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(_CITING)
def test_narrative_and_bare_key_markers_are_found_as_finditer_found_them(text: str) -> None:
    assert _spans_of(markers.narrative_matches(text)) == _spans(markers._AY_NARRATIVE, text)
    assert _spans_of(markers.pandoc_bare_matches(text)) == _spans(markers._PANDOC_BARE, text)


def _spans_of(matches: Iterable[re.Match[str]]) -> Spans:
    return [(m.span(), m.groupdict()) for m in matches]


@given(st.integers(0, 9999), st.text(alphabet="0123456789.) \tAb\u00a0", max_size=8))
def test_a_repeated_entry_number_is_found_as_by_its_own_pattern(number: int, rest: str) -> None:
    old = re.match(rf"{number}[.)]\s*(?=\S)", rest)
    new = reflist._NUMBER_AGAIN.match(rest)
    new = new if new and new.group(1) == str(number) else None
    assert (old.end() if old else None) == (new.end() if new else None)


def test_taken_characters_are_kept_as_before() -> None:
    finder = MarkerFinder("abcdefghij", [1], with_bib=False)
    finder.add(Found("numeric", 2, 5, [Item("number", "1")]))
    assert not finder.free(4, 6)
    assert finder.free(5, 10)
    assert finder.free(0, 2)
    finder.add(Found("numeric", 4, 7, [Item("number", "1")]))  # overlaps: not taken
    assert [f.start for f in finder.found] == [2]


def _articles() -> list[Path]:
    folder = SHARED / "fixtures"
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob("*") if p.suffix in (".md", ".txt", ".rst", ".tex") and p.is_file()
    )


@pytest.mark.skipif(not _articles(), reason="../shared/fixtures holds no articles here")
def test_real_articles_give_the_same_matches_and_sentences() -> None:
    for path in _articles():
        text = path.read_text(encoding="utf-8", errors="replace")
        for name, old in OLD_PATTERNS.items():
            assert _spans(getattr(markers, name), text) == _spans(old, text), (path, name)
        assert [m.span() for m in urls(text)] == [m.span() for m in URL.finditer(text)], path
        assert _spans_of(markers.narrative_matches(text)) == _spans(markers._AY_NARRATIVE, text)
        assert _spans_of(markers.pandoc_bare_matches(text)) == _spans(markers._PANDOC_BARE, text)
        assert _spans(_BOUNDARY, text) == _spans(OLD_BOUNDARY, text), path
        assert _spans(_CODE_SPAN, text) == _spans(OLD_CODE_SPAN, text), path
