"""DOI -> PMID for many DOIs at once: one ESearch per batch, each hit checked.

``PubMedClient.search_doi`` answers for one DOI with one ESearch (and one EFetch to
confirm); a bibliography of 2,000 DOI-only entries made 2,000 searches, ten minutes at
NCBI's 3 requests a second. :func:`search_dois` asks for a batch of DOIs in one ESearch
(their terms joined by ``OR``), fetches the records found (through the client's cache,
in its batches) and accepts a PMID for a DOI only when exactly one of those records
carries that DOI. PubMed rewrites DOI queries and can return unrelated records; checking
the DOI the record itself carries is what makes a hit safe to take, here as in the
one-DOI search.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from evidence.errors import PubMedUnavailable
from evidence.model import PubMedStatus
from evidence.pubmed import query
from evidence.pubmed.client import PubMedClient

__all__ = ["DOI_BATCH", "search_dois"]

#: DOIs per ESearch (sent by POST: the term of 100 DOIs is about 4 KB).
DOI_BATCH = 100

logger = logging.getLogger("evidence.pubmed")


def search_dois(
    client: PubMedClient, dois: Iterable[str], *, batch_size: int = DOI_BATCH
) -> dict[str, str | None]:
    """The PMID for each of ``dois`` (as given), or ``None`` with no sure match.

    A DOI gets a PMID when exactly one record found carries it (compared without case);
    text that is not a DOI gets ``None``. Raises :class:`~evidence.errors.PubMedUnavailable`
    when NCBI cannot answer (or a record found cannot be fetched to check it) and
    :class:`~evidence.errors.PubMedResponseError` when it answers with an error.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    given = list(dict.fromkeys(dois))
    result: dict[str, str | None] = dict.fromkeys(given)
    wanted: dict[str, list[str]] = {}  # normalised, lower-case DOI -> the texts given
    for text in given:
        doi = query.normalise_doi(text)
        if doi is None:
            logger.info("%r is not a DOI; not searched", text)
            continue
        wanted.setdefault(doi.casefold(), []).append(text)
    for batch in query.batched(list(wanted), batch_size):
        # Room for a few hits per DOI: a DOI with several is ambiguous, and must show so.
        pmids = client.esearch_dois(batch, retmax=min(10 * len(batch), 10_000))
        carriers: dict[str, set[str]] = {}
        if pmids:
            fetched = client.fetch(pmids)
            for pmid in pmids:
                outcome = fetched[pmid]
                if outcome.record is None:
                    if outcome.status is PubMedStatus.NOT_FOUND:
                        continue
                    raise PubMedUnavailable(
                        f"PubMed names PMID {pmid} for a DOI, but its record could not be "
                        f"fetched to confirm it ({outcome.reason})"
                    )
                carried = (outcome.record.doi or "").casefold()
                if carried in wanted:
                    carriers.setdefault(carried, set()).add(outcome.record.pmid)
        for doi in batch:
            found = carriers.get(doi, set())
            if len(found) > 1:
                logger.info("DOI %s: %d PubMed records carry it, so none is taken", doi, len(found))
            taken = next(iter(found)) if len(found) == 1 else None
            for text in wanted[doi]:
                result[text] = taken
    return result
