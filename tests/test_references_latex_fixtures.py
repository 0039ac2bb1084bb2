"""No title or author of a real .bib loses a character that pylatexenc's decoding keeps
(issue 20): every export in ../shared/fixtures/bib is decoded by the reader and, field by
field, by pylatexenc's latex2text from the same raw text.

The comparison is of letters, digits and signs, not of accents or spelling: both sides are
NFKD-normalised with combining marks set aside (so the reader's ``Cu₂O`` and pylatexenc's
``Cu_2O`` agree, and so do ``ü`` and ``"u``), and braces, white space and the markup
characters ``_ ^ $ \\ ~ "`` are ignored (and, in names, the commas and full stops that
separate and abbreviate their parts). What remains must not be missing from the reader's
text. Two deliberate differences are allowed and named: ``\\-`` (a discretionary hyphen, an
invisible soft hyphen in pylatexenc's output) is dropped by the reader, and a superscript
minus is the minus sign U+2212 to one side and ``-`` to the other.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from conftest import shared_path

from evidence.bibliography import load_references

IGNORED = set('{}_^$\\~\u00ad"')
# "and others", and an "et al." an export split into a name ("et, a. l.").
ET_AL = re.compile(r"others|et,? ?a\.? ?l\.?")


def characters(text: str) -> Counter[str]:
    folded = unicodedata.normalize("NFKD", text).replace("\u2212", "-")
    return Counter(
        c for c in folded if not c.isspace() and c not in IGNORED and not unicodedata.combining(c)
    )


def fixtures() -> list[Path]:
    return sorted(shared_path("fixtures", "bib").glob("*.bib"))


@pytest.mark.parametrize("path", fixtures(), ids=lambda p: p.name)
def test_no_character_of_a_title_or_an_author_is_lost(path: Path) -> None:
    from pylatexenc.latex2text import LatexNodes2Text

    convert = LatexNodes2Text()
    bib = load_references(path, cache=False)
    compared = 0
    lost: list[tuple[str, str, str, dict[str, int]]] = []
    for ref in bib.values():
        raw = ref.raw_fields or {}
        pairs = []
        if raw.get("title"):
            pairs.append(("title", raw["title"], ref.title or ""))
        if raw.get("author") and ref.authors:
            mine = " ".join(f"{n.first} {n.von} {n.last} {n.jr}" for n in ref.authors)
            # "and others" is kept as the list being incomplete (printed "et al."), not a name.
            names = [
                n for n in raw["author"].split(" and ") if not ET_AL.fullmatch(n.strip().lower())
            ]
            pairs.append(("author", " ".join(names), mine))
        for field, source, decoded in pairs:
            try:
                expected = convert.latex_to_text(source)
            except Exception:  # pylatexenc gives up on a few malformed values
                continue
            compared += 1
            missing = characters(expected) - characters(decoded)
            if field == "author":  # "Last, First" commas are structure, not text
                missing = Counter({c: n for c, n in missing.items() if c not in ",."})
            if missing:
                lost.append((ref.key, field, decoded[:60], dict(missing)))
    assert compared > 0 or not any(r.raw_fields for r in bib.values())  # a file of @strings
    assert lost == []
