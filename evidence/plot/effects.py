"""Forest plots of comparative effects (an optional extra: ``pip install 'evidence[plot]'``).

:func:`effect_forest_plot` draws the plot reviewers know from RevMan and metafor: study
names on the left with each arm's numbers (``4/123`` events/total for counts, the totals
for means); in the middle one row per study, a square sized by its weight on its
confidence interval; on the right the estimate with its interval and the study's weight.
Under the studies come the pooled diamond, the prediction interval (a bar on its own row,
for random-effects results), a line of heterogeneity statistics and the test of the overall
effect. Ratios (RR, OR, HR) are drawn on a **log axis** with the line of no effect at 1,
differences on a linear axis with the line at 0. Studies left out of the pooled estimate (a
double zero for a ratio) keep their row, marked "not estimable", as RevMan does.

It follows the rules of ``evidence.plot.common``, which it shares with the proportion plots
(``evidence.plot.proportions``): matplotlib imported inside the functions, a bare figure
never registered with pyplot, settings only while drawing and saving, reproducible SVG with
its text kept as text, files written whole or not at all. Artists carry SVG ids
(``study-3-marker``, ``pooled-diamond``, ``prediction-interval``, ``no-effect``) so tests
and style sheets can find them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from evidence.assess import Comparison, EffectSize, MetaAnalysis
from evidence.comparative import BinaryArms, ContinuousArms, Measure
from evidence.plot.common import GAP as _GAP
from evidence.plot.common import LINE_COLOUR as _LINE_COLOUR
from evidence.plot.common import PLOT_WIDTH as _PLOT_WIDTH
from evidence.plot.common import POOLED_COLOUR as _POOLED_COLOUR
from evidence.plot.common import ROW_HEIGHT as _ROW_HEIGHT
from evidence.plot.common import STUDY_COLOUR as _STUDY_COLOUR
from evidence.plot.common import Cell as _Cell
from evidence.plot.common import PlotDependencyError, figure_bytes, three_columns, write_figure
from evidence.plot.common import format_for as _format_for
from evidence.plot.common import matplotlib_context as _matplotlib
from evidence.plot.common import text_props as _props
from evidence.plot.common import text_widths as _widths

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "EffectPlotDependencyError",
    "comparison_forest_plot",
    "effect_figure_bytes",
    "effect_forest_plot",
]

EffectPlotDependencyError = PlotDependencyError
"""The name this error had when effect plots were a module of their own."""

effect_figure_bytes = figure_bytes
"""The name ``figure_bytes`` had when effect plots were a module of their own."""

# Tick values for a log axis: the 1-2-5 series readers know from printed forest plots.
_LOG_TICKS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)


def _number(value: float) -> str:
    """Two decimals (as RevMan prints), or two significant figures below 0.01 (RD 0.0033)."""
    text = f"{value:.2f}" if value == 0 or abs(value) >= 0.01 else f"{value:.2g}"
    return text.replace("-", "\N{MINUS SIGN}")


def _interval_text(estimate: float, low: float, high: float) -> str:
    return f"{_number(estimate)} [{_number(low)}, {_number(high)}]"


def _p_text(p: float) -> str:
    return "p < 0.0001" if p < 1e-4 else f"p = {p:.2g}" if p < 0.001 else f"p = {p:.3f}"


def _arm_texts(effect: EffectSize) -> tuple[str, str]:
    data = effect.data
    if isinstance(data, BinaryArms):
        return (
            f"{data.treatment_events}/{data.treatment_n}",
            f"{data.control_events}/{data.control_n}",
        )
    if isinstance(data, ContinuousArms):
        return f"{data.treatment_n}", f"{data.control_n}"
    return "", ""


# A narrow axis (one precise study) would show only "1"; these fill it in.
_FINE_LOG_TICKS = (0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2)


def _log_ticks(low: float, high: float) -> list[float]:
    ticks = [t for t in _LOG_TICKS if low <= t <= high]
    if len(ticks) < 3:
        finer = [t for t in _FINE_LOG_TICKS if low <= t <= high]
        ticks = finer if len(finer) > len(ticks) else ticks
    if len(ticks) > 7:  # keep the labels apart: every other value, always keeping 1
        ticks = [t for i, t in enumerate(ticks) if i % 2 == ticks.index(1.0) % 2 or t == 1.0]
    return ticks or [1.0]


def _check(
    effects: Sequence[EffectSize], labels: Sequence[str], result: MetaAnalysis | None
) -> Measure:
    if not effects:
        raise ValueError("a forest plot needs at least one study")
    if len(labels) != len(effects):
        raise ValueError(f"{len(labels)} labels for {len(effects)} studies: give one each")
    measures = {e.measure for e in effects}
    if len(measures) != 1:
        raise ValueError("all studies in one forest plot must share a measure")
    measure = measures.pop()
    if result is not None and (
        result.measure is not measure or len(result.weights) != len(effects)
    ):
        raise ValueError(
            "the pooled result must come from these studies (same measure, same count)"
        )
    if not any(e.usable for e in effects):
        raise ValueError("no study has an estimate to draw")
    return measure


def _draw(
    effects: Sequence[EffectSize],
    labels: Sequence[str],
    result: MetaAnalysis | None,
    title: str,
    arm_labels: tuple[str, str],
    favours: tuple[str, str] | None,
) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.patches import Polygon
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    measure = effects[0].measure
    confidence = result.confidence if result is not None else 0.95
    n = len(effects)
    header_y = n + 1.4
    ys = [float(n - i) for i in range(n)]
    pooled_y = -0.4
    pi_y = pooled_y - 1.0
    text_y = (pi_y if result is not None and result.prediction else pooled_y) - 1.0
    bottom = (text_y - 1.3) if result is not None else 0.3
    top = header_y + 0.9
    rule_y = header_y - 0.75

    # --- text columns ---------------------------------------------------------------------
    weights = result.weights if result is not None else None
    names = [_Cell("Study", header_y, bold=True)]
    treat = [_Cell(f"{arm_labels[0]}\n{_arm_heading(effects)}", header_y, bold=True)]
    control = [_Cell(f"{arm_labels[1]}\n{_arm_heading(effects)}", header_y, bold=True)]
    estimates = [
        _Cell(
            f"{measure.label.split(' (')[0].capitalize()}\n{confidence:.0%} CI", header_y, bold=True
        )
    ]
    shares = [_Cell("Weight", header_y, bold=True)] if weights is not None else []
    for i, (effect, label, y) in enumerate(zip(effects, labels, ys, strict=True)):
        names.append(_Cell(label, y))
        t_text, c_text = _arm_texts(effect)
        treat.append(_Cell(t_text, y))
        control.append(_Cell(c_text, y))
        interval = effect.interval(confidence)
        estimates.append(_Cell(_interval_text(*interval) if interval else "not estimable", y))
        if weights is not None:
            shares.append(_Cell(f"{100 * weights[i]:.1f}%" if weights[i] > 0 else "", y))
    if result is not None:
        names.append(_Cell(_pooled_label(result), pooled_y, bold=True))
        arms = [e.data for e in effects if e.usable]
        if arms and all(isinstance(a, BinaryArms) for a in arms):
            binary = [a for a in arms if isinstance(a, BinaryArms)]
            treat.append(_Cell(_total(binary, treatment=True), pooled_y, bold=True))
            control.append(_Cell(_total(binary, treatment=False), pooled_y, bold=True))
        estimates.append(_Cell(_interval_text(*result.natural()), pooled_y, bold=True))
        shares.append(_Cell("100.0%", pooled_y, bold=True))
        natural_pi = result.natural_prediction()
        if natural_pi is not None:
            names.append(_Cell("Prediction interval", pi_y, small=True))
            estimates.append(
                _Cell(f"[{_number(natural_pi[0])}, {_number(natural_pi[1])}]", pi_y, small=True)
            )
        names.append(_Cell(_heterogeneity_text(result), text_y, small=True))
        names.append(_Cell(_overall_text(result), text_y - 0.7, small=True))
    name_w, treat_w, control_w, estimate_w, share_w = _widths(
        (names[:-2] if result is not None else names, treat, control, estimates, shares)
    )

    # --- figure: text | plot | text, sharing row positions --------------------------------
    left_w = name_w + _GAP + treat_w + _GAP + control_w + _GAP
    right_w = _GAP + estimate_w + (_GAP + share_w if shares else 0.0) + 0.05
    top_margin = 0.45 if title else 0.1
    bottom_margin = 0.75 if favours else 0.55
    height = _ROW_HEIGHT * (top - bottom) + top_margin + bottom_margin
    width = left_w + _PLOT_WIDTH + right_w
    figure = Figure(figsize=(width, height))
    left, plot, right = three_columns(
        figure, (left_w, right_w), (bottom, top), (top_margin, bottom_margin)
    )

    def put(ax: Any, x: float, cells: Sequence[_Cell], ha: str) -> None:
        for cell in cells:
            ax.text(x, cell.y, cell.text, ha=ha, **_props(cell))

    put(left, 0.0, names, "left")
    put(left, name_w + _GAP + treat_w, treat, "right")
    put(left, name_w + 2 * _GAP + treat_w + control_w, control, "right")
    put(right, _GAP, estimates, "left")
    put(right, right_w - 0.05, shares, "right")

    # --- the plot -------------------------------------------------------------------------
    sizes = _marker_sizes(effects, weights)
    lows: list[float] = [measure.null_value]
    highs: list[float] = [measure.null_value]
    for i, (effect, y, size) in enumerate(zip(effects, ys, sizes, strict=True), 1):
        interval = effect.interval(confidence)
        if interval is None:
            continue
        estimate, low, high = interval
        lows.append(low)
        highs.append(high)
        plot.plot(
            [low, high],
            [y, y],
            color=_STUDY_COLOUR,
            linewidth=1.2,
            solid_capstyle="butt",
            gid=f"study-{i}-interval",
        )
        plot.plot(
            [estimate],
            [y],
            marker="s",
            markersize=size,
            color=_STUDY_COLOUR,
            linestyle="none",
            clip_on=False,
            gid=f"study-{i}-marker",
        )
    if result is not None:
        estimate, low, high = result.natural()
        lows.append(low)
        highs.append(high)
        half = 0.32
        plot.add_patch(
            Polygon(
                [
                    (low, pooled_y),
                    (estimate, pooled_y + half),
                    (high, pooled_y),
                    (estimate, pooled_y - half),
                ],
                closed=True,
                facecolor=_POOLED_COLOUR,
                edgecolor=_POOLED_COLOUR,
                gid="pooled-diamond",
            )
        )
        plot.vlines(
            [estimate],
            pooled_y + half,
            rule_y,
            color=_LINE_COLOUR,
            linestyles=(0, (4, 3)),
            linewidth=0.8,
            gid="pooled-line",
        )
        natural_pi = result.natural_prediction()
        if natural_pi is not None:
            lows.append(natural_pi[0])
            highs.append(natural_pi[1])
            # A bar with end ticks on its own row, as RevMan draws it.
            plot.plot(
                list(natural_pi),
                [pi_y, pi_y],
                color=_POOLED_COLOUR,
                linewidth=1.6,
                marker="|",
                markersize=8,
                markeredgewidth=1.6,
                solid_capstyle="butt",
                gid="prediction-interval",
            )
    # The line of no effect stops above the heterogeneity text, which runs under the plot.
    no_effect_bottom = (text_y + 0.5) if result is not None else bottom
    plot.vlines(
        [measure.null_value],
        no_effect_bottom,
        rule_y,
        color=_POOLED_COLOUR,
        linewidth=0.9,
        gid="no-effect",
    )
    if measure.is_ratio:
        plot.set_xscale("log")
        low_edge, high_edge = min(lows) / 1.15, max(highs) * 1.15
        plot.set_xlim(low_edge, high_edge)
        plot.xaxis.set_major_locator(FixedLocator(_log_ticks(low_edge, high_edge)))
        plot.xaxis.set_minor_locator(NullLocator())
        plot.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    else:
        span = max(highs) - min(lows)
        plot.set_xlim(min(lows) - 0.06 * span, max(highs) + 0.06 * span)
    plot.set_xlabel(
        f"{measure.label.split(' (')[0].capitalize()}"
        + (" (log scale)" if measure.is_ratio else "")
    )
    if favours:
        for text, dx, ha in ((favours[0], -6, "right"), (favours[1], 6, "left")):
            plot.annotate(
                text,
                xy=(measure.null_value, 0),
                xycoords=("data", "axes fraction"),
                xytext=(dx, -32),
                textcoords="offset points",
                ha=ha,
                va="top",
                fontsize="small",
            )
    plot.tick_params(axis="y", left=False, labelleft=False)
    for side in ("left", "right", "top"):
        plot.spines[side].set_visible(False)
    for ax in (left, plot, right):
        ax.axhline(rule_y, color=_LINE_COLOUR, linewidth=0.6)
    if title:
        figure.suptitle(title, x=0.0, ha="left", fontweight="bold", fontsize="large")
    return figure


def _arm_heading(effects: Sequence[EffectSize]) -> str:
    kinds = {type(e.data) for e in effects}
    if kinds == {BinaryArms}:
        return "Events/n"
    if kinds == {ContinuousArms}:
        return "n"
    return "Events/n" if BinaryArms in kinds else "n" if ContinuousArms in kinds else ""


def _total(arms: Sequence[BinaryArms], *, treatment: bool) -> str:
    if treatment:
        return f"{sum(a.treatment_events for a in arms)}/{sum(a.treatment_n for a in arms)}"
    return f"{sum(a.control_events for a in arms)}/{sum(a.control_n for a in arms)}"


def _pooled_label(result: MetaAnalysis) -> str:
    if result.k == 1:
        return "Total (one study)"
    if result.model == "fixed":
        how = "Mantel-Haenszel" if "Mantel" in result.method else "inverse variance"
        return f"Total, fixed effect ({how})"
    names = {"DL": "DerSimonian-Laird", "REML": "REML", "PM": "Paule-Mandel"}
    how = names.get(result.tau2_method or "", result.tau2_method or "")
    return f"Total, random effects ({how}{', HK' if result.hartung_knapp else ''})"


def _heterogeneity_text(result: MetaAnalysis) -> str:
    if result.q_p is None:
        return "Heterogeneity: not applicable (one study)"
    return (
        f"Heterogeneity: \u03c4\u00b2 = {result.tau2:.2f}; Q = {result.q:.2f}, "
        f"df = {result.q_df} ({_p_text(result.q_p)}); I\u00b2 = {result.i2_percent:.0f}%"
    )


def _overall_text(result: MetaAnalysis) -> str:
    name = f"t({result.df})" if result.df is not None else "z"
    statistic = f"{result.statistic:.2f}".replace("-", "\N{MINUS SIGN}")
    return f"Test for overall effect: {name} = {statistic} ({_p_text(result.p_value)})"


def _marker_sizes(effects: Sequence[EffectSize], weights: Sequence[float] | None) -> list[float]:
    """Square edge lengths in points, area proportional to weight (largest 13 pt, least 4 pt).

    Without weights every square gets the inverse-variance weight it would have in a
    fixed-effect analysis, so precise studies still look heavier.
    """
    if weights is None:
        weights = [1.0 / e.variance if e.variance else 0.0 for e in effects]
    largest = max(weights, default=0.0)
    if largest <= 0:
        return [8.0] * len(effects)
    return [max(4.0, 13.0 * math.sqrt(w / largest)) if w > 0 else 0.0 for w in weights]


def effect_forest_plot(
    effects: Sequence[EffectSize],
    labels: Sequence[str],
    *,
    result: MetaAnalysis | None = None,
    title: str = "",
    arm_labels: tuple[str, str] = ("Treatment", "Control"),
    favours: tuple[str, str] | None = None,
    path: str | os.PathLike[str] | None = None,
    fmt: str | None = None,
) -> Figure:
    """Draw a forest plot of comparative effects and, given ``path``, write it there.

    ``effects`` and ``labels`` go row by row; ``result`` (from
    :func:`~evidence.assess.meta.pool` or :func:`~evidence.assess.meta.mantel_haenszel` on
    the same effects) adds the weights, the pooled diamond, the prediction interval and the
    heterogeneity lines. ``arm_labels`` head the two arm columns ("Vaccinated", "Control");
    ``favours`` labels the two sides of the line of no effect ("Favours vaccine",
    "Favours control"), left then right -- which side is good depends on the outcome, so
    nothing is guessed. The file format comes from ``fmt`` or the suffix of ``path``.
    Returns the figure, which is not shown anywhere.

    Raises :class:`EffectPlotDependencyError` (an ``ImportError``) without matplotlib,
    :class:`~evidence.errors.OutputError` for an unknown format or an unwritable path, and
    ``ValueError`` for inconsistent input.
    """
    _check(effects, labels, result)
    if path is None and fmt is not None:
        raise ValueError("fmt= says how to write a file: give path= as well")
    chosen = _format_for(path, fmt) if path is not None else None
    with _matplotlib():
        figure = _draw(effects, labels, result, title, arm_labels, favours)
    if path is not None and chosen is not None:
        write_figure(figure, path, chosen)
    return figure


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def comparison_forest_plot(
    comparison: Comparison,
    labels: Sequence[str],
    *,
    title: str = "",
    path: str | os.PathLike[str] | None = None,
) -> Figure:
    """:func:`effect_forest_plot` of one claim's comparison (see
    ``evidence.assess.comparisons``): its studies labelled ``labels``, its pooled result,
    its arms' labels as column headings, and its outcome as the title (``title`` when it
    has none)."""
    treatment, control = comparison.arm_labels
    return effect_forest_plot(
        comparison.effects,
        labels,
        result=comparison.result,
        title=_capital(comparison.outcome) or title,
        arm_labels=(_capital(treatment or "treatment"), _capital(control or "control")),
        path=path,
    )
