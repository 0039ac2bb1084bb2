"""Reading claims: :func:`parse_claims` (text in, records out, pure) and :func:`load_claims`.

The format's reader (from :mod:`evidence.claims.formats`) turns the text into a tree;
:mod:`evidence.claims.build` checks it and makes the records. Every problem in a file is
collected, then one :class:`~evidence.errors.ClaimFileError` is raised that lists them
all, each as ``path:line: error: ...``; warnings stay in :attr:`ClaimSet.problems`.
"""

from __future__ import annotations

import os
from pathlib import Path

from evidence.claims.build import claims_from_tree
from evidence.claims.claimset import ClaimSet
from evidence.claims.formats import FORMATS, SUFFIXES, find_format, format_of_suffix
from evidence.claims.tree import Report, check_characters, fail

__all__ = ["load_claims", "parse_claims"]


def parse_claims(text: str, fmt: str, *, source: str = "<string>") -> ClaimSet:
    """Read claims from ``text`` written in ``fmt`` (``"yaml"``, ``"json"`` or ``"csv"``).

    ``source`` names the text in messages and becomes :attr:`ClaimSet.path`. Raises
    :class:`~evidence.errors.ClaimFileError` listing every problem (each with its line)
    when the text cannot be used; warnings are kept in :attr:`ClaimSet.problems`.

    >>> text = "claims:\\n  - id: 1\\n    text: Pain.\\n    citations: [katz2003]\\n"
    >>> claims = parse_claims(text, "yaml")
    >>> claims[0].id, claims[0].citations[0].stance
    ('1', <Stance.UNKNOWN: 'unknown'>)
    """
    report = Report(source)
    kind = find_format(fmt, report)
    if kind is None:
        fail(report)
    if text.startswith("\ufeff"):  # spreadsheet exports often begin with a byte-order mark
        text = text[1:]
    report.csv = kind.tabular
    try:
        tree = kind.read(text, report)
        check_characters(tree, report)
        claims = claims_from_tree(tree, report) if tree is not None or not report.errors else []
    except RecursionError:
        report.error(None, "the file is nested too deeply to be a claims file", "syntax")
        claims = []
    if report.errors:
        fail(report)
    return ClaimSet(claims, path=source, problems=report.sorted_problems(), title=report.title)


def load_claims(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    encoding: str = "utf-8",
) -> ClaimSet:
    """Read a claims file; the format comes from the suffix unless ``format`` is given.

    Suffixes: ``.yaml``/``.yml``, ``.json``, ``.csv``/``.tsv``. Raises
    :class:`~evidence.errors.ClaimFileError` when the file cannot be read or decoded, its
    format is unknown, or it has problems (all of them listed, each with its line).
    """
    source = os.fspath(path)
    report = Report(source)
    if format is not None:
        kind = find_format(format, report)
    else:
        kind = format_of_suffix(Path(source).suffix)
        if kind is None:
            report.error(
                None,
                f"cannot tell the format of {Path(source).name!r} from its suffix; name it "
                f"{', '.join(SUFFIXES)}, or pass format= (one of: {', '.join(FORMATS)})",
                "unknown-format",
            )
    if kind is None:
        fail(report)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        report.error(None, f"cannot read the claims file: {exc.strerror or exc}", "unreadable")
        fail(report)
    try:
        text = data.decode(encoding)
    except LookupError:
        report.error(None, f"unknown text encoding {encoding!r}", "encoding")
        fail(report)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.error(
            line,
            f"the file is not valid {encoding} text (byte {data[exc.start]:#04x}); "
            f"save it as UTF-8, or pass the encoding it was saved in",
            "encoding",
        )
        fail(report)
    return parse_claims(text, kind.name, source=source)
