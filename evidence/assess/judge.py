"""Claim verdicts: what the cited evidence, taken together, says about each claim.

The verdict is decided by an ordered list of small named rules (:data:`VERDICT_RULES`).
Each rule looks at one claim's citations and either returns a verdict or passes; the first
rule that answers wins, and its name and docstring travel with the verdict so a reader can
see *why* a claim got its label. The order matters and is part of the documented contract:

1. :func:`rule_uncited` — no citations at all: ``uncited``.
2. :func:`rule_unresolved` — a cited key is not in the bibliography: ``unresolved``.
3. :func:`rule_unreviewed` — every citation that counts still has stance ``unknown``:
   ``unreviewed``.
4. :func:`rule_mixed` — studies pull both ways (or one is itself ``mixed``): ``mixed``.
5. :func:`rule_supported` — only supporting studies: ``supported``.
6. :func:`rule_contradicted` — only contradicting studies: ``contradicted``.
7. :func:`rule_insufficient` — nothing left that takes a side (background only, or every
   study excluded): ``insufficient``.

Citations can be *excluded* from the count by the caller with a reason, for instance a
retracted study; the judge never looks at PubMed itself (it is pure), it only honours the
exclusions it is given and reports them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from evidence.model import Citation, Claim, Stance, Verdict

__all__ = [
    "VERDICT_RULES",
    "ClaimEvidence",
    "Judgement",
    "judge_claim",
    "rule_contradicted",
    "rule_insufficient",
    "rule_mixed",
    "rule_supported",
    "rule_uncited",
    "rule_unresolved",
    "rule_unreviewed",
]


@dataclass(frozen=True, slots=True)
class ClaimEvidence:
    """One claim's citations, sorted into what the rules need to see."""

    claim: Claim
    unknown_keys: tuple[str, ...]
    counted: tuple[Citation, ...]
    excluded: Mapping[str, str] = field(default_factory=dict)

    def keys_with(self, *stances: Stance) -> tuple[str, ...]:
        """Keys of counted citations with one of ``stances``, in citation order, once each."""
        seen: dict[str, None] = {}
        for citation in self.counted:
            if citation.stance in stances:
                seen.setdefault(citation.key, None)
        return tuple(seen)


Rule = Callable[[ClaimEvidence], Verdict | None]


def rule_uncited(ev: ClaimEvidence) -> Verdict | None:
    """The claim cites nothing, so nothing backs it."""
    return Verdict.UNCITED if not ev.claim.citations else None


def rule_unresolved(ev: ClaimEvidence) -> Verdict | None:
    """The claim cites a key the bibliography lacks, so its evidence cannot be judged."""
    return Verdict.UNRESOLVED if ev.unknown_keys else None


def rule_unreviewed(ev: ClaimEvidence) -> Verdict | None:
    """Every counted citation still has stance ``unknown``: a person has to read them first."""
    if ev.counted and all(c.stance is Stance.UNKNOWN for c in ev.counted):
        return Verdict.UNREVIEWED
    return None


def rule_mixed(ev: ClaimEvidence) -> Verdict | None:
    """Some studies support the claim and others contradict it, or one reports both."""
    if ev.keys_with(Stance.MIXED):
        return Verdict.MIXED
    if ev.keys_with(Stance.SUPPORTS) and ev.keys_with(Stance.CONTRADICTS):
        return Verdict.MIXED
    return None


def rule_supported(ev: ClaimEvidence) -> Verdict | None:
    """At least one study supports the claim and none contradicts it."""
    return Verdict.SUPPORTED if ev.keys_with(Stance.SUPPORTS) else None


def rule_contradicted(ev: ClaimEvidence) -> Verdict | None:
    """At least one study contradicts the claim and none supports it."""
    return Verdict.CONTRADICTED if ev.keys_with(Stance.CONTRADICTS) else None


def rule_insufficient(ev: ClaimEvidence) -> Verdict | None:
    """The claim is cited, but no counted study takes a side (background only, or excluded)."""
    return Verdict.INSUFFICIENT


VERDICT_RULES: tuple[Rule, ...] = (
    rule_uncited,
    rule_unresolved,
    rule_unreviewed,
    rule_mixed,
    rule_supported,
    rule_contradicted,
    rule_insufficient,
)
"""The verdict rules in the order they are tried; the last one always answers."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """A claim's verdict, the rule that gave it, and the keys on each side."""

    claim_id: str
    verdict: Verdict
    rule: str
    reason: str
    supported_by: tuple[str, ...]
    contradicted_by: tuple[str, ...]
    mixed: tuple[str, ...]
    background: tuple[str, ...]
    unknown_keys: tuple[str, ...]
    excluded: Mapping[str, str]


def judge_claim(
    claim: Claim,
    known_keys: Collection[str],
    *,
    excluded: Mapping[str, str] | None = None,
) -> Judgement:
    """Give ``claim`` its verdict.

    ``known_keys`` are the bibliography's keys; ``excluded`` maps keys that must not count
    (a retracted study, say) to the reason, which the judgement carries on.

    >>> from evidence.model import Citation, Claim, Stance
    >>> claim = Claim("c1", "Fusion can be followed by SI joint pain.",
    ...               (Citation("katz2003", Stance.SUPPORTS),))
    >>> judge_claim(claim, {"katz2003"}).verdict
    <Verdict.SUPPORTED: 'supported'>
    """
    excluded = dict(excluded or {})
    unknown: dict[str, None] = {}
    counted: list[Citation] = []
    for citation in claim.citations:
        if citation.key not in known_keys:
            unknown.setdefault(citation.key, None)
        elif citation.key not in excluded:
            counted.append(citation)
    relevant_exclusions = {c.key: excluded[c.key] for c in claim.citations if c.key in excluded}
    ev = ClaimEvidence(claim, tuple(unknown), tuple(counted), relevant_exclusions)
    for rule in VERDICT_RULES:
        verdict = rule(ev)
        if verdict is not None:
            break
    else:  # pragma: no cover - rule_insufficient always answers
        raise AssertionError("no verdict rule answered")
    return Judgement(
        claim_id=claim.id,
        verdict=verdict,
        rule=rule.__name__,
        reason=(rule.__doc__ or "").strip(),
        supported_by=ev.keys_with(Stance.SUPPORTS),
        contradicted_by=ev.keys_with(Stance.CONTRADICTS),
        mixed=ev.keys_with(Stance.MIXED),
        background=ev.keys_with(Stance.BACKGROUND),
        unknown_keys=ev.unknown_keys,
        excluded=relevant_exclusions,
    )
