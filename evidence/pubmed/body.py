"""What kind of answer a body is: JSON or XML, data or an error (NCBI errors come with HTTP 200).

NCBI often answers errors with status 200 and puts the error in the body (see
``shared/reference/eutils.md`` section 5), so the client asks :func:`find_error` and
:func:`is_rate_limit` about every body, and the parsers use the helpers here to tell JSON
from XML by the first character and to turn an error body into a
:class:`~evidence.errors.PubMedResponseError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException

from evidence.errors import PubMedResponseError, SourceLocation
from evidence.pubmed.xml import CHUNK, Body, error_elements, safe_parser, tree_start

_LEADING_SPACE = re.compile(r"[\s\ufeff]*")
_LEADING_SPACE_BYTES = re.compile(rb"(?:\xef\xbb\xbf)?\s*")
# Roots of the E-utilities' own XML, any of which may carry <ERROR> instead of data.
_EUTILS_ROOTS = frozenset(
    {
        "eSummaryResult",
        "eSearchResult",
        "ePostResult",
        "eFetchResult",
        "eLinkResult",
        "eInfoResult",
        "eSpellResult",
        "eGQueryResult",
    }
)


def first_char(body: Body) -> str:
    """The first character after whitespace and a byte-order mark (``""`` if none)."""
    if isinstance(body, bytes):
        byte_match = _LEADING_SPACE_BYTES.match(body)
        end = byte_match.end() if byte_match else 0
        return body[end : end + 1].decode("latin-1")
    text_match = _LEADING_SPACE.match(body)
    end = text_match.end() if text_match else 0
    return body[end : end + 1]


def load_json(body: Body, source: str, what: str) -> Any:
    """Decode JSON; ``strict=False`` because NCBI has been seen to put raw newlines
    inside error strings (``retstart cannot be larger than 9998``)."""
    text = body.decode("utf-8-sig", errors="replace") if isinstance(body, bytes) else body
    try:
        return json.loads(text.lstrip("\ufeff"), strict=False)
    except json.JSONDecodeError as exc:
        raise PubMedResponseError(
            f"cannot read the {what} as JSON: {exc.msg} (the response was probably cut off; "
            "fetching it again may help)",
            location=SourceLocation(source, exc.lineno, exc.colno),
        ) from exc


def json_error(data: Any) -> str | None:
    """The error message a decoded JSON body carries, or ``None``."""
    if not isinstance(data, Mapping):
        return None
    error = data.get("error")
    if error:
        text = str(error)
        if "rate limit" in text.lower():
            return _rate_limit_message(data)
        return f"NCBI E-utilities error: {text}"
    summary_errors = data.get("esummaryresult")
    if isinstance(summary_errors, list) and summary_errors:
        return "NCBI ESummary error: " + "; ".join(str(m) for m in summary_errors)
    for key, utility in (("esearchresult", "ESearch"), ("einforesult", "EInfo")):
        inner = data.get(key)
        if isinstance(inner, Mapping) and inner.get("ERROR"):
            return f"NCBI {utility} error: {inner['ERROR']}"
    return None


def _rate_limit_message(data: Mapping[str, Any]) -> str:
    # The body's "api-key" field echoes the user's API key or IP address: never repeat it.
    details = []
    if data.get("count"):
        details.append(f"{data['count']} requests counted")
    if data.get("limit"):
        details.append(f"limit {data['limit']} per second")
    extra = f" ({', '.join(details)})" if details else ""
    return (
        f"NCBI rate limit exceeded{extra}: wait and retry, make fewer requests per second, "
        "or use an NCBI API key (it allows 10 per second)"
    )


def find_error(body: Body) -> str | None:
    """The error message if ``body`` is an E-utilities error, else ``None``.

    NCBI often answers errors with HTTP 200, so the body must be checked as well as the
    status. Recognised: a JSON ``{"error": ...}`` (the 429 rate-limit body; the message
    never repeats its ``api-key`` field, which holds the user's key or IP address),
    ESummary's ``esummaryresult`` list, ``esearchresult.ERROR``, an ``<ERROR>`` element in
    any E-utility root (``eSummaryResult``, ``eSearchResult``, ``ePostResult``,
    ``eFetchResult`` ...), and an HTML page where data was expected. A normal body,
    including an empty ``PubmedArticleSet``, gives ``None``; so does a body that cannot
    be read at all (the parsers say where it breaks).

    >>> message = find_error('{"error":"API rate limit exceeded","api-key":"1.2.3.4"}')
    >>> "rate limit" in message, "1.2.3.4" in message
    (True, False)
    """
    first = first_char(body)
    if first in ("{", "["):
        try:
            data = load_json(body, "<body>", "response")
        except PubMedResponseError:
            return None
        return json_error(data)
    if first != "<":
        return None
    head = (body[:512].decode("latin-1") if isinstance(body, bytes) else body[:512]).lower()
    if re.search(r"<(!doctype\s+html|html[\s>])", head):
        title = re.search(r"<title>([^<]*)</title>", head)
        shown = f" ({title.group(1).strip()})" if title else ""
        return f"NCBI returned an HTML page{shown} instead of an E-utilities response"
    return _xml_error(body)


class _NotAnErrorBody(Exception):
    """Stops reading a body once its root shows it cannot be an E-utilities error."""


class _RootCheck(TreeBuilder):
    """A tree builder that gives up at the root's start tag unless it is an E-utility root,
    so checking a large EFetch body costs one tag, not a parse."""

    def __init__(self) -> None:
        super().__init__()
        self.seen_root = False

    def start(self, tag: Any, attrs: dict[str, str], /) -> Element:
        if not self.seen_root:
            self.seen_root = True
            if tag not in _EUTILS_ROOTS:
                raise _NotAnErrorBody
        return tree_start(self, tag, attrs)


def _xml_error(body: Body) -> str | None:
    parser = safe_parser(_RootCheck())
    try:
        # Only E-utility roots get past the first start tag, and those bodies are small.
        for begin in range(0, len(body), CHUNK):
            parser.feed(body[begin : begin + CHUNK])
        root = parser.close()
    except (_NotAnErrorBody, ParseError, DefusedXmlException):
        return None
    messages = error_elements(root)
    if not messages:
        return None
    name = str(root.tag)[1:].replace("Result", "")
    return f"NCBI E{name} error: " + "; ".join(messages)


def is_rate_limit(body: Body) -> bool:
    """Whether ``body`` is NCBI's "API rate limit exceeded" answer (HTTP 429's JSON body)."""
    if first_char(body) != "{":
        return False
    try:
        data = load_json(body, "<body>", "response")
    except PubMedResponseError:
        return False
    return isinstance(data, Mapping) and "rate limit" in str(data.get("error", "")).lower()


def raise_if_error(body: Body, source: str, what: str) -> None:
    """Raise :class:`PubMedResponseError` for a JSON body that is an error."""
    if first_char(body) in ("{", "["):
        message = find_error(body)
        raise PubMedResponseError(
            message or f"expected XML for the {what} but got JSON",
            location=SourceLocation(source),
        )


def summarise_error(body: bytes, limit: int = 120) -> str:
    """A short description of an error body for messages and logs."""
    if is_rate_limit(body):
        # The parser's wording: NCBI's 429 body echoes the caller's API key or IP address
        # in its "api-key" field, which must not be repeated.
        return find_error(body) or "NCBI rate limit exceeded"
    # HTML error pages are mostly markup; tags out, whitespace collapsed, first words kept.
    text = body[:4000].decode("utf-8", "replace")
    text = " ".join(re.sub(r"<[^>]*>", " ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
