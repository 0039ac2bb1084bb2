"""Claims from prose: citation markers in articles mapped to bibliography keys.

May import the readers below it (``bibliography``, ``claims``) and, lazily, ``pubmed.query``.
"""

from evidence.extract.article import (
    FORMATS,
    TITLE_MATCH,
    TITLE_MATCH_WITH_AUTHOR_AND_YEAR,
    CitationMatcher,
    ExtractResult,
    ListedReference,
    Marker,
    UnmappedMarker,
    extract_claims,
    match_reference,
    parse_article,
    parse_reference_line,
    sentence_spans,
    split_sentences,
)

__all__ = [
    "FORMATS",
    "TITLE_MATCH",
    "TITLE_MATCH_WITH_AUTHOR_AND_YEAR",
    "CitationMatcher",
    "ExtractResult",
    "ListedReference",
    "Marker",
    "UnmappedMarker",
    "extract_claims",
    "match_reference",
    "parse_article",
    "parse_reference_line",
    "sentence_spans",
    "split_sentences",
]
