"""A claim's comparative citations, grouped by outcome and measure, with each group pooled.

The evidence table calls :func:`compare_claim` for every claim. Citations carrying two-arm
numbers or a reported effect (see :mod:`evidence.comparative`) are grouped by their
``outcome`` and measure (a citation's ``measure``, else the reported effect's, else RR for
counts and MD for means); each study's effect comes from ``evidence.assess.effects``, and a
group of two or more studies is pooled by ``evidence.assess.meta`` as
:class:`PoolingSettings` say (REML random effects by default; DerSimonian-Laird or
Paule-Mandel, Hartung-Knapp, or Mantel-Haenszel when every study has counts).

Which citations count: those whose study is in the table and not excluded (retracted, say),
with a stance that reports a result (supports, contradicts, mixed). Background and
unreviewed citations are listed by the table but never pooled: a cited meta-analysis beside
its own trials would count them twice. A study cited twice in a group counts once.

When statsmodels is missing, or a group cannot be pooled (every study a double zero), the
:class:`Comparison` keeps its per-study effects and says why in ``note``; the table turns
that into a remark. Standard library only here; pooling needs the ``stats`` extra.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from typing import Any

from evidence.assess.certainty_effects import EffectThresholds
from evidence.assess.effects import EffectSize, effect_size
from evidence.assess.meta import (
    MetaAnalysis,
    Model,
    PoolingError,
    Prediction,
    StatsDependencyError,
    mantel_haenszel,
    normalise_tau2_method,
    pool,
)
from evidence.comparative import BinaryArms, ContinuousArms, Measure
from evidence.errors import Problem, Severity, SourceLocation
from evidence.model import Citation, Stance

__all__ = [
    "COMPARATIVE_COLUMNS",
    "COMPARATIVE_DTYPES",
    "Comparison",
    "PoolingSettings",
    "arms_total",
    "citation_measure",
    "compare_claim",
    "comparison_rows",
    "pooling_remark",
]

_COUNTED = (Stance.SUPPORTS, Stance.CONTRADICTS, Stance.MIXED)


@dataclass(frozen=True, slots=True)
class PoolingSettings:
    """How comparative effects are pooled in a table.

    ``tau2_method`` is ``"REML"`` (the default, as in metafor), ``"DL"`` or ``"PM"``;
    ``hartung_knapp`` widens the interval for few studies; ``mantel_haenszel`` pools
    groups in which every study has two-arm counts by Mantel-Haenszel (a fixed effect, no
    tau^2) instead; ``model="fixed"`` asks for inverse-variance fixed effect.
    ``thresholds`` are what the certainty rules call an appreciable effect and
    inconsistent studies (GRADE's defaults: RR 0.75 and 1.25, SMD 0.2, I² 50%).
    """

    tau2_method: str = "REML"
    hartung_knapp: bool = False
    mantel_haenszel: bool = False
    model: Model = "random"
    prediction: Prediction = "t"
    confidence: float = 0.95
    thresholds: EffectThresholds = field(default_factory=EffectThresholds)

    def __post_init__(self) -> None:
        # Fail where the settings are made, not deep inside a table build.
        normalise_tau2_method(self.tau2_method)
        if self.model not in ("fixed", "random"):
            raise ValueError(f"model must be 'fixed' or 'random', not {self.model!r}")
        if not 0.0 < self.confidence < 1.0:
            raise ValueError(f"confidence must be between 0 and 1, not {self.confidence!r}")


@dataclass(frozen=True, slots=True)
class Comparison:
    """One claim's studies of one outcome and measure, their effects, and the pooled one.

    ``citations`` and ``effects`` are in citation order; ``result`` is ``None`` for a single
    study or when pooling was not possible, and then ``note`` says why (empty for a
    single study, which needs no pooling).
    """

    claim_id: str
    outcome: str
    measure: Measure
    citations: tuple[Citation, ...]
    effects: tuple[EffectSize, ...]
    result: MetaAnalysis | None = None
    note: str = ""
    confidence: float = 0.95
    arm_labels: tuple[str, str] = field(default=("", ""))

    @property
    def keys(self) -> tuple[str, ...]:
        """The cited keys, in order."""
        return tuple(c.key for c in self.citations)

    def summary(self) -> MetaAnalysis | None:
        """The effect the certainty rules judge: the pooled one, or the only study's own
        (which needs no statsmodels); ``None`` when neither exists."""
        if self.result is not None:
            return self.result
        if len(self.effects) != 1 or not self.effects[0].usable:
            return None
        return pool(self.effects, confidence=self.confidence)


def citation_measure(citation: Citation) -> Measure | None:
    """The measure a citation's numbers give: its reported effect's, the one named beside its
    arms, else RR for counts and MD for means; ``None`` without comparative numbers."""
    if citation.effect is not None:
        return citation.effect.measure
    if isinstance(citation.arms, BinaryArms):
        return citation.measure or Measure.RR
    if isinstance(citation.arms, ContinuousArms):
        return citation.measure or Measure.MD
    return None


def arms_total(citation: Citation) -> int | None:
    """Participants in both arms of a comparative citation (``None`` without arms)."""
    arms = citation.arms
    return None if arms is None else arms.treatment_n + arms.control_n


def pooling_remark(comparison: Comparison, where: SourceLocation) -> Problem:
    """The table's warning that ``comparison`` was not pooled, and why (its ``note``)."""
    outcome = f" for {comparison.outcome!r}" if comparison.outcome else ""
    measure = comparison.measure.label.split(" (")[0]
    return Problem(
        where,
        f"claim '{comparison.claim_id}': the {measure}s{outcome} {comparison.note}",
        code="pooling-unavailable",
        severity=Severity.WARNING,
    )


def compare_claim(
    claim_id: str,
    citations: Sequence[Citation],
    counted: Container[str],
    settings: PoolingSettings | None = None,
) -> list[Comparison]:
    """The comparisons of one claim, largest group first (the claim's headline).

    ``counted`` holds the keys whose study may count (in the table, not excluded).
    """
    settings = settings or PoolingSettings()
    groups: dict[tuple[str, Measure], dict[str, Citation]] = {}
    for citation in citations:
        measure = citation_measure(citation)
        if measure is None or citation.key not in counted or citation.stance not in _COUNTED:
            continue
        group = groups.setdefault((citation.outcome, measure), {})
        group.setdefault(citation.key, citation)
    found = [
        _comparison(claim_id, outcome, measure, tuple(by_key.values()), settings)
        for (outcome, measure), by_key in groups.items()
    ]
    found.sort(key=lambda c: -len(c.citations))  # stable: ties keep citation order
    return found


def _comparison(
    claim_id: str,
    outcome: str,
    measure: Measure,
    citations: tuple[Citation, ...],
    settings: PoolingSettings,
) -> Comparison:
    effects = tuple(
        effect_size(c.effect if c.effect is not None else c.arms, measure)  # type: ignore[arg-type]
        for c in citations
    )
    labels = next((c.arm_labels for c in citations if any(c.arm_labels)), ("", ""))
    base: dict[str, Any] = {
        "claim_id": claim_id,
        "outcome": outcome,
        "measure": measure,
        "citations": citations,
        "effects": effects,
        "confidence": settings.confidence,
        "arm_labels": labels,
    }
    if len(citations) < 2:
        return Comparison(**base)
    arms = [c.arms for c in citations]
    try:
        if (
            settings.mantel_haenszel
            and measure.binary
            and all(
                isinstance(a, BinaryArms) and c.effect is None
                for a, c in zip(arms, citations, strict=True)
            )
        ):
            result = mantel_haenszel(
                [a for a in arms if isinstance(a, BinaryArms)],
                measure,
                confidence=settings.confidence,
            )
        else:
            result = pool(
                effects,
                model=settings.model,
                tau2_method=settings.tau2_method,
                hartung_knapp=settings.hartung_knapp,
                prediction=settings.prediction,
                confidence=settings.confidence,
            )
    except StatsDependencyError as exc:
        return Comparison(**base, note=f"{exc}; each study's effect is shown unpooled")
    except PoolingError as exc:
        return Comparison(**base, note=f"cannot be pooled: {exc}")
    return Comparison(**base, result=result)


COMPARATIVE_COLUMNS = (
    "claim_id",
    "outcome",
    "measure",
    "row",
    "key",
    "study",
    "stance",
    "t_label",
    "c_label",
    "t_events",
    "t_n",
    "c_events",
    "c_n",
    "t_mean",
    "t_sd",
    "c_mean",
    "c_sd",
    "source",
    "estimate",
    "low",
    "high",
    "weight",
    "correction",
    "excluded",
    "k",
    "method",
    "tau2",
    "i2",
    "q",
    "q_df",
    "q_p",
    "p_value",
    "pi_low",
    "pi_high",
    "note",
)
"""Columns of the table's ``comparative`` frame: ``row`` is ``"study"`` or ``"pooled"``."""

COMPARATIVE_DTYPES = {
    **dict.fromkeys(("t_events", "t_n", "c_events", "c_n", "k", "q_df"), "Int64"),
    **dict.fromkeys(
        ("t_mean", "t_sd", "c_mean", "c_sd", "estimate", "low", "high", "weight"), "Float64"
    ),
    **dict.fromkeys(("correction", "tau2", "i2", "q", "q_p", "p_value"), "Float64"),
    **dict.fromkeys(("pi_low", "pi_high"), "Float64"),
}
"""pandas dtypes of the ``comparative`` frame's number columns (nullable: a pooled row has
no arms, a study row no heterogeneity)."""


def _arm_cells(citation: Citation) -> dict[str, Any]:
    arms = citation.arms
    if isinstance(arms, BinaryArms):
        return {
            "t_events": arms.treatment_events,
            "t_n": arms.treatment_n,
            "c_events": arms.control_events,
            "c_n": arms.control_n,
        }
    if isinstance(arms, ContinuousArms):
        return {
            "t_mean": arms.treatment_mean,
            "t_sd": arms.treatment_sd,
            "t_n": arms.treatment_n,
            "c_mean": arms.control_mean,
            "c_sd": arms.control_sd,
            "c_n": arms.control_n,
        }
    return {}


def comparison_rows(comparison: Comparison, label: Callable[[str], str]) -> list[dict[str, Any]]:
    """The comparison as rows of ``COMPARATIVE_COLUMNS``: each study, then the pooled row.

    Estimates and intervals are on the natural scale (ratios as ratios); ``weight`` is each
    study's share of the pooled weight (0 to 1; 0 for a study left out), ``None`` when
    nothing was pooled.
    """
    result = comparison.result
    rows: list[dict[str, Any]] = []
    base = {
        "claim_id": comparison.claim_id,
        "outcome": comparison.outcome,
        "measure": comparison.measure.value,
    }
    for index, (citation, effect) in enumerate(
        zip(comparison.citations, comparison.effects, strict=True)
    ):
        interval = effect.interval(comparison.confidence)
        rows.append(
            {
                **base,
                "row": "study",
                "key": citation.key,
                "study": label(citation.key),
                "stance": Stance(citation.stance).value,
                "t_label": citation.arm_labels[0],
                "c_label": citation.arm_labels[1],
                **_arm_cells(citation),
                "source": "reported" if citation.effect is not None else "arms",
                "estimate": interval[0] if interval else None,
                "low": interval[1] if interval else None,
                "high": interval[2] if interval else None,
                "weight": result.weights[index] if result is not None else None,
                "correction": effect.correction,
                "excluded": effect.excluded or "",
                "note": "",
            }
        )
    if result is not None:
        estimate, low, high = result.natural()
        prediction = result.natural_prediction()
        rows.append(
            {
                **base,
                "row": "pooled",
                "key": "",
                "study": "pooled",
                "estimate": estimate,
                "low": low,
                "high": high,
                "weight": 1.0,
                "k": result.k,
                "method": result.method,
                "tau2": result.tau2,
                "i2": result.i2,
                "q": result.q,
                "q_df": result.q_df,
                "q_p": result.q_p,
                "p_value": result.p_value,
                "pi_low": prediction[0] if prediction else None,
                "pi_high": prediction[1] if prediction else None,
                "note": "; ".join(result.notes),
            }
        )
    return rows
