"""Meta-analysis of comparative effects: fixed and random effects, heterogeneity, prediction.

:func:`pool` combines :class:`~evidence.assess.effects.EffectSize` records of one measure:

- **fixed effect** (inverse-variance weights ``1/v``), or
- **random effects** with the between-study variance tau^2 estimated by
  DerSimonian-Laird (``"DL"``), restricted maximum likelihood (``"REML"``, the default, as
  in metafor) or Paule-Mandel (``"PM"``); weights ``1/(v + tau^2)``;
- optionally the **Hartung-Knapp(-Sidik-Jonkman)** adjustment: the standard error scaled
  by the weighted residual variance and a t distribution with ``k - 1`` degrees of freedom
  (metafor's ``test="knha"``); otherwise Wald-type normal intervals.

:func:`mantel_haenszel` pools two-arm counts by the **Mantel-Haenszel** fixed-effect
method for RR, OR or RD, with the Greenland-Robins (RR), Robins-Breslow-Greenland (OR) and
Sato-Greenland-Robins (RD) variances -- the choices of RevMan and metafor's ``rma.mh``. It
needs no zero-cell correction; the heterogeneity statistics use the corrected per-study
effects, as metafor does.

Every result (:class:`MetaAnalysis`) carries Cochran's Q with its degrees of freedom and
p-value, tau^2, I^2 and H^2, relative weights, the studies left out (with the reason), and
for random effects the **prediction interval** for the effect in a new study,
``estimate +/- crit * sqrt(tau^2 + SE^2)``. ``prediction="t"`` (the default) takes ``crit``
from a t distribution with ``k - 2`` degrees of freedom (Higgins, Thompson & Spiegelhalter
2009; the Cochrane Handbook; metafor's ``predict(pi.type="Riley")``); ``"model"`` uses the
critical value of the confidence interval (normal, or t with ``k - 1`` df under
Hartung-Knapp), which is metafor's default ``predict()``.

I^2 and H^2 follow metafor: for random effects ``I^2 = tau^2 / (tau^2 + s^2)`` and
``H^2 = (tau^2 + s^2) / s^2`` with the "typical" within-study variance
``s^2 = (k-1) sum(w) / (sum(w)^2 - sum(w^2))``; for fixed effect (and with DerSimonian-Laird,
where the two agree) Higgins and Thompson's ``(Q - df) / Q`` truncated at 0 and ``Q / df``.
``i2`` is a fraction (``i2_percent`` for the usual percentage), as in
:class:`~evidence.assess.statistics.PooledEstimate`.

Edge cases give stated results, never NaN: one study is returned as itself (Q = 0 on 0 df,
tau^2 = 0, I^2 = 0, H^2 = 1, no prediction interval, a note saying nothing was pooled); a
prediction interval needs 3 studies for ``k - 2`` degrees of freedom, and is ``None`` with
a note otherwise; a tau^2 estimate below zero is truncated at zero; double-zero studies are
listed in ``excluded``; no usable study at all raises :class:`PoolingError`.

What comes from where
=====================

statsmodels (``statsmodels.stats.meta_analysis.combine_effects``) supplies the
fixed-effect estimate and its standard error, Cochran's Q, the DerSimonian-Laird tau^2
(truncated at 0 here; statsmodels keeps negative values) and the Hartung-Knapp variance of
the fixed-effect model; scipy, which statsmodels requires, supplies the t and chi-square
distributions and the bracketing root finder. Written here, because statsmodels lacks them
or gets them wrong: REML (Fisher scoring from the DerSimonian-Laird value, with a
bracketing fallback); Paule-Mandel solved by bracketing (statsmodels' iteration can
overshoot and then return 0, see :func:`_paule_mandel`); the random-effects summary for a
given tau^2 (one code path for all three estimators); the Hartung-Knapp random-effects
variance; I^2/H^2 in metafor's form; the prediction interval; Mantel-Haenszel; and the
single-study and zero-cell rules.

statsmodels is an **optional extra**, ``pip install 'evidence[stats]'``: it brings scipy
and patsy, which a library for citation tables should not force on everybody. Without it,
per-study effects (:mod:`evidence.assess.effects`, standard library only) still work and a
single study is still "pooled" (as itself); pooling two or more raises
:class:`StatsDependencyError` (an ``ImportError``) saying what to install, so a table can
show the per-study numbers with a remark instead of failing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, Literal

from evidence.assess.effects import BinaryArms, EffectSize, Measure, binary_effect
from evidence.errors import EvidenceError

__all__ = [
    "MetaAnalysis",
    "PoolingError",
    "StatsDependencyError",
    "mantel_haenszel",
    "normalise_tau2_method",
    "pool",
]

Model = Literal["fixed", "random"]
Prediction = Literal["t", "model"]

_TAU2_METHODS = {
    "dl": "DL",
    "dersimonian laird": "DL",
    "reml": "REML",
    "restricted maximum likelihood": "REML",
    "pm": "PM",
    "paule mandel": "PM",
}
_TAU2_NAMES = {
    "DL": "DerSimonian-Laird",
    "REML": "REML",
    "PM": "Paule-Mandel",
}


class StatsDependencyError(EvidenceError, ImportError):
    """statsmodels (and scipy), needed to pool two or more studies, is not installed."""


class PoolingError(EvidenceError, ValueError):
    """The effects cannot be pooled (nothing usable, mixed measures, an estimator failed)."""


def _stats() -> tuple[Any, Any, Any]:
    """numpy, scipy.stats and statsmodels' meta-analysis module, or a message on installing."""
    try:
        import numpy
        from scipy import stats
        from statsmodels.stats import meta_analysis
    except ImportError as exc:
        raise StatsDependencyError(
            "pooling two or more studies needs statsmodels: pip install 'evidence[stats]'"
        ) from exc
    return numpy, stats, meta_analysis


def normalise_tau2_method(name: str) -> str:
    """``"DL"``, ``"REML"`` or ``"PM"`` for a spelling of a tau^2 estimator.

    >>> normalise_tau2_method("DerSimonian-Laird"), normalise_tau2_method("reml")
    ('DL', 'REML')
    """
    folded = " ".join(str(name).casefold().replace("-", " ").replace("\u2013", " ").split())
    found = _TAU2_METHODS.get(folded)
    if found is None:
        raise ValueError(
            f"unknown tau^2 estimator {name!r}: use DL (DerSimonian-Laird), REML or PM "
            "(Paule-Mandel)"
        )
    return found


@dataclass(frozen=True, slots=True)
class MetaAnalysis:
    """A pooled effect with its heterogeneity statistics.

    ``estimate``, ``se``, ``low``/``high`` and ``prediction`` are on the analysis scale (log
    for ratios); :meth:`natural` gives them as people read them. ``statistic`` is z, or t
    on ``df`` degrees of freedom under Hartung-Knapp, with its two-sided ``p_value``.
    ``q_p`` is ``None`` when there is nothing to test (one study). ``weights`` has one
    relative weight (summing to 1) per input study, in order, 0 for studies left out;
    ``excluded`` pairs the index of each study left out with the reason.
    """

    measure: Measure
    model: Model
    method: str
    k: int
    estimate: float
    se: float
    low: float
    high: float
    statistic: float
    p_value: float
    df: int | None
    tau2: float
    tau2_method: str | None
    q: float
    q_df: int
    q_p: float | None
    i2: float
    h2: float
    prediction: tuple[float, float] | None
    weights: tuple[float, ...]
    effects: tuple[EffectSize, ...]
    confidence: float = 0.95
    hartung_knapp: bool = False
    excluded: tuple[tuple[int, str], ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def i2_percent(self) -> float:
        """I^2 as a percentage."""
        return 100.0 * self.i2

    @property
    def tau(self) -> float:
        """The between-study standard deviation on the analysis scale."""
        return math.sqrt(self.tau2)

    def natural(self) -> tuple[float, float, float]:
        """``(estimate, low, high)`` on the natural scale (ratios exponentiated)."""
        to = self.measure.to_natural
        return to(self.estimate), to(self.low), to(self.high)

    def natural_prediction(self) -> tuple[float, float] | None:
        """The prediction interval on the natural scale, or ``None``."""
        if self.prediction is None:
            return None
        to = self.measure.to_natural
        return to(self.prediction[0]), to(self.prediction[1])

    def __str__(self) -> str:
        est, low, high = self.natural()
        pct = f"{100 * self.confidence:g}%"
        text = (
            f"{self.measure} {est:.2f} ({pct} CI {low:.2f} to {high:.2f}); {self.method}; "
            f"k={self.k}, I\u00b2={self.i2_percent:.0f}%, \u03c4\u00b2={self.tau2:.3g}"
        )
        pi = self.natural_prediction()
        if pi is not None:
            text += f"; {pct} prediction interval {pi[0]:.2f} to {pi[1]:.2f}"
        return text


def _z(confidence: float) -> float:
    if not (isinstance(confidence, float | int) and 0.0 < confidence < 1.0):
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), not {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def _normal_p(statistic: float) -> float:
    return 2.0 * NormalDist().cdf(-abs(statistic))


def _split(effects: Sequence[EffectSize]) -> tuple[Measure, list[int], list[tuple[int, str]]]:
    """The common measure, indices of usable effects, and (index, reason) of the rest."""
    if len(effects) == 0:
        raise PoolingError("nothing to pool: no studies were given")
    measures = {e.measure for e in effects}
    if len(measures) > 1:
        names = ", ".join(sorted(m.value for m in measures))
        raise PoolingError(f"cannot pool different measures together ({names}): pool each apart")
    usable: list[int] = []
    excluded: list[tuple[int, str]] = []
    for index, effect in enumerate(effects):
        if effect.usable:
            if effect.variance is not None and not effect.variance > 0:
                excluded.append((index, "its variance is 0, so it cannot be weighted"))
            else:
                usable.append(index)
        else:
            excluded.append((index, effect.excluded or "no estimate"))
    if not usable:
        reasons = "; ".join(reason for _, reason in excluded)
        raise PoolingError(f"nothing to pool: no study has a usable estimate ({reasons})")
    return measures.pop(), usable, excluded


def _weights_for(count: int, usable: Sequence[int], weights: Sequence[float]) -> tuple[float, ...]:
    total = math.fsum(weights)
    full = [0.0] * count
    for index, weight in zip(usable, weights, strict=True):
        full[index] = weight / total
    return tuple(full)


def _single(
    effects: Sequence[EffectSize],
    measure: Measure,
    index: int,
    excluded: list[tuple[int, str]],
    model: Model,
    confidence: float,
    notes: list[str],
) -> MetaAnalysis:
    effect = effects[index]
    y, v = effect.estimate or 0.0, effect.variance or 0.0
    se = math.sqrt(v)
    half = _z(confidence) * se
    return MetaAnalysis(
        measure=measure,
        model=model,
        method="one study: its own estimate, nothing pooled",
        k=1,
        estimate=y,
        se=se,
        low=y - half,
        high=y + half,
        statistic=y / se,
        p_value=_normal_p(y / se),
        df=None,
        tau2=0.0,
        tau2_method=None,
        q=0.0,
        q_df=0,
        q_p=None,
        i2=0.0,
        h2=1.0,
        prediction=None,
        weights=_weights_for(len(effects), [index], [1.0]),
        effects=tuple(effects),
        confidence=confidence,
        excluded=tuple(excluded),
        notes=(
            *notes,
            "one study: heterogeneity cannot be assessed and no prediction interval is given",
        ),
    )


def _random_summary(ys: list[float], vs: list[float], tau2: float) -> tuple[float, float, float]:
    """Estimate, its standard error and the Hartung-Knapp variance for a given tau^2."""
    ws = [1.0 / (v + tau2) for v in vs]
    total = math.fsum(ws)
    mu = math.fsum(w * y for w, y in zip(ws, ys, strict=True)) / total
    residual = math.fsum(w * (y - mu) ** 2 for w, y in zip(ws, ys, strict=True))
    return mu, math.sqrt(1.0 / total), residual / ((len(ys) - 1) * total)


def _generalised_q(ys: list[float], vs: list[float], tau2: float) -> float:
    ws = [1.0 / (v + tau2) for v in vs]
    mu = math.fsum(w * y for w, y in zip(ws, ys, strict=True)) / math.fsum(ws)
    return math.fsum(w * (y - mu) ** 2 for w, y in zip(ws, ys, strict=True))


def stats_optimize_brentq() -> Any:
    """scipy's bracketing root finder (scipy comes with statsmodels)."""
    from scipy.optimize import brentq

    return brentq


def _paule_mandel(ys: list[float], vs: list[float], brentq: Any) -> float:
    """The tau^2 at which the generalised Q equals k - 1 (0 when Q at tau^2 = 0 is below).

    The generalised Q falls steadily as tau^2 grows, so the root is bracketed and solved to
    1e-14. statsmodels' own Paule-Mandel iteration is not used: its update can overshoot
    the root and then stops at 0 (with two studies, y = 0 and 2 with variances 1/32 and
    3/8, it returns 0 where the root is 1.797).
    """
    target = len(ys) - 1
    if _generalised_q(ys, vs, 0.0) <= target:
        return 0.0
    high = 1.0
    while _generalised_q(ys, vs, high) > target:
        high *= 2.0
        if high > 1e15:
            raise PoolingError("the Paule-Mandel estimate of tau^2 did not converge; try REML")
    return float(brentq(lambda t: _generalised_q(ys, vs, t) - target, 0.0, high, xtol=1e-14))


def _reml_score(ys: list[float], vs: list[float], tau2: float) -> tuple[float, float]:
    """The REML score for tau^2 (up to a factor 1/2) and its Fisher information (same factor).

    With ``P = W - W 1 1'W / sum(w)``: score ``y'PPy - tr(P)``, information ``tr(PP)``.
    """
    ws = [1.0 / (v + tau2) for v in vs]
    total = math.fsum(ws)
    mu = math.fsum(w * y for w, y in zip(ws, ys, strict=True)) / total
    py = [w * (y - mu) for w, y in zip(ws, ys, strict=True)]
    s2 = math.fsum(w * w for w in ws)
    s3 = math.fsum(w**3 for w in ws)
    trace_p = total - s2 / total
    trace_pp = s2 - 2.0 * s3 / total + (s2 / total) ** 2
    return math.fsum(p * p for p in py) - trace_p, trace_pp


def _reml(ys: list[float], vs: list[float], start: float, brentq: Any) -> float:
    """REML tau^2: Fisher scoring from ``start``, truncated at 0; brentq if it does not settle."""
    tau2 = max(0.0, start)
    for _ in range(200):
        score, information = _reml_score(ys, vs, tau2)
        step = score / information
        new = max(0.0, tau2 + step)
        if abs(new - tau2) <= 1e-12 * max(1.0, tau2):
            return new
        tau2 = new
    # Fisher scoring almost always settles in a handful of steps; if it oscillates, solve
    # the score equation on a bracket instead (the root of the score is the REML estimate).
    if _reml_score(ys, vs, 0.0)[0] <= 0.0:
        return 0.0
    high = max(1.0, start)
    while _reml_score(ys, vs, high)[0] > 0.0:
        high *= 2.0
        if high > 1e12:
            raise PoolingError("the REML estimate of tau^2 did not converge; try DL or PM")
    return float(brentq(lambda t: _reml_score(ys, vs, t)[0], 0.0, high, xtol=1e-14))


def _i2_h2(model: Model, q: float, df: int, tau2: float, vs: list[float]) -> tuple[float, float]:
    if model == "fixed":
        return (max(0.0, (q - df) / q) if q > 0 else 0.0), q / df
    # metafor's "typical" within-study variance, from the fixed-effect weights 1/v.
    ws = [1.0 / v for v in vs]
    total = math.fsum(ws)
    typical = df * total / (total * total - math.fsum(w * w for w in ws))
    return tau2 / (tau2 + typical), (tau2 + typical) / typical


def pool(
    effects: Sequence[EffectSize],
    *,
    model: Model = "random",
    tau2_method: str = "REML",
    hartung_knapp: bool = False,
    prediction: Prediction = "t",
    confidence: float = 0.95,
) -> MetaAnalysis:
    """Pool effect sizes of one measure by inverse-variance weighting.

    See the module docstring for the methods. ``tau2_method`` is ignored by the
    fixed-effect model. Studies without an estimate (double zeros for a ratio) are left out
    and listed; mixing measures or having nothing usable raises :class:`PoolingError`;
    pooling two or more studies without statsmodels raises :class:`StatsDependencyError`.
    """
    z = _z(confidence)
    if model not in ("fixed", "random"):
        raise ValueError(f"model must be 'fixed' or 'random', not {model!r}")
    if prediction not in ("t", "model"):
        raise ValueError(f"prediction must be 't' or 'model', not {prediction!r}")
    method_name = normalise_tau2_method(tau2_method) if model == "random" else None
    measure, usable, excluded = _split(effects)
    notes: list[str] = []
    if len(usable) == 1:
        if hartung_knapp:
            notes.append("Hartung-Knapp needs two or more studies: not applied")
        return _single(effects, measure, usable[0], excluded, model, confidence, notes)

    np, stats, meta_analysis = _stats()
    ys = [float(effects[i].estimate or 0.0) for i in usable]
    vs = [float(effects[i].variance or 0.0) for i in usable]
    k = len(ys)
    df = k - 1
    y_arr, v_arr = np.asarray(ys, dtype=float), np.asarray(vs, dtype=float)
    with np.errstate(all="ignore"):
        # statsmodels keeps negative DerSimonian-Laird values (and then divides by weights
        # that may be negative) and computes its I^2 as 1 - 1/H^2 even when Q is 0; only
        # its fixed-effect parts, Q and the raw DL value are used, so those warnings are
        # noise for our callers.
        combined = meta_analysis.combine_effects(y_arr, v_arr, method_re="dl")
    q = float(combined.q)

    if model == "fixed":
        tau2 = 0.0
        estimate = float(combined.mean_effect_fe)
        se = float(combined.sd_eff_w_fe)
        hk_variance = float(combined.var_hksj_fe)
        ws = [1.0 / v for v in vs]
        method = "fixed effect (inverse variance)"
    else:
        if method_name == "DL":
            tau2 = max(0.0, float(combined.tau2))
        elif method_name == "PM":
            tau2 = _paule_mandel(ys, vs, stats_optimize_brentq())
        else:
            # REML starts from the DerSimonian-Laird value combine_effects computed.
            tau2 = _reml(ys, vs, max(0.0, float(combined.tau2)), stats_optimize_brentq())
        estimate, se, hk_variance = _random_summary(ys, vs, tau2)
        ws = [1.0 / (v + tau2) for v in vs]
        method = f"random effects ({_TAU2_NAMES[method_name or 'REML']} \u03c4\u00b2)"

    if hartung_knapp and (max(ys) == min(ys) or not hk_variance > 0):
        # Every study has exactly the pooled estimate: the Hartung-Knapp scale is 0 and
        # would give an interval of no width; the unadjusted one is the honest answer.
        notes.append(
            "Hartung-Knapp not applied: the studies' estimates are identical, so its scale "
            "is 0; the unadjusted standard error is used"
        )
        hartung_knapp = False
    if hartung_knapp:
        se = math.sqrt(hk_variance)
        crit = float(stats.t.isf((1.0 - confidence) / 2.0, df))
        statistic = estimate / se
        p_value = float(2.0 * stats.t.sf(abs(statistic), df))
        method += ", Hartung-Knapp adjustment"
        test_df: int | None = df
    else:
        crit = z
        statistic = estimate / se
        p_value = _normal_p(statistic)
        test_df = None

    interval: tuple[float, float] | None = None
    if model == "random":
        pi_se = math.sqrt(tau2 + se * se)
        if prediction == "model":
            interval = (estimate - crit * pi_se, estimate + crit * pi_se)
        elif k >= 3:
            pi_crit = float(stats.t.isf((1.0 - confidence) / 2.0, k - 2))
            interval = (estimate - pi_crit * pi_se, estimate + pi_crit * pi_se)
        else:
            notes.append(
                "prediction interval not given: a t distribution on k - 2 degrees of "
                "freedom needs at least 3 studies"
            )
    if model == "random" and tau2 == 0.0:
        notes.append(
            "\u03c4\u00b2 estimated as 0: the random-effects result equals the fixed-effect one"
        )
    i2, h2 = _i2_h2(model, q, df, tau2, vs)
    return MetaAnalysis(
        measure=measure,
        model=model,
        method=method,
        k=k,
        estimate=estimate,
        se=se,
        low=estimate - crit * se,
        high=estimate + crit * se,
        statistic=statistic,
        p_value=p_value,
        df=test_df,
        tau2=tau2,
        tau2_method=method_name,
        q=q,
        q_df=df,
        q_p=float(stats.chi2.sf(q, df)),
        i2=i2,
        h2=h2,
        prediction=interval,
        weights=_weights_for(len(effects), usable, ws),
        effects=tuple(effects),
        confidence=confidence,
        hartung_knapp=hartung_knapp,
        excluded=tuple(excluded),
        notes=tuple(notes),
    )


def mantel_haenszel(
    arms: Sequence[BinaryArms], measure: Measure | str, *, confidence: float = 0.95
) -> MetaAnalysis:
    """Mantel-Haenszel fixed-effect pooling of two-arm counts (RR, OR or RD).

    Studies with no events in either arm (or events in everybody) are left out of RR and OR
    and listed; they stay in RD. If the events needed for a ratio are absent from every
    study (say, no events in any treatment arm), :class:`PoolingError` says a ratio cannot
    be estimated.
    """
    z = _z(confidence)
    effects = [binary_effect(a, measure) for a in arms]
    kind, usable, excluded = _split(effects)
    if not kind.binary:
        raise PoolingError(f"Mantel-Haenszel pools RR, OR or RD, not {kind}")
    used = [arms[i] for i in usable]
    if kind is Measure.RD:
        used, usable, excluded = list(arms), list(range(len(arms))), []
    weights: list[float] = []
    if kind is Measure.RR:
        r = s = var_sum = 0.0
        for a, b, c, d in (x.cells for x in used):
            n1, n2, n = a + b, c + d, a + b + c + d
            r += a * n2 / n
            s += c * n1 / n
            var_sum += (n1 * n2 * (a + c) / n - a * c) / n
            weights.append(c * n1 / n)
        _need_ratio_events(r, s, kind)
        estimate, se = math.log(r / s), math.sqrt(var_sum / (r * s))
    elif kind is Measure.OR:
        r = s = pr = ps_qr = qs = 0.0
        for a, b, c, d in (x.cells for x in used):
            n = a + b + c + d
            ri, si = a * d / n, b * c / n
            pi, qi = (a + d) / n, (b + c) / n
            r, s = r + ri, s + si
            pr, ps_qr, qs = pr + pi * ri, ps_qr + pi * si + qi * ri, qs + qi * si
            weights.append(si)
        _need_ratio_events(r, s, kind)
        estimate = math.log(r / s)
        se = math.sqrt(pr / (2 * r * r) + ps_qr / (2 * r * s) + qs / (2 * s * s))
    else:
        numerator = denominator = p_sum = q_sum = 0.0
        for a, b, c, d in (x.cells for x in used):
            n1, n2, n = a + b, c + d, a + b + c + d
            numerator += (a * n2 - c * n1) / n
            denominator += n1 * n2 / n
            p_sum += (n1 * n1 * c - n2 * n2 * a + n1 * n2 * (n2 - n1) / 2) / (n * n)
            q_sum += (a * (n2 - c) + c * (n1 - a)) / (2 * n)
            weights.append(n1 * n2 / n)
        estimate = numerator / denominator
        se = math.sqrt((estimate * p_sum + q_sum) / (denominator * denominator))

    # Heterogeneity: inverse-variance Q of the (corrected) study effects about the MH estimate.
    q_effects = [effects[i] for i in range(len(effects)) if effects[i].usable]
    k_q = len(q_effects)
    if k_q > 1:
        _, stats, _ = _stats()
        q = max(
            0.0,
            math.fsum(
                (e.estimate - estimate) ** 2 / e.variance
                for e in q_effects
                if e.estimate is not None and e.variance
            ),
        )
        q_p: float | None = float(stats.chi2.sf(q, k_q - 1))
        i2, h2 = (max(0.0, (q - (k_q - 1)) / q) if q > 0 else 0.0), q / (k_q - 1)
    else:
        q, q_p, i2, h2 = 0.0, None, 0.0, 1.0
    notes = [] if k_q > 1 else ["one study: heterogeneity cannot be assessed"]
    if se == 0.0:
        raise PoolingError(
            "no events in any arm of any study (or events in everybody): the Mantel-Haenszel "
            "risk difference is 0 with no variance, so there is no interval to give"
        )
    return MetaAnalysis(
        measure=kind,
        model="fixed",
        method="fixed effect (Mantel-Haenszel)",
        k=len(used),
        estimate=estimate,
        se=se,
        low=estimate - z * se,
        high=estimate + z * se,
        statistic=estimate / se,
        p_value=_normal_p(estimate / se),
        df=None,
        tau2=0.0,
        tau2_method=None,
        q=q,
        q_df=max(0, k_q - 1),
        q_p=q_p,
        i2=i2,
        h2=h2,
        prediction=None,
        weights=_weights_for(len(arms), usable, weights),
        effects=tuple(effects),
        confidence=confidence,
        excluded=tuple(excluded),
        notes=tuple(notes),
    )


def _need_ratio_events(r: float, s: float, measure: Measure) -> None:
    if r == 0.0 or s == 0.0:
        arm = "treatment" if r == 0.0 else "control"
        raise PoolingError(
            f"no events in the {arm} arm of any usable study (or no non-events, for the odds): "
            f"a Mantel-Haenszel {measure.label} cannot be estimated; pool the risk difference"
        )
