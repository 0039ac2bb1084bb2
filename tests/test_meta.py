"""Tests for evidence.assess.meta: pooling, heterogeneity and prediction on the BCG trials.

The 13 BCG vaccine trials are ../shared/reference/bcg_trials.csv, metafor's ``dat.bcg``.
metafor's documented figures, and where they are printed:

- metafor's README (its worked example): ``rma(yi, vi, data=dat, test="knha")`` on the log
  risk ratios gives REML tau^2 0.3132, tau 0.5597, I^2 92.22%, H^2 12.86, Q(df = 12) =
  152.2330, estimate -0.7145 with the Hartung-Knapp se 0.1808, t -3.9522 on 12 df, p 0.0019,
  CI -1.1084 to -0.3206, and ``predict(res, transf=exp, digits=2)`` pred 0.49, CI 0.33 to
  0.73, PI 0.14 to 1.76. The same fit without ``test="knha"`` (printed on the pages of
  packages that compare themselves with metafor, e.g. RoBMA's vignette) has se 0.1798,
  z -3.9744, CI -1.0669 to -0.3622.
- metafor's test suite compares ``rma()`` with Stata's metan on dat.bcg
  (tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r): fixed effect -0.4303
  (-0.5097, -0.3509), z -10.6247, Q 152.2330, exp 0.6503 (0.6007, 0.7040);
  DerSimonian-Laird -0.7141 (-1.0644, -0.3638), z -3.9952, tau^2 0.3088, I^2 92.1173%;
  the same for log odds ratios (FE -0.4361, Q 163.1649; DL -0.7474, tau^2 0.3663,
  I^2 92.6455%) and risk differences (FE -0.0009, Q 276.4737; DL -0.0071, I^2 95.6596%).
  test_misc_confint.r adds the DerSimonian-Laird H^2 12.6861.
- Its Mantel-Haenszel comparison (test_misc_metan_vs_rma.mh_with_dat.bcg.r): RR -0.4537
  (-0.5308, -0.3766), z -11.5338, Q 152.5676; OR -0.4734 (-0.5538, -0.3930), z -11.5444,
  Q 163.9426; RD -0.0033 (-0.0039, -0.0027), z -11.4708, Q 386.7759.
- Paule-Mandel: test_misc_rma_uni.r documents tau^2 0.3181 for the iterated
  DerSimonian-Laird and Sidik-Jonkman estimators, whose fixed point is the Paule-Mandel
  equation (generalised Q = k - 1), so PM must give 0.3181 too.

metafor documents the prediction interval of the REML fit only to two decimals (the README
line above); the 4-decimal checks of the other prediction intervals recompute metafor's
``predict.rma`` formula, ``pred +/- crit * sqrt(se^2 + tau^2)``, from its documented
4-decimal estimate, se and tau^2, so they hold to the rounding of those inputs (5e-4).

statsmodels' ``combine_effects`` and ``StratifiedTable`` compute several of the same
quantities independently of the code under test (the random-effects summary, the
Hartung-Knapp variance, I^2/H^2 of DerSimonian-Laird, Mantel-Haenszel OR and RR); those
agree to 1e-8.
"""

from __future__ import annotations

import csv
import math
import sys
from typing import Any

import numpy as np
import pytest
from conftest import shared_path
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.meta_analysis import combine_effects

from evidence.assess.effects import (
    BinaryArms,
    EffectSize,
    Measure,
    binary_arms,
    binary_effect,
    reported_effect,
    reported_effect_size,
)
from evidence.assess.meta import (
    MetaAnalysis,
    PoolingError,
    StatsDependencyError,
    _generalised_q,
    _reml_score,
    mantel_haenszel,
    normalise_tau2_method,
    pool,
)


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


def bcg(measure: str = "RR") -> list[EffectSize]:
    return [binary_effect(a, measure) for a in bcg_arms()]


def r4(x: float) -> float:
    return round(x, 4)


# --- metafor's documented figures, to 4 decimals -------------------------------------------


def test_bcg_fixed_effect_matches_metafor() -> None:
    fe = pool(bcg(), model="fixed")
    assert (r4(fe.estimate), r4(fe.low), r4(fe.high)) == (-0.4303, -0.5097, -0.3509)
    assert r4(fe.statistic) == -10.6247
    assert r4(fe.q) == 152.2330
    assert fe.q_df == 12
    assert tuple(map(r4, fe.natural())) == (0.6503, 0.6007, 0.7040)
    assert fe.prediction is None  # no between-study variance in a fixed-effect model
    assert fe.tau2 == 0.0


def test_bcg_dersimonian_laird_matches_metafor() -> None:
    dl = pool(bcg(), tau2_method="DL")
    assert (r4(dl.estimate), r4(dl.low), r4(dl.high)) == (-0.7141, -1.0644, -0.3638)
    assert r4(dl.statistic) == -3.9952
    assert r4(dl.tau2) == 0.3088
    assert r4(dl.i2_percent) == 92.1173
    assert r4(dl.h2) == 12.6861
    assert tuple(map(r4, dl.natural())) == (0.4896, 0.3449, 0.6950)
    assert dl.tau2_method == "DL"


def test_bcg_reml_matches_metafor() -> None:
    reml = pool(bcg())  # REML is the default, as in metafor
    assert reml.tau2_method == "REML"
    assert r4(reml.tau2) == 0.3132
    assert r4(reml.tau) == 0.5597
    assert round(reml.i2_percent, 2) == 92.22
    assert round(reml.h2, 2) == 12.86
    assert r4(reml.q) == 152.2330
    assert reml.q_df == 12
    assert reml.q_p is not None
    assert reml.q_p < 1e-4  # "p-val < .0001"
    assert (r4(reml.estimate), r4(reml.se)) == (-0.7145, 0.1798)
    assert r4(reml.statistic) == -3.9744
    assert (r4(reml.low), r4(reml.high)) == (-1.0669, -0.3622)
    assert reml.p_value < 1e-4


def test_bcg_reml_hartung_knapp_matches_metafor() -> None:
    hk = pool(bcg(), hartung_knapp=True, prediction="model")
    assert hk.hartung_knapp
    assert (r4(hk.estimate), r4(hk.se)) == (-0.7145, 0.1808)
    assert r4(hk.statistic) == -3.9522
    assert hk.df == 12
    assert r4(hk.p_value) == 0.0019
    assert (r4(hk.low), r4(hk.high)) == (-1.1084, -0.3206)
    # predict(res, transf=exp, digits=2): 0.49 (0.33, 0.73), prediction 0.14 to 1.76.
    assert tuple(round(x, 2) for x in hk.natural()) == (0.49, 0.33, 0.73)
    pi = hk.natural_prediction()
    assert pi is not None
    assert tuple(round(x, 2) for x in pi) == (0.14, 1.76)


def test_bcg_paule_mandel_matches_metafor() -> None:
    pm = pool(bcg(), tau2_method="Paule-Mandel")
    assert r4(pm.tau2) == 0.3181
    # The Paule-Mandel equation itself: the generalised Q equals k - 1 at the estimate.
    ws = [1 / ((e.variance or 0.0) + pm.tau2) for e in bcg()]
    ys = [e.estimate or 0.0 for e in bcg()]
    mu = sum(w * y for w, y in zip(ws, ys, strict=True)) / sum(ws)
    assert sum(w * (y - mu) ** 2 for w, y in zip(ws, ys, strict=True)) == pytest.approx(12, 1e-8)


def test_bcg_prediction_intervals_follow_metafor_predict() -> None:
    # metafor's documented REML figures (estimate, se, tau^2) put into predict.rma's formula.
    se_pi = math.sqrt(0.1798**2 + 0.3132)
    normal = pool(bcg(), prediction="model")
    assert normal.prediction is not None
    z = stats.norm.isf(0.025)
    assert normal.prediction[0] == pytest.approx(-0.7145 - z * se_pi, abs=5e-4)
    assert normal.prediction[1] == pytest.approx(-0.7145 + z * se_pi, abs=5e-4)
    riley = pool(bcg())  # t on k - 2 = 11 degrees of freedom, metafor's pi.type="Riley"
    assert riley.prediction is not None
    t11 = stats.t.isf(0.025, 11)
    assert riley.prediction[0] == pytest.approx(-0.7145 - t11 * se_pi, abs=5e-4)
    assert riley.prediction[1] == pytest.approx(-0.7145 + t11 * se_pi, abs=5e-4)
    # Exactly the formula, on the unrounded fit.
    exact = math.sqrt(riley.se**2 + riley.tau2)
    assert riley.prediction[1] - riley.estimate == pytest.approx(t11 * exact, rel=1e-12)
    assert riley.prediction[0] < normal.prediction[0] < riley.estimate


def test_bcg_odds_ratio_and_risk_difference_match_metafor() -> None:
    fe = pool(bcg("OR"), model="fixed")
    assert (r4(fe.estimate), r4(fe.low), r4(fe.high), r4(fe.q)) == (
        -0.4361,
        -0.5190,
        -0.3533,
        163.1649,
    )
    assert r4(fe.statistic) == -10.3190
    dl = pool(bcg("OR"), tau2_method="DL")
    assert (r4(dl.estimate), r4(dl.low), r4(dl.high)) == (-0.7474, -1.1242, -0.3706)
    assert (r4(dl.tau2), r4(dl.i2_percent), r4(dl.statistic)) == (0.3663, 92.6455, -3.8873)
    rd_fe = pool(bcg("RD"), model="fixed")
    assert (r4(rd_fe.estimate), r4(rd_fe.low), r4(rd_fe.high)) == (-0.0009, -0.0014, -0.0005)
    assert (r4(rd_fe.statistic), r4(rd_fe.q)) == (-4.0448, 276.4737)
    rd = pool(bcg("RD"), tau2_method="DL")
    assert (r4(rd.estimate), r4(rd.low), r4(rd.high)) == (-0.0071, -0.0101, -0.0040)
    assert (r4(rd.tau2), r4(rd.i2_percent), r4(rd.statistic)) == (0.0, 95.6596, -4.5128)


@pytest.mark.parametrize(
    ("measure", "figures"),
    [
        ("RR", (-0.4537, -0.5308, -0.3766, -11.5338, 152.5676)),
        ("OR", (-0.4734, -0.5538, -0.3930, -11.5444, 163.9426)),
        ("RD", (-0.0033, -0.0039, -0.0027, -11.4708, 386.7759)),
    ],
)
def test_bcg_mantel_haenszel_matches_metafor(
    measure: str, figures: tuple[float, float, float, float, float]
) -> None:
    mh = mantel_haenszel(bcg_arms(), measure)
    assert (r4(mh.estimate), r4(mh.low), r4(mh.high), r4(mh.statistic), r4(mh.q)) == figures
    assert mh.model == "fixed"
    assert "Mantel-Haenszel" in mh.method
    assert sum(mh.weights) == pytest.approx(1.0)


def test_bcg_mantel_haenszel_exponentiated_matches_metafor() -> None:
    assert tuple(map(r4, mantel_haenszel(bcg_arms(), "RR").natural())) == (0.6353, 0.5881, 0.6862)
    assert tuple(map(r4, mantel_haenszel(bcg_arms(), "OR").natural())) == (0.6229, 0.5748, 0.6750)


# --- statsmodels, to 1e-8 ---------------------------------------------------------------------


def sm_combine(effects: list[EffectSize], method: str) -> Any:
    y = np.array([e.estimate for e in effects], dtype=float)
    v = np.array([e.variance for e in effects], dtype=float)
    with np.errstate(all="ignore"):
        if method == "pm":
            return combine_effects(y, v, method_re="pm", atol=1e-12, maxiter=1000)
        return combine_effects(y, v, method_re="dl")


@pytest.mark.parametrize("measure", ["RR", "OR", "RD"])
@pytest.mark.parametrize("method", ["DL", "PM"])
def test_bcg_random_effects_match_statsmodels(measure: str, method: str) -> None:
    effects = bcg(measure)
    sm = sm_combine(effects, method.lower())
    ours = pool(effects, tau2_method=method)
    if sm.tau2 <= 0:  # statsmodels keeps a negative DL value; metafor and we truncate at 0
        assert ours.tau2 == 0.0
        assert ours.estimate == pytest.approx(sm.mean_effect_fe, abs=1e-10)
        return
    assert ours.tau2 == pytest.approx(sm.tau2, rel=1e-8)
    assert ours.estimate == pytest.approx(sm.mean_effect_re, rel=1e-8, abs=1e-12)
    assert ours.se == pytest.approx(sm.sd_eff_w_re, rel=1e-8)
    assert ours.q == pytest.approx(sm.q, rel=1e-8)
    ci = sm.conf_int(alpha=0.05, use_t=False)[1]
    assert (ours.low, ours.high) == pytest.approx(tuple(ci), rel=1e-8, abs=1e-12)
    assert ours.q_p == pytest.approx(sm.test_homogeneity().pvalue, rel=1e-8, abs=1e-300)
    hk = pool(effects, tau2_method=method, hartung_knapp=True)
    assert hk.se == pytest.approx(math.sqrt(sm.var_hksj_re), rel=1e-8)
    ci_hk = sm.conf_int(alpha=0.05, use_t=True)[3]
    assert (hk.low, hk.high) == pytest.approx(tuple(ci_hk), rel=1e-8, abs=1e-12)
    if method == "DL":  # statsmodels' I^2 and H^2 are Higgins-Thompson's, as metafor's for DL
        assert ours.i2 == pytest.approx(sm.i2, rel=1e-8)
        assert ours.h2 == pytest.approx(sm.h2, rel=1e-8)


def test_bcg_fixed_effect_matches_statsmodels() -> None:
    sm = sm_combine(bcg(), "dl")
    fe = pool(bcg(), model="fixed")
    assert fe.estimate == pytest.approx(sm.mean_effect_fe, rel=1e-8)
    assert fe.se == pytest.approx(sm.sd_eff_w_fe, rel=1e-8)
    assert fe.i2 == pytest.approx(sm.i2, rel=1e-8)
    fe_hk = pool(bcg(), model="fixed", hartung_knapp=True)
    assert (fe_hk.low, fe_hk.high) == pytest.approx(tuple(sm.conf_int(use_t=True)[2]), rel=1e-8)


def stratified(arms: list[BinaryArms]) -> StratifiedTable:
    return StratifiedTable(
        [np.array([[a, b], [c, d]], dtype=float) for a, b, c, d in (x.cells for x in arms)]
    )


def test_bcg_mantel_haenszel_matches_statsmodels() -> None:
    table = stratified(bcg_arms())
    odds = mantel_haenszel(bcg_arms(), "OR")
    assert odds.estimate == pytest.approx(table.logodds_pooled, rel=1e-10)
    assert odds.se == pytest.approx(table.logodds_pooled_se, rel=1e-10)
    risk = mantel_haenszel(bcg_arms(), "RR")
    assert math.exp(risk.estimate) == pytest.approx(table.riskratio_pooled, rel=1e-10)


def test_mantel_haenszel_with_zero_cells_matches_statsmodels() -> None:
    arms = [binary_arms(0, 20, 4, 21), binary_arms(3, 30, 9, 28), binary_arms(1, 15, 0, 16)]
    table = stratified(arms)
    odds = mantel_haenszel(arms, "OR")
    assert odds.estimate == pytest.approx(table.logodds_pooled, rel=1e-10)
    assert odds.se == pytest.approx(table.logodds_pooled_se, rel=1e-10)
    risk = mantel_haenszel(arms, "RR")
    assert math.exp(risk.estimate) == pytest.approx(table.riskratio_pooled, rel=1e-10)
    assert odds.excluded == ()


study = st.tuples(st.floats(-3, 3), st.floats(0.001, 2.0))


@settings(max_examples=150, deadline=None)
@given(st.lists(study, min_size=2, max_size=25))
def test_random_data_dersimonian_laird_matches_statsmodels(data: list[tuple[float, float]]) -> None:
    effects = [EffectSize(Measure.MD, y, v, "drawn") for y, v in data]
    sm = sm_combine(effects, "dl")
    ours = pool(effects, tau2_method="DL")
    assert ours.q == pytest.approx(sm.q, rel=1e-8, abs=1e-9)
    if sm.tau2 > 0:
        assert ours.tau2 == pytest.approx(sm.tau2, rel=1e-8)
        assert ours.estimate == pytest.approx(sm.mean_effect_re, rel=1e-8, abs=1e-12)
        assert ours.se == pytest.approx(sm.sd_eff_w_re, rel=1e-8)
    else:
        assert ours.tau2 == 0.0
        assert ours.estimate == pytest.approx(sm.mean_effect_fe, rel=1e-8, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(st.lists(study, min_size=2, max_size=25))
def test_random_data_paule_mandel_solves_its_equation(data: list[tuple[float, float]]) -> None:
    ys = [y for y, _ in data]
    vs = [v for _, v in data]
    pm = pool([EffectSize(Measure.MD, y, v, "drawn") for y, v in data], tau2_method="PM")
    generalised_q = _generalised_q(ys, vs, pm.tau2)
    if pm.tau2 == 0.0:
        assert generalised_q <= len(ys) - 1 + 1e-9
    else:
        assert generalised_q == pytest.approx(len(ys) - 1, rel=1e-8)


def test_statsmodels_paule_mandel_can_stop_at_zero_where_the_root_is_not() -> None:
    # Why Paule-Mandel is solved here: statsmodels' iteration overshoots on these two
    # studies and returns 0, though the generalised Q at 0 is far above k - 1 = 1.
    effects = [EffectSize(Measure.MD, 0.0, 1 / 32, "x"), EffectSize(Measure.MD, 2.0, 3 / 8, "x")]
    assert sm_combine(effects, "pm").tau2 == 0.0
    assert _generalised_q([0.0, 2.0], [1 / 32, 3 / 8], 0.0) > 9
    pm = pool(effects, tau2_method="PM")
    assert pm.tau2 == pytest.approx(1.796875, rel=1e-9)
    assert _generalised_q([0.0, 2.0], [1 / 32, 3 / 8], pm.tau2) == pytest.approx(1.0)


@settings(max_examples=150, deadline=None)
@given(st.lists(study, min_size=2, max_size=25))
def test_random_data_reml_solves_its_score_equation(data: list[tuple[float, float]]) -> None:
    ys = [y for y, _ in data]
    vs = [v for _, v in data]
    reml = pool([EffectSize(Measure.MD, y, v, "drawn") for y, v in data])
    score, information = _reml_score(ys, vs, reml.tau2)
    assert math.isfinite(reml.estimate)
    if reml.tau2 == 0.0:
        assert score <= 1e-9 * information  # the likelihood falls from tau^2 = 0 onwards
    else:
        assert abs(score) <= 1e-7 * information


# --- edge cases ------------------------------------------------------------------------------


def test_single_study_is_itself_without_nan() -> None:
    only = [binary_effect(binary_arms(4, 123, 11, 139), "RR")]
    result = pool(only, hartung_knapp=True)
    assert result.k == 1
    assert result.estimate == only[0].estimate
    assert result.se == pytest.approx(math.sqrt(only[0].variance or 0.0))
    assert (result.q, result.q_df, result.q_p) == (0.0, 0, None)
    assert (result.tau2, result.i2, result.h2) == (0.0, 0.0, 1.0)
    assert result.prediction is None
    assert result.weights == (1.0,)
    assert "nothing pooled" in result.method
    assert any("Hartung-Knapp needs two" in n for n in result.notes)
    values = [result.estimate, result.se, result.low, result.high, result.statistic]
    assert all(math.isfinite(x) for x in [*values, result.p_value])


def test_single_study_needs_no_statsmodels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "statsmodels.stats", None)
    result = pool([reported_effect_size(reported_effect("OR", 2.0, 1.2, 3.4))])
    assert result.natural()[0] == pytest.approx(2.0)
    with pytest.raises(StatsDependencyError, match=r"pip install 'evidence\[stats\]'"):
        pool(bcg())
    assert issubclass(StatsDependencyError, ImportError)


def test_two_studies_have_no_t_prediction_interval() -> None:
    two = bcg()[:2]
    result = pool(two)
    assert result.prediction is None
    assert any("at least 3 studies" in n for n in result.notes)
    assert pool(two, prediction="model").prediction is not None


def test_homogeneous_studies_truncate_tau2_at_zero() -> None:
    same = [EffectSize(Measure.MD, 1.0 + d, 0.04, "x") for d in (-0.01, 0.0, 0.01, 0.005)]
    fixed = pool(same, model="fixed")
    for method in ("DL", "REML", "PM"):
        result = pool(same, tau2_method=method)
        assert result.tau2 == 0.0
        assert result.i2 == 0.0
        assert result.h2 == 1.0
        assert result.estimate == pytest.approx(fixed.estimate)
        assert any("fixed-effect" in n for n in result.notes)
    assert fixed.i2 == 0.0


@pytest.mark.parametrize("model", ["fixed", "random"])
def test_hartung_knapp_with_identical_estimates_falls_back(model: str) -> None:
    same = [EffectSize(Measure.RD, -0.02, v, "x") for v in (0.001, 0.002, 0.0015)]
    result = pool(same, model=model, hartung_knapp=True)  # type: ignore[arg-type]
    assert not result.hartung_knapp
    assert result.df is None
    assert result.se > 0
    assert result.low < result.estimate < result.high
    assert any("Hartung-Knapp not applied" in n for n in result.notes)


def test_zero_cell_studies_pool_and_double_zeros_are_listed() -> None:
    arms = [
        binary_arms(0, 40, 5, 41),
        binary_arms(0, 30, 0, 31),
        binary_arms(2, 50, 8, 52),
        binary_arms(1, 25, 6, 24),
    ]
    for measure in ("RR", "OR"):
        result = pool([binary_effect(a, measure) for a in arms])
        assert result.k == 3
        assert [i for i, _ in result.excluded] == [1]
        assert "neither arm" in result.excluded[0][1]
        assert result.weights[1] == 0.0
        assert sum(result.weights) == pytest.approx(1.0)
        assert all(math.isfinite(x) for x in (result.estimate, result.se, result.tau2))
        mh = mantel_haenszel(arms, measure)
        assert [i for i, _ in mh.excluded] == [1]
        assert mh.k == 3
    rd = pool([binary_effect(a, "RD") for a in arms])
    assert rd.k == 4
    assert rd.excluded == ()
    assert mantel_haenszel(arms, "RD").k == 4


def test_all_double_zero_cannot_be_pooled_for_ratios() -> None:
    arms = [binary_arms(0, 10, 0, 12), binary_arms(0, 20, 0, 18)]
    with pytest.raises(PoolingError, match="no study has a usable estimate"):
        pool([binary_effect(a, "RR") for a in arms])
    with pytest.raises(PoolingError, match="no study has a usable estimate"):
        mantel_haenszel(arms, "OR")
    with pytest.raises(PoolingError, match="no events in any arm of any study"):
        mantel_haenszel(arms, "RD")
    # With events somewhere the double zeros stay in the risk difference.
    rd = mantel_haenszel([*arms, binary_arms(1, 10, 2, 10)], "RD")
    assert rd.k == 3
    assert math.isfinite(rd.se)


def test_mantel_haenszel_ratio_without_events_in_one_arm_says_so() -> None:
    arms = [binary_arms(0, 10, 3, 12), binary_arms(0, 20, 5, 18)]
    with pytest.raises(PoolingError, match="no events in the treatment arm"):
        mantel_haenszel(arms, "RR")


def test_single_study_mantel_haenszel() -> None:
    one = mantel_haenszel([binary_arms(4, 123, 11, 139)], "RR")
    assert one.estimate == pytest.approx(math.log((4 / 123) / (11 / 139)))
    assert (one.q, one.q_p, one.i2, one.h2) == (0.0, None, 0.0, 1.0)


def test_mixed_measures_and_empty_input_are_refused() -> None:
    mixed = [bcg("RR")[0], bcg("OR")[1]]
    with pytest.raises(PoolingError, match=r"different measures together \(OR, RR\)"):
        pool(mixed)
    with pytest.raises(PoolingError, match="no studies"):
        pool([])
    with pytest.raises(ValueError, match="unknown tau"):
        pool(bcg(), tau2_method="ML")
    with pytest.raises(ValueError, match="'fixed' or 'random'"):
        pool(bcg(), model="mixed")  # type: ignore[arg-type]


def test_other_confidence_levels() -> None:
    ninety = pool(bcg(), confidence=0.90)
    ninety_five = pool(bcg())
    assert ninety.estimate == ninety_five.estimate
    assert ninety.high - ninety.low == pytest.approx(
        (ninety_five.high - ninety_five.low) * stats.norm.isf(0.05) / stats.norm.isf(0.025)
    )
    assert "90% CI" in str(ninety)


def test_tau2_method_spellings() -> None:
    assert normalise_tau2_method("DerSimonian\u2013Laird") == "DL"
    assert normalise_tau2_method("paule-mandel") == "PM"
    assert normalise_tau2_method("Restricted maximum likelihood") == "REML"


def test_summary_text_reads_as_a_ratio() -> None:
    text = str(pool(bcg()))
    assert text.startswith("RR 0.49 (95% CI 0.34 to 0.70); random effects (REML")
    assert "k=13" in text
    assert "I\u00b2=92%" in text
    assert "prediction interval 0.13 to 1.78" in text
    assert isinstance(pool(bcg()), MetaAnalysis)
