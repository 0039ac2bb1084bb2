"""Tests for evidence.assess.effects: per-study effect sizes, their variances and validation.

Reference figures, and where they come from:

- metafor's README (the package's own worked example, github.com/wviechtb/metafor) prints
  ``escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)`` for the 13 BCG
  trials: the log risk ratio ``yi`` and its variance ``vi`` of every trial to 4 decimals.
  They are copied into ``METAFOR_YI_VI`` below; the trials are the rows of
  ../shared/reference/bcg_trials.csv (metafor's ``dat.bcg``).
- statsmodels' ``effectsize_2proportions`` and ``effectsize_smd`` compute the same
  quantities with the same formulas (zero-cell correction and RevMan's Hedges' g), so they
  are checked to 1e-10 here, on the BCG trials and on hypothesis-drawn tables.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from conftest import shared_path
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.meta_analysis import effectsize_2proportions, effectsize_smd

from evidence.assess.effects import (
    BinaryArms,
    ContinuousArms,
    EffectDataError,
    Measure,
    ReportedEffect,
    binary_arms,
    binary_effect,
    continuous_arms,
    continuous_effect,
    effect_size,
    normalise_measure,
    reported_effect,
    reported_effect_size,
)
from evidence.errors import InputError, SourceLocation

# (yi, vi) per trial from metafor's README, in the order of dat.bcg.
METAFOR_YI_VI = [
    (-0.8893, 0.3256),
    (-1.5854, 0.1946),
    (-1.3481, 0.4154),
    (-1.4416, 0.0200),
    (-0.2175, 0.0512),
    (-0.7861, 0.0069),
    (-1.6209, 0.2230),
    (0.0120, 0.0040),
    (-0.4694, 0.0564),
    (-1.3713, 0.0730),
    (-0.3394, 0.0124),
    (0.4459, 0.5325),
    (-0.0173, 0.0714),
]
STATSMODELS_NAME = {Measure.RR: "risk-ratio", Measure.OR: "odds-ratio", Measure.RD: "diff"}


def bcg_arms() -> list[BinaryArms]:
    with shared_path("reference", "bcg_trials.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        binary_arms(
            int(r["tpos"]),
            int(r["tpos"]) + int(r["tneg"]),
            int(r["cpos"]),
            int(r["cpos"]) + int(r["cneg"]),
        )
        for r in rows
    ]


def test_bcg_log_risk_ratios_and_variances_match_metafor() -> None:
    arms = bcg_arms()
    assert len(arms) == len(METAFOR_YI_VI)
    for trial, (arm, (yi, vi)) in enumerate(zip(arms, METAFOR_YI_VI, strict=True), start=1):
        es = binary_effect(arm, Measure.RR)
        assert es.estimate is not None
        assert es.variance is not None
        assert round(es.estimate, 4) == yi, f"trial {trial}"
        assert round(es.variance, 4) == vi, f"trial {trial}"
        assert es.correction == 0.0  # no BCG trial has a zero cell


@pytest.mark.parametrize("measure", [Measure.RR, Measure.OR, Measure.RD])
def test_bcg_effects_match_statsmodels(measure: Measure) -> None:
    arms = bcg_arms()
    a = np.array([x.treatment_events for x in arms], dtype=float)
    n1 = np.array([x.treatment_n for x in arms], dtype=float)
    c = np.array([x.control_events for x in arms], dtype=float)
    n2 = np.array([x.control_n for x in arms], dtype=float)
    eff, var = effectsize_2proportions(a, n1, c, n2, statistic=STATSMODELS_NAME[measure])
    for i, arm in enumerate(arms):
        es = binary_effect(arm, measure)
        assert es.estimate == pytest.approx(eff[i], abs=1e-10, rel=1e-10)
        assert es.variance == pytest.approx(var[i], abs=1e-12, rel=1e-10)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 400).flatmap(
        lambda n1: st.integers(1, 400).flatmap(
            lambda n2: st.tuples(st.integers(0, n1), st.just(n1), st.integers(0, n2), st.just(n2))
        )
    ),
    st.sampled_from([Measure.RR, Measure.OR, Measure.RD]),
)
def test_effects_with_zero_cells_match_statsmodels(
    table: tuple[int, int, int, int], measure: Measure
) -> None:
    arms = BinaryArms(*table)
    es = binary_effect(arms, measure)
    if arms.double_zero and measure is not Measure.RD:
        assert not es.usable
        assert es.excluded
        assert "10.4.4.2" in es.excluded
        return
    a, n1, c, n2 = (np.array([float(x)]) for x in table)
    # statsmodels adds its zero_correction to the event counts of *every* table but to the
    # totals only of tables with a zero cell, so it is asked for the correction only where
    # one is due (where it then computes the usual corrected table).
    eff, var = effectsize_2proportions(
        a,
        n1,
        c,
        n2,
        statistic=STATSMODELS_NAME[measure],
        zero_correction=0.5 if arms.has_zero_cell else None,
    )
    assert es.estimate is not None
    assert es.variance is not None
    assert math.isfinite(es.estimate)
    assert es.variance > 0
    assert es.estimate == pytest.approx(float(eff[0]), abs=1e-10, rel=1e-10)
    assert es.variance == pytest.approx(float(var[0]), abs=1e-12, rel=1e-10)
    assert es.correction == (0.5 if arms.has_zero_cell else 0.0)


def test_single_zero_cell_gets_half_added_to_every_cell() -> None:
    # 0/20 vs 5/20: the corrected table is 0.5/21 vs 5.5/21.
    es = binary_effect(binary_arms(0, 20, 5, 20), "RR")
    assert es.correction == 0.5
    assert es.estimate == pytest.approx(math.log((0.5 / 21) / (5.5 / 21)))
    assert es.variance == pytest.approx(1 / 0.5 - 1 / 21 + 1 / 5.5 - 1 / 21)
    assert "0.5 added to every cell" in es.source
    odds = binary_effect(binary_arms(0, 20, 5, 20), "OR")
    assert odds.estimate == pytest.approx(math.log((0.5 * 15.5) / (20.5 * 5.5)))


@pytest.mark.parametrize("measure", ["RR", "OR"])
def test_double_zero_is_excluded_from_ratios_with_the_reason(measure: str) -> None:
    es = binary_effect(binary_arms(0, 50, 0, 48), measure)
    assert not es.usable
    assert es.estimate is None
    assert es.variance is None
    assert es.se is None
    assert es.interval() is None
    assert es.excluded is not None
    assert "neither arm" in es.excluded
    everybody = binary_effect(binary_arms(30, 30, 12, 12), measure)
    assert not everybody.usable


def test_double_zero_is_kept_for_risk_difference() -> None:
    es = binary_effect(binary_arms(0, 50, 0, 48), "RD")
    assert es.usable
    assert es.excluded is None
    assert es.estimate == pytest.approx(0.5 / 51 - 0.5 / 49)
    assert es.variance is not None
    assert es.variance > 0


def test_other_correction_amounts_are_honoured() -> None:
    es = binary_effect(binary_arms(0, 10, 3, 10), "OR", correction=0.25)
    assert es.correction == 0.25
    assert es.estimate == pytest.approx(math.log((0.25 * 7.25) / (10.25 * 3.25)))
    with pytest.raises(ValueError, match="above 0"):
        binary_effect(binary_arms(0, 10, 3, 10), "OR", correction=0.0)


def test_binary_effect_rejects_continuous_measures() -> None:
    with pytest.raises(ValueError, match="RR, OR or RD"):
        binary_effect(binary_arms(1, 10, 2, 10), "MD")


@pytest.mark.parametrize(
    ("arms", "sm_args"),
    [
        ((5.2, 1.1, 20, 4.1, 1.3, 22), (5.2, 1.1, 20, 4.1, 1.3, 22)),
        ((-3.0, 10.0, 150, 0.5, 12.0, 148), (-3.0, 10.0, 150, 0.5, 12.0, 148)),
        ((10.0, 0.0, 5, 8.0, 2.0, 6), (10.0, 0.0, 5, 8.0, 2.0, 6)),
    ],
)
def test_hedges_g_matches_statsmodels(
    arms: tuple[float, float, int, float, float, int], sm_args: tuple[float, ...]
) -> None:
    es = continuous_effect(continuous_arms(*arms), "Hedges' g")
    g, var = effectsize_smd(*(np.float64(x) for x in sm_args))
    assert es.measure is Measure.SMD
    assert es.estimate == pytest.approx(float(g), rel=1e-12, abs=1e-12)
    assert es.variance == pytest.approx(float(var), rel=1e-12)


def test_hedges_g_by_hand() -> None:
    # n = 10 + 10, means 12 vs 10, SDs 2 and 2: d = 1, J = 1 - 3/71, var by RevMan's formula.
    es = continuous_effect(continuous_arms(12, 2, 10, 10, 2, 10), "SMD")
    j = 1 - 3 / (4 * 20 - 9)
    assert es.estimate == pytest.approx(j)
    assert es.variance == pytest.approx(20 / 100 + j * j / (2 * (20 - 3.94)))


def test_mean_difference_and_variance() -> None:
    es = continuous_effect(continuous_arms(5.0, 2.0, 40, 6.5, 3.0, 50), "mean difference")
    assert es.measure is Measure.MD
    assert es.estimate == pytest.approx(-1.5)
    assert es.variance == pytest.approx(4 / 40 + 9 / 50)
    estimate, low, high = es.interval() or (0.0, 0.0, 0.0)
    assert low < estimate < high
    assert estimate == pytest.approx(-1.5)


def test_reported_ratio_uses_log_scale_and_interval_width() -> None:
    es = reported_effect_size(reported_effect("RR", 0.49, 0.34, 0.70))
    assert es.estimate == pytest.approx(math.log(0.49))
    assert es.se == pytest.approx((math.log(0.70) - math.log(0.34)) / (2 * 1.959964), rel=1e-6)
    natural = es.interval()
    assert natural is not None
    # The interval comes back on the natural scale, symmetric in logs around the estimate.
    assert natural[0] == pytest.approx(0.49)
    assert natural[1] * natural[2] == pytest.approx(0.49**2, rel=1e-12)


@pytest.mark.parametrize("measure", ["RD", "MD", "SMD"])
def test_reported_difference_stays_on_natural_scale(measure: str) -> None:
    es = reported_effect_size(reported_effect(measure, -1.2, -2.0, -0.4))
    assert es.estimate == pytest.approx(-1.2)
    assert es.se == pytest.approx(1.6 / (2 * 1.959963984540054))


def test_reported_effect_at_other_levels() -> None:
    ninety = reported_effect("HR", 0.8, 0.7, 0.9, confidence=90)
    assert ninety.confidence == pytest.approx(0.90)
    es = reported_effect_size(ninety)
    assert es.se == pytest.approx((math.log(0.9) - math.log(0.7)) / (2 * 1.6448536269514722))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("RR", 0.0, 0.5, 1.2), "cannot be 0 or below"),
        (("odds ratio", -1.0, -2.0, 0.5), "cannot be 0 or below"),
        (("RR", 1.5, 0.5, 1.2), "does not contain the estimate"),
        (("MD", 1.0, 2.0, 0.5), "lower bound (2) is above the upper bound"),
        (("MD", 1.0, 1.0, 1.0), "no width"),
        (("relative odds thing", 1.0, 0.5, 2.0), "unknown effect measure"),
        (("RR", "0.5", 0.4, 0.6), "must be a number"),
        (("RR", float("nan"), 0.4, 0.6), "finite"),
    ],
)
def test_reported_effect_problems_are_located(args: tuple[object, ...], message: str) -> None:
    where = SourceLocation("claims.yaml", 12)
    with pytest.raises(EffectDataError) as caught:
        reported_effect(*args, location=where, label="katz2003")
    error = caught.value
    assert isinstance(error, InputError)
    assert any(message in p.message for p in error.problems), [str(p) for p in error.problems]
    assert all(p.location == where for p in error.problems)
    assert all(p.message.startswith("katz2003: ") for p in error.problems)
    assert "claims.yaml:12" in str(error)


def test_reported_effect_collects_every_problem_at_once() -> None:
    with pytest.raises(EffectDataError) as caught:
        reported_effect("RR", -0.5, -1.0, 0.0, confidence=150)
    codes = [p.code for p in caught.value.problems]
    assert codes.count("effect-ratio-not-positive") == 3
    assert "effect-bad-confidence" in codes


def test_binary_arm_problems_are_all_reported() -> None:
    where = SourceLocation("claims.csv", 4)
    with pytest.raises(EffectDataError) as caught:
        binary_arms(-1, 10, 12, 11, location=where)
    messages = [p.message for p in caught.value.problems]
    assert any("treatment events cannot be negative (-1)" in m for m in messages)
    assert any("control events (12) are more than the control total (11)" in m for m in messages)
    assert len(messages) == 2
    with pytest.raises(EffectDataError, match="empty"):
        binary_arms(0, 0, 1, 5)
    with pytest.raises(EffectDataError) as caught:
        binary_arms(1.5, 10, True, 10)
    assert [p.code for p in caught.value.problems] == ["effect-not-integer"] * 2


def test_binary_arms_accept_numpy_integers() -> None:
    arms = binary_arms(np.int64(3), np.int32(30), 4, 31)
    assert arms == BinaryArms(3, 30, 4, 31)
    assert type(arms.treatment_n) is int


def test_continuous_arm_problems_are_all_reported() -> None:
    with pytest.raises(EffectDataError) as caught:
        continuous_arms("high", -1.0, 1, 2.0, 1.0, 10)
    codes = sorted(p.code for p in caught.value.problems)
    assert codes == ["effect-negative-sd", "effect-not-number", "effect-small-arm"]
    with pytest.raises(EffectDataError, match="both SDs are 0"):
        continuous_arms(1.0, 0.0, 10, 2.0, 0.0, 10)


@pytest.mark.parametrize(
    ("spelling", "measure"),
    [
        ("risk ratio", Measure.RR),
        ("Relative Risk", Measure.RR),
        ("RR", Measure.RR),
        ("rr", Measure.RR),
        ("Risk ratio (RR)", Measure.RR),
        ("odds-ratio", Measure.OR),
        ("OR", Measure.OR),
        ("Hazard ratio", Measure.HR),
        ("risk difference", Measure.RD),
        ("weighted mean difference", Measure.MD),
        ("Mean difference (MD)", Measure.MD),
        ("standardised mean difference", Measure.SMD),
        ("Standardized Mean Difference", Measure.SMD),
        ("Hedges g", Measure.SMD),
        ("Hedges' g", Measure.SMD),
        ("Hedges\u2019 g", Measure.SMD),
        (Measure.OR, Measure.OR),
    ],
)
def test_measure_spellings(spelling: str, measure: Measure) -> None:
    assert normalise_measure(spelling) is measure


def test_unknown_measure_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"absolute risk reduction.*RR \(risk ratio\)"):
        normalise_measure("absolute risk reduction")
    with pytest.raises(ValueError, match="must be text"):
        normalise_measure(3)  # type: ignore[arg-type]


def test_measure_properties() -> None:
    assert [m for m in Measure if m.is_ratio] == [Measure.RR, Measure.OR, Measure.HR]
    assert Measure.RR.null_value == 1.0
    assert Measure.MD.null_value == 0.0
    assert Measure.OR.to_natural(math.log(2.0)) == pytest.approx(2.0)
    assert Measure.RD.to_natural(-0.1) == -0.1


def test_effect_size_dispatches_on_the_kind_of_numbers() -> None:
    counts = effect_size(binary_arms(4, 123, 11, 139), "RR")
    assert counts.estimate == pytest.approx(math.log((4 / 123) / (11 / 139)))
    means = effect_size(continuous_arms(1, 1, 10, 0, 1, 10), "MD")
    assert means.estimate == pytest.approx(1.0)
    reported = effect_size(ReportedEffect(Measure.OR, 2.0, 1.0, 4.0))
    assert reported.estimate == pytest.approx(math.log(2.0))
    assert effect_size(ReportedEffect(Measure.OR, 2.0, 1.0, 4.0), "odds ratio") == reported
    with pytest.raises(ValueError, match=r"is OR \(odds ratio\), not RR \(risk ratio\)"):
        effect_size(ReportedEffect(Measure.OR, 2.0, 1.0, 4.0), "RR")
    with pytest.raises(ValueError, match="say which measure"):
        effect_size(binary_arms(1, 2, 1, 2))
    with pytest.raises(ValueError, match="MD or SMD"):
        effect_size(ContinuousArms(1, 1, 10, 0, 1, 10), "RR")
