"""Reference libraries: one reader per format, each returning the same bibliography.

``core`` holds the :class:`~evidence.bibliography.core.Bibliography` every reader returns;
``bibtex`` reads BibTeX (with ``bibtex_syntax``, ``bibtex_fields`` and ``bibtex_edit``
beside it, and ``names`` and ``latex`` for what its fields hold); ``encoding`` reads a
file's bytes and text, and ``cache`` keeps parsed files on disk. CSL-JSON, RIS, MEDLINE and
EndNote XML (``csl_json``, ``ris``, ``medline``, ``endnote_xml``, sharing ``_records`` and
``_values``) sit beside it; ``detect`` picks the reader from a file's content
(``load_bibliography``); ``write`` writes references back out as BibTeX or CSL-JSON,
enriched from PubMed; ``merge`` joins several files, reporting the same work in two.
Callers outside import from here. May import ``evidence.errors``, ``evidence.model`` and
the shared helpers of stage 0, nothing above them.
"""

from evidence.bibliography.bibtex import load_references, parse_references
from evidence.bibliography.bibtex_edit import add_identifiers
from evidence.bibliography.bibtex_syntax import MAX_VALUE_LENGTH
from evidence.bibliography.core import NOT_LOADED, Bibliography
from evidence.bibliography.csl_json import load_csl_json, parse_csl_json
from evidence.bibliography.detect import (
    BIBLIOGRAPHY_FORMATS,
    detect_format,
    load_bibliography,
    parse_bibliography,
)
from evidence.bibliography.endnote_xml import load_endnote_xml, parse_endnote_xml
from evidence.bibliography.latex import decode_latex
from evidence.bibliography.medline import load_medline, parse_medline
from evidence.bibliography.merge import merge_bibliographies
from evidence.bibliography.ris import load_ris, parse_ris
from evidence.bibliography.write import (
    csl_item,
    enrich,
    format_bibtex,
    format_csl_json,
    write_bibliography,
)
from evidence.identifiers import normalise_doi, normalise_pmcid, normalise_pmid

__all__ = [
    "BIBLIOGRAPHY_FORMATS",
    "MAX_VALUE_LENGTH",
    "NOT_LOADED",
    "Bibliography",
    "add_identifiers",
    "csl_item",
    "decode_latex",
    "detect_format",
    "enrich",
    "format_bibtex",
    "format_csl_json",
    "load_bibliography",
    "load_csl_json",
    "load_endnote_xml",
    "load_medline",
    "load_references",
    "load_ris",
    "merge_bibliographies",
    "normalise_doi",
    "normalise_pmcid",
    "normalise_pmid",
    "parse_bibliography",
    "parse_csl_json",
    "parse_endnote_xml",
    "parse_medline",
    "parse_references",
    "parse_ris",
    "write_bibliography",
]
