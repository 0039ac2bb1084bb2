"""The remarks a table build makes about studies and claims, each located and coded."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from evidence.assess.judge import Judgement
from evidence.assess.support import RankedSentence
from evidence.errors import Problem, Severity, SourceLocation
from evidence.model import (
    Citation,
    Claim,
    PubMedStatus,
    Reference,
)
from evidence.studies import Study

Resolver = Callable[[str], Reference | None]


def _no_mention_remark(
    claim: Claim, citation: Citation, best: RankedSentence | None, where: SourceLocation
) -> Problem:
    closest = f" (closest sentence: {best.text!r})" if best else ""
    return Problem(
        citation.location or where,
        f"claim '{claim.id}': the abstract of '{citation.key}' does not appear to mention "
        f"it{closest}; check that this is the study you meant to cite",
        code="no-mention",
        severity=Severity.WARNING,
    )


def _study_remarks(studies: Iterable[Study]) -> list[Problem]:
    remarks = []
    for study in studies:
        where = study.reference.location or SourceLocation("<bibliography>")
        if study.mismatches:
            differences = "; ".join(str(m) for m in study.mismatches)
            remarks.append(
                Problem(
                    where,
                    f"'{study.key}' disagrees with PubMed {study.pmid}: {differences}; "
                    "check the .bib entry (nothing was overwritten)",
                    code="mismatch",
                    severity=Severity.WARNING,
                )
            )
        if study.pubmed_status is PubMedStatus.NOT_FOUND:
            remarks.append(
                Problem(
                    where,
                    f"'{study.key}': PMID {study.pmid} was not found in PubMed "
                    f"({study.pubmed_detail or 'no record'}); check the PMID",
                    code="not-found",
                    severity=Severity.WARNING,
                )
            )
    return remarks


def _claim_remarks(
    claim: Claim,
    judgement: Judgement,
    resolve: Resolver,
    where: SourceLocation,
    study_of: Mapping[str, Study],
) -> list[Problem]:
    remarks: list[Problem] = []
    # A claim extracted from a document says where it came from, so a remark points at
    # the manuscript as well as at the claims file's line.
    name = f"claim '{claim.id}'" + (f" (from {claim.source})" if claim.source else "")
    if not claim.citations:
        remarks.append(
            Problem(
                where,
                f"{name} cites no study; add a citation if one backs it",
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
                    f"{name} cites '{citation.key}', which is not in the "
                    "bibliography; check the key or add the reference to the .bib file",
                    code="unknown-key",
                )
            )
            continue
        if ref.key != citation.key:
            remarks.append(
                Problem(
                    at,
                    f"{name} cites '{citation.key}' but the bibliography "
                    f"spells it '{ref.key}'; biber and other tools treat keys as "
                    "case-sensitive",
                    code="key-case",
                    severity=Severity.WARNING,
                )
            )
        study = study_of.get(ref.key)
        if study is not None and study.retraction.is_retracted:
            remarks.append(
                Problem(
                    at,
                    f"{name} cites '{ref.key}', which is retracted "
                    f"({study.retraction.detail or 'PubMed'}); it does not count towards the "
                    "verdict: remove or replace the citation",
                    code="retracted",
                )
            )
    for key, reason in judgement.excluded.items():
        if study_of.get(key) is not None and study_of[key].retraction.is_retracted:
            continue  # already said, with its own code
        remarks.append(
            Problem(
                where,
                f"{name}: '{key}' does not count towards the verdict ({reason})",
                code="excluded",
                severity=Severity.WARNING,
            )
        )
    return remarks
