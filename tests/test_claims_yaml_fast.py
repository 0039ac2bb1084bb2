"""The fast YAML claims writer against PyYAML: the same bytes, and the tree they read as.

``evidence.claims.yaml_fast`` replaces PyYAML's dumper (and, in ``dump_claims``, the
read-back parse) for claims made of one-line text and whole numbers. Differential
tests: random claims whose text is built from the characters and words that steer
PyYAML's choices (indicators, quotes, numbers, booleans, runs of spaces, long lines
that fold, Unicode, line breaks, escapes) are written both ways and must give identical
text; whenever the fast path writes, its tree must equal what ``read_yaml`` reads.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence import extract_claims
from evidence.claims import dump_claims, parse_claims
from evidence.claims.tree import Report
from evidence.claims.writers import document_of, normalised, pyyaml_text, yaml_and_tree
from evidence.claims.yaml_reader import read_yaml
from evidence.model import Citation, Claim, Stance

_WORDS = st.sampled_from(
    [
        "pain", "Walking", "helps", "[1]", "[12]", "not", "mapped:", "a:b", "x:", ":", "#1",
        "#", "-", "--", "---", "...", "?", "?x", "'quoted'", "it's", '"q"', "{a}", "&", "*",
        "!", "|", ">", "%", "@k", "`c`", "true", "no", "yes", "null", "~", "1", "007", "1.5",
        "-3", "1e5", "0x1F", "0o17", ".5", "1_000", "2003-01-01", "2003-01-01 10:00:00",
        "Müller", "µg", "\u00a0", "naïve", "日本", "\U0001f600", "a\tb", "\x07", "\ufeff",
        "\u2028", "\x85", "line\nbreak", "=", "<<", ",", "p.", "(7)", "e.g.", "x" * 90,
    ]
)  # fmt: skip
_SPACES = st.sampled_from([" ", " ", " ", "  ", "   "])


@st.composite
def _texts(draw: st.DrawFn, max_words: int = 40) -> str:
    words = draw(st.lists(_WORDS, min_size=1, max_size=max_words))
    out = words[0]
    for word in words[1:]:
        out += draw(_SPACES) + word
    return out


_CITATIONS = st.builds(
    Citation,
    key=_texts(max_words=2),
    stance=st.sampled_from(list(Stance)),
    n=st.none() | st.integers(0, 10**6),
    events=st.none(),
    locator=st.just("") | _texts(max_words=3),
    note=st.just("") | _texts(),
)


@st.composite
def _claim_lists(draw: st.DrawFn) -> list[Claim]:
    count = draw(st.integers(1, 4))
    claims = []
    for number in range(count):
        claims.append(
            Claim(
                id=f"c{number}-" + draw(_texts(max_words=3)),
                text=draw(_texts()),
                citations=tuple(draw(st.lists(_CITATIONS, max_size=3))),
                note=draw(st.just("") | _texts()),
                source=draw(st.just("") | _texts(max_words=2)),
            )
        )
    return claims


def _both(claims: list[Claim]) -> tuple[str, str, object]:
    items = [normalised(claim) for claim in claims]
    fast, tree = yaml_and_tree(items)
    return fast, pyyaml_text(document_of(items, flow_tags=True)), tree


@settings(max_examples=400, deadline=None)
@given(_claim_lists())
def test_the_fast_writer_gives_pyyamls_bytes_and_the_tree_they_read_as(
    claims: list[Claim],
) -> None:
    fast, slow, tree = _both(claims)
    assert fast == slow
    if tree is not None:
        assert tree == read_yaml(slow, Report("<test>"))


@pytest.mark.parametrize(
    "text",
    [
        "Walking helps [1].",
        "[1] not mapped: no .bib was given",
        "Pain: common",
        "true",
        "12",
        "1.5e3",
        "- a list item?",
        "? a key",
        "it's 'quoted' here",
        "word " * 30 + "end",  # folds at 88 columns, more than once
        "words  with   runs " * 12,  # runs of spaces are never broken
        "x" * 200,  # one long word: nothing to fold at
        "Müller-Großmann found µg doses in 日本 \U0001f600",
    ],
)
def test_hand_picked_texts_are_written_by_the_fast_path_as_pyyaml_does(text: str) -> None:
    claims = [
        Claim("a", text.strip(), (Citation("k", Stance.UNKNOWN, note=text.strip()),), note="n")
    ]
    fast, slow, tree = _both(claims)
    assert tree is not None  # all one-line printable text: the fast path wrote it
    assert fast == slow
    assert tree == read_yaml(slow, Report("<test>"))


@pytest.mark.parametrize("text", ["two\nlines", "tab\there", "bell\x07", "sep\u2028arator"])
def test_text_pyyaml_writes_in_other_styles_is_left_to_pyyaml(text: str) -> None:
    fast, slow, tree = _both([Claim("a", text)])
    assert tree is None
    assert fast == slow


def test_extracted_claims_take_the_fast_path_and_read_back_equal() -> None:
    article = (
        "Walking reduced back pain [1]. Heat eased it within days [2,3]. Exercise helped "
        "in several trials (Katz et al., 2003).\n\n# References\n\n"
        "1. Katz J, Smith B. Walking and pain. Spine. 2003;28:1-9.\n"
        "2. Lee C. Heat wraps. Pain. 2004;3:4-5.\n3. Lee C. Heat again. Pain. 2005;4:5-6.\n"
    )
    claims = list(extract_claims(article, list_references=True).claims)
    assert claims
    text, tree = yaml_and_tree([normalised(c) for c in claims])
    assert tree is not None
    assert list(parse_claims(text, "yaml")) == claims
    assert dump_claims(claims) == text


def test_an_invalid_claim_set_still_fails_with_the_parsers_message() -> None:
    # Written by the fast path; the tree shows the error; the message is the parser's.
    claims = [Claim("same", "One text."), Claim("same", "Another text.")]
    with pytest.raises(ValueError, match=r"duplicate claim id 'same' \(first defined at line 5\)"):
        dump_claims(claims)
