"""Talking to PubMed: pure request building, pure response parsing, the client and its cache.

``query`` builds requests; ``xml`` (safe, streaming XML and text flattening), ``body``
(is a body JSON or XML, data or an error?), ``values`` (DOI/PMCID/year forms), ``efetch``
(records) and ``answers`` (ESearch, ECitMatch, ESummary, ID converter) read responses
without I/O; ``retry`` holds the rate limiter and the retry waits; ``outcome`` what a fetch
gives back; ``cache`` keeps records on disk; ``client`` is the only module that does
network I/O (and the only one importing ``requests``), over the connections of
``transport`` (a deadline per attempt); ``doi`` looks many DOIs up in batches through it.

May import ``evidence.errors``, ``evidence.model``, ``evidence.identifiers`` and the other
stage-0 helpers, never a stage above. Modules in here import their siblings directly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence.pubmed.answers import (
        DocSummary,
        ESearchResult,
        IdConvRecord,
        parse_ecitmatch,
        parse_esearch,
        parse_esummary,
        parse_idconv,
    )
    from evidence.pubmed.body import find_error, is_rate_limit
    from evidence.pubmed.cache import CacheEntry, PubMedCache
    from evidence.pubmed.client import FetchOutcome, FetchResult, PubMedClient
    from evidence.pubmed.doi import search_dois
    from evidence.pubmed.efetch import parse_efetch
    from evidence.pubmed.query import CitationQuery
    from evidence.pubmed.xml import flatten_text

# Where each public name lives: imported on first use (PEP 562), so importing one module
# of the package does not import all of them (the command line's start-up).
_WHERE = {
    "CacheEntry": "evidence.pubmed.cache",
    "CitationQuery": "evidence.pubmed.query",
    "DocSummary": "evidence.pubmed.answers",
    "ESearchResult": "evidence.pubmed.answers",
    "FetchOutcome": "evidence.pubmed.client",
    "FetchResult": "evidence.pubmed.client",
    "IdConvRecord": "evidence.pubmed.answers",
    "PubMedCache": "evidence.pubmed.cache",
    "PubMedClient": "evidence.pubmed.client",
    "find_error": "evidence.pubmed.body",
    "flatten_text": "evidence.pubmed.xml",
    "is_rate_limit": "evidence.pubmed.body",
    "parse_ecitmatch": "evidence.pubmed.answers",
    "parse_efetch": "evidence.pubmed.efetch",
    "parse_esearch": "evidence.pubmed.answers",
    "parse_esummary": "evidence.pubmed.answers",
    "parse_idconv": "evidence.pubmed.answers",
    "search_dois": "evidence.pubmed.doi",
}

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
    "search_dois",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access and keep the name here."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value  # the next access is a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
