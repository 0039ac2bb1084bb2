"""Forest plots of comparative effects: the BCG trials drawn on a log axis, read back from
the figure's artists and from the files written."""

from __future__ import annotations

import csv
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pytest
from conftest import shared_path
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from evidence.assess.effects import (
    EffectSize,
    binary_arms,
    binary_effect,
    continuous_arms,
    continuous_effect,
)
from evidence.assess.meta import MetaAnalysis, mantel_haenszel, pool
from evidence.errors import OutputError
from evidence.plot import (
    EffectPlotDependencyError,
    effect_figure_bytes,
    effect_forest_plot,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def bcg() -> tuple[list[EffectSize], list[str]]:
    with shared_path("reference", "bcg_trials.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    effects = [
        binary_effect(
            binary_arms(
                int(r["tpos"]),
                int(r["tpos"]) + int(r["tneg"]),
                int(r["cpos"]),
                int(r["cpos"]) + int(r["cneg"]),
            ),
            "RR",
        )
        for r in rows
    ]
    return effects, [f"{r['author']} {r['year']}" for r in rows]


def bcg_plot(**options: object) -> tuple[Figure, MetaAnalysis]:
    effects, labels = bcg()
    result = pool(effects)
    figure = effect_forest_plot(
        effects,
        labels,
        result=result,
        arm_labels=("Vaccinated", "Control"),
        favours=("Favours vaccine", "Favours control"),
        **options,  # type: ignore[arg-type]
    )
    return figure, result


def plot_axes(figure: Figure) -> matplotlib.axes.Axes:
    (axes,) = [ax for ax in figure.axes if ax.axison]
    return axes


def by_gid(figure: Figure, gid: str) -> list[matplotlib.artist.Artist]:
    return [a for a in figure.findobj() if a.get_gid() == gid]


def texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(matplotlib.text.Text)]


def test_bcg_png_has_a_log_axis(tmp_path: Path) -> None:
    out = tmp_path / "bcg.png"
    figure, _ = bcg_plot(path=out, title="BCG vaccine and tuberculosis")
    assert out.read_bytes().startswith(PNG_SIGNATURE)
    axes = plot_axes(figure)
    assert axes.get_xscale() == "log"
    low, high = axes.get_xlim()
    assert low < 0.1 < 1 < 5 < high  # every interval fits, from 0.078 to 6.53
    ticks = [t for t in axes.get_xticks() if low <= t <= high]
    assert 1.0 in ticks
    assert set(ticks) <= {0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0}  # the 1-2-5 series
    assert "log scale" in axes.get_xlabel()


def test_line_of_no_effect_diamond_and_prediction_interval_are_drawn() -> None:
    figure, result = bcg_plot()
    (no_effect,) = by_gid(figure, "no-effect")
    segments = no_effect.get_segments()  # type: ignore[attr-defined]
    assert {float(x) for seg in segments for x, _ in seg} == {1.0}
    (diamond,) = by_gid(figure, "pooled-diamond")
    assert isinstance(diamond, Polygon)
    xs = sorted({round(float(x), 10) for x, _ in diamond.get_xy()})
    assert xs == pytest.approx(sorted(result.natural()), rel=1e-9)
    (prediction,) = by_gid(figure, "prediction-interval")
    pi = result.natural_prediction()
    assert pi is not None
    bar_xs = [float(x) for x in prediction.get_xdata()]  # type: ignore[attr-defined]
    assert min(bar_xs) == pytest.approx(pi[0], rel=1e-9)
    assert max(bar_xs) == pytest.approx(pi[1], rel=1e-9)


def test_one_square_per_trial_sized_by_weight() -> None:
    figure, result = bcg_plot()
    sizes = []
    for i in range(1, 14):
        (marker,) = by_gid(figure, f"study-{i}-marker")
        sizes.append(marker.get_markersize())  # type: ignore[attr-defined]
    # Square areas follow the weights: size^2 ratio equals weight ratio (none at the floor).
    ratios = [(s / max(sizes)) ** 2 for s in sizes]
    assert ratios == pytest.approx([w / max(result.weights) for w in result.weights], rel=1e-9)


def test_labels_counts_weights_and_statistics_are_shown() -> None:
    figure, _ = bcg_plot()
    shown = texts(figure)
    assert "Aronson 1948" in shown
    assert "4/123" in shown
    assert "11/139" in shown
    assert "0.41 [0.13, 1.26]" in shown
    assert "1065/191064" in shown  # vaccinated totals on the pooled row
    assert "0.49 [0.34, 0.70]" in shown
    assert "[0.13, 1.78]" in shown
    assert "Total, random effects (REML)" in shown
    assert any(
        t.startswith("Heterogeneity: \u03c4\u00b2 = 0.31; Q = 152.23, df = 12") for t in shown
    )
    assert any("I\u00b2 = 92%" in t for t in shown)
    assert "Test for overall effect: z = \u22123.97 (p < 0.0001)" in shown
    assert "Favours vaccine" in shown
    assert "Vaccinated\nEvents/n" in shown


def test_no_text_runs_off_the_figure_or_into_the_next_column() -> None:
    figure, _ = bcg_plot(title="BCG vaccine and tuberculosis")
    canvas = FigureCanvasAgg(figure)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    box = figure.bbox
    for text in figure.findobj(matplotlib.text.Text):
        if not text.get_text() or text.get_gid() or not text.get_visible():
            continue
        extent = text.get_window_extent(renderer)
        if text.get_text().startswith("Favours"):
            continue  # under the axis, inside the saved (tight) image: checked in the PNG
        assert extent.x0 >= box.x0 - 0.5, text.get_text()
        assert extent.x1 <= box.x1 + 0.5, text.get_text()
    # On each trial's row the name ends before the vaccinated counts begin.
    names = {t.get_text(): t for t in figure.findobj(matplotlib.text.Text)}
    name = names["Comstock & Webster 1969"].get_window_extent(renderer)
    count = names["5/2498"].get_window_extent(renderer)
    assert name.x1 < count.x0


def test_svg_ids_are_unique_and_labels_stay_text(tmp_path: Path) -> None:
    out = tmp_path / "bcg.svg"
    bcg_plot(path=out)
    root = ET.fromstring(out.read_bytes())
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    for gid in ("pooled-diamond", "prediction-interval", "no-effect", "study-13-marker"):
        assert gid in ids
    assert "Aronson 1948" in out.read_text(encoding="utf-8")


def test_svg_is_reproducible(tmp_path: Path) -> None:
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    bcg_plot(path=first)
    bcg_plot(path=second)
    assert first.read_bytes() == second.read_bytes()


def test_double_zero_row_is_kept_and_marked_not_estimable() -> None:
    arms = [binary_arms(2, 40, 7, 41), binary_arms(0, 30, 0, 31), binary_arms(3, 50, 9, 52)]
    effects = [binary_effect(a, "OR") for a in arms]
    result = mantel_haenszel(arms, "OR")
    figure = effect_forest_plot(effects, ["A", "B", "C"], result=result)
    shown = texts(figure)
    assert "not estimable" in shown
    assert "0/30" in shown
    assert not by_gid(figure, "study-2-marker")
    assert by_gid(figure, "study-3-marker")
    assert "Total, fixed effect (Mantel-Haenszel)" in shown
    assert not by_gid(figure, "prediction-interval")  # fixed effect: none


def test_differences_use_a_linear_axis_with_the_line_at_zero() -> None:
    effects = [
        continuous_effect(continuous_arms(5.0, 2.0, 40, 6.5, 3.0, 50), "MD"),
        continuous_effect(continuous_arms(4.0, 2.5, 30, 4.8, 2.0, 28), "MD"),
        continuous_effect(continuous_arms(6.1, 1.5, 60, 6.0, 1.9, 61), "MD"),
    ]
    figure = effect_forest_plot(effects, ["A", "B", "C"], result=pool(effects))
    axes = plot_axes(figure)
    assert axes.get_xscale() == "linear"
    (no_effect,) = by_gid(figure, "no-effect")
    assert {float(x) for seg in no_effect.get_segments() for x, _ in seg} == {0.0}  # type: ignore[attr-defined]
    assert "40" in texts(figure)  # arm totals for means


def test_without_a_pooled_result() -> None:
    effects, labels = bcg()
    figure = effect_forest_plot(effects, labels)
    assert not by_gid(figure, "pooled-diamond")
    assert plot_axes(figure).get_xscale() == "log"


def test_bad_input_and_formats_are_refused(tmp_path: Path) -> None:
    effects, labels = bcg()
    with pytest.raises(ValueError, match="13 labels for 12 studies"):
        effect_forest_plot(effects[:12], labels)
    with pytest.raises(ValueError, match="same measure, same count"):
        effect_forest_plot(effects[:12], labels[:12], result=pool(effects))
    with pytest.raises(OutputError, match=r"\.png, \.svg, \.pdf") as caught:
        effect_forest_plot(effects, labels, path=tmp_path / "plot.gif")
    assert "plot.gif" in str(caught.value)
    with pytest.raises(ValueError, match="give path="):
        effect_forest_plot(effects, labels, fmt="png")
    with pytest.raises(OutputError, match="cannot write the forest plot"):
        effect_forest_plot(effects, labels, path=tmp_path / "missing" / "plot.png")
    assert effect_figure_bytes(effect_forest_plot(effects, labels), "pdf").startswith(b"%PDF")


def test_missing_matplotlib_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    effects, labels = bcg()
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(EffectPlotDependencyError, match=r"evidence\[plot\]"):
        effect_forest_plot(effects, labels)
