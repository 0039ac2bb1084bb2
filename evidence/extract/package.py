"""Reading untrusted document files safely: zip packages (.docx) and XML (parts, JATS).

A .docx is a zip of XML parts. Both layers can be made hostile: a zip bomb (a small
member that inflates to gigabytes) and an entity bomb (XML entities that expand
exponentially, or an external entity that reads a file or the network). Members are
inflated in chunks with a running cap (the sizes a zip declares can lie), and XML is
parsed with :mod:`defusedxml` (already a dependency for PubMed's XML), which refuses
entity declarations and external references; a DTD named by a ``DOCTYPE`` is never
fetched. Every refusal is an :class:`~evidence.errors.ArticleError` naming the file and
the part.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from xml.sax import SAXParseException
from xml.sax.handler import (
    ContentHandler,
    feature_external_ges,
    feature_external_pes,
    feature_namespaces,
)

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from evidence.errors import ArticleError, SourceLocation

__all__ = ["MAX_PART_BYTES", "MAX_TOTAL_BYTES", "open_package", "parse_xml", "read_part"]

#: The most one part of a package may inflate to (a 2,000-page .docx is ~20 MB of XML).
MAX_PART_BYTES = 256 * 1024 * 1024
#: The most all parts read from one package may inflate to together.
MAX_TOTAL_BYTES = 512 * 1024 * 1024
_CHUNK = 1 << 20


def open_package(data: bytes, source: str) -> zipfile.ZipFile:
    """The zip package in ``data``; :class:`ArticleError` when it is not one."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise ArticleError(
            f"not a Word document (.docx is a zip package: {error}); save it as .docx "
            "from Word, or export the text",
            location=SourceLocation(source),
        ) from None


def read_part(package: zipfile.ZipFile, name: str, source: str, budget: list[int]) -> bytes | None:
    """The bytes of part ``name`` (``None`` when absent), inflated under the size caps.

    ``budget`` holds the bytes the package may still inflate to; it is decreased.
    """
    try:
        info = package.getinfo(name)
    except KeyError:
        return None
    where = SourceLocation(f"{source}!{name}")
    limit = min(MAX_PART_BYTES, budget[0])
    if info.file_size > limit:
        raise ArticleError(
            f"the part inflates to {info.file_size:,} bytes, over the {limit:,} allowed "
            "(a zip bomb or a damaged file); refused",
            location=where,
        )
    chunks: list[bytes] = []
    total = 0
    try:
        with package.open(info) as member:
            while chunk := member.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise ArticleError(
                        f"the part inflates past {limit:,} bytes although it declares "
                        f"{info.file_size:,} (a zip bomb or a damaged file); refused",
                        location=where,
                    )
                chunks.append(chunk)
    except (
        zipfile.BadZipFile,
        zlib.error,
        ValueError,
        OSError,
        EOFError,
        RuntimeError,
        NotImplementedError,
    ) as error:
        raise ArticleError(
            f"cannot inflate the part (the file is damaged): {error}", location=where
        ) from None
    budget[0] -= total
    return b"".join(chunks)


def parse_xml(
    data: bytes, handler: ContentHandler, where: str, *, namespaces: bool = False
) -> None:
    """Feed ``data`` to the SAX ``handler`` with entities, DTDs and external references
    refused; :class:`ArticleError` at ``where`` (and the line) when it cannot be read.

    With ``namespaces`` the handler gets ``startElementNS``/``endElementNS`` calls.
    """
    # Entity declarations are refused; an external DTD named by a DOCTYPE (every JATS
    # file has one) is skipped, never fetched: the reader's external-entity features
    # stay off, so expat is told to skip it rather than made to fail on it.
    parser = DefusedExpatParser(forbid_dtd=False, forbid_entities=True, forbid_external=False)
    parser.setFeature(feature_namespaces, namespaces)
    parser.setFeature(feature_external_ges, False)
    parser.setFeature(feature_external_pes, False)
    parser.setContentHandler(handler)
    try:
        parser.parse(io.BytesIO(data))
    except DefusedXmlException as error:
        raise ArticleError(
            f"refused: the XML declares entities or external references ({error}); a "
            "document never needs them, and they can expand without bound",
            location=SourceLocation(where),
        ) from None
    except SAXParseException as error:
        raise ArticleError(
            f"not well-formed XML: {error.getMessage()}",
            location=SourceLocation(
                where, error.getLineNumber(), (error.getColumnNumber() or 0) + 1
            ),
        ) from None
