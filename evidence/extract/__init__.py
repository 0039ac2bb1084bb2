"""Claims from prose: citation markers in articles mapped to bibliography keys.

The steps, one module each: a format module masks what is not prose in a ``TextView``
(``markdown``, ``plain``, ``rst``, ``latex``) or, for a structured file, flattens it
into such text first (``docx`` with ``docx_fields``, ``jats``; read safely by
``package``; the references they embed joined to a .bib by ``embedded``);
``reflist`` finds and parses the document's
numbered reference list; ``markers`` finds citation markers in the view; ``sentences`` cuts
the view into sentences that carry them; ``matching`` maps what they cite to .bib keys (and
through PubMed); ``claimtext`` and ``ids`` make each claim's text and id; ``article``
(:func:`extract_claims`, :func:`parse_article`) runs them and fills the ``records``.

**Reading a new format.** Every format is an :class:`~evidence.extract.reader.ArticleFormat`:
its names and suffixes, ``decode`` (file bytes to text: a .docx or JATS reader flattens the
document here), ``mask_code`` (before the reference-list search) and ``mask_markup`` (after
it) blanking what is not prose, ``clean`` (inline markup out of claim text) and two
switches (list items start paragraphs; reStructuredText ``[Label]_`` citations). A new
format is a new module here defining ``FORMAT = ArticleFormat(...)`` and one line in
``formats.READERS``; ``extract_claims`` then picks it by ``format=`` or by file suffix.

May import ``evidence.errors``, ``evidence.model``, the shared helpers (``text``,
``identifiers``), the readers below it (``bibliography``, ``claims``) and ``pubmed.query``
(the ECitMatch query of a listed reference). Siblings import each other directly, never
this package's ``__init__``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence.extract.article import extract_claims, parse_article
    from evidence.extract.bibout import references_to_bibtex
    from evidence.extract.formats import FORMATS
    from evidence.extract.manubot import load_csl_library
    from evidence.extract.matching import (
        TITLE_MATCH,
        TITLE_MATCH_WITH_AUTHOR_AND_YEAR,
        match_reference,
    )
    from evidence.extract.merge import MergeResult, merge_claims
    from evidence.extract.records import (
        CitationMatcher,
        ExtractResult,
        ListedReference,
        Marker,
        UnmappedMarker,
    )
    from evidence.extract.reflist import parse_reference_line
    from evidence.text import sentence_spans, split_sentences

# Where each public name lives: imported on first use (PEP 562), so importing one module
# of the package does not import all of them (the command line's start-up).
_WHERE = {
    "CitationMatcher": "evidence.extract.records",
    "ExtractResult": "evidence.extract.records",
    "FORMATS": "evidence.extract.formats",
    "ListedReference": "evidence.extract.records",
    "Marker": "evidence.extract.records",
    "MergeResult": "evidence.extract.merge",
    "TITLE_MATCH": "evidence.extract.matching",
    "TITLE_MATCH_WITH_AUTHOR_AND_YEAR": "evidence.extract.matching",
    "UnmappedMarker": "evidence.extract.records",
    "extract_claims": "evidence.extract.article",
    "load_csl_library": "evidence.extract.manubot",
    "match_reference": "evidence.extract.matching",
    "merge_claims": "evidence.extract.merge",
    "parse_article": "evidence.extract.article",
    "parse_reference_line": "evidence.extract.reflist",
    "references_to_bibtex": "evidence.extract.bibout",
    "sentence_spans": "evidence.text",
    "split_sentences": "evidence.text",
}

__all__ = [
    "FORMATS",
    "TITLE_MATCH",
    "TITLE_MATCH_WITH_AUTHOR_AND_YEAR",
    "CitationMatcher",
    "ExtractResult",
    "ListedReference",
    "Marker",
    "MergeResult",
    "UnmappedMarker",
    "extract_claims",
    "load_csl_library",
    "match_reference",
    "merge_claims",
    "parse_article",
    "parse_reference_line",
    "references_to_bibtex",
    "sentence_spans",
    "split_sentences",
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
