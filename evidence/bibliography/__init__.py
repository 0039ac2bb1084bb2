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

from __future__ import annotations

from typing import TYPE_CHECKING

from evidence._lazy import lazy_exports

if TYPE_CHECKING:
    from evidence.bibliography.bibtex import load_references, parse_references
    from evidence.bibliography.bibtex_edit import add_identifiers
    from evidence.bibliography.core import MAX_VALUE_LENGTH, NOT_LOADED, Bibliography
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

# Where each public name lives: imported on first use (PEP 562), so importing one module
# of the package does not import all of them (the command line's start-up).
_WHERE = {
    "BIBLIOGRAPHY_FORMATS": "evidence.bibliography.detect",
    "Bibliography": "evidence.bibliography.core",
    "MAX_VALUE_LENGTH": "evidence.bibliography.core",
    "NOT_LOADED": "evidence.bibliography.core",
    "add_identifiers": "evidence.bibliography.bibtex_edit",
    "csl_item": "evidence.bibliography.write",
    "decode_latex": "evidence.bibliography.latex",
    "detect_format": "evidence.bibliography.detect",
    "enrich": "evidence.bibliography.write",
    "format_bibtex": "evidence.bibliography.write",
    "format_csl_json": "evidence.bibliography.write",
    "load_bibliography": "evidence.bibliography.detect",
    "load_csl_json": "evidence.bibliography.csl_json",
    "load_endnote_xml": "evidence.bibliography.endnote_xml",
    "load_medline": "evidence.bibliography.medline",
    "load_references": "evidence.bibliography.bibtex",
    "load_ris": "evidence.bibliography.ris",
    "merge_bibliographies": "evidence.bibliography.merge",
    "normalise_doi": "evidence.identifiers",
    "normalise_pmcid": "evidence.identifiers",
    "normalise_pmid": "evidence.identifiers",
    "parse_bibliography": "evidence.bibliography.detect",
    "parse_csl_json": "evidence.bibliography.csl_json",
    "parse_endnote_xml": "evidence.bibliography.endnote_xml",
    "parse_medline": "evidence.bibliography.medline",
    "parse_references": "evidence.bibliography.bibtex",
    "parse_ris": "evidence.bibliography.ris",
    "write_bibliography": "evidence.bibliography.write",
}

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


__getattr__, __dir__ = lazy_exports(globals(), _WHERE)
