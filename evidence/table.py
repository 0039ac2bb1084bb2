"""The evidence table: one object around two DataFrames, with remarks shown under them.

:func:`build_table` joins claims to the references they cite, asks :mod:`evidence.judge`
for each claim's verdict and collects what is wrong in plain words. The result,
:class:`EvidenceTable`, holds

* ``claims`` — one row per claim (id, text, verdict, supporting and contradicting keys,
  number of studies, participants);
* ``evidence`` — one row per claim x citation (study, bibliographic data, stance, finding,
  numbers);
* ``remarks`` — located :class:`~evidence.errors.Problem` records about the claims
  (uncited claims, unknown keys ...), rendered under the table.

Like tableone's object it forwards ``to_markdown``/``to_html``/``to_csv``/``to_json``/
``to_latex`` to the renderers in :mod:`evidence.render`, and shows itself in notebooks
through ``_repr_html_``. The table knows nothing about output formats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from evidence.errors import Problem, Severity, SourceLocation
from evidence.judge import Judgement, judge_claim
from evidence.model import Citation, Claim, Reference

Resolver = Callable[[str], Reference | None]

__all__ = ["CLAIM_COLUMNS", "EVIDENCE_COLUMNS", "EvidenceTable", "build_table"]

CLAIM_COLUMNS = (
    "id",
    "text",
    "verdict",
    "supported_by",
    "contradicted_by",
    "studies",
    "participants",
    "tags",
    "rule",
)
"""Columns of :attr:`EvidenceTable.claims`, in order."""

EVIDENCE_COLUMNS = (
    "claim_id",
    "key",
    "study",
    "title",
    "journal",
    "year",
    "pmid",
    "doi",
    "stance",
    "finding",
    "n",
    "events",
    "proportion",
    "outcome",
    "locator",
    "note",
    "ref_number",
)
"""Columns of :attr:`EvidenceTable.evidence`, in order."""


@dataclass(frozen=True)
class EvidenceTable:
    """Claims, the evidence behind each, and what is wrong, ready to render.

    Build it with :func:`build_table`. ``references`` lists the cited references in the
    order they are numbered in the rendered reference list.
    """

    claims: pd.DataFrame
    evidence: pd.DataFrame
    remarks: tuple[Problem, ...]
    references: tuple[Reference, ...]
    judgements: Mapping[str, Judgement] = field(default_factory=dict)
    input_problems: tuple[Problem, ...] = ()
    title: str = "Evidence table"

    # -- rendering ------------------------------------------------------------------
    def render(self, fmt: str, **options: Any) -> str:
        """Render in ``fmt`` (``markdown``, ``html``, ``html-page``, ``csv``, ``json``,
        ``latex``); see :mod:`evidence.render` for the options."""
        from evidence.render import render

        return render(self, fmt, **options)

    def to_markdown(self, **options: Any) -> str:
        """GitHub-flavoured Markdown: claims, evidence, remarks and references."""
        return self.render("markdown", **options)

    def to_html(self, *, standalone: bool = False, **options: Any) -> str:
        """An HTML fragment, or a whole page with ``standalone=True``."""
        return self.render("html-page" if standalone else "html", **options)

    def to_csv(self, **options: Any) -> str:
        """The evidence rows as CSV, safe to open in a spreadsheet."""
        return self.render("csv", **options)

    def to_json(self, **options: Any) -> str:
        """The documented JSON schema (``claims`` and ``evidence`` arrays)."""
        return self.render("json", **options)

    def to_latex(self, **options: Any) -> str:
        """A booktabs table and a numbered reference list."""
        return self.render("latex", **options)

    def _repr_html_(self) -> str:
        return self.render("html")

    def __repr__(self) -> str:
        counts = self.claims["verdict"].value_counts().to_dict() if len(self.claims) else {}
        summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
        return (
            f"<EvidenceTable: {len(self.claims)} claims ({summary or 'none'}), "
            f"{len(self.evidence)} citations, {len(self.remarks)} remarks>"
        )


def _proportion(events: int | None, n: int | None) -> float | None:
    if events is None or not n:
        return None
    return events / n


def _study_labels(references: Sequence[Reference]) -> dict[str, str]:
    """Short citations, made unique with a/b/c suffixes as author-year styles do."""
    by_label: dict[str, list[Reference]] = {}
    for ref in references:
        by_label.setdefault(ref.short_citation, []).append(ref)
    labels: dict[str, str] = {}
    for label, refs in by_label.items():
        if len(refs) == 1:
            labels[refs[0].key] = label
        else:
            for i, ref in enumerate(refs):
                labels[ref.key] = f"{label}{chr(ord('a') + i)}"
    return labels


def _lookup(references: Mapping[str, Reference]) -> dict[str, Reference]:
    """Exact keys, plus lower-case keys where that is unambiguous (BibTeX keys are
    case-insensitive for BibTeX itself, so ``Katz2003`` finds ``katz2003`` with a remark)."""
    folded: dict[str, list[Reference]] = {}
    for ref in references.values():
        folded.setdefault(ref.key.lower(), []).append(ref)
    return {k: refs[0] for k, refs in folded.items() if len(refs) == 1}


def build_table(
    claims: Iterable[Claim],
    references: Mapping[str, Reference],
    *,
    excluded: Mapping[str, str] | None = None,
    title: str = "Evidence table",
) -> EvidenceTable:
    """Build the evidence table for ``claims`` citing ``references``.

    ``references`` is any mapping of key to :class:`~evidence.model.Reference`, such as
    the result of :func:`evidence.load_references`; its ``problems`` (if it has any) are
    carried over as ``input_problems``, as are those of ``claims``. ``excluded`` maps keys
    that must not count towards verdicts to the reason.

    >>> from evidence.model import Citation, Claim, Reference, Stance
    >>> refs = {"katz2003": Reference("katz2003", "article", year=2003)}
    >>> table = build_table([Claim("c1", "A claim.", (Citation("katz2003"),))], refs)
    >>> table.claims.loc[0, "verdict"]
    'supported'
    """
    claim_list = list(claims)
    folded = _lookup(references)
    remarks: list[Problem] = []

    def resolve(key: str) -> Reference | None:
        return references.get(key) or folded.get(key.lower())

    # Number the cited references in order of first citation.
    cited: dict[str, Reference] = {}
    for claim in claim_list:
        for citation in claim.citations:
            ref = resolve(citation.key)
            if ref is not None:
                cited.setdefault(ref.key, ref)
    numbers = {key: i for i, key in enumerate(cited, start=1)}
    labels = _study_labels(list(cited.values()))

    claim_rows: list[dict[str, Any]] = []
    evidence_rows: list[dict[str, Any]] = []
    judgements: dict[str, Judgement] = {}
    for claim in claim_list:
        where = claim.location or SourceLocation("<claims>")
        # Judge on canonical keys so a case slip does not make a claim unresolved.
        canonical = _canonical_claim(claim, resolve)
        judgement = judge_claim(canonical, cited.keys(), excluded=excluded)
        judgements[claim.id] = judgement
        remarks.extend(_claim_remarks(claim, judgement, resolve, where))
        participants: dict[str, int] = {}
        for citation in canonical.citations:
            ref = references.get(citation.key)
            if ref is not None and citation.n is not None and citation.key not in (excluded or {}):
                participants[citation.key] = max(participants.get(citation.key, 0), citation.n)
            evidence_rows.append(_evidence_row(claim.id, citation, ref, labels, numbers))
        claim_rows.append(
            {
                "id": claim.id,
                "text": claim.text,
                "verdict": judgement.verdict.value,
                "supported_by": judgement.supported_by,
                "contradicted_by": judgement.contradicted_by,
                "studies": len({c.key for c in canonical.citations if c.key in cited}),
                "participants": sum(participants.values()) if participants else None,
                "tags": claim.tags,
                "rule": judgement.rule,
            }
        )

    claims_df = pd.DataFrame(claim_rows, columns=list(CLAIM_COLUMNS))
    claims_df["participants"] = claims_df["participants"].astype("Int64")
    claims_df["studies"] = claims_df["studies"].astype("int64")
    evidence_df = pd.DataFrame(evidence_rows, columns=list(EVIDENCE_COLUMNS))
    for column in ("year", "n", "events", "ref_number"):
        evidence_df[column] = evidence_df[column].astype("Int64")
    evidence_df["proportion"] = evidence_df["proportion"].astype("Float64")
    input_problems = tuple(getattr(references, "problems", ())) + tuple(
        getattr(claims, "problems", ())
    )
    return EvidenceTable(
        claims=claims_df,
        evidence=evidence_df,
        remarks=tuple(remarks),
        references=tuple(cited.values()),
        judgements=judgements,
        input_problems=input_problems,
        title=title,
    )


def _canonical_claim(claim: Claim, resolve: Resolver) -> Claim:
    """The claim with each citation key replaced by the bibliography's spelling."""
    citations = []
    changed = False
    for citation in claim.citations:
        ref = resolve(citation.key)
        if ref is not None and ref.key != citation.key:
            citation = replace(citation, key=ref.key)
            changed = True
        citations.append(citation)
    if not changed:
        return claim
    return replace(claim, citations=tuple(citations))


def _claim_remarks(
    claim: Claim, judgement: Judgement, resolve: Resolver, where: SourceLocation
) -> list[Problem]:
    remarks: list[Problem] = []
    if not claim.citations:
        remarks.append(
            Problem(
                where,
                f"claim '{claim.id}' cites no study; add a citation or mark it as "
                "the author's own statement",
                code="uncited",
                severity=Severity.WARNING,
            )
        )
    for citation in claim.citations:
        at = citation.location or where
        ref = resolve(citation.key)
        if ref is None:
            remarks.append(
                Problem(
                    at,
                    f"claim '{claim.id}' cites '{citation.key}', which is not in the "
                    "bibliography; check the key or add the reference to the .bib file",
                    code="unknown-key",
                )
            )
        elif ref.key != citation.key:
            remarks.append(
                Problem(
                    at,
                    f"claim '{claim.id}' cites '{citation.key}' but the bibliography "
                    f"spells it '{ref.key}'; biber and other tools treat keys as "
                    "case-sensitive",
                    code="key-case",
                    severity=Severity.WARNING,
                )
            )
    for key, reason in judgement.excluded.items():
        remarks.append(
            Problem(
                where,
                f"claim '{claim.id}': '{key}' does not count towards the verdict ({reason})",
                code="excluded",
                severity=Severity.WARNING,
            )
        )
    return remarks


def _evidence_row(
    claim_id: str,
    citation: Citation,
    ref: Reference | None,
    labels: Mapping[str, str],
    numbers: Mapping[str, int],
) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "key": citation.key,
        "study": labels.get(citation.key, citation.key) if ref else citation.key,
        "title": ref.title if ref else "",
        "journal": ref.journal if ref else "",
        "year": ref.year if ref else None,
        "pmid": (ref.pmid or "") if ref else "",
        "doi": (ref.doi or "") if ref else "",
        "stance": citation.stance.value,
        "finding": citation.finding,
        "n": citation.n,
        "events": citation.events,
        "proportion": _proportion(citation.events, citation.n),
        "outcome": citation.outcome,
        "locator": citation.locator,
        "note": citation.note,
        "ref_number": numbers.get(citation.key),
    }
