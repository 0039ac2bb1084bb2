"""Forest plots (an optional extra: ``pip install 'evidence[plot]'``).

``proportions`` draws single-arm proportions (events/n with Wilson intervals, the logit
random-effects diamond); ``effects`` draws comparative effects (RR, OR, HR on a log axis,
differences on a linear one, with the pooled diamond and the prediction interval);
``common`` holds what both share (matplotlib settings, file formats, text measuring,
reproducible saving). Modules here import ``evidence.assess``, ``evidence.errors`` and
``evidence._files`` and each other directly, never this package; other code imports the
names below from ``evidence.plot``.
"""

from evidence.plot.common import FORMATS, PlotDependencyError, figure_bytes
from evidence.plot.effects import (
    EffectPlotDependencyError,
    comparison_forest_plot,
    effect_figure_bytes,
    effect_forest_plot,
)
from evidence.plot.proportions import ForestRow, forest_plot, pooled_weights

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
