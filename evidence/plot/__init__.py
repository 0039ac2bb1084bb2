"""Forest plots (an optional extra: ``pip install 'evidence[plot]'``).

``proportions`` draws single-arm proportions (events/n with Wilson intervals, the logit
random-effects diamond); ``effects`` draws comparative effects (RR, OR, HR on a log axis,
differences on a linear one, with the pooled diamond and the prediction interval);
``common`` holds what both share (matplotlib settings, file formats, text measuring,
reproducible saving). Modules here import ``evidence.assess``, ``evidence.errors`` and
``evidence._files`` and each other directly, never this package; other code imports the
names below from ``evidence.plot``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence.plot.common import FORMATS, PlotDependencyError, figure_bytes
    from evidence.plot.effects import (
        EffectPlotDependencyError,
        comparison_forest_plot,
        effect_figure_bytes,
        effect_forest_plot,
    )
    from evidence.plot.proportions import ForestRow, forest_plot, pooled_weights

# Where each public name lives: imported on first use (PEP 562), so importing one module
# of the package does not import all of them (the command line's start-up).
_WHERE = {
    "EffectPlotDependencyError": "evidence.plot.effects",
    "FORMATS": "evidence.plot.common",
    "ForestRow": "evidence.plot.proportions",
    "PlotDependencyError": "evidence.plot.common",
    "comparison_forest_plot": "evidence.plot.effects",
    "effect_figure_bytes": "evidence.plot.effects",
    "effect_forest_plot": "evidence.plot.effects",
    "figure_bytes": "evidence.plot.common",
    "forest_plot": "evidence.plot.proportions",
    "pooled_weights": "evidence.plot.proportions",
}

__all__ = [
    "FORMATS",
    "EffectPlotDependencyError",
    "ForestRow",
    "PlotDependencyError",
    "comparison_forest_plot",
    "effect_figure_bytes",
    "effect_forest_plot",
    "figure_bytes",
    "forest_plot",
    "pooled_weights",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access and keep the name here."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value  # the next access is a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
