"""evidence: citation-aware evidence summaries.

Load references from BibTeX and claims from YAML, JSON or CSV, then build a table that says
for every claim which studies support or contradict it, and what is wrong.
"""

from evidence.errors import (
    ArticleError,
    BibliographyError,
    CacheError,
    ClaimFileError,
    EvidenceError,
    InputError,
    OutputError,
    Problem,
    PubMedError,
    PubMedResponseError,
    PubMedUnavailable,
    Severity,
    SourceLocation,
)
from evidence.model import (
    Certainty,
    CertaintyJudgement,
    Citation,
    Claim,
    DesignSource,
    Name,
    PubMedRecord,
    PubMedStatus,
    Reference,
    RetractionStatus,
    RiskOfBias,
    Stance,
    StudyDesign,
    Verdict,
)

__version__ = "0.1.0"

__all__ = [
    "ArticleError",
    "BibliographyError",
    "CacheError",
    "Certainty",
    "CertaintyJudgement",
    "Citation",
    "Claim",
    "ClaimFileError",
    "DesignSource",
    "EvidenceError",
    "InputError",
    "Name",
    "OutputError",
    "Problem",
    "PubMedError",
    "PubMedRecord",
    "PubMedResponseError",
    "PubMedStatus",
    "PubMedUnavailable",
    "Reference",
    "RetractionStatus",
    "RiskOfBias",
    "Severity",
    "SourceLocation",
    "Stance",
    "StudyDesign",
    "Verdict",
    "__version__",
]
