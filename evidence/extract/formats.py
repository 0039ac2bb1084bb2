"""The registry of article formats: which module reads a format name or a file suffix.

Adding a format is a new module that defines ``FORMAT = ArticleFormat(...)`` (see
:mod:`evidence.extract.reader`) and one line in :data:`READERS`.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

from evidence.errors import ArticleError, SourceLocation
from evidence.extract import docx, jats, latex, markdown, plain, rst
from evidence.extract.reader import ArticleFormat

__all__ = ["FILE_NAME", "FORMATS", "READERS", "SUFFIXES", "reader_for_suffix", "reader_named"]

#: Every format read, in the order error messages list them.
READERS: tuple[ArticleFormat, ...] = (
    markdown.FORMAT,
    plain.FORMAT,
    rst.FORMAT,
    latex.FORMAT,
    docx.FORMAT,
    jats.FORMAT,
)

#: The article formats :func:`~evidence.extract_claims` reads.
FORMATS = tuple(reader.name for reader in READERS)

_BY_NAME = MappingProxyType({name: r for r in READERS for name in (r.name, *r.aliases)})
#: File suffixes (lower case, with the dot) and the format each is read as.
SUFFIXES = MappingProxyType({suffix: r.name for r in READERS for suffix in r.suffixes})
_BY_SUFFIX = MappingProxyType({suffix: r for r in READERS for suffix in r.suffixes})
# A one-line string that ends in a known suffix reads as a file name, not as prose.
FILE_NAME = re.compile(r"\S+(" + "|".join(re.escape(s) for s in SUFFIXES) + r")", re.I)


def reader_named(fmt: str | None, source: str) -> ArticleFormat:
    """The format called ``fmt`` (a name or an alias, any case, a leading dot allowed).

    >>> reader_named(".TeX", "<string>").name
    'latex'
    """
    reader = _BY_NAME.get((fmt or "").strip().lower().lstrip("."))
    if reader is None:
        raise ArticleError(
            f"unknown article format {fmt!r}; use one of: {', '.join(FORMATS)}",
            location=SourceLocation(source),
        )
    return reader


def reader_for_suffix(source: str) -> ArticleFormat:
    """The format a file is read as, from its suffix; :class:`ArticleError` when unknown."""
    suffix = Path(source).suffix
    reader = _BY_SUFFIX.get(suffix.lower())
    if reader is None:
        raise ArticleError(
            f"cannot tell the format from the suffix {suffix!r}; name the file "
            f"{', '.join(SUFFIXES)}, or pass a format (one of: {', '.join(FORMATS)})",
            location=SourceLocation(source),
        )
    return reader
