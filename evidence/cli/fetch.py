"""``evidence fetch``: PubMed records for every reference, a snapshot, identifiers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evidence._files import atomic_write_text
from evidence.cli.steps import (
    EXIT_OK,
    EXIT_UNUSABLE,
    pipeline_for,
    plural,
    print_problems,
    protect_inputs,
    snapshot_of,
)
from evidence.errors import SourceLocation


def run(args: argparse.Namespace) -> int:
    """Fetch the records; write the snapshot and the .bib copy when asked."""
    from evidence.model import PubMedStatus
    from evidence.snapshot import diff_records, load_snapshot, write_snapshot

    protect_inputs(args, args.snapshot, args.write_ids, args.write_bib)
    if args.write_ids and len(args.bib) > 1:
        print(
            "evidence fetch: error: --write-ids copies one .bib file; give one --bib",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    pipeline = pipeline_for(args, refresh=args.refresh)
    references = pipeline.bibliography(args.bib)
    if not args.quiet:
        print_problems(references.problems, sys.stderr, color=args.color)
    previous = None
    if args.refresh and args.snapshot and Path(args.snapshot).exists():
        previous = load_snapshot(args.snapshot)
    snapshot = None if args.refresh else snapshot_of(args, pipeline)
    collection = pipeline.studies(list(references.values()), snapshot=snapshot)
    if collection.unreachable and not args.quiet:
        print(f"evidence: PubMed could not be reached ({collection.unreachable})", file=sys.stderr)
    records = {s.record.pmid: s.record for s in collection.studies.values() if s.record}
    counts: dict[str, int] = {}
    for study in collection.studies.values():
        counts[study.pubmed_status.value] = counts.get(study.pubmed_status.value, 0) + 1
        if study.record is None and study.pubmed_status.value != "fetched" and not args.quiet:
            where = study.reference.location or SourceLocation(args.bib[0])
            detail = study.pubmed_detail or study.pubmed_status.label
            print(f"{where}: note: '{study.key}': {detail}", file=sys.stderr)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    if not args.quiet:  # -q: only the changes (stdout), warnings and errors
        print(f"{plural(len(collection.studies), 'reference')}: {summary}", file=sys.stderr)
    if previous is not None:
        changes = [
            change
            for pmid, record in records.items()
            if pmid in previous.records
            for change in diff_records(previous.records[pmid], record)
        ]
        for change in changes:
            print(change)
        gone = sorted(set(previous.records) - set(records))
        for pmid in gone:
            print(f"PMID {pmid}: no longer used or no longer fetched")
        if not changes and not gone and not args.quiet:
            print("no changes since the snapshot", file=sys.stderr)
    if args.snapshot:
        kept = previous if previous is not None else snapshot
        fetched_at = {
            s.record.pmid: s.fetched_at
            for s in collection.studies.values()
            if s.record is not None and s.fetched_at is not None
        }
        if kept is not None:
            fetched_at = {
                **{p: w for p, w in kept.fetched_at.items() if p in records},
                **fetched_at,
            }
        missing = {
            study.pmid or study.key: study.pubmed_detail or study.pubmed_status.label
            for study in collection.studies.values()
            if study.record is None and study.pubmed_status is PubMedStatus.UNAVAILABLE
        }
        if collection.unreachable and previous is not None:
            # Keep what we had rather than write a snapshot missing records; each keeps
            # the time it was fetched, so its age stays visible.
            for pmid, record in previous.records.items():
                records.setdefault(pmid, record)
                missing.pop(pmid, None)
            for pmid, when in previous.fetched_at.items():
                fetched_at.setdefault(pmid, when)
        write_snapshot(args.snapshot, records, fetched_at, missing=missing)
        state = "" if not missing else f"; PARTIAL: {plural(len(missing), 'PMID')} missing"
        if not args.quiet:
            print(
                f"wrote {args.snapshot} ({plural(len(records), 'record')}{state})",
                file=sys.stderr,
            )
        if missing:
            reason = next(iter(missing.values()))
            print(
                f"{args.snapshot}: warning: the snapshot is partial ({reason}); its "
                "'complete' field says so and 'evidence check' reports it: fetch again when "
                "PubMed can be reached",
                file=sys.stderr,
            )
    if args.write_bib:
        from evidence.bibliography import write_bibliography

        enriched = {k: s.record for k, s in collection.studies.items() if s.record is not None}
        write_bibliography(references.values(), args.write_bib, records=enriched)
        if not args.quiet:
            print(
                f"wrote {args.write_bib} ({plural(len(references), 'reference')}, "
                f"{len(enriched)} enriched from PubMed)",
                file=sys.stderr,
            )
    if args.write_ids:
        from evidence.bibliography import add_identifiers

        text = Path(args.bib[0]).read_text(encoding=args.encoding)
        found = {
            key: (study.pmid, study.doi)
            for key, study in collection.studies.items()
            if study.record is not None
        }
        atomic_write_text(args.write_ids, add_identifiers(text, references, found))
        if not args.quiet:
            print(f"wrote {args.write_ids}", file=sys.stderr)
    return EXIT_OK
