"""Talking to PubMed: pure request building, pure response parsing, the client and its cache.

Only :mod:`evidence.pubmed.client` does I/O; :mod:`evidence.pubmed.parse` turns response
bodies into records and can be tested without a network.
"""

from evidence.pubmed.cache import CacheEntry, PubMedCache
from evidence.pubmed.client import FetchOutcome, FetchResult, PubMedClient
from evidence.pubmed.parse import (
    DocSummary,
    ESearchResult,
    IdConvRecord,
    find_error,
    flatten_text,
    is_rate_limit,
    parse_ecitmatch,
    parse_efetch,
    parse_esearch,
    parse_esummary,
    parse_idconv,
)
from evidence.pubmed.query import CitationQuery

__all__ = [
    "CacheEntry",
    "CitationQuery",
    "DocSummary",
    "ESearchResult",
    "FetchOutcome",
    "FetchResult",
    "IdConvRecord",
    "PubMedCache",
    "PubMedClient",
    "find_error",
    "flatten_text",
    "is_rate_limit",
    "parse_ecitmatch",
    "parse_efetch",
    "parse_esearch",
    "parse_esummary",
    "parse_idconv",
]
