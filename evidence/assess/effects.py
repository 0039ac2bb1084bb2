"""Comparative effect sizes with their variances: what a trial's numbers say, ready to pool.

A comparative citation carries one of three kinds of numbers, each a frozen record:

- :class:`BinaryArms`: events and totals in a treatment and a control arm (a 2x2 table);
- :class:`ContinuousArms`: mean, standard deviation and total in each arm;
- :class:`ReportedEffect`: an effect the paper prints with its confidence interval
  (RR, OR, HR, RD, MD or SMD), e.g. "RR 0.49 (95% CI 0.34 to 0.70)".

:func:`effect_size` turns any of them into an :class:`EffectSize`: the estimate on the
scale it is analysed on (natural log for the ratios RR, OR and HR; as is for RD, MD and
SMD) and its sampling variance. The effect is always *treatment relative to control*.

Formulas
========

Two-arm counts, with ``a``/``n1`` events/total under treatment and ``c``/``n2`` under
control (``b = n1 - a``, ``d = n2 - c``):

- log risk ratio ``ln((a/n1) / (c/n2))``, variance ``1/a - 1/n1 + 1/c - 1/n2``;
- log odds ratio ``ln(ad / bc)``, variance ``1/a + 1/b + 1/c + 1/d``;
- risk difference ``a/n1 - c/n2``, variance ``p1(1-p1)/n1 + p2(1-p2)/n2``.

**Zero cells.** When any of the four cells is zero the ratio or its variance is
infinite, so 0.5 is added to all four cells of that study (and so 1 to each arm's total)
before computing -- the usual correction, used by RevMan, by metafor's ``escalc``
(``add=1/2, to="only0"``) and by statsmodels' ``effectsize_2proportions(...,
zero_correction=0.5)``, which is the same formula. ``correction`` changes the amount; the
record says how much was added (``EffectSize.correction``). The risk difference gets the
same correction, so that a study with no events keeps a non-zero variance.

**Double zeros.** A study with no events in either arm (or with every participant having
the event in both arms) says nothing about a *ratio*: the Cochrane Handbook (section
10.4.4.2) advises leaving such studies out of RR and OR meta-analyses, and metafor's
Mantel-Haenszel and GLMM methods drop them by default. So for RR and OR the result is an
``EffectSize`` with ``estimate`` and ``variance`` of ``None`` and the reason in
``excluded``; pooling skips it and lists it with that reason. For the risk difference the
study is informative (a difference of zero) and it is kept.

Two-arm means, SDs and totals:

- mean difference ``m1 - m2``, variance ``s1^2/n1 + s2^2/n2``;
- standardised mean difference as **Hedges' g**: the pooled SD
  ``s = sqrt(((n1-1)s1^2 + (n2-1)s2^2) / (n1+n2-2))``, ``d = (m1-m2)/s``, the small-sample
  correction ``J = 1 - 3/(4N - 9)`` with ``N = n1 + n2`` and ``g = J d``; its variance
  ``N/(n1 n2) + g^2 / (2(N - 3.94))``. These are the formulas of RevMan (the Cochrane
  software) and of statsmodels' ``effectsize_smd``. metafor's ``escalc("SMD")`` uses the
  exact gamma-function form of ``J`` and ``g^2/(2N)`` in the variance; for trials of 20 or
  more per arm they agree to about three decimals.

Reported effects with a ``confidence`` interval (95% unless stated): for ratios the log of
the estimate, with standard error ``(ln(upper) - ln(lower)) / (2 z)``; for RD, MD and SMD
the same on the natural scale. ``z`` is the normal quantile for the level (1.959964 for
95%, computed exactly rather than rounded).

The records of numbers, their checks (located, all problems at once) and the measure
names live in :mod:`evidence.comparative`, one stage lower, so that the claims loader can
build them; they are re-exported here.

Only the standard library is used: per-study numbers must be available even where the
optional statistics packages that :mod:`evidence.assess.meta` uses for pooling are not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from evidence.comparative import (
    BinaryArms,
    ContinuousArms,
    EffectData,
    EffectDataError,
    Measure,
    ReportedEffect,
    binary_arms,
    continuous_arms,
    normalise_measure,
    reported_effect,
)

__all__ = [
    "BinaryArms",
    "ContinuousArms",
    "EffectData",
    "EffectDataError",
    "EffectSize",
    "Measure",
    "ReportedEffect",
    "binary_arms",
    "binary_effect",
    "continuous_arms",
    "continuous_effect",
    "effect_size",
    "normalise_measure",
    "reported_effect",
    "reported_effect_size",
]


@dataclass(frozen=True, slots=True)
class EffectSize:
    """One study's effect on its analysis scale, ready to pool.

    ``estimate`` and ``variance`` are on the analysis scale (natural log for ratios).
    ``correction`` is what was added to every cell of a 2x2 table with a zero cell (0.0
    when nothing was). A study that cannot contribute (a double zero for RR or OR) has
    ``estimate`` and ``variance`` of ``None`` and says why in ``excluded``. ``source``
    says what it was computed from, in words.
    """

    measure: Measure
    estimate: float | None
    variance: float | None
    source: str
    correction: float = 0.0
    excluded: str | None = None
    data: EffectData | None = None

    @property
    def usable(self) -> bool:
        """Whether the study has an estimate to pool."""
        return self.estimate is not None and self.variance is not None

    @property
    def se(self) -> float | None:
        """The standard error on the analysis scale."""
        return None if self.variance is None else math.sqrt(self.variance)

    def interval(self, confidence: float = 0.95) -> tuple[float, float, float] | None:
        """``(estimate, low, high)`` on the natural scale (ratios exponentiated), or ``None``.

        The interval is the normal (Wald) interval on the analysis scale, transformed.
        """
        if self.estimate is None or self.variance is None:
            return None
        half = _z(confidence) * math.sqrt(self.variance)
        to = self.measure.to_natural
        return to(self.estimate), to(self.estimate - half), to(self.estimate + half)


def _z(confidence: float) -> float:
    if not (isinstance(confidence, float | int) and 0.0 < confidence < 1.0):
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), not {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def binary_effect(arms: BinaryArms, measure: Measure | str, correction: float = 0.5) -> EffectSize:
    """RR, OR or RD with its variance from two-arm counts (see the module docstring).

    >>> es = binary_effect(BinaryArms(4, 123, 11, 139), "RR")
    >>> round(es.estimate, 4), round(es.variance, 4)
    (-0.8893, 0.3256)
    """
    kind = normalise_measure(measure)
    if not kind.binary:
        raise ValueError(f"two-arm counts give RR, OR or RD, not {kind} ({kind.label})")
    if not (math.isfinite(correction) and correction > 0):
        raise ValueError(f"the zero-cell correction must be above 0, not {correction!r}")
    source = f"2x2 counts {arms}"
    if arms.double_zero and kind is not Measure.RD:
        return EffectSize(
            kind,
            None,
            None,
            source,
            excluded=(
                f"{arms}: the outcome occurred in neither arm (or in everybody in both), so the "
                f"study carries no information on a {kind.label}; left out of the pooled "
                "estimate as the Cochrane Handbook (section 10.4.4.2) advises"
            ),
            data=arms,
        )
    add = correction if arms.has_zero_cell else 0.0
    a, b, c, d = (float(cell) + add for cell in arms.cells)
    n1, n2 = a + b, c + d
    p1, p2 = a / n1, c / n2
    if kind is Measure.RR:
        estimate = math.log(p1 / p2)
        variance = 1.0 / a - 1.0 / n1 + 1.0 / c - 1.0 / n2
    elif kind is Measure.OR:
        estimate = math.log((a * d) / (b * c))
        variance = 1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d
    else:
        estimate = p1 - p2
        variance = p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2
    if add:
        source += f" ({add:g} added to every cell: a cell was zero)"
    return EffectSize(kind, estimate, variance, source, correction=add, data=arms)


def continuous_effect(arms: ContinuousArms, measure: Measure | str) -> EffectSize:
    """MD or SMD (Hedges' g) with its variance from two-arm means (see the module docstring).

    Arms from :func:`continuous_arms` always work; arms built by hand whose SDs are both 0
    raise ``ValueError`` (there is no variance to weight by).
    """
    kind = normalise_measure(measure)
    if not kind.continuous:
        raise ValueError(f"two-arm means give MD or SMD, not {kind} ({kind.label})")
    m1, s1, n1 = arms.treatment_mean, arms.treatment_sd, arms.treatment_n
    m2, s2, n2 = arms.control_mean, arms.control_sd, arms.control_n
    source = f"means {arms}"
    if kind is Measure.MD:
        variance = s1 * s1 / n1 + s2 * s2 / n2
        if variance <= 0:
            raise ValueError(f"{arms}: both SDs are 0, so the mean difference has no variance")
        return EffectSize(kind, m1 - m2, variance, source, data=arms)
    total = n1 + n2
    pooled_var = ((n1 - 1) * s1 * s1 + (n2 - 1) * s2 * s2) / (total - 2)
    if pooled_var <= 0:
        raise ValueError(f"{arms}: both SDs are 0, so the difference cannot be standardised")
    j = 1.0 - 3.0 / (4.0 * total - 9.0)
    g = j * (m1 - m2) / math.sqrt(pooled_var)
    variance = total / (n1 * n2) + g * g / (2.0 * (total - 3.94))
    return EffectSize(kind, g, variance, source, data=arms)


def reported_effect_size(effect: ReportedEffect) -> EffectSize:
    """The analysis-scale estimate and variance of a reported effect and its interval.

    >>> es = reported_effect_size(ReportedEffect(Measure.RR, 0.49, 0.34, 0.70))
    >>> round(es.estimate, 4), round(es.se, 4)
    (-0.7133, 0.1842)
    """
    z = _z(effect.confidence)
    if effect.measure.is_ratio:
        estimate = math.log(effect.estimate)
        se = (math.log(effect.upper) - math.log(effect.lower)) / (2.0 * z)
    else:
        estimate = effect.estimate
        se = (effect.upper - effect.lower) / (2.0 * z)
    return EffectSize(effect.measure, estimate, se * se, f"reported {effect}", data=effect)


def effect_size(
    data: EffectData, measure: Measure | str | None = None, correction: float = 0.5
) -> EffectSize:
    """The :class:`EffectSize` of any kind of numbers.

    ``measure`` is needed for arms (which measure to compute) and must match a reported
    effect's own measure if given.
    """
    if isinstance(data, ReportedEffect):
        if measure is not None and normalise_measure(measure) is not data.measure:
            wanted = normalise_measure(measure)
            raise ValueError(
                f"the reported effect is {data.measure} ({data.measure.label}), "
                f"not {wanted} ({wanted.label})"
            )
        return reported_effect_size(data)
    if measure is None:
        raise ValueError("say which measure to compute from two-arm numbers (e.g. 'RR')")
    if isinstance(data, BinaryArms):
        return binary_effect(data, measure, correction)
    return continuous_effect(data, measure)
