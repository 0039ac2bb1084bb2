"""unsrt's journal articles without pybtex: the same line as pybtex, or pybtex is asked.

:func:`evidence.render.references.format_references` formats a plain journal article in
the ``unsrt`` style itself (pybtex took most of a large table's render); anything it
does not handle exactly goes to pybtex. These tests compare the two on every entry of
every shared fixture .bib, and on random articles made to hit the corners (braces,
dashes, quotes, LaTeX specials, non-ASCII letters, missing and empty fields).
"""

from __future__ import annotations

import random

from conftest import shared_path

from evidence.bibliography import load_references
from evidence.model import Name, Reference
from evidence.render import format_references
from evidence.render.references import _entry_fields, _format_reference, _plain_unsrt_article
from evidence.render.references import _style as pybtex_style

_FORMATTER, _BACKEND = pybtex_style("unsrt")  # looked up once: 14 ms a look-up


def _both(ref: Reference) -> tuple[str | None, str, str]:
    """The shortcut's own text (None when it declines), pybtex's line and the line
    :func:`format_references` makes (the same as pybtex's when the shortcut declines)."""
    quick = _plain_unsrt_article(ref, _entry_fields(ref))
    slow = _format_reference(ref, _FORMATTER, _BACKEND, False)
    fast = _format_reference(ref, _FORMATTER, _BACKEND, True) if quick is not None else slow
    return quick, slow, fast


def test_every_fixture_entry_gets_pybtexs_line() -> None:
    folder = shared_path("fixtures", "bib")
    quick = 0
    for path in sorted(folder.glob("*.bib")):
        for ref in load_references(path, cache=False).values():
            made, slow, fast = _both(ref)
            assert fast == slow, (path.name, ref.key)
            quick += made is not None
    assert quick > 5000  # the shortcut is taken, not only skipped


_PIECES = [
    "Walking", "pain", "COVID-19", "{COVID-19}", "{DNA}", "x-ray", "a--b", "a---b", "It's",
    "''quoted''", "``q''", '"q"', "5%", "50\\%", "\\emph{x}", "$x$", "a_b", "#1", "&", "~",
    "?", "!", "?`", "Søndergaard", "éclair", "ß", "İstanbul", "{", "}", "{a{b}}", "{}",
    "(2019)", "1/2", "a:b", "a;b", "a+b", "-", "--", "\u2013", "É", "ǆ", "  ", "\t", "\n",
]  # fmt: skip


# Pieces the shortcut takes (so that it is exercised, not only declined).
_CLEAN = [
    "Walking", "pain", "COVID-19", "{COVID-19}", "{DNA}", "x-ray", "a--b", "It's", '"q"',
    "?", "!", "Søndergaard", "éclair", "ß", "İstanbul", "(2019)", "1/2", "a:b", "É", "ǆ",
]  # fmt: skip


def _random(rng: random.Random, words: int) -> str:
    pieces = _CLEAN if rng.random() < 0.85 else _PIECES
    return " ".join(rng.choice(pieces) for _ in range(words))


def _pick(rng: random.Random, clean: bool, good: list[str], bad: list[str]) -> str:
    return rng.choice(good if clean or rng.random() < 0.7 else good + bad)


def test_random_articles_get_pybtexs_line() -> None:
    rng = random.Random(16)
    quick = 0
    for round_ in range(2000):
        clean = round_ % 3 == 0  # one in three made of what the shortcut takes
        names = tuple(
            Name(
                last=_pick(
                    rng,
                    clean,
                    [
                        "Smith",
                        "O'Brien",
                        "Søndergaard",
                        "Lee-Park",
                        "{X}",
                        "A--B",
                        "de Vries",
                        "WHO",
                    ],
                    ["A---B", "50%", ""],
                ),
                first=_pick(
                    rng, clean, ["", "Anna", "J. R.", "Jean-Paul", "É.", "{Ab}"], ["a\\b", "``x''"]
                ),
                von="van" if not clean and rng.random() < 0.1 else "",
                jr="Jr." if not clean and rng.random() < 0.1 else "",
                collective=rng.random() < 0.1,
            )
            for _ in range(rng.randint(1 if clean or rng.random() < 0.9 else 0, 5))
        )
        pieces = _CLEAN if clean or rng.random() < 0.7 else _PIECES
        values = {
            "title": " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))),
            "journal": " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 2))),
            "year": _pick(rng, clean, ["2001", "20--21", "1999a"], ["", "20---21"]),
            "volume": _pick(rng, clean, ["12", "1-2", "{3}"], ["", "\\x"]),
            "number": _pick(rng, clean, ["4", "S1"], [""]),
            "pages": _pick(
                rng, clean, ["1--10", "1-10", "e12", "S1-S2"], ["1---3", "12----13", ""]
            ),
            "month": _pick(rng, clean, ["jan", "March", "{May}"], ["", "``x"]),
            "doi": _pick(rng, clean, ["10.1/abc", "10.1/a_b", "10.1/x?y=%1"], ["10.1/a b", ""]),
            "url": _pick(rng, clean, ["https://x.org/a?b=1&c=2"], ["http://a b", ""]),
            "note": "a note",
        }
        chosen = {
            k: v
            for k, v in values.items()
            if (k in ("title", "journal", "year") and clean)
            or rng.random() < (0.0 if clean and k == "note" else 0.1 if k == "note" else 0.7)
        }
        kind = "article" if clean else rng.choice(["article", "Article", "book", "misc"])
        complete = clean or rng.random() < 0.9
        if round_ % 2:
            ref = Reference("k", kind, raw_fields=chosen, authors=names, authors_complete=complete)
        else:
            plain = {k: v for k, v in chosen.items() if k in ("title", "journal", "volume")}
            ref = Reference(
                "k", kind, authors=names, authors_complete=complete,
                fields={k: v for k, v in chosen.items() if k in ("month", "doi", "url")},
                year=int(chosen["year"]) if chosen.get("year", "").isdigit() else None,
                pages=chosen.get("pages") or None, number=chosen.get("number") or None,
                **{k: v or None for k, v in plain.items()},
            )  # fmt: skip
        made, slow, fast = _both(ref)
        assert fast == slow, ref
        quick += made is not None
    assert quick > 100  # the shortcut is exercised, not only declined


def test_format_references_takes_the_shortcut_only_for_unsrt() -> None:
    ref = Reference(
        "k", "article", title="A trial of walking", journal="Spine", year=2001,
        authors=(Name(last="Smith", first="Anna"),), pmid="123",
    )  # fmt: skip
    assert format_references([ref]) == ["Anna Smith. A trial of walking. Spine, 2001. PMID: 123."]
    assert format_references([ref], "plain") == [
        "Anna Smith. A trial of walking. Spine, 2001. PMID: 123."
    ]
