"""Statistics of proportions: confidence intervals and random-effects pooling.

:func:`wilson_interval` is the Wilson score interval. :func:`pool_proportions` pools
proportions by random effects on the logit scale with the DerSimonian-Laird estimate of
tau². Only :mod:`math` and :mod:`statistics` are used. Tau² and I² are truncated at zero,
as in DerSimonian and Laird (1986); statsmodels' ``combine_effects(method_re="dl")``
leaves them negative when Q < k - 1, in which case our result equals its fixed-effect one.

Everything here is about one outcome measured as a proportion (events of n). Other effect
measures (risk and odds ratios, mean differences) and other pooling methods belong in
modules of their own beside this one.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import SupportsIndex

__all__ = ["PooledEstimate", "Proportion", "pool_proportions", "wilson_interval"]


# --- one proportion -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proportion:
    """``events`` of ``n``, the raw proportion and its confidence interval."""

    events: int
    n: int
    estimate: float
    low: float
    high: float
    confidence: float = 0.95

    def __str__(self) -> str:
        pct = round(100 * self.confidence)
        return (
            f"{self.events}/{self.n} = {self.estimate:.0%} "
            f"({pct}% CI {self.low:.0%} to {self.high:.0%})"
        )


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), not {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def _count(value: object, what: str) -> int:
    if type(value) is int:  # the usual case; the Protocol check below is slow at scale
        return value
    if isinstance(value, SupportsIndex):  # int, numpy integers; not float or str
        return operator.index(value)
    raise ValueError(f"{what} must be a whole number, not {value!r}")


def _check_counts(events: object, n: object) -> tuple[int, int, str]:
    """Coerced counts and, if they are unusable, why (empty string when fine)."""
    try:
        e, size = _count(events, "events"), _count(n, "n")
    except ValueError as exc:
        return 0, 0, str(exc)
    if size <= 0:
        return e, size, f"n must be at least 1, not {size}"
    if not 0 <= e <= size:
        return e, size, f"events must be between 0 and n ({size}), not {e}"
    return e, size, ""


def wilson_interval(events: int, n: int, confidence: float = 0.95) -> Proportion:
    """The Wilson score interval for ``events`` out of ``n``.

    Exact closed form (Wilson 1927), the same as statsmodels'
    ``proportion_confint(method="wilson")``; 0 events give a lower bound of exactly 0 and
    ``n`` events an upper bound of exactly 1. ``n`` = 0 raises ``ValueError``.

    >>> p = wilson_interval(11, 34)
    >>> round(p.estimate, 3), round(p.low, 3), round(p.high, 3)
    (0.324, 0.191, 0.492)
    """
    e, size, problem = _check_counts(events, n)
    if problem:
        raise ValueError(problem)
    z = _z(confidence)
    p = e / size
    z2n = z * z / size
    denom = 1.0 + z2n
    centre = (p + z2n / 2.0) / denom
    half = z * math.sqrt(p * (1.0 - p) / size + z2n / (4.0 * size)) / denom
    low = 0.0 if e == 0 else max(0.0, centre - half)
    high = 1.0 if e == size else min(1.0, centre + half)
    return Proportion(e, size, p, low, high, confidence)


# --- pooling proportions -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PooledEstimate:
    """A random-effects pooled proportion.

    ``estimate``, ``low`` and ``high`` are on the proportion scale; ``logit`` and ``se``
    on the logit scale they were computed on. ``tau2`` is the between-study variance
    (DerSimonian-Laird, truncated at 0), ``q`` Cochran's Q with ``k - 1`` degrees of
    freedom, and ``i2`` the share of variation due to heterogeneity **as a fraction**
    between 0 and 1 (multiply by 100 for the usual percent). ``corrected`` holds the
    indices of studies that needed the 0.5 continuity correction.
    """

    estimate: float
    low: float
    high: float
    logit: float
    se: float
    tau2: float
    i2: float
    q: float
    k: int
    method: str
    confidence: float = 0.95
    corrected: tuple[int, ...] = ()

    @property
    def i2_percent(self) -> float:
        return 100.0 * self.i2


def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    ex = math.exp(x)
    return ex / (1.0 + ex)


def _logit_effect(events: int, n: int) -> tuple[float, float, bool]:
    """Logit of the proportion and its variance 1/(np) + 1/(n(1-p)); studies with 0 or n
    events get 0.5 added to events and non-events (else the logit is infinite)."""
    corrected = events in (0, n)
    a = events + 0.5 if corrected else float(events)
    b = n - events + 0.5 if corrected else float(n - events)
    return math.log(a / b), 1.0 / a + 1.0 / b, corrected


def pool_proportions(items: Sequence[tuple[int, int]], confidence: float = 0.95) -> PooledEstimate:
    """Pool ``(events, n)`` pairs by a random-effects model on the logit scale.

    Each study contributes logit(p) with variance 1/(np) + 1/(n(1-p)); a study with 0 or n
    events gets a continuity correction of 0.5 on both cells (its index is in
    ``corrected``). Tau² is the DerSimonian-Laird moment estimate, truncated at 0; the
    pooled logit is the inverse-variance mean with weights 1/(v + tau²) and a normal
    interval, transformed back to a proportion.

    One study is returned as itself: its raw proportion and Wilson interval, ``method``
    saying nothing was pooled. No studies, or any unusable pair, raise ``ValueError``
    listing every bad pair.

    >>> pooled = pool_proportions([(21, 52), (11, 34)])
    >>> round(pooled.estimate, 3), pooled.tau2, pooled.k
    (0.373, 0.0, 2)
    """
    _z(confidence)  # reject a bad level before anything else
    if len(items) == 0:
        raise ValueError("no studies to pool: give at least one (events, n) pair")
    problems: list[str] = []
    counts: list[tuple[int, int]] = []
    for index, item in enumerate(items):
        try:
            events, n = item
        except (TypeError, ValueError):
            problems.append(f"study {index}: expected an (events, n) pair, not {item!r}")
            continue
        e, size, problem = _check_counts(events, n)
        if problem:
            problems.append(f"study {index}: {problem}")
        counts.append((e, size))
    if problems:
        raise ValueError("cannot pool proportions:\n" + "\n".join(problems))
    effects = [_logit_effect(e, size) for e, size in counts]
    corrected = tuple(i for i, (_, _, c) in enumerate(effects) if c)
    z = _z(confidence)
    if len(counts) == 1:
        (y, v, _), (e, size) = effects[0], counts[0]
        single = wilson_interval(e, size, confidence)
        return PooledEstimate(
            estimate=single.estimate,
            low=single.low,
            high=single.high,
            logit=y,
            se=math.sqrt(v),
            tau2=0.0,
            i2=0.0,
            q=0.0,
            k=1,
            method="single study: its own proportion and Wilson interval, nothing pooled",
            confidence=confidence,
            corrected=corrected,
        )
    ys = [y for y, _, _ in effects]
    ws = [1.0 / v for _, v, _ in effects]
    w_sum = math.fsum(ws)
    fixed = math.fsum(w * y for w, y in zip(ws, ys, strict=True)) / w_sum
    q = math.fsum(w * (y - fixed) ** 2 for w, y in zip(ws, ys, strict=True))
    df = len(ys) - 1
    c = w_sum - math.fsum(w * w for w in ws) / w_sum
    tau2 = max(0.0, (q - df) / c)
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    ws_re = [1.0 / (v + tau2) for _, v, _ in effects]
    w_re_sum = math.fsum(ws_re)
    pooled = math.fsum(w * y for w, y in zip(ws_re, ys, strict=True)) / w_re_sum
    se = math.sqrt(1.0 / w_re_sum)
    return PooledEstimate(
        estimate=_expit(pooled),
        low=_expit(pooled - z * se),
        high=_expit(pooled + z * se),
        logit=pooled,
        se=se,
        tau2=tau2,
        i2=i2,
        q=q,
        k=len(ys),
        method="random effects (DerSimonian-Laird) on the logit scale",
        confidence=confidence,
        corrected=corrected,
    )
