"""Forest plots of claims: comparative claims get the effect plot, others the proportion plot.

Drawn from the BCG claims file (docs/examples/bcg.yaml) through the Python API and the
command line.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from evidence.cli import main
from evidence.pipeline import evidence_table

ROOT = Path(__file__).resolve().parent.parent
BCG = ROOT / "docs" / "examples" / "bcg.yaml"
BCG_BIB = ROOT / "docs" / "examples" / "bcg.bib"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(tmp_path / "cache"))


def by_gid(figure: Figure, gid: str) -> list[matplotlib.artist.Artist]:
    return [a for a in figure.findobj() if a.get_gid() == gid]


def test_a_comparative_claim_plots_its_ratios_on_a_log_axis(tmp_path: Path) -> None:
    table = evidence_table(BCG, BCG_BIB, offline=True, cache=False)
    target = tmp_path / "bcg.svg"
    figure = table.plot("bcg-lowers-tb", path=target)
    assert isinstance(figure, Figure)
    plot = next(ax for ax in figure.axes if ax.get_xscale() == "log")
    assert "Risk ratio" in plot.get_xlabel()
    assert len(by_gid(figure, "pooled-diamond")) == 1
    assert len(by_gid(figure, "prediction-interval")) == 1
    (no_effect,) = by_gid(figure, "no-effect")
    assert {float(x) for seg in no_effect.get_segments() for x, _ in seg} == {1.0}  # type: ignore[attr-defined]
    svg = target.read_text(encoding="utf-8")
    for text in ("Aronson 1948", "4/123", "Vaccinated", "0.49 [0.34, 0.70]", "[0.13, 1.78]"):
        assert text in svg
    # Nothing is clipped: every text lies inside the drawn figure.
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    figure.draw(renderer)
    box = figure.get_tightbbox(renderer)
    longest = next(t for t in figure.texts + [t for ax in figure.axes for t in ax.texts]
                   if "Madras" in t.get_text())  # fmt: skip
    extent = longest.get_window_extent(renderer)
    assert extent.x0 >= box.x0 * figure.dpi - 1
    assert extent.x1 <= box.x1 * figure.dpi + 1


def test_a_single_study_is_plotted_without_a_diamond() -> None:
    table = evidence_table(BCG, BCG_BIB, offline=True, cache=False)
    figure = table.plot("bcg-madras-null")
    assert by_gid(figure, "pooled-diamond") == []
    plot = next(ax for ax in figure.axes if ax.get_xscale() == "log")
    ticks = [t for t in plot.get_xticks() if plot.get_xlim()[0] <= t <= plot.get_xlim()[1]]
    assert len(ticks) >= 3  # a narrow axis still reads
    assert 1.0 in ticks


def test_the_outcome_chooses_the_group_and_unknown_outcomes_fall_back() -> None:
    table = evidence_table(BCG, BCG_BIB, offline=True, cache=False)
    with pytest.raises(ValueError, match="no counted citation with events and n"):
        table.plot("bcg-lowers-tb", outcome="death")


def test_cli_plot_writes_the_effect_plot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "bcg.png"
    code = main(["plot", str(BCG), "--bib", str(BCG_BIB), "--claim", "bcg-lowers-tb",
                 "-o", str(target), "--offline"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert target.read_bytes().startswith(PNG_SIGNATURE)


def test_cli_table_has_the_comparative_rows(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code = main(["table", str(BCG), "--bib", str(BCG_BIB), "--format", "json", "--offline"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = json.loads(out)["comparative"]
    pooled = next(r for r in rows if r["row"] == "pooled")
    assert (round(pooled["estimate"], 2), pooled["k"], round(pooled["tau2"], 4)) == (
        0.49,
        13,
        0.3132,
    )
