"""Comparative effects in the evidence table: per-study rows, pooled rows, settings, edge cases.

The BCG figures are metafor's for ``dat.bcg`` (see tests/test_meta.py for where each is
printed): REML RR 0.49 (0.34 to 0.70), tau^2 0.3132, I^2 92.22%, Q 152.2330, prediction
interval 0.13 to 1.78; DerSimonian-Laird tau^2 0.3088; Mantel-Haenszel log RR -0.4537.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import evidence.assess.meta as meta
from evidence.assess import PoolingSettings
from evidence.claims import load_claims
from evidence.comparative import BinaryArms, Measure, ReportedEffect
from evidence.model import Citation, Claim, Name, Reference, Stance
from evidence.pipeline import evidence_table
from evidence.table import build_table

ROOT = Path(__file__).resolve().parent.parent
BCG_CLAIMS = ROOT / "docs" / "examples" / "bcg.yaml"
BCG_BIB = ROOT / "docs" / "examples" / "bcg.bib"


def _bcg(**pooling: object) -> object:
    settings = PoolingSettings(**pooling) if pooling else None  # type: ignore[arg-type]
    return evidence_table(BCG_CLAIMS, BCG_BIB, offline=True, cache=False, pooling=settings)


def _ref(key: str) -> Reference:
    return Reference(key, "article", authors=(Name(key.title(), "A"),), year=2000)


def test_bcg_claims_file_reproduces_metafor_reml() -> None:
    table = _bcg()
    frame = table.comparative  # type: ignore[attr-defined]
    rows = frame[frame["claim_id"] == "bcg-lowers-tb"]
    studies, pooled = rows[rows["row"] == "study"], rows[rows["row"] == "pooled"]
    assert len(studies) == 13
    assert len(pooled) == 1
    first = studies.iloc[0]
    assert (first["t_events"], first["t_n"], first["c_events"], first["c_n"]) == (4, 123, 11, 139)
    assert first["t_label"] == "vaccinated"
    assert math.log(first["estimate"]) == pytest.approx(-0.8893, abs=5e-5)
    assert math.isclose(studies["weight"].sum(), 1.0)
    top = pooled.iloc[0]
    assert math.log(top["estimate"]) == pytest.approx(-0.7145, abs=5e-5)
    assert (round(top["low"], 2), round(top["high"], 2)) == (0.34, 0.70)
    assert top["tau2"] == pytest.approx(0.3132, abs=5e-5)
    assert top["i2"] == pytest.approx(0.9222, abs=5e-5)
    assert top["q"] == pytest.approx(152.2330, abs=5e-4)
    assert top["k"] == 13
    assert (round(top["pi_low"], 2), round(top["pi_high"], 2)) == (0.13, 1.78)
    assert top["measure"] == "RR"
    claims = table.claims  # type: ignore[attr-defined]
    assert claims.loc[0, "participants"] == 357347  # both arms of all 13 trials


def test_pooling_settings_choose_the_estimator() -> None:
    dl = _bcg(tau2_method="DL").comparative  # type: ignore[attr-defined]
    assert dl[dl["row"] == "pooled"].iloc[0]["tau2"] == pytest.approx(0.3088, abs=5e-5)
    mh = _bcg(mantel_haenszel=True).comparative  # type: ignore[attr-defined]
    top = mh[(mh["row"] == "pooled") & (mh["claim_id"] == "bcg-lowers-tb")].iloc[0]
    assert math.log(top["estimate"]) == pytest.approx(-0.4537, abs=5e-5)
    assert "Mantel" in top["method"]
    with pytest.raises(ValueError, match="tau"):
        PoolingSettings(tau2_method="ML-ish")


def test_single_study_has_its_row_and_no_pooled_row() -> None:
    frame = _bcg().comparative  # type: ignore[attr-defined]
    rows = frame[frame["claim_id"] == "bcg-madras-null"]
    assert list(rows["row"]) == ["study"]
    assert rows.iloc[0]["estimate"] == pytest.approx((505 / 88391) / (499 / 88391))
    assert rows.iloc[0]["weight"] is pd.NA


def test_zero_cells_are_corrected_and_double_zeros_listed() -> None:
    claim = Claim(
        "c",
        "Drug X prevents falls.",
        (
            Citation("a", Stance.SUPPORTS, outcome="falls", arms=BinaryArms(0, 50, 5, 50)),
            Citation("b", Stance.SUPPORTS, outcome="falls", arms=BinaryArms(0, 40, 0, 40)),
            Citation("c", Stance.SUPPORTS, outcome="falls", arms=BinaryArms(2, 60, 7, 60)),
        ),
    )
    table = build_table([claim], {k: _ref(k) for k in "abc"})
    rows = table.comparative
    a, b, c, pooled = (rows.iloc[i] for i in range(4))
    assert a["correction"] == 0.5
    assert a["estimate"] == pytest.approx((0.5 / 51) / (5.5 / 51))
    assert "neither arm" in b["excluded"]
    assert b["weight"] == 0.0
    assert pd.isna(b["estimate"])
    assert pooled["k"] == 2
    assert c["correction"] == 0.0


def test_groups_by_outcome_and_measure_and_skips_background() -> None:
    claim = Claim(
        "c",
        "A claim.",
        (
            Citation("a", Stance.SUPPORTS, outcome="death", arms=BinaryArms(3, 50, 9, 50)),
            Citation("b", Stance.CONTRADICTS, outcome="death", arms=BinaryArms(8, 50, 7, 50)),
            Citation(
                "c",
                Stance.SUPPORTS,
                outcome="death",
                effect=ReportedEffect(Measure.HR, 0.7, 0.5, 0.98),
            ),
            Citation("d", Stance.BACKGROUND, outcome="death", arms=BinaryArms(1, 9, 2, 9)),
            Citation("a", Stance.SUPPORTS, outcome="death", arms=BinaryArms(3, 50, 9, 50)),
        ),
    )
    table = build_table([claim], {k: _ref(k) for k in "abcd"})
    rows = table.comparative
    assert list(zip(rows["measure"], rows["row"], rows["key"], strict=True)) == [
        ("RR", "study", "a"),
        ("RR", "study", "b"),
        ("RR", "pooled", ""),
        ("HR", "study", "c"),
    ]
    assert [c.measure for c in table.comparisons["c"]] == [Measure.RR, Measure.HR]


def test_without_statsmodels_studies_are_shown_with_a_remark(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing() -> object:
        raise meta.StatsDependencyError("pooling two or more studies needs statsmodels")

    monkeypatch.setattr(meta, "_stats", missing)
    table = _bcg()
    rows = table.comparative  # type: ignore[attr-defined]
    assert "pooled" not in set(rows["row"])
    assert (rows["row"] == "study").sum() == 14
    remarks = [r for r in table.remarks if r.code == "pooling-unavailable"]  # type: ignore[attr-defined]
    assert len(remarks) == 1
    assert "statsmodels" in remarks[0].message
    assert remarks[0].location.line == 6  # the claim's line in bcg.yaml


def test_single_arm_claims_have_no_comparative_rows() -> None:
    claims = load_claims(ROOT / "docs" / "examples" / "sacroiliac.yaml")
    table = build_table(claims, {})
    assert table.comparative.empty
    assert table.comparisons == {}


def test_every_format_shows_the_comparative_part() -> None:
    import csv
    import io
    import json

    from evidence.render import table_parts

    table = _bcg()
    parts = table_parts(table, "reviewers", "unsrt")  # type: ignore[arg-type]
    effects = next(p for p in parts if p.id == "effects")
    assert effects.headers[5] == "Effect (95% CI)"
    pooled = effects.rows[13]  # type: ignore[union-attr]
    assert pooled[5].text == "RR 0.49 (0.34\N{EN DASH}0.70)"
    assert "prediction interval 0.13\N{EN DASH}1.78" in pooled[7].text
    assert effects.rows[0][3].text == "4/123"  # type: ignore[union-attr]
    assert effects.rows[0][2].studies[0].key == "aronson1948"  # type: ignore[union-attr]
    markdown = table.to_markdown()  # type: ignore[attr-defined]
    assert "| bcg-lowers-tb | tuberculosis | Pooled (random effects (REML τ²); k=13) |" in markdown
    assert "Comparative effects" in table.to_html()  # type: ignore[attr-defined]
    latex = table.to_latex()  # type: ignore[attr-defined]
    assert "& RR 0.49 (0.34\N{EN DASH}0.70) & 100.0\\% &" in latex
    document = json.loads(table.to_json())  # type: ignore[attr-defined]
    assert [r["row"] for r in document["comparative"]].count("pooled") == 1
    rows = list(csv.DictReader(io.StringIO(table.to_csv())))  # type: ignore[attr-defined]
    assert rows[0]["t_events"] == "4"
    assert float(rows[0]["pooled_effect"]) == pytest.approx(0.4894, abs=5e-5)
    assert rows[-1]["weight"] == ""  # the single-study claim: nothing pooled


def test_tables_without_effects_render_as_before() -> None:
    import json

    claims = load_claims(ROOT / "docs" / "examples" / "sacroiliac.yaml")
    table = build_table(claims, {})
    assert "comparative" not in json.loads(table.to_json())
    assert "t_events" not in table.to_csv().splitlines()[0]
    assert "Comparative effects" not in table.to_markdown()


def test_nothing_poolable_is_a_remark_with_the_rows_kept() -> None:
    claim = Claim(
        "c",
        "Drug X prevents a rare event.",
        (
            Citation("a", Stance.SUPPORTS, outcome="event", arms=BinaryArms(0, 30, 0, 30)),
            Citation("b", Stance.SUPPORTS, outcome="event", arms=BinaryArms(0, 40, 0, 41)),
        ),
        location=None,
    )
    table = build_table([claim], {k: _ref(k) for k in "ab"})
    assert list(table.comparative["row"]) == ["study", "study"]
    remarks = [r for r in table.remarks if r.code == "pooling-unavailable"]
    assert len(remarks) == 1
    assert "cannot be pooled" in remarks[0].message
    assert "'event'" in remarks[0].message
