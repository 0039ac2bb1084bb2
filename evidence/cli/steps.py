"""What the commands share: the pipeline, input protection, printing problems."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from evidence._files import refuse_overwriting_inputs
from evidence.errors import Problem, Severity, SourceLocation

if TYPE_CHECKING:
    from evidence.bibliography import Bibliography
    from evidence.pipeline import Pipeline, PubMedSettings
    from evidence.snapshot import Snapshot
    from evidence.studies import Collection
    from evidence.table import EvidenceTable

log = logging.getLogger("evidence")

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2

SUFFIX_FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html-page",
    ".htm": "html-page",
    ".csv": "csv",
    ".json": "json",
    ".tex": "latex",
}


def settings_for(args: argparse.Namespace, *, refresh: bool = False) -> PubMedSettings:
    from evidence.pipeline import PubMedSettings

    return PubMedSettings(
        offline=args.offline,
        cache=not args.no_cache,
        cache_dir=args.cache_dir,
        email=args.email,
        base_url=args.eutils_url,
        refresh=refresh,
    )


def pipeline_for(args: argparse.Namespace, *, refresh: bool = False) -> Pipeline:
    from evidence.pipeline import Pipeline

    return Pipeline(
        settings_for(args, refresh=refresh),
        progress=not args.quiet,
        encoding=getattr(args, "encoding", "utf-8"),
    )


def snapshot_of(args: argparse.Namespace, pipeline: Pipeline) -> Snapshot | None:
    """The snapshot's records: None without --snapshot; a located error if it is missing
    (except for fetch, which creates it)."""
    if not args.snapshot:
        return None
    if args.command == "fetch" and not Path(args.snapshot).exists():
        return None
    return pipeline.snapshot(args.snapshot)


def say_unreachable(collection: Collection) -> None:
    if collection.unreachable:
        # Said once, here, however many references were affected.
        print(f"evidence: {collection.unreachable}; using the .bib data only", file=sys.stderr)


def build(args: argparse.Namespace) -> tuple[EvidenceTable, Bibliography, Snapshot | None]:
    from evidence.pipeline import cited_references

    pipeline = pipeline_for(args)
    claims = pipeline.claims(args.claims)  # first: a broken claims file writes no cache
    references = pipeline.bibliography(args.bib)
    snapshot = snapshot_of(args, pipeline)
    collection = pipeline.studies(cited_references(claims, references), snapshot=snapshot)
    say_unreachable(collection)
    from evidence.table import build_table

    title = getattr(args, "title", None) or claims.title or "Evidence table"
    table = build_table(claims, references, studies=collection, title=title)
    return table, references, snapshot


def print_problems(problems: Sequence[Problem], stream: TextIO) -> None:
    for problem in problems:
        print(problem, file=stream)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def partial_snapshot(path: str, snapshot: Snapshot) -> Problem:
    lacking = sorted(snapshot.missing)
    shown = ", ".join(lacking[:5]) + (" ..." if len(lacking) > 5 else "")
    return Problem(
        SourceLocation(path),
        f"the snapshot is partial: {plural(len(lacking), 'PMID')} could not be fetched when "
        f"it was written ({shown}); run 'evidence fetch --snapshot {path}' again when PubMed "
        "can be reached",
        code="partial-snapshot",
        severity=Severity.WARNING,
    )


def _inputs(args: argparse.Namespace) -> dict[str, str | None]:
    """Every file the command reads, by what it is (for refusing to overwrite one)."""
    found: dict[str, str | None] = {}
    for name, what in (("claims", "the claims file"), ("article", "the article")):
        found[what] = getattr(args, name, None)
    for number, bib in enumerate(getattr(args, "bib", None) or [], start=1):
        found[f"bibliography {number} (--bib)" if len(args.bib) > 1 else "the .bib file"] = bib
    if args.command != "fetch":
        found["the snapshot"] = getattr(args, "snapshot", None)
    return found


def protect_inputs(args: argparse.Namespace, *outputs: str | None) -> None:
    """Refuse, before anything runs, an output path that is one of the inputs."""
    for output in outputs:
        if output and output != "-":
            refuse_overwriting_inputs(output, _inputs(args))
