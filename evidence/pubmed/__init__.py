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
