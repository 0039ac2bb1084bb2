"""Assessment: study design, retraction status, statistics, certainty, support, verdicts.

Pure functions over references, PubMed records and claims; may import ``errors``, ``model``
and the shared helpers, never the table, renderers or front ends. ``design`` (with
``design_text``, its reading of titles and abstracts), ``retraction`` and ``statistics``
(proportions: Wilson intervals and random-effects pooling) import only the standard library,
``evidence.model`` and each other. Siblings import each other directly, never this package.
"""

from evidence.assess.design import (
    DesignAssessment,
    assess_design,
    design_rank,
    is_observational,
    is_randomised,
)
from evidence.assess.retraction import RetractionAssessment, assess_retraction
from evidence.assess.statistics import (
    PooledEstimate,
    Proportion,
    pool_proportions,
    wilson_interval,
)

__all__ = [
    "DesignAssessment",
    "PooledEstimate",
    "Proportion",
    "RetractionAssessment",
    "assess_design",
    "assess_retraction",
    "design_rank",
    "is_observational",
    "is_randomised",
    "pool_proportions",
    "wilson_interval",
]
