"""What a fetch gives back: a :class:`FetchOutcome` per PMID, in a :class:`FetchResult`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from evidence.model import PubMedRecord, PubMedStatus
from evidence.pubmed.query import normalise_pmid

if TYPE_CHECKING:
    from evidence.pubmed.cache import CacheEntry

__all__ = ["NOT_FOUND_REASON", "FetchOutcome", "FetchResult", "cached_outcome", "fallback_outcome"]

#: The reason given for a PMID NCBI does not have.
NOT_FOUND_REASON = "not found in PubMed"


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What became of one requested PMID.

    ``status`` says where the record came from (``fetched``, ``cache``, ``snapshot``) or
    why there is none (``not-found``, ``unavailable``, ``not-looked-up``); ``reason``
    explains the last three in words. ``stale`` marks a cached copy older than the cache
    allows, used because a fresh one could not be fetched.
    """

    pmid: str
    status: PubMedStatus
    record: PubMedRecord | None = None
    reason: str = ""
    fetched_at: datetime | None = None
    stale: bool = False

    @property
    def ok(self) -> bool:
        """Whether there is a record to use."""
        return self.record is not None


def cached_outcome(entry: CacheEntry) -> FetchOutcome:
    """The outcome for a fresh cache ``entry``: its record, or "not found" as checked then."""
    if entry.record is None:
        return FetchOutcome(
            entry.pmid,
            PubMedStatus.NOT_FOUND,
            reason=f"{NOT_FOUND_REASON} (checked {entry.fetched_at:%Y-%m-%d}, cached)",
            fetched_at=entry.fetched_at,
        )
    return FetchOutcome(entry.pmid, PubMedStatus.CACHE, entry.record, fetched_at=entry.fetched_at)


def fallback_outcome(
    pmid: str, stale: Mapping[str, CacheEntry], status: PubMedStatus, reason: str
) -> FetchOutcome:
    """The stale cached answer for ``pmid`` if there is one, else ``status``."""
    entry = stale.get(pmid)
    if entry is None:
        return FetchOutcome(pmid, status, reason=reason)
    note = f"cached copy from {entry.fetched_at:%Y-%m-%d}, could not be refreshed: {reason}"
    if entry.record is None:
        return FetchOutcome(
            pmid,
            PubMedStatus.NOT_FOUND,
            reason=f"{NOT_FOUND_REASON} ({note})",
            fetched_at=entry.fetched_at,
            stale=True,
        )
    return FetchOutcome(
        pmid, PubMedStatus.CACHE, entry.record, note, fetched_at=entry.fetched_at, stale=True
    )


class FetchResult(Mapping[str, FetchOutcome]):
    """Every requested PMID mapped to its :class:`FetchOutcome`, in the order asked.

    Keys are canonical PMIDs (``"0123"`` is looked up as ``"123"``); text that is not a
    PMID keeps its own key with a ``not-found`` outcome. ``requests`` counts the HTTP
    requests made (retries included) and ``rate_limited`` the 429 answers among them.
    """

    def __init__(
        self,
        outcomes: Mapping[str, FetchOutcome],
        *,
        requests: int = 0,
        rate_limited: int = 0,
    ) -> None:
        self._outcomes = dict(outcomes)
        self.requests = requests
        self.rate_limited = rate_limited

    def __getitem__(self, pmid: str) -> FetchOutcome:
        outcome = self._outcomes.get(pmid)
        if outcome is None:
            outcome = self._outcomes.get(normalise_pmid(pmid) or pmid)
        if outcome is None:
            raise KeyError(pmid)
        return outcome

    def __iter__(self) -> Iterator[str]:
        return iter(self._outcomes)

    def __len__(self) -> int:
        return len(self._outcomes)

    @property
    def records(self) -> dict[str, PubMedRecord]:
        """The PMIDs that have a record (fetched, cached or from the snapshot)."""
        return {p: o.record for p, o in self._outcomes.items() if o.record is not None}

    def with_status(self, *statuses: PubMedStatus) -> list[FetchOutcome]:
        """The outcomes with any of ``statuses``, in request order."""
        return [o for o in self._outcomes.values() if o.status in statuses]

    def summary(self) -> str:
        """One line for people, e.g. ``3 PMIDs: 2 fetched, 1 not-found``."""
        counts: dict[str, int] = {}
        for outcome in self._outcomes.values():
            counts[outcome.status.value] = counts.get(outcome.status.value, 0) + 1
        parts = ", ".join(f"{n} {status}" for status, n in counts.items())
        return f"{len(self)} PMIDs: {parts}" if parts else "0 PMIDs"

    def __repr__(self) -> str:
        return f"<FetchResult {self.summary()}; {self.requests} requests>"
