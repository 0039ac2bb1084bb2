"""What every forest plot shares: matplotlib settings, file formats, text measuring, saving.

matplotlib is imported inside the functions, so the rest of the library works without it.
No global state is touched: figures are bare :class:`matplotlib.figure.Figure` objects
(never registered with pyplot, so nothing opens a window and nothing leaks), and the
settings they need are applied with ``rc_context`` only while they are drawn and saved.
Saved SVG is byte-for-byte reproducible (fixed ``svg.hashsalt``, no date) and keeps its
text as text (``svg.fonttype = "none"``); files are written whole or not at all.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence._files import atomic_write_bytes
from evidence.errors import EvidenceError, OutputError, SourceLocation

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "FORMATS",
    "PlotDependencyError",
    "figure_bytes",
    "format_for",
    "matplotlib_context",
    "text_widths",
    "write_figure",
]

FORMATS = ("png", "svg", "pdf")
"""File formats the forest plots and :func:`figure_bytes` write."""

# Dates and tool versions would make every file different; drop them.
_METADATA: Mapping[str, Mapping[str, Any]] = {
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
    "png": {},
}
DPI = 150
STUDY_COLOUR = "#2b4c7e"
POOLED_COLOUR = "#1a1a1a"
LINE_COLOUR = "#555555"
GAP = 0.18  # inches between columns of text
PLOT_WIDTH = 3.4  # inches for the plot itself
ROW_HEIGHT = 0.3  # inches per row


class PlotDependencyError(EvidenceError, ImportError):
    """matplotlib, needed for plots only, is not installed."""


@contextmanager
def matplotlib_context() -> Iterator[Any]:
    """matplotlib with the plots' settings applied, or a message on how to install it."""
    try:
        import matplotlib
    except ImportError as exc:
        raise PlotDependencyError(
            "forest plots need matplotlib, which is not installed: pip install 'evidence[plot]'"
        ) from exc
    with matplotlib.rc_context(
        {
            "svg.hashsalt": "evidence-forest-plot",  # stable element ids, so SVG output repeats
            "svg.fonttype": "none",  # keep text as text: searchable, read by screen readers
            "font.family": "sans-serif",
            "font.size": 9.0,
        }
    ):
        yield matplotlib


def figure_bytes(figure: Figure, fmt: str) -> bytes:
    """``figure`` saved as ``png``, ``svg`` or ``pdf``, with the reproducible settings the
    forest plots use (so the same figure gives the same SVG bytes every time)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    buffer = io.BytesIO()
    with matplotlib_context():
        figure.savefig(
            buffer,
            format=fmt,
            dpi=DPI,
            metadata=dict(_METADATA[fmt]),
            bbox_inches="tight",  # never clip a long label or the numbers column
            pad_inches=0.15,
            facecolor="white",
        )
    return buffer.getvalue()


def format_for(path: str | os.PathLike[str], fmt: str | None) -> str:
    """The file format ``fmt`` names, else the one ``path`` ends in; a located
    :class:`~evidence.errors.OutputError` for anything else."""
    if fmt is not None:
        chosen = fmt.lower().lstrip(".")
        if chosen not in FORMATS:
            raise OutputError(
                f"cannot write a forest plot as {fmt!r}: use one of {', '.join(FORMATS)}",
                location=SourceLocation(os.fspath(path)),
            )
        return chosen
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise OutputError(
            "cannot tell the forest plot's format from the file name: end it in "
            + ", ".join(f".{f}" for f in FORMATS)
            + ", or pass fmt=",
            location=SourceLocation(os.fspath(path)),
        )
    return suffix


def write_figure(figure: Figure, path: str | os.PathLike[str], fmt: str) -> None:
    """Write ``figure`` to ``path`` whole or not at all; a located error saying why not."""
    data = figure_bytes(figure, fmt)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise OutputError(
            f"cannot write the forest plot: {exc.strerror or exc}; "
            "check that the folder exists and is writable",
            location=SourceLocation(os.fspath(path)),
        ) from exc


@dataclass(frozen=True, slots=True)
class Cell:
    """One piece of text in a column, drawn once the column widths are known."""

    text: str
    y: float
    bold: bool = False
    small: bool = False
    gid: str = ""


def text_props(cell: Cell) -> dict[str, Any]:
    """The matplotlib text properties of ``cell``."""
    props: dict[str, Any] = {"va": "center"}
    if cell.bold:
        props["fontweight"] = "bold"
    if cell.small:
        props["fontsize"] = "small"
        props["color"] = LINE_COLOUR
    if cell.gid:
        props["gid"] = cell.gid
    return props


def text_widths(columns: Sequence[Sequence[Cell]]) -> list[float]:
    """The width in inches of the widest text in each column, measured by the Agg renderer
    (a guess per character clips bold or wide labels)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    scratch = Figure()
    renderer = FigureCanvasAgg(scratch).get_renderer()  # type: ignore[no-untyped-call]
    widths = []
    for cells in columns:
        widest = 0.0
        for cell in cells:
            text = scratch.text(0.0, 0.0, cell.text, **text_props(cell))
            widest = max(widest, text.get_window_extent(renderer).width / scratch.dpi)
        widths.append(widest)
    return widths


def three_columns(
    figure: Figure,
    widths: tuple[float, float],
    rows: tuple[float, float],
    margins: tuple[float, float],
) -> tuple[Any, Any, Any]:
    """The axes of a forest plot: a text column, the plot, a text column, sharing rows.

    ``widths`` are the left and right text columns in inches (the plot is
    :data:`PLOT_WIDTH`), ``rows`` the y range (bottom, top), ``margins`` the top and
    bottom margins in inches. The text columns have no axes and x in inches, so text is
    placed in inches; the figure must already be sized to the columns and rows.
    """
    left_w, right_w = widths
    bottom, top = rows
    top_margin, bottom_margin = margins
    height = figure.get_figheight()
    grid = figure.add_gridspec(
        1,
        3,
        width_ratios=[left_w, PLOT_WIDTH, right_w],
        wspace=0.0,
        left=0.0,
        right=1.0,
        bottom=bottom_margin / height,
        top=1.0 - top_margin / height,
    )
    left = figure.add_subplot(grid[0, 0])
    plot = figure.add_subplot(grid[0, 1], sharey=left)
    right = figure.add_subplot(grid[0, 2], sharey=left)
    left.set_ylim(bottom, top)
    for ax, span in ((left, left_w), (right, right_w)):
        ax.set_axis_off()
        ax.set_xlim(0.0, span)
    return left, plot, right
