"""One partition of an audit: its articles' citations looked up and assessed.

For every cited work: its identifiers from the article's reference list; a DOI or PMCID
turned into a PMID by the index; the record from the MEDLINE index, else from the snapshot
or the cache, else from PubMed when online (one batched fetch per partition, through the
pipeline's :class:`~evidence.pipeline.PubMedSettings` client); its retraction status by
:func:`evidence.assess.assess_retraction`; and, when the record has an abstract, whether it
appears to mention the citing sentence (:func:`evidence.assess.support.support_for_record`).

Every citation is a row, whether or not its work could be found (``record_source`` says
where the record came from or why there is none); every article is a summary row, an
unreadable one with its error. The rows are written as two Parquet files, then the
partition's marker: see :mod:`evidence.audit.engine`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evidence._files import atomic_write_bytes, atomic_write_text
from evidence.assess import RetractionAssessment, assess_retraction
from evidence.assess.support import AbstractTerms, abstract_terms, support_for_record
from evidence.audit.citations import ArticleCitations, article_citations
from evidence.audit.corpus import Slice, read_slice
from evidence.audit.engine import Summary, Task
from evidence.audit.jats import CitedWork
from evidence.audit.parquet import table_bytes
from evidence.errors import EvidenceError
from evidence.model import PubMedRecord, RetractionStatus
from evidence.pipeline import PubMedSettings
from evidence.pubmed.medline import MedlineIndex
from evidence.snapshot import load_snapshot

__all__ = ["AuditSettings", "audit_slice", "marker_path", "schemas"]

#: Flags a citation can carry, beside its status.
NOT_MENTIONED = "abstract-does-not-mention"
NOT_CHECKED = "not-checked"


@dataclass(frozen=True)
class AuditSettings:
    """What every partition needs: the output folder, the index and snapshot paths (or
    ``None``), the PubMed settings for records the index lacks (offline unless given), and
    whether to run the support check."""

    out: str
    index: str | None = None
    snapshot: str | None = None
    pubmed: PubMedSettings = field(default_factory=lambda: PubMedSettings(offline=True))
    support: bool = True

    def key(self) -> dict[str, Any]:
        """What makes two runs the same job (a rerun may reuse parts only then)."""
        return {
            "index": os.path.abspath(self.index) if self.index else None,
            "snapshot": os.path.abspath(self.snapshot) if self.snapshot else None,
            "offline": self.pubmed.offline,
            "support": self.support,
        }


def schemas() -> tuple[Any, Any]:
    """The pyarrow schemas of the citation rows and the article rows."""
    import pyarrow as pa

    text = pa.string()
    citations = pa.schema(
        [
            ("article", text),
            ("source", text),
            ("location", text),
            ("line", pa.int32()),
            ("sentence", text),
            ("ref_id", text),
            ("cited_pmid", text),
            ("cited_doi", text),
            ("cited_pmcid", text),
            ("record_source", text),
            ("status", text),
            ("notices", text),
            ("detail", text),
            ("support_score", pa.float64()),
            ("mentions", pa.bool_()),
            ("flags", text),
        ]
    )
    articles = pa.schema(
        [
            ("article", text),
            ("source", text),
            ("reader", text),
            ("sentences", pa.int32()),
            ("citations", pa.int32()),
            ("with_identifier", pa.int32()),
            ("checked", pa.int32()),
            ("retracted", pa.int32()),
            ("retraction_notice", pa.int32()),
            ("expression_of_concern", pa.int32()),
            ("corrected", pa.int32()),
            ("not_mentioned", pa.int32()),
            ("unmapped_markers", pa.int32()),
            ("error", text),
        ]
    )
    return citations, articles


def marker_path(out: str | os.PathLike[str], key: str) -> Path:
    """Where a finished partition's marker is."""
    return Path(out) / "done" / f"{key}.json"


class _Records:
    """The records of one partition's cited works, from the index, snapshot, cache, PubMed.

    What depends on the cited record only -- its retraction assessment, and its abstract cut
    into sentences and terms for the support check -- is made once per PMID and partition
    (:meth:`assessment`, :meth:`terms`), not once per citation: a partition cites a work
    1.8 times on average in the benchmark corpus, and the abstract's terms were 60 % of
    the partition's time. The results are those of the per-citation calls
    (``support_for_record(sentence, record)`` makes the same ``abstract_terms(record)``
    itself); ``tests/test_audit.py`` compares the two
    (``test_per_pmid_memo_gives_the_per_citation_results``).
    """

    def __init__(self, settings: AuditSettings) -> None:
        self.settings = settings
        self.index = MedlineIndex(settings.index) if settings.index else None
        self.records: dict[str, tuple[PubMedRecord | None, str]] = {}
        self.pmid_of: dict[str, str] = {}
        self._assessed: dict[str | None, RetractionAssessment] = {}
        self._terms: dict[str, AbstractTerms | None] = {}

    def assessment(self, pmid: str | None, record: PubMedRecord | None) -> RetractionAssessment:
        """``assess_retraction(record)``, made once per PMID (``record`` is its record)."""
        key = pmid if record is not None else None
        found = self._assessed.get(key)
        if found is None:
            found = self._assessed[key] = assess_retraction(record)
        return found

    def terms(self, pmid: str, record: PubMedRecord) -> AbstractTerms | None:
        """``abstract_terms(record)``, made once per PMID (``None``: no abstract)."""
        if pmid in self._terms:
            return self._terms[pmid]
        found = self._terms[pmid] = abstract_terms(record)
        return found

    def resolve(self, works: list[CitedWork]) -> None:
        pmids = {w.pmid for w in works if w.pmid}
        others = {i for w in works if not w.pmid for i in (w.doi, w.pmcid) if i}
        if self.index is not None and others:
            self.pmid_of.update(self.index.pmids_for(sorted(others)))
        pmids |= {self.pmid_of[i] for i in others if i in self.pmid_of}
        if self.index is not None:
            for pmid, record in self.index.get_many(sorted(pmids)).items():
                self.records[pmid] = (record, "index")
        rest = sorted(p for p in pmids if p not in self.records)
        if not rest:
            return
        snapshot: Mapping[str, PubMedRecord] | None = None
        if self.settings.snapshot:
            snapshot = load_snapshot(self.settings.snapshot)
        with self.settings.pubmed.client(snapshot) as client:
            for pmid, outcome in client.fetch(rest).items():
                self.records[pmid] = (outcome.record, outcome.status.value)

    def look_up(self, work: CitedWork) -> tuple[str | None, PubMedRecord | None, str]:
        pmid = work.pmid or self.pmid_of.get(work.doi or "") or self.pmid_of.get(work.pmcid or "")
        if pmid is None:
            has_id = work.doi or work.pmcid
            return None, None, "not-in-index" if has_id else "no-identifier"
        record, source = self.records.get(pmid, (None, "not-looked-up"))
        return pmid, record, source


def audit_slice(task: Task) -> Summary:
    """Audit one partition (a :class:`~evidence.audit.corpus.Slice` with the settings);
    write its citation and article rows, then its marker. Returns its counts."""
    piece, settings = task.payload
    assert isinstance(piece, Slice)
    assert isinstance(settings, AuditSettings)
    import pyarrow as pa

    read: list[tuple[str, ArticleCitations | str]] = []
    for name, data in read_slice(piece):
        if isinstance(data, OSError):
            read.append((name, f"cannot read the article: {data}"))
            continue
        try:
            read.append((name, article_citations(name, data)))
        except EvidenceError as error:
            read.append((name, str(error)))
    records = _Records(settings)
    records.resolve(
        [w for _, a in read if not isinstance(a, str) for s in a.sentences for w in s.cited]
    )
    citation_schema, article_schema = schemas()
    rows: dict[str, list[Any]] = {name: [] for name in citation_schema.names}
    summaries: dict[str, list[Any]] = {name: [] for name in article_schema.names}
    for name, found in read:
        counts = dict.fromkeys(article_schema.names[3:-1], 0)
        if isinstance(found, str):
            _append(
                summaries, {"article": name, "source": name, "reader": "", **counts, "error": found}
            )
            continue
        counts["sentences"] = len(found.sentences)
        counts["unmapped_markers"] = found.unmapped
        for sentence in found.sentences:
            for work in sentence.cited:
                row = _row(
                    found.article,
                    name,
                    sentence.location,
                    sentence.sentence,
                    work,
                    records,
                    settings,
                )
                _append(rows, row)
                _count(counts, row)
        _append(
            summaries,
            {
                "article": found.article,
                "source": name,
                "reader": found.reader,
                **counts,
                "error": None,
            },
        )
    out = Path(settings.out)
    atomic_write_bytes(
        out / "citations" / f"part-{task.key}.parquet",
        table_bytes(pa.table(rows, schema=citation_schema)),
    )
    atomic_write_bytes(
        out / "articles" / f"part-{task.key}.parquet",
        table_bytes(pa.table(summaries, schema=article_schema)),
    )
    summary = {
        "label": task.label,
        "articles": len(read),
        "citations": len(rows["article"]),
        "retracted": sum(summaries["retracted"]),
        "errors": sum(1 for e in summaries["error"] if e),
    }
    atomic_write_text(marker_path(out, task.key), json.dumps(summary))
    return summary


def _append(columns: dict[str, list[Any]], row: Mapping[str, Any]) -> None:
    for name, values in columns.items():
        values.append(row[name])


def _count(counts: dict[str, int], row: Mapping[str, Any]) -> None:
    counts["citations"] += 1
    if row["cited_pmid"] or row["cited_doi"] or row["cited_pmcid"]:
        counts["with_identifier"] += 1
    if row["record_source"] in _FOUND:
        counts["checked"] += 1
    status = row["status"].replace("-", "_")
    if status in counts:
        counts[status] += 1
    if row["mentions"] is False:
        counts["not_mentioned"] += 1


_FOUND = frozenset({"index", "snapshot", "cache", "fetched"})


def _row(
    article: str,
    source: str,
    location: Any,
    sentence: str,
    work: CitedWork,
    records: _Records,
    settings: AuditSettings,
) -> dict[str, Any]:
    pmid, record, record_source = records.look_up(work)
    flags: list[str] = []
    assessment = records.assessment(pmid, record)
    status = assessment.status.value if assessment.checked else "unknown"
    if assessment.checked and assessment.status is not RetractionStatus.NONE:
        flags.append(assessment.status.value)
    if not assessment.checked:
        flags.append(NOT_CHECKED)
    score = None
    mentions = None
    if settings.support and record is not None and pmid is not None:
        prepared = records.terms(pmid, record)
        check = support_for_record(sentence, record, prepared=prepared) if prepared else None
        if check is not None:
            score = round(check.score, 6)
            mentions = check.mentions
            if not mentions:
                flags.append(NOT_MENTIONED)
    return {
        "article": article,
        "source": source,
        "location": str(location),
        "line": location.line,
        "sentence": sentence,
        "ref_id": work.ref_id,
        "cited_pmid": pmid,
        "cited_doi": work.doi,
        "cited_pmcid": work.pmcid,
        "record_source": record_source,
        "status": status,
        "notices": " ".join(assessment.notice_pmids),
        "detail": assessment.detail,
        "support_score": score,
        "mentions": mentions,
        "flags": ",".join(flags),
    }
