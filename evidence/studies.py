"""Studies: each cited reference joined with what PubMed says and what we make of it.

A :class:`Study` is the unit the evidence table shows per citation: the .bib entry, the
PubMed record when there is one (and where it came from: fetched, cache, snapshot, or why
there is none), the fields on which the two disagree, the study design with its source,
and the retraction status. :func:`make_study` builds one from parts and is pure; the
network side lives in :mod:`evidence.pubmed` and hands its outcome in.

Nothing is dropped: a reference PubMed could not answer for is still a study, with a
status that says so (house rule 8).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from evidence._gc import paused_gc
from evidence.assess import (
    DesignAssessment,
    RetractionAssessment,
    assess_design,
    assess_retraction,
)
from evidence.assess.reconcile import Mismatch, reconcile
from evidence.errors import (
    Problem,
    PubMedResponseError,
    PubMedUnavailable,
    Severity,
    SourceLocation,
)
from evidence.model import Citation, PubMedRecord, PubMedStatus, Reference

if TYPE_CHECKING:
    from evidence.pubmed.client import FetchOutcome, PubMedClient

__all__ = ["Collection", "Study", "collect_studies", "make_study", "study_design"]

log = logging.getLogger("evidence")


@dataclass(frozen=True, slots=True)
class _Assessed:
    """What :class:`Study` derives from its reference and record, made on first use."""

    mismatches: tuple[Mismatch, ...]
    design: DesignAssessment
    retraction: RetractionAssessment
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class Study:
    """A reference, its PubMed record (if any) and our reading of both.

    The reading (``design``, ``retraction``, ``mismatches``, ``problems``) is a pure
    function of the reference and the record, made the first time one of them is asked
    for and kept on the study: ``evidence fetch`` over 10,000 cached records never asks,
    and so never pays for 10,000 design assessments it would not show.
    """

    reference: Reference
    record: PubMedRecord | None
    pubmed_status: PubMedStatus
    pubmed_detail: str
    fetched_at: datetime | None = None  # when the record was fetched from NCBI, if known
    _assessed: list[_Assessed] = field(default_factory=list, init=False, repr=False, compare=False)

    def _assessment(self) -> _Assessed:
        if not self._assessed:
            self._assessed.append(_assess(self.reference, self.record))
        return self._assessed[0]

    @property
    def mismatches(self) -> tuple[Mismatch, ...]:
        """Fields on which the .bib entry and PubMed disagree."""
        return self._assessment().mismatches

    @property
    def design(self) -> DesignAssessment:
        """The study design and where it was read from."""
        return self._assessment().design

    @property
    def retraction(self) -> RetractionAssessment:
        """Whether PubMed marks the study retracted (or corrected)."""
        return self._assessment().retraction

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Located warnings about the reference (an unknown ``design`` field)."""
        return self._assessment().problems

    @property
    def key(self) -> str:
        return self.reference.key

    @property
    def pmid(self) -> str | None:
        return self.record.pmid if self.record else self.reference.pmid

    @property
    def doi(self) -> str | None:
        return self.reference.doi or (self.record.doi if self.record else None)

    @property
    def pmcid(self) -> str | None:
        return self.reference.pmcid or (self.record.pmcid if self.record else None)

    @property
    def title(self) -> str:
        """The .bib title, or PubMed's when the .bib has none."""
        return self.reference.title or (self.record.title if self.record else "")

    @property
    def pubmed_title(self) -> str:
        """PubMed's title where it differs from the .bib's ('' otherwise)."""
        return next((m.pubmed for m in self.mismatches if m.field == "title"), "")

    @property
    def exclusion(self) -> str | None:
        """Why this study must not count towards a verdict, or None."""
        if self.retraction.is_retracted:
            detail = f": {self.retraction.detail}" if self.retraction.detail else ""
            return f"retracted{detail}"
        return None


def _user_design_problem(reference: Reference, error: ValueError) -> Problem:
    where = reference.location or SourceLocation("<bibliography>")
    message = str(error)
    # assess_design names the place itself ("refs.bib:7: ..."); keep only the message.
    prefix = f"{where}: "
    if message.startswith(prefix):
        message = message[len(prefix) :]
    return Problem(where, message, code="bad-design", severity=Severity.WARNING)


def make_study(
    reference: Reference,
    record: PubMedRecord | None = None,
    *,
    status: PubMedStatus = PubMedStatus.NOT_LOOKED_UP,
    detail: str = "",
    fetched_at: datetime | None = None,
) -> Study:
    """Join ``reference`` with its PubMed ``record`` (fetched with ``status``).

    A ``design`` field in the .bib that is not a known design becomes a located warning,
    and the design is then read from PubMed as if the field were absent.

    >>> from evidence.model import Reference
    >>> study = make_study(Reference("katz2003", "article", design="retrospective cohort"))
    >>> study.design.design.value, study.design.source.value
    ('retrospective-cohort', 'user')
    """
    return Study(
        reference=reference,
        record=record,
        pubmed_status=status,
        pubmed_detail=detail,
        fetched_at=fetched_at if record is not None else None,
    )


def _assess(reference: Reference, record: PubMedRecord | None) -> _Assessed:
    problems: list[Problem] = []
    try:
        design = assess_design(record, reference=reference)
    except ValueError as error:
        problems.append(_user_design_problem(reference, error))
        design = assess_design(record)
    return _Assessed(
        mismatches=reconcile(reference, record) if record else (),
        design=design,
        retraction=assess_retraction(record),
        problems=tuple(problems),
    )


def study_design(study: Study, citation: Citation) -> DesignAssessment:
    """The design for one citation: the citation's own ``design`` wins over the study's.

    A citation design that is not a known design is left to the claims loader, which
    rejects it with its line; here it falls back to the study's design.
    """
    if not citation.design:
        return study.design
    try:
        return assess_design(study.record, reference=study.reference, citation=citation)
    except ValueError:
        return study.design


# --- gathering studies through a client ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Collection:
    """The studies for a set of references, and what happened on the way.

    ``resolved`` maps keys whose PMID was found through PubMed (DOI search or citation
    matching) to that PMID and how (``"doi"`` or ``"citation match"``); ``unreachable``
    holds the one-line reason when NCBI could not be reached ('' otherwise); ``requests``
    counts HTTP requests made.
    """

    studies: dict[str, Study]
    resolved: dict[str, tuple[str, str]]
    unreachable: str = ""
    requests: int = 0


def collect_studies(
    references: Iterable[Reference],
    client: PubMedClient | None = None,
    *,
    resolve: bool = True,
    progress: bool = False,
) -> Collection:
    """Studies for ``references``, with PubMed records where ``client`` can get them.

    Identifiers are resolved in the order the PubMed rules give: the PMID in the .bib;
    else the DOI through ESearch (taken only when the record carries that DOI); else the
    journal, year, volume, first page and first author through ECitMatch; else the study
    is ``unresolved`` and says so. With no client (or ``resolve=False``) only PMIDs already
    in the .bib are fetched. NCBI being unreachable is not an error: the studies keep the
    .bib data and each says ``unavailable`` with the reason.
    """
    refs = list(references)
    pmids: dict[str, str] = {r.key: r.pmid for r in refs if r.pmid}
    resolved: dict[str, tuple[str, str]] = {}
    unreachable = ""
    if client is not None and resolve and not client.offline:
        unreachable = _resolve_ids(refs, pmids, resolved, client)
    outcomes: Mapping[str, FetchOutcome] = {}
    requests = 0
    if client is not None and pmids:
        result = client.fetch(list(dict.fromkeys(pmids.values())), progress=progress)
        outcomes, requests = result, result.requests
        down = result.with_status(PubMedStatus.UNAVAILABLE)
        if down and not unreachable:
            unreachable = down[0].reason
    studies: dict[str, Study] = {}
    # Thousands of small objects over a heap of thousands of records, and no cycles: a
    # full collection the new objects would trigger walks every record (a tenth of a
    # warm 10,000-record build).
    with paused_gc():
        for ref in refs:
            pmid = pmids.get(ref.key)
            if pmid is None:
                studies[ref.key] = make_study(ref, **_no_pmid(client, resolve))
                continue
            outcome = outcomes.get(pmid)
            if outcome is None:
                studies[ref.key] = make_study(ref)
                continue
            detail = outcome.reason
            if ref.key in resolved:
                how = resolved[ref.key][1]
                detail = "; ".join(d for d in (f"PMID {pmid} found by {how}", detail) if d)
            studies[ref.key] = make_study(
                ref,
                outcome.record,
                status=outcome.status,
                detail=detail,
                fetched_at=outcome.fetched_at,
            )
    return Collection(studies, resolved, unreachable, requests)


def _no_pmid(client: PubMedClient | None, resolve: bool) -> dict[str, Any]:
    """Status and reason for a reference that ends up without a PMID."""
    if client is None:
        return {"status": PubMedStatus.NOT_LOOKED_UP, "detail": ""}
    if client.offline or not resolve:
        return {
            "status": PubMedStatus.NOT_LOOKED_UP,
            "detail": "the .bib gives no PMID, and it was not looked up"
            + (" (offline)" if client.offline else ""),
        }
    return {
        "status": PubMedStatus.UNRESOLVED,
        "detail": "no PMID in the .bib, and none found by DOI or citation match",
    }


def _resolve_ids(
    refs: Sequence[Reference],
    pmids: dict[str, str],
    resolved: dict[str, tuple[str, str]],
    client: PubMedClient,
) -> str:
    """Fill ``pmids`` for references without one; return the reason NCBI was unreachable."""
    from evidence.pubmed import CitationQuery, search_dois

    try:
        by_doi = [ref for ref in refs if ref.key not in pmids and ref.doi]
        if by_doi:
            try:
                found = search_dois(client, [ref.doi or "" for ref in by_doi])
            except PubMedResponseError as error:
                log.warning("DOI search failed: %s", error.message)
                found = {}
            for ref in by_doi:
                pmid = found.get(ref.doi or "")
                if pmid:
                    pmids[ref.key] = pmid
                    resolved[ref.key] = (pmid, "DOI")
        queries = {
            ref.key: CitationQuery.from_reference(ref)
            for ref in refs
            if ref.key not in pmids and ref.journal and ref.year
        }
        if queries:
            try:
                matches = client.citmatch(queries)
            except PubMedResponseError as error:
                log.warning("citation matching failed: %s", error.message)
                matches = {}
            for key, pmid in matches.items():
                if pmid:
                    pmids[key] = pmid
                    resolved[key] = (pmid, "citation match")
    except PubMedUnavailable as error:
        return error.message
    return ""
