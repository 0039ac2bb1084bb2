"""Reference libraries: readers that turn an exported file into a :class:`Bibliography`.

Today BibTeX (``bibtex``); each further format is a module beside it. May import
``evidence.errors``, ``evidence.model`` and the shared helpers, nothing above them.
"""

from evidence.bibliography.bibtex import (
    MAX_VALUE_LENGTH,
    NOT_LOADED,
    Bibliography,
    add_identifiers,
    decode_latex,
    load_references,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    parse_references,
)

__all__ = [
    "MAX_VALUE_LENGTH",
    "NOT_LOADED",
    "Bibliography",
    "add_identifiers",
    "decode_latex",
    "load_references",
    "normalise_doi",
    "normalise_pmcid",
    "normalise_pmid",
    "parse_references",
]
