"""The command line's options: one parser, built without importing anything heavy."""

from __future__ import annotations

import argparse
import sys

from evidence._version import __version__
from evidence.cli.steps import EXIT_UNUSABLE
from evidence.render import AUDIENCES, FORMATS

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


def _add_bib(sub: argparse.ArgumentParser, *, required: bool = True) -> None:
    sub.add_argument(
        "--bib",
        action="append",
        required=required,
        metavar="BIB",
        help="a .bib file the claims cite; repeat for several (a key defined in two files "
        "is reported with both locations, and the first is used)",
    )
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
        help="the cache root: parsed .bib files in DIR/bib, PubMed records in DIR/pubmed "
        "(default: EVIDENCE_CACHE_DIR, else the user's cache directory)",
    )
    group.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    group.add_argument(
        "--eutils-url", metavar="URL", help="E-utilities base URL (a mirror or a test server)"
    )
    group.add_argument("--email", help="contact address sent to NCBI (else NCBI_EMAIL)")


def _add_claims(sub: argparse.ArgumentParser, *, required: bool = True) -> None:
    sub.add_argument(
        "claims",
        metavar="CLAIMS",
        nargs=None if required else "?",
        help="claims file: .yaml, .json or .csv",
    )
    _add_bib(sub, required=required)
    _add_pubmed(sub)


def build_parser() -> argparse.ArgumentParser:
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
    _add_claims(check, required=False)
    check.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODE",
        help="do not report problems with this code (e.g. unused-reference); repeatable. "
        "The codes: evidence check --list-codes",
    )
    check.add_argument(
        "--max-age",
        type=int,
        default=365,
        metavar="DAYS",
        help="report cited PubMed records (from the cache or the snapshot) fetched more than "
        "DAYS ago, since a retraction after that would not show (default 365; 0: never)",
    )
    check.add_argument(
        "--list-codes",
        action="store_true",
        help="list every problem code with its severity, meaning and what to do, and exit",
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
        "reStructuredText, LaTeX, Word .docx or JATS XML) and write each sentence that "
        "carries one as a claim, its citations at stance 'unknown' until reviewed. Numbered "
        "markers go through the article's own reference list to the .bib, or to PubMed "
        "(ECitMatch) unless --offline; Word reference-manager fields and JATS ref-lists "
        "carry their own references. Ends with a census: citations found, mapped, reported.",
    )
    extract.add_argument(
        "article", metavar="ARTICLE", help="the article (.md .txt .rst .tex .docx .nxml .xml)"
    )
    extract.add_argument(
        "--bib",
        action="append",
        metavar="BIB",
        help="a .bib (or CSL-JSON .json, such as Manubot's references.json) the markers "
        "point to; repeat for several",
    )
    extract.add_argument(
        "--list-references",
        action="store_true",
        help="with no --bib, let each entry of the article's own reference list that prints "
        "a PMID or DOI, or names an author and year, stand as its own reference",
    )
    extract.add_argument("--encoding", default="utf-8", help="of the article and the .bib")
    extract.add_argument(
        "--format",
        choices=("markdown", "plain", "rst", "latex", "docx", "jats"),
        help="the article's format (default: from its suffix)",
    )
    extract.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="claims file to write (.yaml, .json, .csv); when it exists, the new claims are "
        "merged onto it: reviewed stances, findings, numbers and notes are kept",
    )
    extract.add_argument(
        "--write-bib",
        metavar="FILE",
        help="write the works the document itself describes (Word reference-manager fields, "
        "a JATS ref-list, --list-references entries) as a .bib",
    )
    extract.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing --output instead of merging onto it (its review is lost)",
    )
    extract.add_argument(
        "--with-uncited", action="store_true", help="also list statements that cite nothing"
    )
    extract.add_argument(
        "--context", type=int, default=0, metavar="N", help="add N sentences each side"
    )
    _add_pubmed(extract)
    return parser
