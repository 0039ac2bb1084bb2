"""Assessment: study design, retraction status, statistics, certainty, support, verdicts.

Pure functions over references, PubMed records and claims; may import ``errors``, ``model``
and the shared helpers, never the table, renderers or front ends.
"""

from evidence.assess.design import (
    DesignAssessment,
    PooledEstimate,
    Proportion,
    RetractionAssessment,
    assess_design,
    assess_retraction,
    design_rank,
    is_observational,
    is_randomised,
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
