"""Verdict rules: each rule on its own, and their order."""

from __future__ import annotations

import pytest

from evidence.assess.judge import VERDICT_RULES, judge_claim
from evidence.model import Citation, Claim, Stance, Verdict

KNOWN = {"a", "b", "c"}


def claim(*stances_and_keys: tuple[str, Stance]) -> Claim:
    return Claim("c1", "A claim.", tuple(Citation(k, s) for k, s in stances_and_keys))


@pytest.mark.parametrize(
    ("citations", "verdict", "rule"),
    [
        ((), Verdict.UNCITED, "rule_uncited"),
        ((("zzz", Stance.SUPPORTS),), Verdict.UNRESOLVED, "rule_unresolved"),
        ((("a", Stance.SUPPORTS), ("zzz", Stance.SUPPORTS)), Verdict.UNRESOLVED, "rule_unresolved"),
        ((("a", Stance.UNKNOWN),), Verdict.UNREVIEWED, "rule_unreviewed"),
        ((("a", Stance.SUPPORTS), ("b", Stance.CONTRADICTS)), Verdict.MIXED, "rule_mixed"),
        ((("a", Stance.MIXED),), Verdict.MIXED, "rule_mixed"),
        ((("a", Stance.SUPPORTS), ("b", Stance.BACKGROUND)), Verdict.SUPPORTED, "rule_supported"),
        ((("a", Stance.SUPPORTS), ("b", Stance.UNKNOWN)), Verdict.SUPPORTED, "rule_supported"),
        ((("a", Stance.CONTRADICTS),), Verdict.CONTRADICTED, "rule_contradicted"),
        ((("a", Stance.BACKGROUND),), Verdict.INSUFFICIENT, "rule_insufficient"),
    ],
)
def test_each_rule(citations: tuple[tuple[str, Stance], ...], verdict: Verdict, rule: str) -> None:
    judgement = judge_claim(claim(*citations), KNOWN)
    assert judgement.verdict is verdict
    assert judgement.rule == rule
    # The reason shown to readers is the rule's own docstring, never empty.
    assert judgement.reason


def test_sides_are_listed_once_in_citation_order() -> None:
    c = claim(("b", Stance.SUPPORTS), ("a", Stance.SUPPORTS), ("b", Stance.SUPPORTS))
    judgement = judge_claim(c, KNOWN)
    assert judgement.supported_by == ("b", "a")
    assert judgement.contradicted_by == ()


def test_excluded_study_does_not_count_and_reason_is_kept() -> None:
    c = claim(("a", Stance.SUPPORTS), ("b", Stance.CONTRADICTS))
    judgement = judge_claim(c, KNOWN, excluded={"b": "retracted"})
    assert judgement.verdict is Verdict.SUPPORTED
    assert judgement.excluded == {"b": "retracted"}
    alone = judge_claim(claim(("a", Stance.SUPPORTS)), KNOWN, excluded={"a": "retracted"})
    assert alone.verdict is Verdict.INSUFFICIENT


def test_rule_order_is_the_documented_one() -> None:
    assert [r.__name__ for r in VERDICT_RULES] == [
        "rule_uncited",
        "rule_unresolved",
        "rule_unreviewed",
        "rule_mixed",
        "rule_supported",
        "rule_contradicted",
        "rule_insufficient",
    ]
