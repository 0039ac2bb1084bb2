"""Identifiers of published works: DOI, PMID and PMCID, each in one canonical form.

Every reader (.bib, RIS, CSL-JSON, documents) and the PubMed query builder normalise through
these functions, so an identifier compares equal wherever it was read. Pure and stdlib-only.
"""

from __future__ import annotations

import re

_LATEX_ESCAPE = re.compile(r"\\([_%&#$])")
_DOI_PREFIX = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE
)
_PMID_PREFIX = re.compile(r"^(?:pmid|pubmed)\s*:?\s*", re.IGNORECASE)
_PMCID = re.compile(r"(?:pmc(?:id)?\s*:?\s*)?(?:PMC)?(\d{1,9})", re.IGNORECASE)


def normalise_doi(text: str) -> str | None:
    """A DOI as ``10.prefix/suffix`` in lower case, or ``None`` if ``text`` is not one.

    Accepts ``https://doi.org/``, ``dx.doi.org`` and ``doi:`` prefixes and LaTeX escapes.

    >>> normalise_doi("https://doi.org/10.1/ABC")
    '10.1/abc'
    >>> normalise_doi("doi: 10.1016/J.Cell.2020.01.001")
    '10.1016/j.cell.2020.01.001'
    >>> normalise_doi("j.desal.2005.02.017") is None
    True
    """
    value = _LATEX_ESCAPE.sub(r"\1", text).strip().strip("{}").strip()
    value = _DOI_PREFIX.sub("", value)
    if "%" in value:
        from urllib.parse import unquote

        value = unquote(value)
    value = value.rstrip(".,;")
    # Registrant codes have 4 or more digits, but ``10.1/x`` is the common example form.
    if re.fullmatch(r"10\.\d+/\S+", value) is None:
        return None
    return value.lower()


def normalise_pmid(text: str) -> str | None:
    """A PubMed ID as digits only (``'21220997'``), or ``None`` if ``text`` is not one.

    PMIDs are 1 to 8 digits (the largest today is about 41 million); longer numbers are
    usually another database's id (Web of Science, Scopus) in the wrong field.

    >>> normalise_pmid("PMID: 021220997"), normalise_pmid("178037200001")
    ('21220997', None)
    """
    value = _PMID_PREFIX.sub("", text.strip().strip("{}").strip()).rstrip(".,;")
    if not value.isdigit() or not value.isascii():
        return None
    value = value.lstrip("0")
    return value if 1 <= len(value) <= 8 else None


def normalise_pmcid(text: str) -> str | None:
    """A PubMed Central ID as ``PMC123``, or ``None`` if ``text`` is not one.

    >>> normalise_pmcid("pmc456"), normalise_pmcid("PMCID: PMC456"), normalise_pmcid("456")
    ('PMC456', 'PMC456', 'PMC456')
    """
    found = _PMCID.fullmatch(text.strip().strip("{}").strip().rstrip(".,;"))
    if found is None:
        return None
    return f"PMC{int(found.group(1))}"
