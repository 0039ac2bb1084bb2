"""A reference file's bytes, and its text: every failure located and explained.

Reading and decoding are the same for every text format a reader may handle (BibTeX today),
so they live apart from any one format. Stage 2: imports ``evidence.errors`` only.
"""

from __future__ import annotations

import os

from evidence.errors import BibliographyError, Problem, SourceLocation

__all__ = ["decode_bytes", "read_bytes"]


def read_bytes(name: str) -> bytes:
    """The bytes of the file ``name``, or a :class:`~evidence.errors.BibliographyError`
    that says why it cannot be read."""
    try:
        with open(name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise BibliographyError(
            "no such file; check the path (it is read relative to the current directory "
            f"{os.getcwd()!r})",
            location=SourceLocation(name),
        ) from None
    except OSError as error:
        raise BibliographyError(
            f"cannot read the file: {error.strerror or error}", location=SourceLocation(name)
        ) from error


def decode_bytes(data: bytes, encoding: str, name: str) -> str:
    """``data`` as text, or an error listing every undecodable line (up to 20).

    ``name`` is the file the bytes came from, for the locations (``refs.bib:12:7``).
    """
    try:
        return data.decode(encoding)
    except LookupError:
        raise BibliographyError(
            f"unknown encoding {encoding!r}; pass a Python codec name such as 'utf-8' or 'latin-1'",
            location=SourceLocation(name),
        ) from None
    except UnicodeDecodeError as first:
        problems: list[Problem] = []
        start = 0
        error: UnicodeDecodeError | None = first
        while error is not None and len(problems) < 20:
            at = start + error.start
            line_start = data.rfind(b"\n", 0, at) + 1
            line = data.count(b"\n", 0, at) + 1
            column = len(data[line_start:at].decode(encoding, errors="replace")) + 1
            problems.append(
                Problem(
                    SourceLocation(name, line, column),
                    f"byte 0x{data[at]:02x} is not valid {encoding}",
                    code="encoding",
                )
            )
            start = start + error.end
            try:
                data[start:].decode(encoding)
                error = None
            except UnicodeDecodeError as later:
                error = later
        where = problems[0].location
        raise BibliographyError(
            f"the file is not valid {encoding} (byte 0x{data[first.start]:02x}); re-save it "
            "as UTF-8, or pass its real encoding, e.g. load_references(path, "
            "encoding='latin-1')",
            location=where,
            problems=problems,
        ) from None
