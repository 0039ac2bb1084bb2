"""Identifiers and years as NCBI responses write them, in the forms records keep.

DOIs are lower-cased without a ``doi:`` or ``https://doi.org/`` prefix; PMCIDs are written
``PMC123``; a year is the first four digits of a date (``2022 Apr-Jun`` -> 2022).
"""

from __future__ import annotations

import re

_YEAR = re.compile(r"\d{4}")
_PMCID = re.compile(r"PMC\d+", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)


def normal_doi(text: str) -> str | None:
    """A DOI from a response in lower case without prefix; ``None`` when blank."""
    doi = _DOI_PREFIX.sub("", text.strip()).strip().lower()
    return doi or None


def normal_pmcid(text: str) -> str | None:
    """``PMC123`` from ``PMC123``, ``pmc123`` or ``123``; ``None`` when it is none of those."""
    found = _PMCID.search(text)
    if found:
        return found.group().upper()
    digits = text.strip()
    return f"PMC{digits}" if digits.isdigit() else None


def year_of(text: str) -> int | None:
    """The first four-digit number in a date as NCBI writes it, or ``None``."""
    found = _YEAR.search(text)
    return int(found.group()) if found else None
