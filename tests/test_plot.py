"""Forest plots: what is drawn (read back from the figure's artists), the files written,
reproducible SVG, errors, and the weights the squares are sized by."""

from __future__ import annotations

import math
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

from evidence.assess.statistics import PooledEstimate, pool_proportions, wilson_interval
from evidence.errors import EvidenceError, OutputError
from evidence.plot import (
    ForestRow,
    PlotDependencyError,
    figure_bytes,
    forest_plot,
    pooled_weights,
)

SEED = [("Liliang 2011", 21, 52), ("Katz 2003", 11, 34)]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def seed_rows() -> tuple[list[ForestRow], PooledEstimate]:
    pooled = pool_proportions([(e, n) for _, e, n in SEED])
    proportions = [wilson_interval(e, n) for _, e, n in SEED]
    weights = pooled_weights(proportions, pooled)
    rows = [
        ForestRow(label, p, w)
        for (label, _, _), p, w in zip(SEED, proportions, weights, strict=True)
    ]
    return rows, pooled


def markers(figure: Figure) -> list[Line2D]:
    return [
        line
        for ax in figure.axes
        for line in ax.get_lines()
        if line.get_marker() == "s" and (line.get_gid() or "").endswith("-marker")
    ]


def diamonds(figure: Figure) -> list[Polygon]:
    return [p for ax in figure.axes for p in ax.patches if isinstance(p, Polygon)]


def texts(figure: Figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(matplotlib.text.Text)]


def test_one_square_per_study_and_one_diamond() -> None:
    rows, pooled = seed_rows()
    figure = forest_plot(rows, pooled=pooled)
    squares = markers(figure)
    assert len(squares) == 2
    centres = [float(np.asarray(s.get_xdata())[0]) for s in squares]
    assert centres == [r.proportion.estimate for r in rows]
    (diamond,) = diamonds(figure)
    xs = sorted({round(float(x), 9) for x, _ in diamond.get_xy()})
    assert xs == sorted(round(v, 9) for v in (pooled.low, pooled.estimate, pooled.high))


def test_squares_have_area_proportional_to_weight() -> None:
    rows, pooled = seed_rows()
    big, small = (s.get_markersize() for s in markers(forest_plot(rows, pooled=pooled)))
    assert big > small
    heavy, light = (r.weight or 0.0 for r in rows)
    assert (small / big) ** 2 == pytest.approx(light / heavy)


def test_each_interval_is_drawn_from_low_to_high() -> None:
    rows, pooled = seed_rows()
    figure = forest_plot(rows, pooled=pooled)
    for i, row in enumerate(rows, 1):
        (line,) = [
            ln
            for ax in figure.axes
            for ln in ax.get_lines()
            if ln.get_gid() == f"study-{i}-interval"
        ]
        ends = np.asarray(line.get_xdata(), dtype=float).tolist()
        assert ends == [row.proportion.low, row.proportion.high]


def test_labels_numbers_and_pooled_row_are_shown() -> None:
    rows, pooled = seed_rows()
    shown = texts(forest_plot(rows, pooled=pooled, title="SI joint pain after fusion"))
    for expected in (
        "Liliang 2011",
        "Katz 2003",
        "21/52",
        "11/34",
        "40% (28\N{EN DASH}54%)",
        "32% (19\N{EN DASH}49%)",
        "Pooled (random effects)",
        "32/86",
        "37% (28\N{EN DASH}48%)",
        "63%",
        "37%",
        "SI joint pain after fusion",
        "Proportion (95% CI)",
    ):
        assert expected in shown, expected
    assert any(t.startswith("Heterogeneity: I² = 0%") for t in shown)


def test_the_x_axis_runs_from_0_to_100_percent() -> None:
    rows, pooled = seed_rows()
    figure = forest_plot(rows, pooled=pooled, xlabel="Share with SI joint pain")
    (plot,) = [ax for ax in figure.axes if ax.get_xlabel()]
    assert plot.get_xlabel() == "Share with SI joint pain"
    low, high = plot.get_xlim()
    assert low <= 0.0
    assert high >= 1.0
    formatter = plot.xaxis.get_major_formatter()
    assert [formatter(t) for t in plot.get_xticks()] == ["0%", "25%", "50%", "75%", "100%"]


def test_pooled_line_sits_at_the_pooled_estimate() -> None:
    rows, pooled = seed_rows()
    figure = forest_plot(rows, pooled=pooled)
    (line,) = [c for ax in figure.axes for c in ax.collections if c.get_gid() == "pooled-line"]
    assert isinstance(line, LineCollection)
    (segment,) = line.get_segments()
    assert {float(x) for x, _ in segment} == {pooled.estimate}


def test_without_pooled_estimate_or_weights() -> None:
    rows = [ForestRow("Katz 2003", wilson_interval(11, 34))]
    figure = forest_plot(rows, pooled=None)
    assert len(markers(figure)) == 1
    assert diamonds(figure) == []
    shown = texts(figure)
    assert "Weight" not in shown
    assert not any(t.startswith("Pooled") for t in shown)


def test_png_is_written(tmp_path: Path) -> None:
    rows, pooled = seed_rows()
    target = tmp_path / "forest.png"
    forest_plot(rows, pooled=pooled, path=target)
    data = target.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width > height > 100
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_svg_contains_the_labels_and_unique_ids(tmp_path: Path) -> None:
    rows, pooled = seed_rows()
    target = tmp_path / "forest.svg"
    forest_plot(rows, pooled=pooled, path=target)
    svg = target.read_text(encoding="utf-8")
    for label in ("Liliang 2011", "Katz 2003", "21/52", "40% (28\N{EN DASH}54%)"):
        assert f">{label}</text>" in svg
    ids = [el.get("id") for el in ET.fromstring(svg).iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert "pooled-diamond" in ids


def test_svg_is_the_same_byte_for_byte_across_runs(tmp_path: Path) -> None:
    rows, pooled = seed_rows()
    forest_plot(rows, pooled=pooled, path=tmp_path / "a.svg")
    forest_plot(rows, pooled=pooled, path=tmp_path / "b.svg")
    first = (tmp_path / "a.svg").read_bytes()
    assert first == (tmp_path / "b.svg").read_bytes()
    assert b"<dc:date>" not in first
    assert figure_bytes(forest_plot(rows, pooled=pooled), "svg") == first


def test_format_from_fmt_overrides_the_suffix(tmp_path: Path) -> None:
    rows, pooled = seed_rows()
    target = tmp_path / "forest.img"
    forest_plot(rows, pooled=pooled, path=target, fmt="PNG")
    assert target.read_bytes().startswith(PNG_SIGNATURE)
    pdf = tmp_path / "forest.pdf"
    forest_plot(rows, pooled=pooled, path=pdf)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_unknown_format_is_an_output_error_naming_the_path(tmp_path: Path) -> None:
    rows, pooled = seed_rows()
    target = tmp_path / "forest.jpg"
    with pytest.raises(OutputError, match=r"forest\.jpg: .*\.png, \.svg, \.pdf"):
        forest_plot(rows, pooled=pooled, path=target)
    with pytest.raises(OutputError, match="'gif'"):
        forest_plot(rows, pooled=pooled, path=tmp_path / "x.png", fmt="gif")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_path_is_an_output_error(tmp_path: Path) -> None:
    rows, pooled = seed_rows()
    target = tmp_path / "missing" / "forest.png"
    with pytest.raises(OutputError, match=r"missing/forest\.png: cannot write the forest plot"):
        forest_plot(rows, pooled=pooled, path=target)


def test_fmt_without_path_is_refused() -> None:
    rows, pooled = seed_rows()
    with pytest.raises(ValueError, match="path="):
        forest_plot(rows, pooled=pooled, fmt="svg")


def test_bad_rows_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        forest_plot([], pooled=None)
    bad = [ForestRow("A", wilson_interval(1, 2), -1.0), ForestRow("B", wilson_interval(1, 2), 1.0)]
    with pytest.raises(ValueError, match=r"row 0 \('A'\): weight -1\.0"):
        forest_plot(bad, pooled=None)


def test_missing_matplotlib_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    rows, pooled = seed_rows()
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(PlotDependencyError) as caught:
        forest_plot(rows, pooled=pooled)
    assert isinstance(caught.value, ImportError)
    assert isinstance(caught.value, EvidenceError)
    assert "pip install 'evidence[plot]'" in str(caught.value)


def test_no_global_matplotlib_state_is_changed() -> None:
    before = dict(matplotlib.rcParams)
    rows, pooled = seed_rows()
    figure_bytes(forest_plot(rows, pooled=pooled), "svg")
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize(
    "counts",
    [
        [(21, 52), (11, 34)],
        [(10, 200), (100, 200), (180, 200)],  # tau² > 0
        [(0, 14), (21, 52), (40, 40)],  # continuity corrections
    ],
)
def test_pooled_weights_reproduce_the_pooled_estimate(counts: list[tuple[int, int]]) -> None:
    pooled = pool_proportions(counts)
    weights = pooled_weights([wilson_interval(e, n) for e, n in counts], pooled)
    assert math.fsum(weights) == pytest.approx(1.0)

    def logit(e: int, n: int) -> float:
        extra = 0.5 if e in (0, n) else 0.0
        return math.log((e + extra) / (n - e + extra))

    mean = math.fsum(w * logit(e, n) for w, (e, n) in zip(weights, counts, strict=True))
    assert mean == pytest.approx(pooled.logit)
