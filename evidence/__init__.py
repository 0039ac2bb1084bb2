"""evidence: citation-aware evidence summaries.

Load references from BibTeX and claims from YAML, JSON or CSV, then build a table that says
for every claim which studies support or contradict it, of what design, with what numbers
and how much certainty, and what is wrong.

>>> import evidence
>>> refs = evidence.load_references("references.bib")          # doctest: +SKIP
>>> claims = evidence.load_claims("docs/examples/sacroiliac.yaml")  # doctest: +SKIP
>>> table = evidence.build_table(claims, refs)                   # doctest: +SKIP
"""

from evidence._version import __version__
from evidence.assess import (
    DesignAssessment,
    PooledEstimate,
    Proportion,
    RetractionAssessment,
    assess_design,
    assess_retraction,
    pool_proportions,
    wilson_interval,
)
from evidence.assess.certainty import CertaintyAssessment, assess_certainty, plain_language
from evidence.assess.judge import Judgement, judge_claim
from evidence.assess.support import SupportCheck, check_support
from evidence.bibliography import (
    Bibliography,
    load_bibliography,
    load_references,
    parse_references,
)
from evidence.claims import ClaimSet, dump_claims, load_claims, parse_claims
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
from evidence.extract import ExtractResult, extract_claims
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
from evidence.pipeline import Pipeline, PubMedSettings, evidence_table
from evidence.studies import Collection, Study, collect_studies, make_study
from evidence.table import EvidenceTable, build_table

__all__ = [
    "ArticleError",
    "Bibliography",
    "BibliographyError",
    "CacheError",
    "Certainty",
    "CertaintyAssessment",
    "CertaintyJudgement",
    "Citation",
    "Claim",
    "ClaimFileError",
    "ClaimSet",
    "Collection",
    "DesignAssessment",
    "DesignSource",
    "EvidenceError",
    "EvidenceTable",
    "ExtractResult",
    "InputError",
    "Judgement",
    "Name",
    "OutputError",
    "Pipeline",
    "PooledEstimate",
    "Problem",
    "Proportion",
    "PubMedError",
    "PubMedRecord",
    "PubMedResponseError",
    "PubMedSettings",
    "PubMedStatus",
    "PubMedUnavailable",
    "Reference",
    "RetractionAssessment",
    "RetractionStatus",
    "RiskOfBias",
    "Severity",
    "SourceLocation",
    "Stance",
    "Study",
    "StudyDesign",
    "SupportCheck",
    "Verdict",
    "__version__",
    "assess_certainty",
    "assess_design",
    "assess_retraction",
    "build_table",
    "check_support",
    "collect_studies",
    "dump_claims",
    "evidence_table",
    "extract_claims",
    "judge_claim",
    "load_bibliography",
    "load_claims",
    "load_references",
    "make_study",
    "parse_claims",
    "parse_references",
    "plain_language",
    "pool_proportions",
    "wilson_interval",
]
