"""What the commands share: the pipeline, input protection, standard input and output,
printing problems (in colour when asked)."""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from evidence._files import atomic_write_text, refuse_overwriting_inputs
from evidence.errors import ClaimFileError, OutputError, Problem, Severity, SourceLocation

if TYPE_CHECKING:
    from evidence.bibliography import Bibliography
    from evidence.claims import ClaimSet
    from evidence.model import PubMedRecord
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
"""The ``table`` format each output suffix selects (any other suffix is refused)."""

STDIN = "<stdin>"
"""How standard input is named in messages."""


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


def record_source(
    args: argparse.Namespace, snapshot: Snapshot | None
) -> Mapping[str, PubMedRecord] | None:
    """Where records come from before the cache and the network: the snapshot, then the
    offline MEDLINE index of ``--index`` (both read-only mappings of records by PMID)."""
    index = getattr(args, "index", None)
    if not index:
        return snapshot
    from evidence.pubmed.medline import MedlineIndex

    layers: list[Mapping[str, PubMedRecord]] = [snapshot] if snapshot is not None else []
    return _Layers([*layers, MedlineIndex(index)], snapshot.fetched_at if snapshot else {})


class _Layers(Mapping[str, "PubMedRecord"]):
    """Records from the first layer that has them (the snapshot, then the index); the
    snapshot's fetch times stay visible, for check --max-age."""

    def __init__(self, layers: Sequence[Mapping[str, PubMedRecord]], fetched_at: object) -> None:
        self.layers = layers
        self.fetched_at = fetched_at

    def __getitem__(self, pmid: str) -> PubMedRecord:
        for layer in self.layers:
            if pmid in layer:
                return layer[pmid]
        raise KeyError(pmid)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(pmid for layer in self.layers for pmid in layer))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def say_unreachable(collection: Collection) -> None:
    if collection.unreachable:
        # Said once, here, however many references were affected.
        print(f"evidence: {collection.unreachable}; using the .bib data only", file=sys.stderr)


def build(
    args: argparse.Namespace,
) -> tuple[EvidenceTable, Bibliography, Snapshot | None, ClaimSet]:
    from evidence.pipeline import cited_references

    pipeline = pipeline_for(args)
    claims = read_claims(args, pipeline)  # first: a broken claims file writes no cache
    references = pipeline.bibliography(args.bib)
    snapshot = snapshot_of(args, pipeline)
    source = record_source(args, snapshot)
    collection = pipeline.studies(cited_references(claims, references), snapshot=source)
    if not getattr(args, "quiet", False):
        say_unreachable(collection)
    from evidence.table import build_table

    title = getattr(args, "title", None) or claims.title or "Evidence table"
    table = build_table(claims, references, studies=collection, title=title)
    return table, references, snapshot, claims  # claims read once: they may be stdin


def read_claims(args: argparse.Namespace, pipeline: Pipeline) -> ClaimSet:
    """The claims file, or standard input for ``-``, in the ``--from`` format (else the
    file's suffix; standard input's format is sniffed from its text)."""
    fmt = getattr(args, "from_format", None)
    if args.claims != "-" and fmt is None:
        return pipeline.claims(args.claims)
    from evidence.claims import parse_claims

    if args.claims == "-":
        text, source = read_stdin(), STDIN
    else:
        source = args.claims
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return pipeline.claims(source)  # the loader's own located error
    return parse_claims(text, fmt or sniff_claims_format(text), source=source)


def read_stdin() -> str:
    """Standard input as UTF-8 text (a located error when it is not UTF-8)."""
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ClaimFileError(
            f"standard input is not UTF-8 (byte {error.start + 1}); convert it first",
            location=SourceLocation(STDIN, line),
        ) from None


def sniff_claims_format(text: str) -> str:
    """``json`` for text that starts with ``{`` or ``[``; ``csv`` when the first line is a
    header of comma- or tab-separated names with ``id`` or ``claim_id``; else ``yaml``."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "["):
        return "json"
    first = stripped.split("\n", 1)[0].strip()
    for sep in (",", "\t"):
        names = [name.strip().strip('"').lower() for name in first.split(sep)]
        if len(names) > 1 and {"id", "claim_id"} & set(names) and ":" not in first:
            return "csv"
    return "yaml"


def sniff_article_format(text: str) -> str:
    """``latex`` for text with ``\\cite``/``\\begin{``; ``rst`` for reST citation
    markers or directives; else ``markdown`` (which also covers plain text)."""
    if "\\cite" in text or "\\begin{" in text or "\\section" in text:
        return "latex"
    if "\n.. " in f"\n{text}" or "]_" in text:
        return "rst"
    return "markdown"


def output_format(
    output: str | None, given: str | None, by_suffix: dict[str, str], default: str
) -> str:
    """The format: the one given, else the output's suffix, else ``default`` for stdout.
    An output file whose suffix names no format is refused (exit 2) rather than written in
    a format its name does not promise."""
    if given:
        return given
    if not output or output == "-":
        return default
    suffix = Path(output).suffix.lower()
    if suffix in by_suffix:
        return by_suffix[suffix]
    known = " ".join(sorted(by_suffix))
    raise OutputError(
        f"cannot tell the output format from the suffix {suffix or '(none)'!r}: use one of "
        f"{known}, or give the format (-f), or '-o -' for stdout",
        location=SourceLocation(output),
    )


def write_output(text: str, output: str | None) -> None:
    """``text`` to the file ``output`` (whole or not at all), or to stdout for None or
    ``-``; either way ending with a newline, so what follows on the terminal starts a line."""
    if text and not text.endswith("\n"):
        text += "\n"
    if output and output != "-":
        atomic_write_text(output, text)
        return
    sys.stdout.write(text)
    sys.stdout.flush()  # the output before the summary on stderr, and a closed pipe found here


def to_stdout(output: str | None) -> bool:
    """Whether the output goes to standard output."""
    return not output or output == "-"


_COLORS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m"}
_RESET = "\033[0m"


def use_color(choice: str, stream: TextIO) -> bool:
    """Colour for ``--color`` ``always``/``never``, and for ``auto`` when ``stream`` is a
    terminal, ``NO_COLOR`` is unset or empty (no-color.org) and ``TERM`` is not ``dumb``."""
    if choice in ("always", "never"):
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (ValueError, io.UnsupportedOperation):
        return False


def print_problems(problems: Sequence[Problem], stream: TextIO, *, color: bool = False) -> None:
    """One ``path:line: severity: message`` line per problem; the severity coloured when
    ``color``."""
    for problem in problems:
        if color:
            mark = f"{_COLORS[problem.severity]}{problem.severity}{_RESET}"
            print(f"{problem.location}: {mark}: {problem.message}", file=stream)
        else:
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
