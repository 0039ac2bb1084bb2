"""Sentence splitting and folding (evidence/text.py).

The splitter was quadratic on long runs of punctuation and on long chains of initials (it
copied the rest of the paragraph at every boundary); it is linear now, which the
benchmarks measure (docs/performance.md). These tests prove the linear splitter gives the
same sentences as the straightforward one on any short text, and the right sentences on the
inputs that used to take seconds.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.text import ABBREVIATIONS, fold, sentence_spans, split_sentences

_OLD_BOUNDARY = re.compile(r"(?:[.!?\u2026]+)(?P<close>[\"'\u201d\u2019)\]]*)(?=\s|$)")
_OLD_INITIAL = re.compile(r"[A-Z]\.")


def naive_spans(text: str) -> list[tuple[int, int]]:
    """The rule written the obvious (quadratic) way: the oracle for the fast splitter."""
    spans: list[tuple[int, int]] = []
    begin = 0

    def add(a: int, b: int) -> None:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.append((a, b))

    for match in _OLD_BOUNDARY.finditer(text):
        after = match.end()
        nxt = text[after:].lstrip()
        if nxt and not (nxt[0].isupper() or nxt[0].isdigit() or nxt[0] in "\"'\u201c\u2018([*_"):
            continue
        dot = match.start()
        if text[dot] == ".":
            token_start = dot
            while token_start > begin and not text[token_start - 1].isspace():
                token_start -= 1
            token = text[token_start : dot + 1].lstrip("([{\"'\u201c\u2018")
            lowered = token.lower()
            if lowered in ABBREVIATIONS or (lowered.endswith("al.") and lowered[-4:-3] in " t."):
                continue
            if _OLD_INITIAL.fullmatch(token):
                previous = text[begin:token_start].split()
                if re.match(r"[A-Z]\.", nxt) or (previous and _OLD_INITIAL.fullmatch(previous[-1])):
                    continue
        add(begin, after)
        begin = after
    add(begin, len(text))
    return spans


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="A B x.?!…\"')(\n1e", max_size=60))
def test_the_linear_splitter_agrees_with_the_obvious_one(text: str) -> None:
    assert sentence_spans(text) == naive_spans(text)


def test_a_long_run_of_dots_is_one_sentence() -> None:
    text = "x" + "." * 16000 + "y"
    assert sentence_spans(text) == [(0, len(text))]


def test_a_long_chain_of_initials_is_one_sentence() -> None:
    text = "A. " * 16000
    assert sentence_spans(text) == [(0, len(text) - 1)]


def test_many_numbered_items_split_where_the_rule_says() -> None:
    text = "1. [1] " * 8000
    spans = sentence_spans(text)
    assert spans == naive_spans(text)
    assert len(spans) == 8001


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    assert split_sentences("As P. C. Liliang et al. found, e.g. in 2011. Then more.") == [
        "As P. C. Liliang et al. found, e.g. in 2011.",
        "Then more.",
    ]


def test_fold_drops_accents_and_case() -> None:
    assert fold("Müller-Ågren") == "muller-agren"


class CountingText(str):
    """A paragraph that counts the characters every slice of it copies: the quadratic
    splitter copied the rest of the paragraph at each boundary (``text[after:].lstrip()``),
    so its count grew with the square of the length (about 16,000 characters per character
    of ``"A. " * 16000``); a linear one stays a small multiple. The third quadratic input,
    a long run of dots, was the regex engine's backtracking, which copies nothing: the
    differential test above and ``benchmarks/bench_sentences.py`` cover it."""

    copied = 0

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        part = str.__getitem__(self, key)
        CountingText.copied += len(part)
        return part


@pytest.mark.parametrize(
    "make", [lambda n: "x" + "." * n + "y", lambda n: "A. " * n, lambda n: "1. [1] " * n]
)
def test_splitting_copies_a_bounded_amount_per_character(make) -> None:  # type: ignore[no-untyped-def]
    text = CountingText(make(16_000))
    CountingText.copied = 0
    sentence_spans(text)
    assert CountingText.copied <= 40 * len(text)
