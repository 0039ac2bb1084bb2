"""Reference libraries: readers that turn an exported file into a ``Bibliography``.

``core`` holds the :class:`~evidence.bibliography.core.Bibliography` every reader returns;
``bibtex`` reads BibTeX (with ``bibtex_syntax``, ``bibtex_fields`` and ``bibtex_edit``
beside it, and ``names`` and ``latex`` for what its fields hold); ``encoding`` reads a
file's bytes and text, and ``cache`` keeps parsed files on disk. A further format
(CSL-JSON, RIS...) is a module beside ``bibtex`` returning the same ``Bibliography``.
Callers outside import from here. May import ``evidence.errors``, ``evidence.model`` and
the shared helpers of stage 0, nothing above them.
"""

from evidence.bibliography.bibtex import load_references, parse_references
from evidence.bibliography.bibtex_edit import add_identifiers
from evidence.bibliography.bibtex_syntax import MAX_VALUE_LENGTH
from evidence.bibliography.core import NOT_LOADED, Bibliography
from evidence.bibliography.latex import decode_latex
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid

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
