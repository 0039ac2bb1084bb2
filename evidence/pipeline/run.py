"""The pipeline: read the inputs, merge the bibliographies, gather studies, build the table.

Every front end goes through :class:`Pipeline`: the command line, the Sphinx directive, the
MkDocs plugin and :func:`evidence_table` for Python callers. What differs between them is
only how inputs are read (:mod:`evidence.pipeline.inputs`) and how problems are shown; so a
table is the same whichever way it was asked for.

The steps, each a method a caller may also use alone::

    bibliography(paths)   every file read (any reference format), merged: a key defined
                          in two files is reported once with both locations and the first
                          used; the same work under two keys is reported too
    claims(path)          the claims file
    cited(claims, refs)   the references the claims cite, in first-cited order
    studies(refs)         PubMed records for them (snapshot, cache, network), memoised by
                          the reader for docs builds
    table(...)            the :class:`~evidence.table.evidence_table.EvidenceTable`
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from evidence.assess import PoolingSettings
from evidence.bibliography import Bibliography, merge_bibliographies
from evidence.claims import ClaimSet
from evidence.model import Claim, PubMedRecord, PubMedStatus, Reference
from evidence.pipeline.inputs import Reader
from evidence.pipeline.settings import PubMedSettings
from evidence.snapshot import Snapshot
from evidence.studies import Collection, collect_studies
from evidence.table import EvidenceTable, build_table

__all__ = ["Pipeline", "cited_references", "evidence_table"]

PathLike = str | os.PathLike[str]


def cited_references(claims: Iterable[Claim], references: Bibliography) -> list[Reference]:
    """The references ``claims`` cite that ``references`` holds, once each, first cited first."""
    found: dict[str, Reference] = {}
    for claim in claims:
        for citation in claim.citations:
            ref = references.find(citation.key)
            if ref is not None:
                found.setdefault(ref.key, ref)
    return list(found.values())


def _with_snapshot_times(
    collection: Collection, snapshot: Mapping[str, PubMedRecord] | None
) -> Collection:
    """Studies whose record came from ``snapshot`` carry the time it was fetched."""
    times = getattr(snapshot, "fetched_at", None)
    if not times:
        return collection
    for key, study in collection.studies.items():
        if study.pubmed_status is PubMedStatus.SNAPSHOT and study.pmid in times:
            collection.studies[key] = replace(study, fetched_at=times[study.pmid])
    return collection


class Pipeline:
    """One run of the steps with one set of PubMed settings and one way of reading inputs.

    ``reader`` defaults to a plain :class:`~evidence.pipeline.inputs.Reader` that uses the
    .bib parse cache under the settings' cache root; docs builds pass an
    :class:`~evidence.pipeline.inputs.InputCache`. ``names`` maps paths to the names used
    in messages. ``progress`` shows a progress bar for long fetches.
    """

    def __init__(
        self,
        pubmed: PubMedSettings | None = None,
        *,
        reader: Reader | None = None,
        names: Mapping[Path, str] | None = None,
        progress: bool = False,
        encoding: str = "utf-8",
        pooling: PoolingSettings | None = None,
    ) -> None:
        self.pubmed = pubmed or PubMedSettings()
        self.pooling = pooling  # how comparative effects are pooled (None: REML defaults)
        self.reader = reader or Reader(bib_cache=self.pubmed.bib_cache(), encoding=encoding)
        self.names = dict(names or {})
        self.progress = progress

    def name(self, path: Path) -> str:
        """How messages name ``path``."""
        return self.names.get(path, str(path))

    # -- reading ---------------------------------------------------------------------
    def bibliography(self, paths: Sequence[PathLike]) -> Bibliography:
        """Every file in ``paths`` read and merged (see :func:`merge_bibliographies`).

        Raises the reader's located error for a file that cannot be used at all.
        """
        bibs = [self.reader.references(Path(p), self.name(Path(p))) for p in paths]
        if not bibs:
            return Bibliography([])
        return merge_bibliographies(bibs)

    def claims(self, path: PathLike) -> ClaimSet:
        """The claims file at ``path``."""
        return self.reader.claims(Path(path), self.name(Path(path)))

    def snapshot(self, path: PathLike) -> Snapshot:
        """The snapshot at ``path``, a mapping of its records (a located error if it
        cannot be used)."""
        return self.reader.snapshot(Path(path))

    # -- gathering studies ---------------------------------------------------------------
    def studies(
        self,
        references: Sequence[Reference],
        *,
        snapshot: Mapping[str, PubMedRecord] | None = None,
        memo: tuple[object, ...] = (),
    ) -> Collection:
        """PubMed records and assessments for ``references``.

        NCBI being unreachable is not an error: ``Collection.unreachable`` says why, once.
        ``memo`` (the inputs' digests) lets a caching reader reuse an earlier collection.
        """

        def collect() -> Collection:
            with self.pubmed.client(snapshot) as client:
                collection = collect_studies(references, client, progress=self.progress)
            return _with_snapshot_times(collection, snapshot)

        key = (*memo, tuple(ref.key for ref in references), self.pubmed.key())
        return self.reader.studies(key, collect)

    # -- the table ------------------------------------------------------------------------
    def table(
        self,
        claims: ClaimSet,
        references: Bibliography,
        *,
        snapshot: Mapping[str, PubMedRecord] | None = None,
        title: str = "",
        memo: tuple[object, ...] = (),
    ) -> EvidenceTable:
        """The evidence table for ``claims`` against ``references``."""
        collection = self.studies(
            cited_references(claims, references), snapshot=snapshot, memo=memo
        )
        return build_table(
            claims, references, studies=collection, title=title, pooling=self.pooling
        )

    def run(
        self,
        claims: PathLike,
        bibs: Sequence[PathLike],
        *,
        snapshot: PathLike | None = None,
        title: str | None = None,
    ) -> tuple[EvidenceTable, Bibliography]:
        """Read everything and build the table; returns it with the merged bibliography.

        Raises the located error of an input that cannot be used (a missing snapshot
        included).
        """
        claim_set = self.claims(claims)  # first: a broken claims file writes no cache
        references = self.bibliography(bibs)
        records = self.snapshot(snapshot) if snapshot is not None else None
        table = self.table(
            claim_set,
            references,
            snapshot=records,
            title=title if title is not None else claim_set.title or "",
        )
        return table, references


def evidence_table(
    claims: PathLike,
    bib: PathLike | Sequence[PathLike],
    *,
    offline: bool = False,
    snapshot: PathLike | None = None,
    cache: bool = True,
    cache_dir: PathLike | None = None,
    email: str | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    title: str | None = None,
    pooling: PoolingSettings | None = None,
) -> EvidenceTable:
    """The evidence table for a claims file and one or more bibliographies, in one call.

    The same steps the command line and the docs builds take (:class:`Pipeline`)::

        table = evidence.evidence_table("claims.yaml", ["a.bib", "b.bib"], offline=True)

    ``pooling`` chooses how comparative effects are pooled
    (:class:`~evidence.assess.comparisons.PoolingSettings`; REML random effects by default).
    """
    settings = PubMedSettings(
        offline=offline,
        cache=cache,
        cache_dir=cache_dir,
        email=email,
        api_key=api_key,
        base_url=base_url,
    )
    bibs = [bib] if isinstance(bib, str | os.PathLike) else list(bib)
    table, _ = Pipeline(settings, pooling=pooling).run(claims, bibs, snapshot=snapshot, title=title)
    return table
