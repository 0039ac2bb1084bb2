"""Counts in abstract sentences: events out of a total, percentages of a total, sample sizes.

:func:`find_counts` reads one sentence and returns the counts a reviewer would type into a
claims file's ``events`` and ``n``, each with what it counts and the sentence it came from:

>>> [c.label for c in find_counts("SIJ pain was confirmed in 21 of 52 patients (40%).")]
['21/52 (40%) patients']
>>> [c.label for c in find_counts("Of 130 patients evaluated, 32% of 34 had relief (n = 130).")]
['130 patients', '32% of 34', 'n = 130']

What it finds, and why only that
================================

Five shapes, the ones that carry a denominator or a sample size (a bare "40%" does not
say of how many, so it is left out):

* ``21 of 52`` / ``21 out of the 52`` (``events`` of ``n``); small numbers spelt out
  count too ("Eleven of 34");
* ``21/52`` with an optional ``(40%)`` after it;
* ``32% of 34`` / ``32% of the 34 patients`` (``events`` is the percentage applied to
  ``n``, rounded, and marked as derived);
* ``n = 130`` / ``N=130`` (a sample size);
* ``130 patients`` and the like: a whole number followed, within two words, by a noun for
  people or cases (patients, participants, women, children, cases, eyes ...).

Shapes found earlier in that list win where two overlap (``21 of 52 patients`` is one
count, not also "52 patients"). A ratio whose first number exceeds the second, a decimal
ratio ("1.5/2"), a year range ("2007/2009") and a count right after "p =" are not counts.

Measured on 60+ real abstracts labelled by hand (``tests/data/abstract_counts.json``,
which says how they were labelled; ``tests/test_numbers.py`` computes the figures).
Pure, stdlib only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["COUNT_KINDS", "Count", "count_key", "find_counts", "find_counts_in"]

COUNT_KINDS = ("of", "ratio", "percent-of", "n-equals", "people")
"""The shapes :func:`find_counts` recognises, in order of precedence."""

_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "  # noqa: SIM905
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
# Thousands may be grouped with commas or (thin) spaces: "1,234", "671 945".
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u2009\u202f]\d{3})+(?![\d.,])|\d+)"
_WORD_NUMBER = "|".join(sorted(_WORDS, key=len, reverse=True))
_ANY_NUMBER = rf"(?:{_NUMBER}|{_WORD_NUMBER})"
_PEOPLE = (
    r"(?:patients?|participants?|subjects?|individuals?|persons?|people|adults?|children|"
    r"child|infants?|newborns?|neonates?|adolescents?|women|woman|men|man|girls?|boys?|"
    r"mothers?|pregnancies|volunteers?|cases?|controls?|respondents?|cohorts?|contacts|"
    r"survivors?|users?|smokers?|nonsmokers?|drinkers?|residents?|students?|workers?|"
    r"veterans?|donors?|recipients?|eyes?|families|twins?|pairs?|deaths?|births?|"
    r"mice|rats?|animals?|dogs?|monkeys?|specimens?|samples?|studies|trials?|RCTs?|"
    r"articles?|hospitals?|centers?|centres?|practices?|nurses?|"
    r"[a-z]+(?:ians?|ists?))"  # physicians, paediatricians, cardiologists, dentists ...
)
# Up to two words may stand between the number and the noun ("130 consecutive patients",
# "193 colorectal cancer cases"), but not units, prepositions or verbs: "20 years for
# children", "58 of those patients", "28 percent among women" count nothing.
_NOT_BETWEEN = (
    r"(?!(?:years?|months?|weeks?|days?|hours?|minutes?|percent|per|for|of|in|on|at|to|"
    r"from|with|without|among|and|or|by|than|were|was|had|have|who|whom|that|which|the|"
    r"an?|these|those|all|each|times?|fold|mg|kg|ml|cm|mm)\b)"
)
_NOUN_AFTER = rf"(?P<what>(?:{_NOT_BETWEEN}[A-Za-z][\w-]*\s+){{0,2}}?{_PEOPLE})\b"
# A percentage in brackets may come before or after the noun: "21/52 (40%) patients",
# "21 of 52 patients (40%)".
_TAIL = (
    r"(?:\s*\(\s*(?P<pct>\d+(?:\.\d+)?)\s*%\s*\))?"
    rf"(?:\s+{_NOUN_AFTER})?"
    r"(?:\s*\(\s*(?P<pct2>\d+(?:\.\d+)?)\s*%\s*\))?"
)
_BRACKETED_PERCENT = r"\s*[(\[]\s*(?P<pct0>\d+(?:\.\d+)?)\s*%\s*[)\]]"
_OF = re.compile(
    rf"(?<![\w.,/\u2013-])(?P<events>{_ANY_NUMBER})(?:{_BRACKETED_PERCENT})?\s+(?:out\s+)?of\s+"
    rf"(?:the\s+|these\s+|those\s+|all\s+)?(?P<n>{_ANY_NUMBER})(?![\w.,/%]|\.\d)"
    rf"{_TAIL}",
    re.IGNORECASE,
)
# "Of 249 patients, 238 (96%) ...": the total first, the part with its percentage after.
_OF_FIRST = re.compile(
    rf"\bof\s+(?:the\s+|these\s+|those\s+|all\s+)?(?P<n>{_NUMBER})"
    rf"(?:\s+{_NOUN_AFTER})?,\s+(?P<events>{_NUMBER}){_BRACKETED_PERCENT}",
    re.IGNORECASE,
)
_RATIO = re.compile(
    rf"(?<![\w.,/\u2013=-])(?<!=\s)(?P<events>{_NUMBER})\s*/\s*(?P<n>{_NUMBER})(?![\w.,/%]|\.\d)"
    rf"(?:\s*[(\[]\s*(?P<pct0>\d+(?:\.\d+)?)\s*%\s*[)\]])?{_TAIL}"
)
_PERCENT_OF = re.compile(
    rf"(?<![\w.,])(?P<pct>\d+(?:\.\d+)?)\s*%\s+of\s+(?:the\s+|these\s+|those\s+|all\s+)?"
    rf"(?P<n>{_NUMBER})(?![\w.,/%]|\.\d)(?:\s+{_NOUN_AFTER})?",
    re.IGNORECASE,
)
_N_EQUALS = re.compile(rf"(?<![\w.])[nN]\s*[=:]\s*(?P<n>{_NUMBER})(?![\w.]|\.\d)")
_PEOPLE_COUNT = re.compile(
    rf"(?<![\w.,/=%\u2013-])(?<!\d in )(?P<n>{_NUMBER})\s+{_NOUN_AFTER}",
    re.IGNORECASE,
)
_P_VALUE_BEFORE = re.compile(r"\bp\s*[<>=≤≥]\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Count:
    """One count found in a sentence.

    ``kind`` is one of :data:`COUNT_KINDS`; ``events`` and ``n`` are what a claims file's
    fields take (``events`` is None for a sample size); ``percent`` the percentage the
    text gives; ``derived`` says ``events`` was computed from a percentage; ``what`` the
    words naming what is counted ("patients", "" when the text does not say);
    ``text`` the words matched and ``start``/``end`` their place in ``sentence``.
    """

    kind: str
    n: int
    events: int | None
    percent: float | None
    what: str
    text: str
    sentence: str
    start: int
    end: int
    derived: bool = False

    @property
    def label(self) -> str:
        """The count as a reviewer reads it: ``21/52 (40%) patients``, ``n = 130``."""
        what = f" {self.what}" if self.what else ""
        if self.kind == "n-equals":
            return f"n = {self.n}"
        if self.kind == "people":
            return f"{self.n}{what}"
        if self.kind == "percent-of":
            return f"{_pct(self.percent)}% of {self.n}{what}"
        pct = f" ({_pct(self.percent)}%)" if self.percent is not None else ""
        return f"{self.events}/{self.n}{pct}{what}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def count_key(count: Count) -> str:
    """A compact spelling that ignores wording: ``21/52``, ``32%/34``, ``n=130``.

    The labels in ``tests/data/abstract_counts.json`` are written this way, so found
    counts are compared with them by value, not by the words around them.
    """
    if count.kind in ("of", "ratio"):
        return f"{count.events}/{count.n}"
    if count.kind == "percent-of":
        return f"{_pct(count.percent)}%/{count.n}"
    return f"n={count.n}"


def _int(text: str) -> int:
    lowered = text.lower()
    return _WORDS[lowered] if lowered in _WORDS else int(re.sub(r"[,\s]", "", text))


def find_counts(sentence: str) -> list[Count]:
    """The counts in one sentence, in the order they appear (see the module docstring)."""
    found: list[Count] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for kind, pattern in (
        ("of", _OF),
        ("of", _OF_FIRST),
        ("ratio", _RATIO),
        ("percent-of", _PERCENT_OF),
        ("n-equals", _N_EQUALS),
        ("people", _PEOPLE_COUNT),
    ):
        for match in pattern.finditer(sentence):
            start, end = match.span()
            if not free(start, end) or _P_VALUE_BEFORE.search(sentence[:start]):
                continue
            count = _count(kind, match, sentence)
            if count is None:
                continue
            found.append(count)
            taken.append((start, end))
    found.sort(key=lambda c: c.start)
    return found


def _count(kind: str, match: re.Match[str], sentence: str) -> Count | None:
    groups = match.groupdict()
    n = _int(groups["n"])
    what = " ".join((groups.get("what") or "").split())
    pct = groups.get("pct0") or groups.get("pct") or groups.get("pct2")
    percent = float(pct) if pct else None
    events: int | None = None
    derived = False
    if kind in ("of", "ratio"):
        events = _int(groups["events"])
        if n == 0 or events > n:
            return None
        if kind == "ratio" and (_year(events) and _year(n)):
            return None  # "2007/2009" is a span of years
    elif kind == "percent-of":
        if percent is None or percent > 100 or n == 0:
            return None
        events = round(percent * n / 100)
        derived = True
    elif kind == "people" and _year(n) and not what.lower().startswith(("patient", "partic")):
        return None  # "in 2009 women were ..." is more often a year than a count
    return Count(
        kind,
        n,
        events,
        percent,
        what,
        match.group(0),
        sentence,
        match.start(),
        match.end(),
        derived,
    )


def _year(value: int) -> bool:
    return 1900 <= value <= 2099


def find_counts_in(sentences: Iterable[str]) -> list[Count]:
    """:func:`find_counts` over several sentences, in order."""
    return [count for sentence in sentences for count in find_counts(sentence)]
