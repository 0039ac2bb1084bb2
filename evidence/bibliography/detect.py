"""Which reference format a file is in, read from its content, and one loader for all.

:func:`load_bibliography` reads BibTeX, CSL-JSON, RIS, PubMed MEDLINE (.nbib) and EndNote
XML, whatever the file is called: :func:`detect_format` decides from the text, and the
file's extension only breaks ties. A file in none of them is a located
:class:`~evidence.errors.BibliographyError` naming the formats that are read.

>>> detect_format("TY  - JOUR\\nTI  - A title\\nER  - \\n")
'ris'
>>> detect_format("% comments\\n@article{k, title={T}}")
'bibtex'
>>> detect_format('[{"id": "k", "type": "book"}]')
'csl-json'

The rule
========

The first strong sign in the text decides, in file order:

================  ================================================================
format            sign
================  ================================================================
``csl-json``      the first character (after a byte-order mark and white space) is
                  ``[``, or ``{`` followed by ``"``
``endnote-xml``   the first character is ``<`` (then the reader checks for
                  ``<records>``: other XML is refused with a located error)
``ris``           a line starting ``TY  -`` (Ovid's ``1.`` numbering and blank lines
                  may come first)
``medline``       a line starting ``PMID-``
``bibtex``        a line starting ``@type{`` or ``@type(``
================  ================================================================

A RIS or MEDLINE sign counts only when it comes before any BibTeX entry, so a BibTeX
abstract quoting ``TY  - JOUR`` stays BibTeX, and a RIS note starting with ``@`` stays RIS.
A file with only white space is an empty bibliography of the format its extension names
(BibTeX when the extension says nothing). ``format=`` overrides all this.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from evidence.bibliography._records import Bibliography, decode, read_file
from evidence.bibliography.bibtex import load_references, parse_references
from evidence.bibliography.csl_json import parse_csl_json
from evidence.bibliography.endnote_xml import parse_endnote_xml
from evidence.bibliography.medline import parse_medline
from evidence.bibliography.ris import parse_ris
from evidence.errors import BibliographyError, SourceLocation

__all__ = ["BIBLIOGRAPHY_FORMATS", "detect_format", "load_bibliography", "parse_bibliography"]

#: The formats read, each with the file extensions that usually carry it.
BIBLIOGRAPHY_FORMATS: dict[str, tuple[str, ...]] = {
    "bibtex": (".bib", ".bibtex", ".biblatex"),
    "csl-json": (".json", ".csljson", ".csl.json"),
    "ris": (".ris", ".enw"),
    "medline": (".nbib", ".medline", ".txt"),
    "endnote-xml": (".xml",),
}
_ALIASES = {
    "bib": "bibtex",
    "biblatex": "bibtex",
    "csl": "csl-json",
    "json": "csl-json",
    "csljson": "csl-json",
    "nbib": "medline",
    "pubmed": "medline",
    "endnote": "endnote-xml",
    "xml": "endnote-xml",
}
_SIGNS = re.compile(
    r"^(?:(?P<ris>[ \t]*TY {1,2}-)|(?P<medline>PMID- ?\d)"
    r"|(?P<bibtex>[ \t]*@[ \t]*[A-Za-z]\w*[ \t]*[{(]))",
    re.MULTILINE,
)
_PARSERS = {
    "bibtex": parse_references,
    "csl-json": parse_csl_json,
    "ris": parse_ris,
    "medline": parse_medline,
    "endnote-xml": parse_endnote_xml,
}


def detect_format(text: str, *, name: str = "") -> str | None:
    """The format of ``text`` by the rule above, or ``None`` when no sign is found (white
    space only: the format ``name``'s extension suggests, if any)."""
    start = text.lstrip("\ufeff \t\r\n")
    if not start:
        return _by_extension(name)
    if start[0] == "[" or (start[0] == "{" and start[1:].lstrip()[:1] == '"'):
        return "csl-json"
    if start[0] == "<":
        return "endnote-xml"
    found = _SIGNS.search(text.lstrip("\ufeff"))
    if found is None:
        return None
    return found.lastgroup


def _by_extension(name: str) -> str | None:
    lower = name.lower()
    for fmt, extensions in BIBLIOGRAPHY_FORMATS.items():
        if lower.endswith(extensions):
            return fmt
    return None


def _format_name(fmt: str) -> str:
    wanted = fmt.strip().lower()
    wanted = _ALIASES.get(wanted, wanted)
    if wanted not in BIBLIOGRAPHY_FORMATS:
        raise BibliographyError(
            f"unknown bibliography format {fmt!r}; choose one of: {', '.join(BIBLIOGRAPHY_FORMATS)}"
        )
    return wanted


def _unknown(text: str, source: str) -> BibliographyError:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = next((n for n, t in enumerate(text.splitlines(), start=1) if t.strip()), 1)
    return BibliographyError(
        f"not a bibliography in a format evidence reads (it starts {first[:40]!r}). "
        "Export your library as BibTeX (.bib), CSL-JSON (.json), RIS (.ris), PubMed "
        "MEDLINE (.nbib) or EndNote XML (.xml), or pass format= if it is one of them",
        location=SourceLocation(source, line),
    )


def parse_bibliography(
    text: str, *, format: str | None = None, source: str = "<string>", strict: bool = False
) -> Bibliography:
    """Read ``text`` in ``format`` (one of :data:`BIBLIOGRAPHY_FORMATS`, or ``None`` to
    detect it from the content and ``source``'s extension).

    Raises :class:`~evidence.errors.BibliographyError` for text in no format read.
    """
    fmt = _format_name(format) if format else detect_format(text, name=source)
    if fmt is None:
        if not text.strip():
            return Bibliography(path=source)
        raise _unknown(text, source)
    return _PARSERS[fmt](text, source=source, strict=strict)


def load_bibliography(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    encoding: str = "utf-8",
    strict: bool = False,
    cache: bool | str | os.PathLike[str] = True,
) -> Bibliography:
    """Read the reference library at ``path`` in whichever format it is in.

    BibTeX goes through ``load_references`` (with its parse
    ``cache``); the others are read directly (they are fast enough: see
    docs/performance.md). ``format`` skips detection; ``strict`` raises one error listing
    every problem. Raises :class:`~evidence.errors.BibliographyError` when the file cannot
    be read or is in no format read.
    """
    name, data = read_file(path)
    text = decode(data, encoding, name)
    fmt = _format_name(format) if format else detect_format(text, name=Path(name).name)
    if fmt is None:
        if not text.strip():
            return Bibliography(path=name)
        raise _unknown(text, name)
    if fmt == "bibtex":  # through its parse cache; it decodes by the same rule
        return load_references(name, encoding=encoding, strict=strict, cache=cache)
    return _PARSERS[fmt](text, source=name, strict=strict)
