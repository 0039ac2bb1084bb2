"""A reference file's bytes, and its text: every failure located and explained.

Reading and decoding are the same for every text format a reader may handle, so they live
apart from any one format. The rule (docs/errors.md, "Encodings"):

* UTF-8 by default; another encoding is named by the caller (``--encoding``,
  ``encoding=``).
* A byte-order mark wins over the encoding asked for, and is dropped (EndNote, Web of
  Science and Windows editors write one): UTF-8, UTF-16 and UTF-32, either byte order.
* UTF-16 and UTF-32 *without* a byte-order mark are "valid" UTF-8 full of NULs, which no
  reader would find an entry in: when the default UTF-8 is asked for and the first
  kilobyte has the NUL pattern of one of them, the file is decoded as that one.
* Bytes that are not valid in the encoding are an error listing each (up to 20) by
  line and column; so is any other codec failure (an unknown name, a codec that is not
  for text, one that raises something else): never a bare ``UnicodeError``.

Stage 2: imports ``evidence.errors`` only.
"""

from __future__ import annotations

import codecs
import os

from evidence.errors import BibliographyError, Problem, SourceLocation

__all__ = ["decode_bytes", "read_bytes", "sniff_encoding"]

# UTF-32 first: its little-endian mark begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF_BYTES = 1024
_UTF8_NAMES = frozenset({"utf-8", "utf8", "u8", "utf", "utf-8-sig", "utf_8", "cp65001"})


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


def sniff_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 (with its byte order) that ``data`` is in though it has no
    byte-order mark, judged by where the NULs of its first kilobyte fall; else ``None``.

    Text in these encodings that is mostly ASCII (as every reference format is: field
    names, tags, punctuation) has a zero in the same byte(s) of almost every unit; UTF-8
    text has no NUL at all.
    """
    head = data[:_SNIFF_BYTES]
    if b"\x00" not in head:
        return None
    for width, codec_le, codec_be in ((4, "utf-32-le", "utf-32-be"), (2, "utf-16-le", "utf-16-be")):
        size = len(head) - len(head) % width
        if size < width:
            continue
        units = [head[i : i + width] for i in range(0, size, width)]
        # Little-endian ASCII: the first byte set, the rest zero; big-endian the reverse.
        little = sum(1 for u in units if u[0] and not any(u[1:]))
        big = sum(1 for u in units if u[-1] and not any(u[:-1]))
        if little * 10 >= len(units) * 6 and little > big:
            return codec_le
        if big * 10 >= len(units) * 6 and big > little:
            return codec_be
    return None


def decode_bytes(data: bytes, encoding: str, name: str) -> str:
    """``data`` as text by the rule above, or an error listing every undecodable line
    (up to 20).

    ``name`` is the file the bytes came from, for the locations (``refs.bib:12:7``).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom) :], codec
            break
    else:
        if encoding.lower().replace("_", "-") in _UTF8_NAMES:
            encoding = sniff_encoding(data) or encoding
    try:
        codecs.lookup(encoding)
        return data.decode(encoding)
    except LookupError as error:
        raise BibliographyError(
            f"unknown encoding {encoding!r} ({error}); pass a Python text codec name such as "
            "'utf-8', 'cp1252' or 'latin-1'",
            location=SourceLocation(name),
        ) from None
    except UnicodeDecodeError as first:
        raise _undecodable(data, encoding, name, first) from None
    except (UnicodeError, ValueError, TypeError) as error:
        # A codec that fails without saying where (punycode, idna...): still located.
        raise BibliographyError(
            f"the file cannot be decoded as {encoding!r} ({error}); re-save it as UTF-8, or "
            "pass its real encoding, e.g. encoding='cp1252'",
            location=SourceLocation(name, 1),
        ) from None


def _column(before: bytes, encoding: str) -> int:
    """The column (from 1) of the character after ``before``, the start of its line."""
    try:
        return len(before.decode(encoding, errors="replace")) + 1
    except (UnicodeError, ValueError, TypeError):  # a codec that cannot even replace
        return len(before) + 1


def _undecodable(
    data: bytes, encoding: str, name: str, first: UnicodeDecodeError
) -> BibliographyError:
    problems: list[Problem] = []
    start = 0
    error: UnicodeDecodeError | None = first
    while error is not None and len(problems) < 20:
        at = start + error.start
        if at >= len(data):
            break
        line_start = data.rfind(b"\n", 0, at) + 1
        line = data.count(b"\n", 0, at) + 1
        column = _column(data[line_start:at], encoding)
        problems.append(
            Problem(
                SourceLocation(name, line, column),
                f"byte 0x{data[at]:02x} is not valid {encoding}",
                code="encoding",
            )
        )
        start = start + max(error.end, error.start + 1)
        try:
            data[start:].decode(encoding)
            error = None
        except UnicodeDecodeError as later:
            error = later
        except (UnicodeError, ValueError, TypeError):
            error = None
    where = problems[0].location if problems else SourceLocation(name, 1)
    byte = f" (byte 0x{data[first.start]:02x})" if first.start < len(data) else ""
    return BibliographyError(
        f"the file is not valid {encoding}{byte}; re-save it as UTF-8, or pass its real "
        "encoding, e.g. load_references(path, encoding='latin-1') (EndNote on Windows often "
        "writes encoding='cp1252')",
        location=where,
        problems=problems,
    )
