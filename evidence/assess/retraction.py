"""Retraction status: a pure function of a PubMed record.

:func:`assess_retraction` reads only structured signals: publication types and
``CommentsCorrections`` links, never the word "retract" in a title (a notice is titled
"Retraction Note: ..."). Severity, most severe first: retracted (``Retracted Publication``
D016441, ``RetractionIn``, ``RetractedandRepublishedIn``) > retraction notice (``Retraction
of Publication`` D016440, ``RetractionOf``) > expression of concern
(``ExpressionOfConcernIn``) > corrected (``ErratumIn``, ``CorrectedandRepublishedIn``).
The most severe one is the status; the others stay in ``detail`` and ``notices``.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence.assess.design import publication_type_basis
from evidence.model import (
    CommentCorrection,
    PublicationType,
    PubMedRecord,
    RetractionStatus,
)

__all__ = ["RetractionAssessment", "assess_retraction"]


@dataclass(frozen=True, slots=True)
class RetractionAssessment:
    """A record's retraction standing, the links that say so, and a sentence for people.

    ``notices`` are the ``CommentsCorrections`` links behind the status and the lesser
    signals, most severe first. ``checked`` is False when there was no record to read, so
    ``status`` NONE then means "not known", never "clean".
    """

    status: RetractionStatus
    notices: tuple[CommentCorrection, ...] = ()
    detail: str = ""
    checked: bool = True

    @property
    def notice_pmids(self) -> tuple[str, ...]:
        """PMIDs of the linked notices (retraction, concern, erratum), in order."""
        return tuple(n.pmid for n in self.notices if n.pmid)

    @property
    def is_retracted(self) -> bool:
        return self.status is RetractionStatus.RETRACTED


_RETRACTED_PT = ("D016441", "retracted publication")
_NOTICE_PT = ("D016440", "retraction of publication")
# RefType -> (status, words for people); the tuple order is the order of severity.
_LINKS: dict[str, tuple[RetractionStatus, str]] = {
    "RetractionIn": (RetractionStatus.RETRACTED, "retraction notice"),
    "RetractedandRepublishedIn": (RetractionStatus.RETRACTED, "retracted and republished as"),
    "RetractionOf": (RetractionStatus.RETRACTION_NOTICE, "notice retracting"),
    "ExpressionOfConcernIn": (RetractionStatus.EXPRESSION_OF_CONCERN, "expression of concern"),
    "ErratumIn": (RetractionStatus.CORRECTED, "erratum"),
    "CorrectedandRepublishedIn": (RetractionStatus.CORRECTED, "corrected and republished as"),
}
_SEVERITY = (
    RetractionStatus.RETRACTED,
    RetractionStatus.RETRACTION_NOTICE,
    RetractionStatus.EXPRESSION_OF_CONCERN,
    RetractionStatus.CORRECTED,
)


def _has_pt(record: PubMedRecord, code: tuple[str, str]) -> PublicationType | None:
    for pt in record.publication_types:
        if pt.ui.strip() == code[0] or pt.name.strip().casefold() == code[1]:
            return pt
    return None


def _describe_link(link: CommentCorrection, words: str) -> str:
    what = f"PMID {link.pmid}" if link.pmid else "no PMID"
    return f"{words} {what}" + (f" ({link.source})" if link.source else "")


def assess_retraction(record: PubMedRecord | None) -> RetractionAssessment:
    """Whether a record is retracted, is itself a retraction notice, carries an expression
    of concern, or was corrected, from publication types and CommentsCorrections only.

    >>> from evidence.model import CommentCorrection, PubMedRecord
    >>> r = PubMedRecord("1", "A study", comments_corrections=(
    ...     CommentCorrection("RetractionIn", "J. 2019;1:2", "99"),))
    >>> assess_retraction(r).status, assess_retraction(r).notice_pmids
    (<RetractionStatus.RETRACTED: 'retracted'>, ('99',))
    """
    if record is None:
        return RetractionAssessment(
            RetractionStatus.NONE, (), "not checked: no PubMed record", checked=False
        )
    found: dict[RetractionStatus, list[str]] = {s: [] for s in _SEVERITY}
    links: list[tuple[int, CommentCorrection]] = []
    retracted_pt = _has_pt(record, _RETRACTED_PT)
    if retracted_pt is not None:
        found[RetractionStatus.RETRACTED].append(publication_type_basis(retracted_pt))
    notice_pt = _has_pt(record, _NOTICE_PT)
    if notice_pt is not None:
        found[RetractionStatus.RETRACTION_NOTICE].append(publication_type_basis(notice_pt))
    for link in record.comments_corrections:
        hit = _LINKS.get(link.ref_type.strip())
        if hit is None:
            continue
        status, words = hit
        found[status].append(_describe_link(link, words))
        links.append((_SEVERITY.index(status), link))
    present = [s for s in _SEVERITY if found[s]]
    if not present:
        return RetractionAssessment(RetractionStatus.NONE, (), "no retraction, concern or erratum")
    status = present[0]
    if status is RetractionStatus.RETRACTED and any(
        link.ref_type.strip() == "RetractedandRepublishedIn" for _, link in links
    ):
        head = "retracted and republished"
    else:
        head = status.label
    parts = [f"{head}: " + "; ".join(found[status])]
    parts += [f"also {s.label}: " + "; ".join(found[s]) for s in present[1:]]
    notices = tuple(link for _, link in sorted(links, key=lambda item: item[0]))
    return RetractionAssessment(status, notices, ". ".join(parts))
