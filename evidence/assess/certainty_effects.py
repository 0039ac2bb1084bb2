"""Imprecision and inconsistency of a comparative effect (RR, OR, MD...), for the GRADE rules.

``evidence.assess.certainty`` asks these questions when a claim's evidence has a comparative
effect (pooled, or one study's), instead of looking at proportions:

- **imprecision**: does the confidence interval include the line of no effect (1 for a
  ratio, 0 for a difference), or cross a threshold of an appreciable effect? GRADE's
  default thresholds for ratios are a relative change of 25%, RR 0.75 and 1.25
  (:data:`GRADE_RATIO_THRESHOLDS`); for a standardised mean difference 0.2 either side (a
  small effect); mean and risk differences have no threshold that fits every outcome, so
  only the line of no effect is checked unless :class:`EffectThresholds` gives one.
- **inconsistency**: is I² above 50%, and does the prediction interval cross the line of no
  effect while the confidence interval does not (a new study could well find the opposite)?

Each finding is a phrase carrying its numbers; the rule in ``certainty`` turns it into a
reason. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence.assess.meta import MetaAnalysis
from evidence.comparative import Measure

__all__ = [
    "GRADE_RATIO_THRESHOLDS",
    "EffectThresholds",
    "effect_imprecision",
    "effect_inconsistency",
]

GRADE_RATIO_THRESHOLDS = (0.75, 1.25)
"""GRADE's default thresholds of an appreciable benefit or harm for a ratio (a 25% change)."""


@dataclass(frozen=True, slots=True)
class EffectThresholds:
    """Where an effect becomes appreciable, for the imprecision rule.

    ``ratio`` applies to RR, OR and HR (a pair below and above 1); ``smd`` to Hedges' g, and
    ``md`` and ``rd`` to mean and risk differences (each taken either side of 0; ``None``:
    check only the line of no effect). ``heterogeneity`` is the I² (a fraction) above which
    studies are inconsistent.
    """

    ratio: tuple[float, float] | None = GRADE_RATIO_THRESHOLDS
    smd: float | None = 0.2
    md: float | None = None
    rd: float | None = None
    heterogeneity: float = 0.5

    def __post_init__(self) -> None:
        if self.ratio is not None and not 0 < self.ratio[0] < 1 < self.ratio[1]:
            raise ValueError(f"ratio thresholds must lie either side of 1, not {self.ratio!r}")
        for name in ("smd", "md", "rd"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"the {name} threshold must be above 0, not {value!r}")

    def for_measure(self, measure: Measure) -> tuple[float, ...]:
        """The thresholds on the natural scale of ``measure`` (empty: none set)."""
        if measure.is_ratio:
            return self.ratio or ()
        width = {Measure.SMD: self.smd, Measure.MD: self.md, Measure.RD: self.rd}[measure]
        return () if width is None else (-width, width)


def _n(value: float) -> str:
    return f"{value:.2f}" if value == 0 or abs(value) >= 0.01 else f"{value:.2g}"


def _what(effect: MetaAnalysis) -> str:
    pooled = "pooled " if effect.k > 1 else ""
    return f"the {pooled}{effect.measure.label.split(' (')[0]}"


def effect_imprecision(effect: MetaAnalysis, thresholds: EffectThresholds) -> str | None:
    """Why ``effect`` is imprecise (its interval and what it crosses), or ``None``.

    >>> from evidence.assess.effects import binary_effect
    >>> from evidence.assess.meta import pool
    >>> from evidence.comparative import BinaryArms
    >>> one = pool([binary_effect(BinaryArms(505, 88391, 499, 88391), "RR")])
    >>> effect_imprecision(one, EffectThresholds())
    'the risk ratio 1.01 has a 95% CI from 0.89 to 1.14, which includes no effect (1)'
    """
    estimate, low, high = effect.natural()
    null = effect.measure.null_value
    found = [f"includes no effect ({null:g})"] if low <= null <= high else []
    crossed = [f"{x:g}" for x in thresholds.for_measure(effect.measure) if low < x < high]
    if crossed:
        found.append(
            f"crosses {' and '.join(crossed)}, the "
            + ("thresholds" if len(crossed) > 1 else "threshold")
            + " of an appreciable effect"
        )
    if not found:
        return None
    return (
        f"{_what(effect)} {_n(estimate)} has a {effect.confidence:.0%} CI from {_n(low)} to "
        f"{_n(high)}, which " + " and ".join(found)
    )


def effect_inconsistency(effect: MetaAnalysis, thresholds: EffectThresholds) -> list[str]:
    """What makes the pooled studies inconsistent, each with its numbers (empty: nothing)."""
    if effect.k < 2:
        return []
    found = []
    if effect.i2 > thresholds.heterogeneity:
        found.append(
            f"I² = {100 * effect.i2:.0f}% across the {effect.k} pooled studies "
            f"(> {100 * thresholds.heterogeneity:.0f}%)"
        )
    prediction = effect.natural_prediction()
    _, low, high = effect.natural()
    null = effect.measure.null_value
    if prediction is not None and prediction[0] < null < prediction[1] and not low <= null <= high:
        found.append(
            f"the {effect.confidence:.0%} prediction interval ({_n(prediction[0])} to "
            f"{_n(prediction[1])}) includes no effect ({null:g}) though the confidence interval "
            f"({_n(low)} to {_n(high)}) does not: a new study could find no effect or the "
            "opposite"
        )
    return found
