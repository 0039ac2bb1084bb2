"""The ``evidence`` command line (also ``python -m evidence``).

Messages follow the compiler convention ``path:line: severity: message`` so editors and
CI annotators can jump to them. Exit codes:

* 0 — done, and (for ``check``) nothing to report;
* 1 — ``check`` found problems;
* 2 — the input or the arguments cannot be used (nothing is written).

Output goes to stdout unless ``-o FILE`` is given; a file is written whole or not at all.

PubMed: ``table``, ``check`` and ``plot`` fetch what the snapshot and the cache lack,
unless ``--offline``. When NCBI cannot be reached they say so once and carry on with the
.bib data; each row's PubMed status tells what happened to it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from evidence._files import atomic_write_text
from evidence._version import __version__
from evidence.errors import EvidenceError, Problem, Severity, SourceLocation
from evidence.render.core import AUDIENCES, FORMATS

if TYPE_CHECKING:
    from evidence.bibliography.bibtex import Bibliography
    from evidence.claims import ClaimSet
    from evidence.pubmed.client import PubMedClient
    from evidence.studies import Collection
    from evidence.table import EvidenceTable

__all__ = ["main"]

log = logging.getLogger("evidence")

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2

_SUFFIX_FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html-page",
    ".htm": "html-page",
    ".csv": "csv",
    ".json": "json",
    ".tex": "latex",
}

_DESCRIPTION = """\
Citation-aware evidence summaries. Give it a claims file (YAML, JSON or CSV) and the .bib
file its citations point to; it shows, for every claim, which studies support or contradict
it, what kind of studies they are, with what numbers and how much certainty, and flags
claims that cite nothing, unknown keys, retracted studies and .bib entries that disagree
with PubMed."""

_EPILOG = """\
examples:
  evidence table docs/examples/sacroiliac.yaml --bib references.bib
  evidence table claims.yaml --bib refs.bib -o table.html --audience patients
  evidence check claims.yaml --bib refs.bib --offline
  evidence fetch --bib refs.bib --snapshot pubmed.json
  evidence plot claims.yaml --bib refs.bib --claim not-every-patient -o forest.png

PubMed settings come from the options or the environment: NCBI_EMAIL, NCBI_API_KEY
(never put a key on the command line), NCBI_EUTILS_URL, EVIDENCE_CACHE_DIR.

exit status: 0 done and clean, 1 'check' found problems, 2 unusable input or arguments."""


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and a one-line hint, the way the rest of the CLI does."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNUSABLE, f"{self.prog}: error: {message}\n")


def _add_bib(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--bib", required=True, metavar="BIB", help="the .bib file the claims cite")
    sub.add_argument(
        "--encoding", default="utf-8", help="encoding of the .bib file (default utf-8)"
    )


def _add_pubmed(sub: argparse.ArgumentParser) -> None:
    group = sub.add_argument_group("PubMed")
    group.add_argument(
        "--offline",
        action="store_true",
        help="never use the network: only the snapshot and the cache",
    )
    group.add_argument(
        "--snapshot", metavar="FILE", help="PubMed records frozen by 'evidence fetch'"
    )
    group.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where fetched records are cached (default: EVIDENCE_CACHE_DIR, else the "
        "user's cache directory)",
    )
    group.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    group.add_argument(
        "--eutils-url", metavar="URL", help="E-utilities base URL (a mirror or a test server)"
    )
    group.add_argument("--email", help="contact address sent to NCBI (else NCBI_EMAIL)")


def _add_claims(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("claims", metavar="CLAIMS", help="claims file: .yaml, .json or .csv")
    _add_bib(sub)
    _add_pubmed(sub)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="evidence",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"evidence {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="say more (repeat for debug output)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    table = commands.add_parser(
        "table",
        help="build the evidence table",
        description="Build the evidence table: a verdict and certainty per claim, the "
        "studies behind it with designs and numbers, remarks and a numbered reference list.",
    )
    _add_claims(table)
    table.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        help="output format (default: from the -o suffix, else markdown)",
    )
    table.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    table.add_argument("--title", help="title shown above the table")
    table.add_argument(
        "--audience",
        choices=AUDIENCES,
        default="reviewers",
        help="reviewers: full detail (default); patients: plain-language statements",
    )
    table.add_argument(
        "--style", default="unsrt", help="pybtex style for the reference list (default unsrt)"
    )

    check = commands.add_parser(
        "check",
        help="lint claims and references",
        description="Report uncited claims, unknown keys, retracted studies, references never "
        "cited, .bib entries that disagree with PubMed, and .bib problems, one per line as "
        "path:line: severity: message. Exit 1 if any.",
    )
    _add_claims(check)
    check.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODE",
        help="do not report problems with this code (e.g. unused-reference); repeatable",
    )

    fetch = commands.add_parser(
        "fetch",
        help="fetch PubMed records, write a snapshot",
        description="Resolve every reference in the .bib to a PMID and fetch its PubMed "
        "record (through the cache). With --snapshot, write the records to a reviewable JSON "
        "file that table/check/the docs build can use offline; with --refresh, fetch again "
        "and report what changed since the snapshot.",
    )
    _add_bib(fetch)
    _add_pubmed(fetch)
    fetch.add_argument(
        "--refresh",
        action="store_true",
        help="ignore the cache and the snapshot's records; report changes",
    )
    fetch.add_argument(
        "--write-ids",
        metavar="OUT.bib",
        help="write a copy of the .bib with the PMIDs and DOIs found added",
    )

    plot = commands.add_parser(
        "plot",
        help="draw a forest plot for one claim",
        description="Draw a forest plot of the proportions reported for one claim, with "
        "the pooled estimate as a diamond. Needs matplotlib: pip install 'evidence[plot]'.",
    )
    _add_claims(plot)
    plot.add_argument("--claim", required=True, metavar="ID", help="the claim's id")
    plot.add_argument("--outcome", help="which outcome to plot (default: the claim's largest)")
    plot.add_argument("-o", "--output", required=True, metavar="FILE", help="a .png or .svg")

    extract = commands.add_parser(
        "extract",
        help="turn an article's cited sentences into a claims file",
        description="Find the citation markers in an article (Markdown, plain text, "
        "reStructuredText or LaTeX) and write each sentence that carries one as a claim, "
        "its citations at stance 'unknown' until reviewed. Numbered markers go through the "
        "article's own reference list to the .bib, or to PubMed (ECitMatch) unless --offline.",
    )
    extract.add_argument("article", metavar="ARTICLE", help="the article (.md .txt .rst .tex)")
    extract.add_argument("--bib", metavar="BIB", help="the .bib file the markers point to")
    extract.add_argument("--encoding", default="utf-8", help="of the article and the .bib")
    extract.add_argument(
        "--format",
        choices=("markdown", "plain", "rst", "latex"),
        help="the article's format (default: from its suffix)",
    )
    extract.add_argument(
        "-o", "--output", metavar="FILE", help="claims file to write (.yaml, .json, .csv)"
    )
    extract.add_argument(
        "--with-uncited", action="store_true", help="also list statements that cite nothing"
    )
    extract.add_argument(
        "--context", type=int, default=0, metavar="N", help="add N sentences each side"
    )
    _add_pubmed(extract)
    return parser


# --- shared steps ----------------------------------------------------------------------


def _load(args: argparse.Namespace) -> tuple[ClaimSet, Bibliography]:
    from evidence.claims import load_claims

    claims = load_claims(args.claims)
    return claims, _references(args)


def _references(args: argparse.Namespace) -> Bibliography:
    """The .bib, through the parse cache unless --no-cache; --cache-dir moves it too."""
    from evidence.bibliography.bibtex import load_references

    cache: bool | Path = not getattr(args, "no_cache", False)
    if cache and getattr(args, "cache_dir", None):
        cache = Path(args.cache_dir) / "bib"
    return load_references(args.bib, encoding=args.encoding, cache=cache)


def _client(args: argparse.Namespace, *, refresh: bool = False) -> PubMedClient:
    from evidence.pubmed.cache import PubMedCache
    from evidence.pubmed.client import PubMedClient

    snapshot = None
    if args.snapshot and not refresh and Path(args.snapshot).exists():
        from evidence.snapshot import load_snapshot

        snapshot = load_snapshot(args.snapshot).records
    elif args.snapshot and not refresh and args.command != "fetch":
        from evidence.snapshot import load_snapshot

        load_snapshot(args.snapshot)  # raises the located "not found" error
    cache = None
    if not args.no_cache:
        # A refresh treats every cached record as stale, so each is fetched again (and the
        # stale copy still serves if NCBI cannot be reached).
        age = {"max_age": timedelta(microseconds=1)} if refresh else {}
        cache = PubMedCache(args.cache_dir, **age)
    return PubMedClient(
        email=args.email,
        base_url=args.eutils_url,
        cache=cache,
        snapshot=snapshot,
        offline=args.offline,
    )


def _collect(
    args: argparse.Namespace, keys: Sequence[str] | None, references: Bibliography
) -> Collection:
    from evidence.studies import collect_studies

    refs = [references[k] for k in keys] if keys is not None else list(references.values())
    with _client(args) as client:
        collection = collect_studies(refs, client, progress=not args.quiet)
    if collection.unreachable:
        # Said once, here, however many references were affected.
        print(f"evidence: {collection.unreachable}; using the .bib data only", file=sys.stderr)
    return collection


def _cited_keys(claims: ClaimSet, references: Bibliography) -> list[str]:
    keys: dict[str, None] = {}
    for claim in claims:
        for citation in claim.citations:
            ref = references.find(citation.key)
            if ref is not None:
                keys.setdefault(ref.key, None)
    return list(keys)


def _build(args: argparse.Namespace) -> tuple[EvidenceTable, Bibliography]:
    from evidence.table import build_table

    claims, references = _load(args)
    collection = _collect(args, _cited_keys(claims, references), references)
    title = getattr(args, "title", None) or claims.title or "Evidence table"
    return build_table(claims, references, studies=collection, title=title), references


def _print_problems(problems: Sequence[Problem], stream: TextIO) -> None:
    for problem in problems:
        print(problem, file=stream)


# --- commands --------------------------------------------------------------------------


def _cmd_table(args: argparse.Namespace) -> int:
    table, _ = _build(args)
    # Problems in the inputs do not stop the table; they are told on stderr, located.
    if not args.quiet:
        _print_problems(table.input_problems, sys.stderr)
    fmt = args.format or _SUFFIX_FORMATS.get(Path(args.output or "").suffix.lower(), "markdown")
    options: dict[str, str] = {}
    if fmt not in ("csv", "json"):
        options = {"style": args.style, "audience": args.audience}
    text = table.render(fmt, **options)
    if args.output:
        atomic_write_text(args.output, text)
        log.info("wrote %s (%s)", args.output, fmt)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    table, references = _build(args)
    problems = list(table.input_problems) + list(table.remarks)
    cited = {ref.key for ref in table.references}
    for ref in references.values():
        if ref.key not in cited:
            problems.append(
                Problem(
                    ref.location or SourceLocation(args.bib),
                    f"reference '{ref.key}' is never cited by a claim",
                    code="unused-reference",
                    severity=Severity.WARNING,
                )
            )
    ignored = set(args.ignore)
    problems = [p for p in problems if p.code not in ignored]
    _print_problems(problems, sys.stdout)
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    n_claims = len(table.claims)
    if problems:
        print(
            f"{_plural(len(problems), 'problem')} ({_plural(errors, 'error')}, "
            f"{_plural(warnings, 'warning')}) in {_plural(n_claims, 'claim')}",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    print(f"no problems in {_plural(n_claims, 'claim')}", file=sys.stderr)
    return EXIT_OK


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _cmd_fetch(args: argparse.Namespace) -> int:
    from evidence.snapshot import diff_records, load_snapshot, write_snapshot
    from evidence.studies import collect_studies

    references = _references(args)
    if not args.quiet:
        _print_problems(references.problems, sys.stderr)
    previous = None
    if args.refresh and args.snapshot and Path(args.snapshot).exists():
        previous = load_snapshot(args.snapshot)
    with _client(args, refresh=args.refresh) as client:
        collection = collect_studies(list(references.values()), client, progress=not args.quiet)
    if collection.unreachable:
        print(f"evidence: PubMed could not be reached ({collection.unreachable})", file=sys.stderr)
    records = {s.record.pmid: s.record for s in collection.studies.values() if s.record}
    counts: dict[str, int] = {}
    for study in collection.studies.values():
        counts[study.pubmed_status.value] = counts.get(study.pubmed_status.value, 0) + 1
        if study.record is None and study.pubmed_status.value != "fetched":
            where = study.reference.location or SourceLocation(args.bib)
            detail = study.pubmed_detail or study.pubmed_status.label
            print(f"{where}: note: '{study.key}': {detail}", file=sys.stderr)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"{_plural(len(collection.studies), 'reference')}: {summary}", file=sys.stderr)
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
        if not changes and not gone:
            print("no changes since the snapshot", file=sys.stderr)
    if args.snapshot:
        if collection.unreachable and previous is not None:
            # Keep what we had rather than write a snapshot missing records.
            for pmid, record in previous.records.items():
                records.setdefault(pmid, record)
        write_snapshot(args.snapshot, records)
        print(f"wrote {args.snapshot} ({_plural(len(records), 'record')})", file=sys.stderr)
    if args.write_ids:
        from evidence.bibliography.bibtex import add_identifiers

        text = Path(args.bib).read_text(encoding=args.encoding)
        found = {
            key: (study.pmid, study.doi)
            for key, study in collection.studies.items()
            if study.record is not None
        }
        atomic_write_text(args.write_ids, add_identifiers(text, references, found))
        print(f"wrote {args.write_ids}", file=sys.stderr)
    return EXIT_OK


def _cmd_plot(args: argparse.Namespace) -> int:
    table, _ = _build(args)
    if not args.quiet:
        _print_problems(table.input_problems, sys.stderr)
    table.plot(args.claim, outcome=args.outcome, path=args.output)
    log.info("wrote %s", args.output)
    return EXIT_OK


def _cmd_extract(args: argparse.Namespace) -> int:
    from evidence.extract.article import extract_claims

    references = _references(args) if args.bib else None
    with _client(args) as client:
        result = extract_claims(
            Path(args.article),
            references=references,
            format=args.format,
            context=args.context,
            include_uncited=args.with_uncited,
            client=None if args.offline else client,  # ECitMatch answers are not cached
            encoding=args.encoding,
        )
    suffix = Path(args.output or "").suffix.lower()
    text = result.dump({".json": "json", ".csv": "csv", ".tsv": "tsv"}.get(suffix, "yaml"))
    if args.output:
        atomic_write_text(args.output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()  # the claims before the summary when both go to a terminal
    if not args.quiet:
        _print_problems(result.problems, sys.stderr)
        cited = sum(bool(c.citations) for c in result.claims)
        print(
            f"{_plural(len(result.claims), 'claim')} ({cited} with citations) from "
            f"{args.article}; {_plural(len(result.unmapped), 'citation')} not mapped",
            file=sys.stderr,
        )
    return EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "table": _cmd_table,
    "check": _cmd_check,
    "fetch": _cmd_fetch,
    "plot": _cmd_plot,
    "extract": _cmd_extract,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    level = logging.ERROR if args.quiet else logging.WARNING - 10 * min(args.verbose, 2)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("evidence: %(message)s"))
    root = logging.getLogger("evidence")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    # The client logs its own trouble; the CLI sums it up in one line (PubMed unreachable is
    # said once), so the client's messages show only with -v.
    logging.getLogger("evidence.pubmed").setLevel(level if args.verbose else logging.ERROR)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_UNUSABLE
    try:
        return _COMMANDS[args.command](args)
    except EvidenceError as error:
        _report_error(error)
        return EXIT_UNUSABLE
    except ValueError as error:  # a bad option value found late (e.g. an unknown claim id)
        print(f"evidence: error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as error:
        where = error.filename or "evidence"
        print(f"{where}: error: {error.strerror or error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        print("evidence: interrupted", file=sys.stderr)
        return 130


def _report_error(error: EvidenceError) -> None:
    if error.problems:
        # One located line per problem, then the summary (which says nothing was written).
        _print_problems(error.problems, sys.stderr)
        print(f"evidence: {error.message}", file=sys.stderr)
        return
    where = f"{error.location}: " if error.location else ""
    print(f"{where}error: {error.message}", file=sys.stderr)
