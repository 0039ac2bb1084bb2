"""The renderers' fast paths give what the plain rules give, on random and hostile text.

Markdown's :func:`~evidence.render.markdown.md_escape`, HTML's escaping and
:func:`~evidence.render.layout.plain_text` return most cells without calling
:func:`~evidence.render.visible.visible` or their escapers, after one search for any
character those would touch (the table benchmark's profile: escaping was much of a
render). These tests hold each against the rule it shortcuts.
"""

from __future__ import annotations

import html
import math
import random
import re

import pandas as pd

from evidence.render.html import _escape, _text
from evidence.render.layout import plain_text
from evidence.render.markdown import md_escape
from evidence.render.visible import visible

# Every character class a rule treats specially, and plain text around them.
_PIECES = [
    "abc", "Katz 2003", " ", "  ", "1.", "12)", "-", "+", "=", ">", "#", "*", "_", "`", "|",
    "\\", "[", "]", "<", "&", "!", "~", '"', "'", "\n", "\r\n", "\r", "\v", "\f", "\x1c",
    "\x1e", "\x85", "\u2028", "\u2029", "\t", "\x00", "\x1b", "\x7f", "\x9f", "\u202e",
    "\u2066", "\u200b", "\u2060", "\ufeff", "\u200c", "\u200d", "\u0627", "\U000e0041",
    "\u00e9", "\u03b1", "https://doi.org/10.1/x?a=1&b=2", "40% (28\u201354%)",
]  # fmt: skip


def _md_reference(text: str) -> str:
    """md_escape as it was written before its fast path."""
    text = " ".join(visible(text).splitlines())
    if re.search(r"[\\`*_\[\]<>|~&!#]", text):
        text = text.translate(str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~&!#"}))
    m = re.match(r"^(\s*)(?:([-+=>])|(\d+)([.)]))", text)
    if m is None:
        return text
    return m[1] + (f"\\{m[2]}" if m[2] else f"{m[3]}\\{m[4]}") + text[m.end() :]


def _random_texts(count: int) -> list[str]:
    rng = random.Random(20)
    texts = ["", *_PIECES]
    for _ in range(count):
        texts.append("".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 8))))
    return texts


def test_md_escape_matches_the_plain_rule() -> None:
    for text in _random_texts(20_000):
        assert md_escape(text) == _md_reference(text), repr(text)


def test_html_text_and_escape_match_html_escape() -> None:
    for text in _random_texts(20_000):
        assert _text(text) == html.escape(visible(text)), repr(text)
        assert _escape(text) == html.escape(text), repr(text)


def test_plain_text_fast_paths_match_the_general_rule() -> None:
    def general(value: object) -> str:
        if value is None or value is pd.NA:
            return ""
        if isinstance(value, float) and math.isnan(value):
            return ""
        if isinstance(value, tuple | list):
            return "; ".join(general(v) for v in value)
        return str(value)

    values: list[object] = [
        "", "x", None, pd.NA, float("nan"), 0.0, -0.0, 0.1, 1e300, float("inf"), 3, -7, 0,
        True, False, ("a", 1, None), ["b", float("nan")], (),
    ]  # fmt: skip
    for value in values:
        assert plain_text(value) == general(value), repr(value)


def _json_tables() -> list[object]:
    from evidence.model import Citation, Claim, Name, Reference, Stance
    from evidence.table import build_table

    rng = random.Random(5)
    refs = {
        f"r{i}": Reference(
            f"r{i}", "article", title=f"Trial {i} of walking", journal="J Test", year=1990 + i,
            authors=(Name(last=f"Author{i}", first="A"),), pmid=str(1000 + i),
            doi=f"10.1/{i}" if i % 2 else None,
        )
        for i in range(40)
    }  # fmt: skip
    stances = [Stance.SUPPORTS, Stance.CONTRADICTS, Stance.UNKNOWN, Stance.BACKGROUND]
    claims = []
    for i in range(120):
        citations = []
        for _ in range(rng.randint(0, 4)):
            n = rng.randint(5, 500)
            citations.append(
                Citation(
                    f"r{rng.randrange(40)}", rng.choice(stances), finding=f"f{i}",
                    n=n, events=rng.randint(0, n), outcome=rng.choice(["pain", "death"]),
                )
            )  # fmt: skip
        claims.append(Claim(f"c{i}", f"Walking reduces pain {i}.", tuple(citations)))
    odd = {
        "k1": Reference("k1", "article", title='Quotes " and \\ and \u00e9', year=2001),
        "k2": Reference("k2", "misc"),
    }
    odd_claims = [
        Claim("c\u00e9", "A claim with \u2028 odd \x00 text.", (Citation("k1", Stance.SUPPORTS),)),
        Claim("c2", "", (Citation("k2"), Citation("missing"))),
        Claim("c3", "No citation.", ()),
    ]
    return [build_table(claims, refs), build_table(odd_claims, odd), build_table([], {})]


def test_indented_json_is_json_dumps_of_the_same_document() -> None:
    """The row writer of the indented JSON gives json.dumps' text of the compact render's
    document (same keys, values, separators and spellings)."""
    import json

    for table in _json_tables():
        indented = table.render("json")  # type: ignore[attr-defined]
        compact = table.render("json", indent=None)  # type: ignore[attr-defined]
        expected = json.dumps(json.loads(compact), indent=2, ensure_ascii=False) + "\n"
        assert indented == expected
        assert table.render("json", indent=4) == (  # type: ignore[attr-defined]
            json.dumps(json.loads(compact), indent=4, ensure_ascii=False) + "\n"
        )
