"""``evidence check``: lint claims and references, exit 1 when anything is found.

The report goes to stdout (or ``-o``) as text, JSON, GitHub annotations or SARIF
(:mod:`evidence.cli.report`); the one-line summary goes to stderr unless ``-q``.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from evidence.cli.steps import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_UNUSABLE,
    build,
    partial_snapshot,
    plural,
    print_problems,
    protect_inputs,
    use_color,
    write_output,
)
from evidence.errors import Problem, Severity, SourceLocation

if TYPE_CHECKING:
    from evidence.claims import ClaimSet
    from evidence.table import EvidenceTable


def run(args: argparse.Namespace) -> int:
    from evidence import codes

    if args.list_codes:
        sys.stdout.write(codes.text_listing())
        return EXIT_OK
    if not args.claims or not args.bib:
        print(
            "evidence check: error: give the claims file and --bib (or --list-codes)",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    try:
        ignored = codes.resolve(args.ignore)
    except ValueError as error:
        print(f"evidence check: error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    protect_inputs(args, args.output)
    table, references, snapshot, claim_set = build(args)
    problems = list(table.input_problems) + list(table.remarks)
    if snapshot is not None and not snapshot.complete:
        problems.append(partial_snapshot(args.snapshot, snapshot))
    problems += _stale_records(table, args)
    unreviewed, waiting = _unreviewed(claim_set, args.claims)
    problems += unreviewed
    cited = {ref.key for ref in table.references}
    for ref in references.values():
        if ref.key not in cited:
            problems.append(
                Problem(
                    ref.location or SourceLocation(args.bib[0]),
                    f"reference '{ref.key}' is never cited by a claim",
                    code="unused-reference",
                    severity=Severity.WARNING,
                )
            )
    problems = [p for p in problems if p.code not in ignored]
    n_claims = len(claim_set)  # one table row per claim; reading table.claims needs pandas
    _write_report(problems, n_claims, args)
    if unreviewed and "unreviewed" not in ignored and not args.quiet:
        print(
            f"{plural(len(unreviewed), 'citation')} in {plural(waiting, 'claim')} not yet "
            f"reviewed: evidence review {args.claims}"
            + "".join(f" --bib {b}" for b in args.bib)
            + " (or --ignore unreviewed)",
            file=sys.stderr,
        )
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if not args.quiet:
        if problems:
            print(
                f"{plural(len(problems), 'problem')} ({plural(errors, 'error')}, "
                f"{plural(warnings, 'warning')}) in {plural(n_claims, 'claim')}",
                file=sys.stderr,
            )
        else:
            print(f"no problems in {plural(n_claims, 'claim')}", file=sys.stderr)
    return EXIT_PROBLEMS if problems else EXIT_OK


def _write_report(problems: list[Problem], n_claims: int, args: argparse.Namespace) -> None:
    """The problems in ``--output-format``, to stdout or ``-o``."""
    from evidence.cli import report

    fmt = args.output_format
    if fmt == "text" and args.output in (None, "-"):
        print_problems(problems, sys.stdout, color=use_color(args.color_choice, sys.stdout))
        return
    if fmt == "json":
        text = report.json_report(problems, claims=n_claims)
    elif fmt == "github":
        text = report.github_report(problems)
    elif fmt == "sarif":
        text = report.sarif_report(problems)
    else:
        text = report.text_report(problems)
    write_output(text, args.output)


def _unreviewed(claims: ClaimSet, path: str) -> tuple[list[Problem], int]:
    """A warning for each citation whose stance is still ``unknown``, at its line in the
    claims file (and the manuscript line it was extracted from, when the claim says), and
    how many claims have one."""
    from evidence.model import Stance

    found = []
    waiting = 0
    for claim in claims:
        origin = f" (from {claim.source})" if claim.source else ""
        waiting += any(c.stance is Stance.UNKNOWN for c in claim.citations)
        for citation in claim.citations:
            if citation.stance is Stance.UNKNOWN:
                found.append(
                    Problem(
                        citation.location or claim.location or SourceLocation(path),
                        f"claim '{claim.id}'{origin} cites '{citation.key}', which nobody has "
                        "reviewed yet (stance unknown): read it and record the stance, e.g. "
                        "with 'evidence review'",
                        code="unreviewed",
                        severity=Severity.WARNING,
                    )
                )
    return found, waiting


def _stale_records(table: EvidenceTable, args: argparse.Namespace) -> list[Problem]:
    """A warning for each cited study whose PubMed record is older than --max-age days."""
    from datetime import UTC, datetime

    if args.max_age is None or args.max_age <= 0:
        return []
    now = datetime.now(UTC)
    found = []
    for study in table.studies.values():
        if study.record is None or study.fetched_at is None:
            continue
        days = (now - study.fetched_at).days
        if days > args.max_age:
            found.append(
                Problem(
                    study.reference.location or SourceLocation(args.bib[0]),
                    f"the PubMed record of '{study.key}' (PMID {study.record.pmid}) was fetched "
                    f"{days} days ago, more than --max-age {args.max_age}: a retraction or "
                    "correction since then would not show; refresh it with 'evidence fetch "
                    "--refresh'",
                    code="stale-record",
                    severity=Severity.WARNING,
                )
            )
    return found
