"""Assessment: study design, retraction status, statistics, certainty, support, verdicts.

Pure functions over references, PubMed records and claims; may import ``errors``, ``model``
and the shared helpers, never the table, renderers or front ends. ``design`` (with
``design_text``, its reading of titles and abstracts), ``retraction`` and ``statistics``
(proportions: Wilson intervals and random-effects pooling) import only the standard library,
``evidence.model`` and each other. ``effects`` (RR, OR, RD, MD, SMD with their variances) and
``meta`` (fixed and random-effects pooling of them, statsmodels where it has the method) are
the comparative side; ``comparisons`` groups a claim's comparative citations by outcome and
measure and pools each group for the table. Siblings import each other directly, never this package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence.assess.certainty_effects import (
        GRADE_RATIO_THRESHOLDS,
        EffectThresholds,
    )
    from evidence.assess.comparisons import (
        COMPARATIVE_COLUMNS,
        COMPARATIVE_DTYPES,
        Comparison,
        PoolingSettings,
        arms_total,
        citation_measure,
        compare_claim,
        comparison_rows,
        pooling_remark,
    )
    from evidence.assess.design import (
        DesignAssessment,
        assess_design,
        design_rank,
        is_observational,
        is_randomised,
    )
    from evidence.assess.effects import (
        EffectSize,
        binary_effect,
        continuous_effect,
        effect_size,
        reported_effect_size,
    )
    from evidence.assess.meta import (
        MetaAnalysis,
        PoolingError,
        StatsDependencyError,
        mantel_haenszel,
        pool,
    )
    from evidence.assess.retraction import RetractionAssessment, assess_retraction
    from evidence.assess.statistics import (
        PooledEstimate,
        Proportion,
        pool_proportions,
        wilson_interval,
    )

# Where each public name lives: imported on first use (PEP 562), so importing one module
# of the package does not import all of them (the command line's start-up).
_WHERE = {
    "COMPARATIVE_COLUMNS": "evidence.assess.comparisons",
    "COMPARATIVE_DTYPES": "evidence.assess.comparisons",
    "Comparison": "evidence.assess.comparisons",
    "DesignAssessment": "evidence.assess.design",
    "EffectSize": "evidence.assess.effects",
    "EffectThresholds": "evidence.assess.certainty_effects",
    "GRADE_RATIO_THRESHOLDS": "evidence.assess.certainty_effects",
    "MetaAnalysis": "evidence.assess.meta",
    "PooledEstimate": "evidence.assess.statistics",
    "PoolingError": "evidence.assess.meta",
    "PoolingSettings": "evidence.assess.comparisons",
    "Proportion": "evidence.assess.statistics",
    "RetractionAssessment": "evidence.assess.retraction",
    "StatsDependencyError": "evidence.assess.meta",
    "arms_total": "evidence.assess.comparisons",
    "assess_design": "evidence.assess.design",
    "assess_retraction": "evidence.assess.retraction",
    "binary_effect": "evidence.assess.effects",
    "citation_measure": "evidence.assess.comparisons",
    "compare_claim": "evidence.assess.comparisons",
    "comparison_rows": "evidence.assess.comparisons",
    "continuous_effect": "evidence.assess.effects",
    "design_rank": "evidence.assess.design",
    "effect_size": "evidence.assess.effects",
    "is_observational": "evidence.assess.design",
    "is_randomised": "evidence.assess.design",
    "mantel_haenszel": "evidence.assess.meta",
    "pool": "evidence.assess.meta",
    "pool_proportions": "evidence.assess.statistics",
    "pooling_remark": "evidence.assess.comparisons",
    "reported_effect_size": "evidence.assess.effects",
    "wilson_interval": "evidence.assess.statistics",
}

__all__ = [
    "COMPARATIVE_COLUMNS",
    "COMPARATIVE_DTYPES",
    "GRADE_RATIO_THRESHOLDS",
    "Comparison",
    "DesignAssessment",
    "EffectSize",
    "EffectThresholds",
    "MetaAnalysis",
    "PooledEstimate",
    "PoolingError",
    "PoolingSettings",
    "Proportion",
    "RetractionAssessment",
    "StatsDependencyError",
    "arms_total",
    "assess_design",
    "assess_retraction",
    "binary_effect",
    "citation_measure",
    "compare_claim",
    "comparison_rows",
    "continuous_effect",
    "design_rank",
    "effect_size",
    "is_observational",
    "is_randomised",
    "mantel_haenszel",
    "pool",
    "pool_proportions",
    "pooling_remark",
    "reported_effect_size",
    "wilson_interval",
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
