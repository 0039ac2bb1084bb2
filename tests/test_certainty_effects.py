"""Certainty of comparative effects: imprecision against no effect and GRADE's thresholds,
inconsistency from I² and the prediction interval, with the numbers in the reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.assess import EffectThresholds, MetaAnalysis, PoolingSettings, binary_effect, pool
from evidence.assess.certainty_effects import effect_imprecision, effect_inconsistency
from evidence.assess.effects import reported_effect_size
from evidence.comparative import BinaryArms, Measure, ReportedEffect
from evidence.pipeline import evidence_table

ROOT = Path(__file__).resolve().parent.parent
BCG = ROOT / "docs" / "examples" / "bcg.yaml"
BCG_BIB = ROOT / "docs" / "examples" / "bcg.bib"


def one(measure: Measure, estimate: float, low: float, high: float) -> MetaAnalysis:
    return pool([reported_effect_size(ReportedEffect(measure, estimate, low, high))])


def test_an_interval_including_no_effect_is_imprecise() -> None:
    madras = pool([binary_effect(BinaryArms(505, 88391, 499, 88391), "RR")])
    reason = effect_imprecision(madras, EffectThresholds())
    assert reason == (
        "the risk ratio 1.01 has a 95% CI from 0.89 to 1.14, which includes no effect (1)"
    )


@pytest.mark.parametrize(
    ("effect", "thresholds", "expected"),
    [
        ((Measure.RR, 0.6, 0.5, 0.72), EffectThresholds(), None),
        ((Measure.RR, 0.755, 0.6, 0.95), EffectThresholds(), "which crosses 0.75, the threshold"),
        ((Measure.RR, 0.755, 0.6, 0.95), EffectThresholds(ratio=(0.5, 2.0)), None),
        ((Measure.SMD, -0.4, -0.7, -0.1), EffectThresholds(), "crosses -0.2"),
        ((Measure.MD, -4.0, -7.0, -1.0), EffectThresholds(), None),
        ((Measure.MD, -4.0, -7.0, -1.0), EffectThresholds(md=5.0), "crosses -5"),
        (
            (Measure.OR, 1.407, 0.9, 2.2),
            EffectThresholds(),
            "includes no effect (1) and crosses 1.25",
        ),
    ],
)
def test_thresholds_decide_what_is_appreciable(
    effect: tuple[Measure, float, float, float],
    thresholds: EffectThresholds,
    expected: str | None,
) -> None:
    reason = effect_imprecision(one(*effect), thresholds)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None
        assert expected in reason


def test_bcg_inconsistency_names_i2_and_the_prediction_interval() -> None:
    table = evidence_table(BCG, BCG_BIB, offline=True, cache=False)
    result = table.comparisons["bcg-lowers-tb"][0].result
    assert result is not None
    found = effect_inconsistency(result, EffectThresholds())
    assert found[0] == "I² = 92% across the 13 pooled studies (> 50%)"
    assert found[1].startswith(
        "the 95% prediction interval (0.13 to 1.78) includes no effect (1) though the "
        "confidence interval (0.34 to 0.70) does not"
    )
    assert effect_imprecision(result, EffectThresholds()) is None
    claims = table.claims.set_index("id")
    assert claims.loc["bcg-lowers-tb", "certainty"] == "moderate"
    reasons = claims.loc["bcg-lowers-tb", "certainty_reasons"]
    assert any("I² = 92%" in r and "prediction interval" in r for r in reasons)
    assert not any("imprecision" in r for r in reasons)
    madras = claims.loc["bcg-madras-null", "certainty_reasons"]
    assert claims.loc["bcg-madras-null", "certainty"] == "moderate"
    assert any("down one for imprecision: the risk ratio 1.01" in r for r in madras)


def test_thresholds_come_from_the_pooling_settings() -> None:
    loose = PoolingSettings(thresholds=EffectThresholds(heterogeneity=0.95))
    table = evidence_table(BCG, BCG_BIB, offline=True, cache=False, pooling=loose)
    reasons = table.claims.set_index("id").loc["bcg-lowers-tb", "certainty_reasons"]
    assert not any("I² = 92%" in r for r in reasons)  # 92% is under the 95% asked for
    assert any("prediction interval" in r for r in reasons)


def test_thresholds_are_checked() -> None:
    with pytest.raises(ValueError, match="either side of 1"):
        EffectThresholds(ratio=(1.2, 1.5))
    with pytest.raises(ValueError, match="above 0"):
        EffectThresholds(smd=-0.2)
