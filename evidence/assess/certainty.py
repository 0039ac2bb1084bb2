"""GRADE-style certainty for each claim, and a plain-language sentence for patient pages.

GRADE rates how sure we can be about a finding: **high**, **moderate**, **low** or **very
low**. This module does the part of a GRADE rating that follows from what a claims file
records (design, participants, events, risk-of-bias ratings, stances) with small named
rules, tried in this order. Each returns a sentence carrying its numbers, so a reader sees
*why* a claim got its level; the rule's docstring is the general explanation.

1. :func:`rule_not_rated` — verdicts ``uncited``, ``unresolved``, ``unreviewed`` and
   ``insufficient`` have no body of evidence to rate: no level.
2. :func:`rule_start_from_design` — start from the strongest design among the studies on
   the claim's side (supporting; contradicting for a contradicted claim; both for a mixed
   one): randomised trial or systematic review → high, non-randomised trial or
   observational study → low, anything else → very low.
3. :func:`rule_risk_of_bias` — down one for a study rated at ``high`` risk of bias, or
   ``some-concerns`` on most of the participants.
4. :func:`rule_inconsistency` — down one when studies disagree (mixed verdict) or the
   pooled estimate has I² above 50%; for a comparative effect (RR, OR, MD...) also when
   its prediction interval includes no effect while its confidence interval does not.
5. :func:`rule_imprecision` — down one for fewer than 400 participants in all or a
   confidence interval wider than 30 percentage points (the two count as one step); for a
   comparative effect the interval counts as imprecise when it includes no effect or
   crosses a threshold of an appreciable effect (RR 0.75 and 1.25 by default; see
   ``evidence.assess.certainty_effects``).
6. :func:`rule_floor` — never below very low.
7. :func:`rule_user_judgement` — a certainty written in the claims file wins; the computed
   rating is kept as an extra reason.

Simplifications, stated so nobody mistakes the result for a full GRADE assessment:

- A systematic review starts high. GRADE rates a review by the certainty of the studies
  it pools; we cannot see those, so the start reason says so and the reviewer can set the
  level by hand.
- Case series and case reports start very low, not low: they have no comparison group,
  which is what GRADE's "observational evidence starts low" assumes. Narrative reviews,
  guidelines and opinion pieces are not studies of their own and start very low too, as
  do studies whose design is unknown.
- Each domain moves certainty down by one step at most ("serious"); GRADE's "very
  serious" (two steps) needs a person's judgement.
- Indirectness and publication bias are not rated, and nothing is rated *up* (large
  effect, dose-response): those need judgement, so they belong in a
  ``certainty:`` entry in the claims file.

Everything here is pure: no files, no network.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from evidence.assess.certainty_effects import (
    EffectThresholds,
    effect_imprecision,
    effect_inconsistency,
)
from evidence.assess.design import design_rank
from evidence.assess.judge import Judgement
from evidence.assess.meta import MetaAnalysis
from evidence.assess.statistics import PooledEstimate, Proportion
from evidence.model import Certainty, Claim, RiskOfBias, Stance, StudyDesign, Verdict

__all__ = [
    "CERTAINTY_RULES",
    "DOWNGRADE_RULES",
    "HIGH_HETEROGENEITY",
    "MOST_WEIGHT",
    "OPTIMAL_INFORMATION_SIZE",
    "WIDE_INTERVAL",
    "BodyOfEvidence",
    "CertaintyAssessment",
    "CertaintyStep",
    "CitedStudy",
    "assess_certainty",
    "body_of_evidence",
    "plain_language",
    "rule_description",
    "rule_floor",
    "rule_imprecision",
    "rule_inconsistency",
    "rule_not_rated",
    "rule_risk_of_bias",
    "rule_start_from_design",
    "rule_user_judgement",
    "starting_level",
]

OPTIMAL_INFORMATION_SIZE = 400
"""Fewer participants than this, summed over the rated studies, is imprecise.

GRADE's optimal information size is the sample a single adequately powered study would
need; for a proportion near the middle of the range, 400 gives a 95% interval about ±5
percentage points wide, the usual rule of thumb."""

WIDE_INTERVAL = 0.30
"""A confidence interval wider than this (on the 0 to 1 proportion scale) is imprecise."""

HIGH_HETEROGENEITY = 0.50
"""I² above this (as a fraction) is inconsistency; the Cochrane Handbook calls 50-90%
"may represent substantial heterogeneity"."""

MOST_WEIGHT = 0.50
"""``some-concerns`` on more than this share of the weight lowers certainty."""

_LEVELS = (Certainty.HIGH, Certainty.MODERATE, Certainty.LOW, Certainty.VERY_LOW)
_UNRATED = frozenset(
    {Verdict.UNCITED, Verdict.UNRESOLVED, Verdict.UNREVIEWED, Verdict.INSUFFICIENT}
)
_SIDE_STANCES: dict[Verdict, frozenset[Stance]] = {
    Verdict.SUPPORTED: frozenset({Stance.SUPPORTS}),
    Verdict.CONTRADICTED: frozenset({Stance.CONTRADICTS}),
    Verdict.MIXED: frozenset({Stance.SUPPORTS, Stance.CONTRADICTS, Stance.MIXED}),
}
_D = StudyDesign
_START: dict[StudyDesign, Certainty] = {
    _D.SYSTEMATIC_REVIEW: Certainty.HIGH,
    _D.RANDOMISED_TRIAL: Certainty.HIGH,
    _D.NON_RANDOMISED_TRIAL: Certainty.LOW,
    _D.PROSPECTIVE_COHORT: Certainty.LOW,
    _D.RETROSPECTIVE_COHORT: Certainty.LOW,
    _D.CASE_CONTROL: Certainty.LOW,
    _D.CROSS_SECTIONAL: Certainty.LOW,
    _D.CASE_SERIES: Certainty.VERY_LOW,
    _D.CASE_REPORT: Certainty.VERY_LOW,
    _D.NARRATIVE_REVIEW: Certainty.VERY_LOW,
    _D.GUIDELINE: Certainty.VERY_LOW,
    _D.EDITORIAL: Certainty.VERY_LOW,
    _D.UNKNOWN: Certainty.VERY_LOW,
}
_DESIGN_PHRASE: dict[StudyDesign, str] = {
    _D.SYSTEMATIC_REVIEW: (
        "a systematic review / meta-analysis, rated as if it pooled randomised trials "
        "(set the certainty by hand if it did not)"
    ),
    _D.RANDOMISED_TRIAL: "a randomised trial",
    _D.NON_RANDOMISED_TRIAL: "a non-randomised trial",
    _D.CASE_SERIES: "a case series, which has no comparison group",
    _D.CASE_REPORT: "a case report, which has no comparison group",
    _D.NARRATIVE_REVIEW: "a narrative review, which is not a study of its own",
    _D.GUIDELINE: "a guideline, which is not a study of its own",
    _D.EDITORIAL: "an editorial or opinion piece, which is not a study of its own",
    _D.UNKNOWN: "of unknown design (name the design in the claims or .bib file)",
}


@dataclass(frozen=True, slots=True)
class CitedStudy:
    """One counted citation of a claim, as the evidence table knows it.

    ``interval`` is the Wilson interval of ``events`` out of ``n`` when both are given.
    ``label`` is the name shown to readers (``Liliang 2011``); the key is used without it.
    """

    key: str
    stance: Stance
    design: StudyDesign
    n: int | None = None
    events: int | None = None
    risk_of_bias: RiskOfBias | None = None
    interval: Proportion | None = None
    label: str = ""

    @property
    def name(self) -> str:
        """How reasons name the study: its label, else its key."""
        return self.label or self.key


@dataclass(frozen=True, slots=True)
class CertaintyAssessment:
    """A claim's certainty, why, and who decided.

    ``level`` is ``None`` when there is nothing to rate (verdicts ``uncited``,
    ``unresolved``, ``unreviewed``, ``insufficient``). ``reasons`` are plain sentences
    carrying the numbers; ``source`` is ``"computed"`` or ``"user"``; ``rules`` names the
    rules that fired, in order.
    """

    level: Certainty | None
    reasons: tuple[str, ...]
    source: str
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BodyOfEvidence:
    """What the rating rules look at: a claim's verdict and the studies on its side.

    ``studies`` holds one entry per cited key (a key cited twice is merged: best design,
    largest ``n``, worst risk of bias). ``side`` is ``"supporting"``, ``"contradicting"``
    or ``""`` for a mixed claim, whose studies on both sides are rated together.
    ``supporting``, ``contradicting`` and ``both_ways`` count the judge's keys.
    """

    verdict: Verdict
    side: str
    studies: tuple[CitedStudy, ...]
    supporting: int = 0
    contradicting: int = 0
    both_ways: int = 0
    pooled: PooledEstimate | None = None
    effect: MetaAnalysis | None = None
    thresholds: EffectThresholds = field(default_factory=EffectThresholds)

    @property
    def side_phrase(self) -> str:
        """``"supporting studies"``, ``"contradicting studies"`` or ``"studies"``."""
        return f"{self.side} studies" if self.side else "studies"


@dataclass(frozen=True, slots=True)
class CertaintyStep:
    """What one rule found: how many levels it lowers certainty (0 for a note) and why."""

    down: int
    reason: str


# --- helpers ------------------------------------------------------------------------


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _names(studies: Sequence[CitedStudy]) -> str:
    names = [s.name for s in studies]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def _over(value: float, threshold: float) -> str:
    """``value`` (a fraction) in percent, with a decimal only where rounding would hide
    that it is above ``threshold`` (30.4 is shown as 30.4, not 30)."""
    whole = f"{100 * value:.0f}"
    return f"{100 * value:.1f}" if float(whole) <= 100 * threshold else whole


_RISK_ORDER = {None: 0, RiskOfBias.LOW: 1, RiskOfBias.SOME_CONCERNS: 2, RiskOfBias.HIGH: 3}


def _merge(group: Sequence[CitedStudy]) -> CitedStudy:
    """One entry for a key cited more than once (two outcomes of one study, say): the same
    participants must not count twice, and the worst bias rating is the honest one."""
    if len(group) == 1:
        return group[0]
    best = max(group, key=lambda s: design_rank(s.design))
    sized = [s for s in group if s.n is not None]
    largest = max(sized, key=lambda s: s.n or 0) if sized else group[0]
    worst = max(group, key=lambda s: _RISK_ORDER[s.risk_of_bias])
    return CitedStudy(
        key=group[0].key,
        stance=group[0].stance,
        design=best.design,
        n=largest.n,
        events=largest.events,
        risk_of_bias=worst.risk_of_bias,
        interval=largest.interval,
        label=next((s.label for s in group if s.label), ""),
    )


def body_of_evidence(
    judgement: Judgement,
    studies: Iterable[CitedStudy],
    *,
    pooled: PooledEstimate | None = None,
    effect: MetaAnalysis | None = None,
    thresholds: EffectThresholds | None = None,
) -> BodyOfEvidence:
    """The studies the rules rate for ``judgement``: those on the verdict's side, without
    excluded or unknown keys, one per key in citation order. ``effect`` is the claim's
    comparative effect (pooled, or one study's), judged with ``thresholds``."""
    stances = _SIDE_STANCES.get(judgement.verdict, frozenset())
    skip = set(judgement.excluded) | set(judgement.unknown_keys)
    groups: dict[str, list[CitedStudy]] = {}
    for study in studies:
        if study.stance in stances and study.key not in skip:
            groups.setdefault(study.key, []).append(study)
    side = {Verdict.SUPPORTED: "supporting", Verdict.CONTRADICTED: "contradicting"}
    return BodyOfEvidence(
        verdict=judgement.verdict,
        side=side.get(judgement.verdict, ""),
        studies=tuple(_merge(g) for g in groups.values()),
        supporting=len(judgement.supported_by),
        contradicting=len(judgement.contradicted_by),
        both_ways=len(judgement.mixed),
        pooled=pooled,
        effect=effect,
        thresholds=thresholds or EffectThresholds(),
    )


# --- the rules ----------------------------------------------------------------------


def rule_not_rated(judgement: Judgement) -> str | None:
    """Only a claim that studies support, contradict, or disagree about has a body of
    evidence to rate; uncited, unresolved, unreviewed and insufficient claims get no level."""
    verdict = judgement.verdict
    if verdict not in _UNRATED:
        return None
    if verdict is Verdict.UNCITED:
        return "not rated: the claim cites no study"
    if verdict is Verdict.UNRESOLVED:
        keys = ", ".join(judgement.unknown_keys) or "a key"
        return f"not rated: it cites {keys}, which the bibliography does not have"
    if verdict is Verdict.UNREVIEWED:
        return "not rated: nobody has yet recorded whether the cited studies support the claim"
    why = "not rated: no counted study supports or contradicts the claim"
    if judgement.excluded:
        left_out = "; ".join(f"{k} ({r})" for k, r in judgement.excluded.items())
        why += f" (left out: {left_out})"
    return why


def starting_level(design: StudyDesign) -> Certainty:
    """Where certainty starts for a body of evidence whose best study has ``design``.

    >>> starting_level(StudyDesign.PROSPECTIVE_COHORT)
    <Certainty.LOW: 'low'>
    """
    return _START[design]


def rule_start_from_design(body: BodyOfEvidence) -> tuple[Certainty, str]:
    """Certainty starts from the strongest design among the rated studies: randomised
    trials and systematic reviews start high; non-randomised trials and observational
    studies (cohort, case-control, cross-sectional) start low; case series, case reports,
    narrative reviews, guidelines, opinion and studies of unknown design start very low."""
    if not body.studies:
        return Certainty.VERY_LOW, (
            f"started very low: no details were given for the {body.side_phrase}"
        )
    best = max(body.studies, key=lambda s: design_rank(s.design))
    level = starting_level(best.design)
    phrase = _DESIGN_PHRASE.get(best.design, f"observational ({best.design.label})")
    whose = f"the best {body.side} evidence" if body.side else "the best evidence either way"
    return level, f"started {level.label}: {whose} is {phrase}"


def rule_risk_of_bias(body: BodyOfEvidence) -> CertaintyStep | None:
    """Down one level for risk of bias when a reviewer rated any rated study at high risk
    of bias, or rated "some concerns" for studies holding most of the participants (more
    than half; more than half of the studies when any study gives no number)."""
    high = [s for s in body.studies if s.risk_of_bias is RiskOfBias.HIGH]
    if high:
        verb = "was" if len(high) == 1 else "were"
        return CertaintyStep(
            1, f"down one for risk of bias: {_names(high)} {verb} rated at high risk of bias"
        )
    concerns = [s for s in body.studies if s.risk_of_bias is RiskOfBias.SOME_CONCERNS]
    if not concerns:
        return None
    total = sum(s.n or 0 for s in body.studies)
    if all(s.n is not None for s in body.studies) and total > 0:
        held = sum(s.n or 0 for s in concerns)
        if held / total <= MOST_WEIGHT:
            return None
        where = f"studies holding {held} of {total} participants ({_percent(held / total)})"
    else:
        if len(concerns) / len(body.studies) <= MOST_WEIGHT:
            return None
        where = f"{len(concerns)} of {len(body.studies)} studies"
    return CertaintyStep(
        1,
        f"down one for risk of bias: some concerns about bias in {where} "
        f"({_names(concerns)}; more than half)",
    )


def rule_inconsistency(body: BodyOfEvidence) -> CertaintyStep | None:
    """Down one level for inconsistency when the studies disagree (the verdict is mixed),
    or when the pooled estimate shows high heterogeneity (I² above 50%), or when a pooled
    comparative effect's prediction interval includes no effect while its confidence
    interval does not. Any of these together still count as one step."""
    found: list[str] = []
    if body.verdict is Verdict.MIXED:
        parts = []
        if body.supporting:
            parts.append(_plural(body.supporting, "study supports", "studies support") + " it")
        if body.contradicting:
            parts.append(
                _plural(body.contradicting, "study contradicts", "studies contradict") + " it"
            )
        if body.both_ways:
            parts.append(
                _plural(body.both_ways, "study reports", "studies report") + " results both ways"
            )
        found.append("the evidence points both ways (" + ", ".join(parts) + ")")
    pooled = body.pooled
    if pooled is not None and pooled.k >= 2 and pooled.i2 > HIGH_HETEROGENEITY:
        found.append(
            f"I² = {_over(pooled.i2, HIGH_HETEROGENEITY)}% across the {pooled.k} pooled studies "
            f"(> {_percent(HIGH_HETEROGENEITY)})"
        )
    if body.effect is not None:
        found.extend(effect_inconsistency(body.effect, body.thresholds))
    if not found:
        return None
    tail = " (counted as one step)" if len(found) > 1 else ""
    return CertaintyStep(1, "down one for inconsistency: " + "; and ".join(found) + tail)


def _interval(body: BodyOfEvidence) -> tuple[float, float, float, str] | None:
    """The interval imprecision is judged on: the pooled one if given, else that of the
    only rated study with one. Several studies without a pooled estimate give none: their
    separate intervals say little about the precision of the whole."""
    if body.pooled is not None:
        p = body.pooled
        what = "the pooled" if p.k > 1 else "the"
        return p.low, p.high, p.confidence, what
    with_interval = [s for s in body.studies if s.interval is not None]
    if len(with_interval) == 1 and (study := with_interval[0]).interval is not None:
        i = study.interval
        return i.low, i.high, i.confidence, f"{study.name}'s"
    return None


def rule_imprecision(body: BodyOfEvidence) -> CertaintyStep | None:
    """Down one level for imprecision when the rated studies are small (fewer than 400
    participants in all, a rule of thumb for GRADE's optimal information size) or their
    confidence interval is wide (more than 30 percentage points, pooled if there is a
    pooled estimate). For a comparative effect the interval is imprecise when it includes no
    effect or crosses a threshold of an appreciable effect. Both together still count as
    one step."""
    found: list[str] = []
    sized = [s for s in body.studies if s.n is not None]
    total = sum(s.n or 0 for s in sized)
    if sized and total < OPTIMAL_INFORMATION_SIZE:
        unsized = len(body.studies) - len(sized)
        if unsized:
            found.append(
                f"{total} participants in the "
                + _plural(len(sized), "study that gives a number", "studies that give a number")
                + f" (< {OPTIMAL_INFORMATION_SIZE}; {unsized} "
                + ("gives none" if unsized == 1 else "give none")
                + ")"
            )
        else:
            found.append(f"{total} participants in all (< {OPTIMAL_INFORMATION_SIZE})")
    interval = _interval(body) if body.effect is None else None
    if body.effect is not None and (wide := effect_imprecision(body.effect, body.thresholds)):
        found.append(wide)
    if interval is not None:
        low, high, confidence, whose = interval
        if high - low > WIDE_INTERVAL:
            found.append(
                f"{whose} {confidence:.0%} CI runs from {_percent(low)} to {_percent(high)}, "
                f"{_over(high - low, WIDE_INTERVAL)} percentage points wide "
                f"(> {100 * WIDE_INTERVAL:.0f})"
            )
    if found:
        tail = " (counted as one step)" if len(found) > 1 else ""
        return CertaintyStep(1, "down one for imprecision: " + ", and ".join(found) + tail)
    if not sized and interval is None and body.effect is None:
        return CertaintyStep(
            0,
            f"imprecision not checked: none of the {body.side_phrase} gives its number of "
            "participants (add n to the citations)",
        )
    return None


def rule_floor(start: Certainty, steps: int) -> tuple[Certainty, str | None]:
    """Certainty cannot go below very low; steps down beyond it change nothing."""
    index = _LEVELS.index(start) + steps
    if index < len(_LEVELS):
        return _LEVELS[index], None
    beyond = index - (len(_LEVELS) - 1)
    return Certainty.VERY_LOW, (
        f"stays at very low, the lowest level ({_plural(beyond, 'step', 'steps')} "
        "down had nowhere to go)"
    )


def rule_user_judgement(claim: Claim, computed: CertaintyAssessment) -> CertaintyAssessment | None:
    """A certainty written in the claims file is a reviewer's judgement and wins over the
    computed one; the computed rating stays visible as an extra reason."""
    judgement = claim.certainty
    if judgement is None:
        return None
    because = "; ".join(computed.reasons)
    if computed.level is None:
        shadow = f"computed would have given no rating ({because})"
    else:
        shadow = f"computed would have been {computed.level.label} because {because}"
    return CertaintyAssessment(
        level=judgement.level,
        reasons=(judgement.reason.strip() or "set by the reviewer (no reason given)", shadow),
        source="user",
        rules=(*computed.rules, rule_user_judgement.__name__),
    )


DowngradeRule = Callable[[BodyOfEvidence], CertaintyStep | None]

DOWNGRADE_RULES: tuple[DowngradeRule, ...] = (
    rule_risk_of_bias,
    rule_inconsistency,
    rule_imprecision,
)
"""The domains that lower certainty, in GRADE's order."""

CERTAINTY_RULES: tuple[Callable[..., object], ...] = (
    rule_not_rated,
    rule_start_from_design,
    *DOWNGRADE_RULES,
    rule_floor,
    rule_user_judgement,
)
"""Every certainty rule, in the order they are applied."""


def rule_description(name: str) -> str:
    """The reader-facing explanation of the certainty rule called ``name`` (its docstring,
    on one line). Unknown names raise ``KeyError``.

    >>> rule_description("rule_floor")
    'Certainty cannot go below very low; steps down beyond it change nothing.'
    """
    for rule in CERTAINTY_RULES:
        if getattr(rule, "__name__", "") == name:
            return " ".join((rule.__doc__ or "").split())
    raise KeyError(f"no certainty rule called {name!r}")


def _computed(
    judgement: Judgement,
    studies: Sequence[CitedStudy],
    pooled: PooledEstimate | None,
    effect: MetaAnalysis | None = None,
    thresholds: EffectThresholds | None = None,
) -> CertaintyAssessment:
    not_rated = rule_not_rated(judgement)
    if not_rated is not None:
        return CertaintyAssessment(None, (not_rated,), "computed", (rule_not_rated.__name__,))
    body = body_of_evidence(judgement, studies, pooled=pooled, effect=effect, thresholds=thresholds)
    start, start_reason = rule_start_from_design(body)
    reasons = [start_reason]
    fired = [rule_start_from_design.__name__]
    steps = 0
    for rule in DOWNGRADE_RULES:
        step = rule(body)
        if step is None:
            continue
        reasons.append(step.reason)
        if step.down:
            steps += step.down
            fired.append(rule.__name__)
    level, floor_reason = rule_floor(start, steps)
    if floor_reason is not None:
        reasons.append(floor_reason)
        fired.append(rule_floor.__name__)
    return CertaintyAssessment(level, tuple(reasons), "computed", tuple(fired))


def assess_certainty(
    claim: Claim,
    judgement: Judgement,
    studies: Sequence[CitedStudy],
    *,
    pooled: PooledEstimate | None = None,
    effect: MetaAnalysis | None = None,
    thresholds: EffectThresholds | None = None,
) -> CertaintyAssessment:
    """Rate the certainty of the evidence for ``claim`` (see the module docstring).

    ``studies`` are the claim's counted citations; only those on the verdict's side are
    rated. ``pooled`` is the pooled estimate of their proportions, when the caller pooled
    them; ``effect`` the claim's comparative effect (pooled, or a single study's), judged
    against ``thresholds`` (GRADE's defaults: RR 0.75 and 1.25, SMD 0.2, I² 50%). A
    ``certainty`` written on the claim wins (``source="user"``).

    >>> from evidence.assess.judge import judge_claim
    >>> from evidence.model import Citation
    >>> claim = Claim("c", "Pain follows fusion.", (Citation("a"), Citation("b")))
    >>> studies = [CitedStudy("a", Stance.SUPPORTS, StudyDesign.PROSPECTIVE_COHORT, n=52),
    ...            CitedStudy("b", Stance.SUPPORTS, StudyDesign.RETROSPECTIVE_COHORT, n=34)]
    >>> rated = assess_certainty(claim, judge_claim(claim, {"a", "b"}), studies)
    >>> rated.level, rated.rules
    (<Certainty.VERY_LOW: 'very-low'>, ('rule_start_from_design', 'rule_imprecision'))
    """
    if claim.id != judgement.claim_id:
        raise ValueError(f"judgement is for claim {judgement.claim_id!r}, not {claim.id!r}")
    computed = _computed(judgement, studies, pooled, effect, thresholds)
    return rule_user_judgement(claim, computed) or computed


# --- plain language -----------------------------------------------------------------

_STATEMENTS: dict[tuple[Verdict, Certainty], str] = {
    (Verdict.SUPPORTED, Certainty.HIGH): "Good evidence shows that this is true.",
    (Verdict.SUPPORTED, Certainty.MODERATE): "This is probably true.",
    (Verdict.SUPPORTED, Certainty.LOW): "This may be true.",
    (Verdict.SUPPORTED, Certainty.VERY_LOW): "We are very uncertain whether this is true.",
    (Verdict.CONTRADICTED, Certainty.HIGH): "Good evidence shows that this is not true.",
    (Verdict.CONTRADICTED, Certainty.MODERATE): "This is probably not true.",
    (Verdict.CONTRADICTED, Certainty.LOW): "This may not be true.",
    (Verdict.CONTRADICTED, Certainty.VERY_LOW): "We are very uncertain whether this is true.",
}
_VERDICT_STATEMENTS: dict[Verdict, str] = {
    Verdict.MIXED: "Studies disagree about whether this is true.",
    Verdict.UNCITED: "No study is cited for this statement.",
    Verdict.UNRESOLVED: "This statement cites a source we could not find.",
    Verdict.UNREVIEWED: "The studies cited for this statement have not been checked yet.",
    Verdict.INSUFFICIENT: "The studies cited do not show whether this is true.",
    Verdict.SUPPORTED: "Studies support this, but the evidence has not been rated.",
    Verdict.CONTRADICTED: "Studies contradict this, but the evidence has not been rated.",
}
# Ends in . ! ? or an ellipsis, maybe followed by closing quotes or brackets.
_CLOSERS = "\"')]\N{RIGHT DOUBLE QUOTATION MARK}\N{RIGHT SINGLE QUOTATION MARK}"
_ENDS_SENTENCE = re.compile(f"[.!?\N{HORIZONTAL ELLIPSIS}][{re.escape(_CLOSERS)}]*$")


def _as_sentence(text: str) -> str:
    text = " ".join(text.split())
    if text and not _ENDS_SENTENCE.search(text):
        text += "."
    return text


def plain_language(verdict: Verdict, certainty: CertaintyAssessment, *, text: str = "") -> str:
    """A short statement for patient pages, in the style of GRADE summary statements:
    high certainty states the finding, moderate says "probably", low says "may", very low
    says "we are very uncertain". Studies that disagree, claims citing nothing, and claims
    whose sources could not be found or checked get a sentence saying so.

    With ``text`` (the claim), the statement follows it as its own sentence, so claims of
    any grammar read well.

    >>> rated = CertaintyAssessment(Certainty.LOW, (), "computed", ())
    >>> plain_language(Verdict.SUPPORTED, rated, text="Fusion can cause SI joint pain")
    'Fusion can cause SI joint pain. This may be true.'
    """
    level = certainty.level
    statement = (
        _STATEMENTS[(verdict, level)]
        if level is not None and (verdict, level) in _STATEMENTS
        else _VERDICT_STATEMENTS[verdict]
    )
    claim = _as_sentence(text)
    return f"{claim} {statement}" if claim else statement
