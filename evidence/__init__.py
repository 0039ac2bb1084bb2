"""evidence: citation-aware evidence summaries.

Load references from BibTeX and claims from YAML, JSON or CSV, then build a table that says
for every claim which studies support or contradict it, of what design, with what numbers
and how much certainty, and what is wrong.

>>> import evidence
>>> refs = evidence.load_references("references.bib")          # doctest: +SKIP
>>> claims = evidence.load_claims("docs/examples/sacroiliac.yaml")  # doctest: +SKIP
>>> table = evidence.build_table(claims, refs)                   # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidence._lazy import lazy_exports
from evidence._version import __version__

if TYPE_CHECKING:
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

# Where each public name lives: imported on first use (PEP 562), so `import evidence`
# and the command line's start-up do not pay for pandas, requests and pybtex up front.
_WHERE = {
    "ArticleError": "evidence.errors",
    "Bibliography": "evidence.bibliography",
    "BibliographyError": "evidence.errors",
    "CacheError": "evidence.errors",
    "Certainty": "evidence.model",
    "CertaintyAssessment": "evidence.assess.certainty",
    "CertaintyJudgement": "evidence.model",
    "Citation": "evidence.model",
    "Claim": "evidence.model",
    "ClaimFileError": "evidence.errors",
    "ClaimSet": "evidence.claims",
    "Collection": "evidence.studies",
    "DesignAssessment": "evidence.assess",
    "DesignSource": "evidence.model",
    "EvidenceError": "evidence.errors",
    "EvidenceTable": "evidence.table",
    "ExtractResult": "evidence.extract",
    "InputError": "evidence.errors",
    "Judgement": "evidence.assess.judge",
    "Name": "evidence.model",
    "OutputError": "evidence.errors",
    "Pipeline": "evidence.pipeline",
    "PooledEstimate": "evidence.assess",
    "Problem": "evidence.errors",
    "Proportion": "evidence.assess",
    "PubMedError": "evidence.errors",
    "PubMedRecord": "evidence.model",
    "PubMedResponseError": "evidence.errors",
    "PubMedSettings": "evidence.pipeline",
    "PubMedStatus": "evidence.model",
    "PubMedUnavailable": "evidence.errors",
    "Reference": "evidence.model",
    "RetractionAssessment": "evidence.assess",
    "RetractionStatus": "evidence.model",
    "RiskOfBias": "evidence.model",
    "Severity": "evidence.errors",
    "SourceLocation": "evidence.errors",
    "Stance": "evidence.model",
    "Study": "evidence.studies",
    "StudyDesign": "evidence.model",
    "SupportCheck": "evidence.assess.support",
    "Verdict": "evidence.model",
    "assess_certainty": "evidence.assess.certainty",
    "assess_design": "evidence.assess",
    "assess_retraction": "evidence.assess",
    "build_table": "evidence.table",
    "check_support": "evidence.assess.support",
    "collect_studies": "evidence.studies",
    "dump_claims": "evidence.claims",
    "evidence_table": "evidence.pipeline",
    "extract_claims": "evidence.extract",
    "judge_claim": "evidence.assess.judge",
    "load_bibliography": "evidence.bibliography",
    "load_claims": "evidence.claims",
    "load_references": "evidence.bibliography",
    "make_study": "evidence.studies",
    "parse_claims": "evidence.claims",
    "parse_references": "evidence.bibliography",
    "plain_language": "evidence.assess.certainty",
    "pool_proportions": "evidence.assess",
    "wilson_interval": "evidence.assess",
}

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


__getattr__, __dir__ = lazy_exports(globals(), _WHERE)
