"""Forest plots of proportions (an optional extra: ``pip install 'evidence[plot]'``).

:func:`forest_plot` draws one row per study (a square sized by its weight on its
confidence interval) and the pooled estimate as a diamond with a dashed line through it,
in the layout Cochrane reviews use: study names on the left, the plot in the middle,
the numbers (``21/52``, ``40% (28-54%)`` with an en dash, weight) on the right.

What every plot shares (matplotlib imported only inside functions, no global state,
reproducible SVG with text kept as text, whole-or-nothing files) is in
``evidence.plot.common``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from evidence.assess import PooledEstimate, Proportion
from evidence.plot.common import (
    FORMATS,
    PlotDependencyError,
    figure_bytes,
    three_columns,
    write_figure,
)
from evidence.plot.common import GAP as _GAP
from evidence.plot.common import LINE_COLOUR as _LINE_COLOUR
from evidence.plot.common import PLOT_WIDTH as _PLOT_WIDTH
from evidence.plot.common import POOLED_COLOUR as _POOLED_COLOUR
from evidence.plot.common import ROW_HEIGHT as _ROW_HEIGHT
from evidence.plot.common import STUDY_COLOUR as _STUDY_COLOUR
from evidence.plot.common import Cell as _Cell
from evidence.plot.common import format_for as _format_for
from evidence.plot.common import matplotlib_context as _matplotlib
from evidence.plot.common import text_props as _text_props
from evidence.plot.common import text_widths as _widths

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "FORMATS",
    "ForestRow",
    "PlotDependencyError",
    "figure_bytes",
    "forest_plot",
    "pooled_weights",
]


class ForestRow(NamedTuple):
    """One study in a forest plot: its name, proportion with interval, and weight.

    ``weight`` is any non-negative number (a share or a raw inverse variance); squares are
    drawn with area proportional to it. ``None`` draws a middle-sized square and no weight.
    """

    label: str
    proportion: Proportion
    weight: float | None = None


def pooled_weights(proportions: Sequence[Proportion], pooled: PooledEstimate) -> tuple[float, ...]:
    """Each study's share of the random-effects weight, as
    :func:`~evidence.assess.pool_proportions` weighted it: ``1 / (v + tau²)`` with ``v``
    the variance of the logit (0.5 added to both cells of a study with 0 or all events),
    normalised to sum to 1. Squares in :func:`forest_plot` are drawn with these.

    >>> from evidence.assess import pool_proportions, wilson_interval
    >>> ps = [wilson_interval(21, 52), wilson_interval(11, 34)]
    >>> [round(w, 2) for w in pooled_weights(ps, pool_proportions([(21, 52), (11, 34)]))]
    [0.63, 0.37]
    """
    raw: list[float] = []
    for p in proportions:
        extra = 0.5 if p.events in (0, p.n) else 0.0
        variance = 1.0 / (p.events + extra) + 1.0 / (p.n - p.events + extra)
        raw.append(1.0 / (variance + pooled.tau2))
    total = math.fsum(raw)
    return tuple(w / total for w in raw)


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _estimate_text(estimate: float, low: float, high: float) -> str:
    """``40% (28-54%)``: the estimate and its interval, with an en dash as tables print it."""
    return f"{_pct(estimate)} ({100 * low:.0f}\N{EN DASH}{_pct(high)})"


def _check_rows(rows: Sequence[ForestRow]) -> None:
    if not rows:
        raise ValueError("a forest plot needs at least one study row")
    bad = [
        f"row {i} ({row.label!r}): weight {row.weight!r}"
        for i, row in enumerate(rows)
        if row.weight is not None and not (math.isfinite(row.weight) and row.weight >= 0)
    ]
    if bad:
        raise ValueError("weights must be finite and not negative:\n" + "\n".join(bad))


def _marker_sizes(rows: Sequence[ForestRow]) -> list[float]:
    """Marker edge lengths in points: the area of each square is proportional to its weight
    (the convention readers know from Cochrane plots), the largest 13 pt, none under 4 pt."""
    weights = [r.weight for r in rows if r.weight is not None]
    largest = max(weights, default=0.0)
    sizes = []
    for row in rows:
        if row.weight is None or largest <= 0:
            sizes.append(8.0)
        else:
            sizes.append(max(4.0, 13.0 * math.sqrt(row.weight / largest)))
    return sizes


def _weight_texts(rows: Sequence[ForestRow]) -> list[str]:
    weights = [r.weight for r in rows if r.weight is not None]
    total = math.fsum(weights)
    return [
        "" if r.weight is None or total <= 0 else f"{100 * r.weight / total:.0f}%" for r in rows
    ]


def _draw(
    rows: Sequence[ForestRow],
    pooled: PooledEstimate | None,
    title: str,
    xlabel: str,
) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.patches import Polygon
    from matplotlib.ticker import PercentFormatter

    n = len(rows)
    # Rows from the top: header at n + 1, studies at n .. 1, the pooled diamond at -0.4
    # (a little gap sets it apart from the studies, as in printed forest plots).
    header_y = n + 1.0
    ys = [float(n - i) for i in range(n)]
    pooled_y = -0.4
    bottom = pooled_y - 1.1 if pooled is not None else 0.3
    top = header_y + 0.6
    rule_y = header_y - 0.5
    pooled_all = pooled is not None and pooled.k == n  # totals only mean something then

    # --- the text, column by column ----------------------------------------------------
    confidence = rows[0].proportion.confidence
    weights = _weight_texts(rows)
    names = [_Cell("Study", header_y, bold=True)]
    # SVG ids must be unique, so each study's artists carry its row number.
    names += [
        _Cell(r.label, y, gid=f"study-{i}-label")
        for i, (r, y) in enumerate(zip(rows, ys, strict=True), 1)
    ]
    counts = [_Cell("Events/n", header_y, bold=True)]
    counts += [
        _Cell(f"{r.proportion.events}/{r.proportion.n}", y) for r, y in zip(rows, ys, strict=True)
    ]
    estimates = [_Cell(f"Proportion ({confidence:.0%} CI)", header_y, bold=True)]
    estimates += [
        _Cell(_estimate_text(r.proportion.estimate, r.proportion.low, r.proportion.high), y)
        for r, y in zip(rows, ys, strict=True)
    ]
    shares = [_Cell("Weight", header_y, bold=True)] if any(weights) else []
    shares += [_Cell(w, y) for w, y in zip(weights, ys, strict=True) if w]
    if pooled is not None:
        random = "random" in pooled.method and pooled.k > 1
        names.append(_Cell("Pooled (random effects)" if random else "Pooled", pooled_y, bold=True))
        if pooled.k > 1:
            names.append(
                _Cell(
                    f"Heterogeneity: I² = {pooled.i2_percent:.0f}%, τ² = {pooled.tau2:.2f}",
                    pooled_y - 0.75,
                    small=True,
                )
            )
        if pooled_all:
            events = sum(r.proportion.events for r in rows)
            total = sum(r.proportion.n for r in rows)
            counts.append(_Cell(f"{events}/{total}", pooled_y, bold=True))
            if shares:
                shares.append(_Cell("100%", pooled_y, bold=True))
        estimates.append(
            _Cell(_estimate_text(pooled.estimate, pooled.low, pooled.high), pooled_y, bold=True)
        )
    name_w, count_w, estimate_w, share_w = _widths((names, counts, estimates, shares))

    # --- the figure: three columns sharing the row positions -------------------------
    left_w = name_w + _GAP
    right_w = _GAP + count_w + _GAP + estimate_w + (_GAP + share_w if shares else 0.0) + 0.05
    plot_h = _ROW_HEIGHT * (top - bottom)
    top_margin = 0.45 if title else 0.1
    bottom_margin = 0.6  # tick labels and the axis label
    width = left_w + _PLOT_WIDTH + right_w
    height = plot_h + top_margin + bottom_margin
    figure = Figure(figsize=(width, height))
    left, plot, right = three_columns(
        figure, (left_w, right_w), (bottom, top), (top_margin, bottom_margin)
    )

    def put(ax: Any, x: float, cells: Sequence[_Cell], ha: str) -> None:
        for cell in cells:
            ax.text(x, cell.y, cell.text, ha=ha, **_text_props(cell))

    put(left, 0.0, names, "left")
    put(right, _GAP + count_w, counts, "right")
    put(right, 2 * _GAP + count_w, estimates, "left")
    put(right, right_w - 0.05, shares, "right")

    # --- the plot: intervals, squares, diamond ----------------------------------------
    for i, (y, row, size) in enumerate(zip(ys, rows, _marker_sizes(rows), strict=True), 1):
        p = row.proportion
        plot.plot(
            [p.low, p.high],
            [y, y],
            color=_STUDY_COLOUR,
            linewidth=1.2,
            solid_capstyle="butt",
            gid=f"study-{i}-interval",
        )
        plot.plot(
            [p.estimate],
            [y],
            marker="s",
            markersize=size,
            color=_STUDY_COLOUR,
            linestyle="none",
            clip_on=False,
            gid=f"study-{i}-marker",
        )
    ticks = [0.0, 0.25, 0.5, 0.75, 1.0]
    # Light guides stop at the header rule, so the header row stays clean.
    plot.vlines(ticks, bottom, rule_y, color="#e4e4e4", linewidth=0.6, zorder=0)
    if pooled is not None:
        half = 0.32
        plot.add_patch(
            Polygon(
                [
                    (pooled.low, pooled_y),
                    (pooled.estimate, pooled_y + half),
                    (pooled.high, pooled_y),
                    (pooled.estimate, pooled_y - half),
                ],
                closed=True,
                facecolor=_POOLED_COLOUR,
                edgecolor=_POOLED_COLOUR,
                gid="pooled-diamond",
            )
        )
        plot.vlines(
            [pooled.estimate],
            bottom,
            rule_y,
            color=_LINE_COLOUR,
            linestyles=(0, (4, 3)),
            linewidth=0.8,
            gid="pooled-line",
        )
    # A margin either side keeps a square at 0% or 100% clear of the text columns.
    plot.set_xlim(-0.04, 1.04)
    plot.spines["bottom"].set_bounds(0.0, 1.0)
    plot.set_xticks(ticks)
    plot.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    plot.set_xlabel(xlabel)
    plot.tick_params(axis="y", left=False, labelleft=False)
    for side in ("left", "right", "top"):
        plot.spines[side].set_visible(False)

    # A rule under the header row, across all three columns.
    for ax in (left, plot, right):
        ax.axhline(rule_y, color=_LINE_COLOUR, linewidth=0.6)
    if title:
        figure.suptitle(title, x=0.0, ha="left", fontweight="bold", fontsize="large")
    return figure


def forest_plot(
    rows: Sequence[ForestRow],
    *,
    pooled: PooledEstimate | None,
    title: str = "",
    xlabel: str = "Proportion",
    path: str | os.PathLike[str] | None = None,
    fmt: str | None = None,
) -> Figure:
    """Draw a forest plot of proportions and, given ``path``, write it there.

    One row per study (square sized by weight, line for its interval) and, when
    ``pooled`` is given, a diamond spanning the pooled interval with a dashed line at the
    pooled estimate. The x axis runs from 0% to 100%. The file format comes from ``fmt``
    or the suffix of ``path`` (``.png``, ``.svg``, ``.pdf``); the file is written whole or
    not at all. Returns the figure, which is not shown anywhere.

    Raises :class:`PlotDependencyError` (an ``ImportError``) without matplotlib,
    :class:`~evidence.errors.OutputError` for an unknown format or an unwritable path, and
    ``ValueError`` for no rows or a negative weight.

    >>> from evidence.assess import pool_proportions, wilson_interval
    >>> rows = [ForestRow("Liliang 2011", wilson_interval(21, 52), 0.61),
    ...         ForestRow("Katz 2003", wilson_interval(11, 34), 0.39)]
    >>> figure = forest_plot(rows, pooled=pool_proportions([(21, 52), (11, 34)]))
    >>> len(figure.axes)
    3
    """
    _check_rows(rows)
    if path is None and fmt is not None:
        raise ValueError("fmt= says how to write a file: give path= as well")
    chosen = _format_for(path, fmt) if path is not None else None
    with _matplotlib():
        figure = _draw(rows, pooled, title, xlabel)
    if path is not None and chosen is not None:
        write_figure(figure, path, chosen)
    return figure
