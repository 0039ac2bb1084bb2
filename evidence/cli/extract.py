"""``evidence extract``: an article's cited sentences as a claims file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from evidence._files import atomic_write_text
from evidence.claims import dump_claims
from evidence.cli.steps import (
    EXIT_OK,
    STDIN,
    output_format,
    pipeline_for,
    plural,
    print_problems,
    protect_inputs,
    read_stdin,
    sniff_article_format,
    write_output,
)

_CLAIMS_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".tsv": "tsv"}

if TYPE_CHECKING:
    from evidence.extract import ExtractResult
    from evidence.extract.merge import MergeResult
    from evidence.model import Reference
    from evidence.pipeline import Pipeline


def run(args: argparse.Namespace) -> int:
    """Extract the claims and write them as YAML (or the ``-o`` suffix's format), merged
    onto an existing claims file unless ``--overwrite``."""
    from evidence.extract import extract_claims

    protect_inputs(args, args.output, args.write_bib)
    fmt = output_format(args.output, None, _CLAIMS_SUFFIXES, "yaml")
    article: str | Path = Path(args.article)
    article_format = args.format
    if args.article == "-":
        article = read_stdin()
        article_format = article_format or sniff_article_format(article)
    pipeline = pipeline_for(args)
    references, aliases = _references(pipeline, args.bib or [])
    with pipeline.pubmed.client() as client:
        result = extract_claims(
            article,
            references=references,
            aliases=aliases,
            list_references=args.list_references,
            format=article_format,
            context=args.context,
            include_uncited=args.with_uncited,
            client=None if args.offline else client,  # ECitMatch answers are not cached
            encoding=args.encoding,
        )
    dropped = 0
    if args.with_uncited:
        # Front matter, author lists, affiliations, ORCID and licence lines, captions and
        # headings are not statements: the uncited ones are left out (cited ones never).
        from dataclasses import replace

        from evidence.assess.statements import drop_non_statements
        from evidence.claims import ClaimSet

        kept, left_out = drop_non_statements(result.claims)
        dropped = len(left_out)
        claims = result.claims
        result = replace(
            result,
            claims=ClaimSet(kept, path=claims.path, problems=claims.problems, title=claims.title),
        )
    merged = None
    if args.output and args.output != "-" and Path(args.output).exists() and not args.overwrite:
        merged = _merge_onto(args.output, result)
        text = dump_claims(merged.claims, fmt)
    else:
        text = result.dump(fmt)
    if args.write_bib:
        from evidence.extract import references_to_bibtex

        atomic_write_text(args.write_bib, references_to_bibtex(result.references))
    write_output(text, args.output)
    if not args.quiet:
        print_problems(result.problems, sys.stderr, color=args.color)
        cited = sum(bool(c.citations) for c in result.claims)
        source = STDIN if args.article == "-" else args.article
        print(
            f"{plural(len(result.claims), 'claim')} ({cited} with citations) from "
            f"{source}; {plural(len(result.unmapped), 'citation')} not mapped",
            file=sys.stderr,
        )
        print(f"census: {result.census_line()}", file=sys.stderr)
        if dropped:
            print(
                f"left out {plural(dropped, 'uncited line')} stating nothing (headings, "
                "captions, author lists, affiliations, licence lines)",
                file=sys.stderr,
            )
        if result.references and not args.write_bib:
            print(
                f"the document describes {plural(len(result.references), 'cited work')}; "
                "--write-bib FILE writes them as a .bib",
                file=sys.stderr,
            )
        if merged is not None:
            print_problems(merged.problems, sys.stderr, color=args.color)
            print(f"merged onto {args.output}: {merged.summary()}", file=sys.stderr)
    return EXIT_OK


def _merge_onto(path: str, result: ExtractResult) -> MergeResult:
    """The extracted claims merged onto the claims file already at ``path`` (its review
    kept); a file that cannot be read is an error that names ``--overwrite``."""
    from evidence.claims import load_claims
    from evidence.errors import ClaimFileError
    from evidence.extract import merge_claims

    try:
        previous = load_claims(path)
    except ClaimFileError as error:
        raise ClaimFileError(
            f"{error.message}; the output already exists and is merged onto (its review "
            "kept): fix it, or pass --overwrite to replace it",
            location=error.location,
            problems=error.problems,
        ) from None
    return merge_claims(list(previous), list(result.claims), path=path)


def _references(
    pipeline: Pipeline, paths: list[str]
) -> tuple[Mapping[str, Reference] | None, dict[str, str]]:
    """The bibliography the markers point to: .bib files through the pipeline, CSL-JSON
    files (Manubot's references.json) read by the extract package, with their aliases."""
    from evidence.extract import load_csl_library

    if not paths:
        return None, {}
    bib_paths = [p for p in paths if Path(p).suffix.lower() != ".json"]
    merged: dict[str, Reference] = dict(pipeline.bibliography(bib_paths)) if bib_paths else {}
    aliases: dict[str, str] = {}
    for path in paths:
        if Path(path).suffix.lower() == ".json":
            library, found = load_csl_library(path)
            for key, ref in library.items():
                merged.setdefault(key, ref)
            aliases.update(found)
    if len(paths) == 1 and bib_paths:
        return pipeline.bibliography(bib_paths), aliases
    return merged, aliases
