"""The one interface an article format implements: :class:`ArticleFormat`.

A format is a module beside this one (``markdown``, ``plain``, ``rst``, ``latex``) that
defines ``FORMAT = ArticleFormat(...)``; ``formats`` lists them. Everything after the
masking (reference list, markers, sentences, matching) is shared by all formats.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evidence.errors import ArticleError, Problem, SourceLocation
from evidence.extract.view import TextView
from evidence.model import Reference

__all__ = ["ArticleFormat", "Decoded", "decode_text", "keep_text", "mask_nothing", "read_bytes"]


def mask_nothing(text: str, view: TextView) -> None:
    """A masking step for formats that need none at that point."""


def keep_text(text: str) -> str:
    """A claim-text cleaner for formats without inline markup: the text as it is."""
    return text


def read_bytes(source: str) -> bytes:
    """The bytes of the article file ``source``; :class:`ArticleError` when unreadable."""
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise ArticleError(
            f"no such file; check the path (it is read relative to {os.getcwd()!r})",
            location=SourceLocation(source),
        ) from None
    except OSError as error:
        raise ArticleError(
            f"cannot read the article: {error.strerror or error}", location=SourceLocation(source)
        ) from error


def decode_text(data: bytes, encoding: str, source: str) -> str:
    """A text file's bytes as text (a UTF-8 byte-order mark dropped).

    Raises :class:`ArticleError` located at the first undecodable byte, or for an
    unknown encoding.
    """
    if data.startswith(b"\xef\xbb\xbf") and encoding.lower().replace("_", "-") == "utf-8":
        data = data[3:]
    try:
        return data.decode(encoding)
    except LookupError:
        raise ArticleError(
            f"unknown text encoding {encoding!r}", location=SourceLocation(source)
        ) from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ArticleError(
            f"the file is not valid {encoding} text (byte {data[error.start]:#04x}); save it "
            "as UTF-8, or pass the encoding it was saved in",
            location=SourceLocation(source, line, column),
        ) from None


@dataclass(frozen=True)
class Decoded:
    """What a structured format's reader (``.docx``, JATS) makes of a file.

    ``text`` is the document flattened to prose in which every citation the file stores
    as structure (a reference manager's field, an ``<xref>``) is written as a pandoc
    marker ``[@key]``; ``references`` are the cited works whose metadata the file itself
    carries, under those keys; ``problems`` what could not be read, located;
    ``lines[i]`` is the line (or paragraph) of the *file* that line ``i + 1`` of ``text``
    came from, and ``unit`` what that number counts (``paragraph`` for .docx, ``line``
    for XML). ``citations`` counts the cited items the file stores, so the census can
    prove each became a mapped citation or a report.
    """

    text: str
    references: tuple[Reference, ...] = ()
    problems: tuple[Problem, ...] = ()
    lines: tuple[int, ...] = ()
    unit: str = "line"
    citations: int = 0


@dataclass(frozen=True, slots=True)
class ArticleFormat:
    """How one article format is read: its names, and how its non-prose is masked.

    ``name`` is what ``format=`` and :attr:`ExtractResult.format
    <evidence.ExtractResult.format>` say; ``aliases`` other names accepted for
    ``format=``; ``suffixes`` the file suffixes (lower case, with the dot) read as this
    format. The steps, in the order the extraction runs them:

    1. ``decode(data, encoding, source)`` turns the file's bytes into the text every
       other step reads (text formats decode them; a binary format would flatten its
       document into text that its masks understand);
    2. ``mask_code(text, view)`` blanks what is never prose and must not be searched for
       the reference list either (code, math, comments, a preamble);
    3. the reference list is found in the view and blanked (shared by all formats);
    4. ``mask_markup(text, view)`` blanks headings, tables, link targets and the like;
       URLs are blanked for every format, and when ``list_items`` is true each list
       bullet starts a paragraph;
    5. markers are found in the view (``rst_labels``: reStructuredText ``[Label]_``
       citations are read too), sentences split, markers mapped to keys;
    6. ``clean(text)`` undoes the format's inline markup in each claim's text.

    A structured format (``.docx``, JATS) sets ``read`` instead of relying on
    ``decode``: ``read(data, source)`` returns a :class:`Decoded` whose text is then
    masked and searched like the others, with the references the file embeds.
    ``typed_numbers`` false (JATS) means every numbered citation is structure, so digits
    in brackets, parentheses or superscripts in the text are never taken as markers.
    """

    name: str
    suffixes: tuple[str, ...]
    mask_code: Callable[[str, TextView], None]
    mask_markup: Callable[[str, TextView], None] = mask_nothing
    clean: Callable[[str], str] = keep_text
    aliases: tuple[str, ...] = ()
    decode: Callable[[bytes, str, str], str] = decode_text
    list_items: bool = True
    rst_labels: bool = False
    read: Callable[[bytes, str], Decoded] | None = None
    typed_numbers: bool = True
