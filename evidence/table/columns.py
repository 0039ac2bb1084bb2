"""The evidence table's columns, their dtypes and the order of its vocabularies."""

from __future__ import annotations

from evidence.model import (
    StudyDesign,
    Verdict,
)

CLAIM_COLUMNS = (
    "id",
    "text",
    "verdict",
    "supported_by",
    "contradicted_by",
    "unreviewed",
    "studies",
    "participants",
    "certainty",
    "certainty_source",
    "certainty_reasons",
    "plain_language",
    "pooled_outcome",
    "pooled_estimate",
    "pooled_low",
    "pooled_high",
    "pooled_i2",
    "tags",
    "rule",
)
"""Columns of :attr:`EvidenceTable.claims`, in order."""

CLAIM_DTYPES = {
    "studies": "int64",
    "participants": "Int64",
    "pooled_estimate": "Float64",
    "pooled_low": "Float64",
    "pooled_high": "Float64",
    "pooled_i2": "Float64",
}

_STUDY_COLUMNS = (
    "title",
    "pubmed_title",
    "journal",
    "year",
    "pmid",
    "doi",
    "pmcid",
    "design",
    "design_source",
    "design_basis",
    "retraction",
    "retraction_detail",
    "pubmed_status",
    "pubmed_detail",
    "publication_types",
    "major_mesh",
    "mismatches",
)

EVIDENCE_COLUMNS = (
    "claim_id",
    "key",
    "study",
    *_STUDY_COLUMNS,
    "stance",
    "finding",
    "n",
    "events",
    "proportion",
    "ci_low",
    "ci_high",
    "outcome",
    "risk_of_bias",
    "locator",
    "note",
    "excluded",
    "best_sentence",
    "best_score",
    "mentions",
    "abstract_source",
    "suggested_sentences",
    "suggested_numbers",
    "suggested_events",
    "suggested_n",
    "suggested_design",
    "ref_number",
)
"""Columns of :attr:`EvidenceTable.evidence`, in order."""

EVIDENCE_DTYPES = {
    "year": "Int64",
    "n": "Int64",
    "events": "Int64",
    "ref_number": "Int64",
    "proportion": "Float64",
    "ci_low": "Float64",
    "ci_high": "Float64",
    "best_score": "Float64",
    "mentions": "boolean",
    "suggested_events": "Int64",
    "suggested_n": "Int64",
}

CERTAINTY_ORDER = ("very-low", "low", "moderate", "high")
"""The order of the ``certainty`` column's categories, weakest first, so comparisons read as
GRADE does (``claims.certainty >= "low"`` is low, moderate or high) and
``sort_values("certainty", ascending=False)`` lists high, moderate, low, very low."""

VERDICT_ORDER = tuple(v.value for v in Verdict)
"""The order of the ``verdict`` categories: as :class:`~evidence.model.Verdict` lists them
(supported, contradicted, mixed, insufficient, uncited, unresolved, unreviewed)."""

DESIGN_ORDER = tuple(d.value for d in StudyDesign)
"""The order of the ``design`` categories: the evidence hierarchy of
:class:`~evidence.model.StudyDesign`, systematic reviews first, ``unknown`` last."""

POOLED_COLUMNS = (
    "claim_id",
    "outcome",
    "k",
    "keys",
    "estimate",
    "low",
    "high",
    "i2",
    "tau2",
    "method",
)
"""Columns of :attr:`EvidenceTable.pooled`: one row per claim and pooled outcome."""

_NOTEBOOK_CSS = (
    "<style>.evidence-table td, .evidence-table th "
    "{ text-align: left; vertical-align: top; }</style>\n"
)

POOLED_DTYPES = {"k": "int64", "estimate": "float64", "low": "float64", "high": "float64"}
