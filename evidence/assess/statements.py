"""Which extracted sentences are statements at all: front matter, captions and headings out.

``evidence extract --with-uncited`` lists every sentence of an article as a possible
claim. A manuscript's first lines are not claims: the author list, affiliations, ORCID
iDs, the licence and copyright lines, e-mail addresses, figure and table captions,
headings and keyword lists. :func:`non_statement` says why a text is one of those (or
returns ``''``), and :func:`drop_non_statements` removes them from extracted claims,
returning what it dropped with the reason, so nothing disappears silently.

Only uncited claims are ever dropped: a sentence that carries a citation was cited for
something, and stays for a person to judge.

Wiring (``evidence.extract`` is another module's): call :func:`drop_non_statements` on
the claims ``extract_claims(..., include_uncited=True)`` returns, before they are
written, and report the dropped ones with their reason.

>>> non_statement("Asmaa F Kasem, Hamdy B Alqenawy, Marwa A Elgendi, Radwa R Ali")
'an author list'
>>> non_statement("Sacroiliac joints provide stability to the pelvis.")
''
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from evidence.model import Claim

__all__ = ["drop_non_statements", "non_statement"]

_ORCID = re.compile(r"\b(?:orcid\b|\d{4}-\d{4}-\d{4}-\d{3}[\dX]\b)", re.IGNORECASE)
_LICENCE = re.compile(
    r"(?:creative\s+commons|\bCC[\s-]BY\b|\blicen[cs]e[ds]?\b|\bcopyright\b|\u00a9|"
    r"all\s+rights\s+reserved|open\s+access\s+article)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_CORRESPONDENCE = re.compile(r"^\W*(?:corresponding\s+author|correspondence|e-?mail)\b", re.I)
_CAPTION = re.compile(
    r"^\W*(?:fig(?:ure)?\.?|table|tbl|supplementa(?:ry|l)\s+(?:figure|table|file)|"
    r"appendix)\s*[\dA-Z]+[.:\s]",
    re.IGNORECASE,
)
_LABEL_LINE = re.compile(
    r"^\W*(?:key\s*words?|abbreviations|funding|conflicts?\s+of\s+interest|"
    r"competing\s+interests?|acknowledg(?:e)?ments?|author\s+contributions?|"
    r"data\s+availability|received|accepted|published)\s*:",
    re.IGNORECASE,
)
# An affiliation names its unit first, or after a comma: "Department of X, Y University".
_AFFILIATION = re.compile(
    r"(?:^[\W\d]*|,\s*)(?:the\s+)?(?:department|dept\.|faculty|university|universit[a\u00e9]|institute|school\s+of|"
    r"college|hospital|centre|center|division\s+of|laboratory\s+of)\b",
    re.IGNORECASE,
)
_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|can|could|may|might|will|would|should|"
    r"must|do|does|did|shows?|showed|found|suggests?|causes?|leads?|results?|reported|"
    r"include[sd]?|provides?|refers?|occurs?|increases?|decreases?|reduces?)\b",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"^(?:[A-Z][\w'\u2019-]*\.?|[A-Z]{1,3}|(?:van|von|de|del|da|di|el|al|bin|ibn|le|la)"
    r")(?:\s+(?:[A-Z][\w'\u2019-]*\.?|[A-Z]{1,3}|(?:van|von|de|del|da|di|el|al|bin|ibn|le|la)))"
    r"{0,4}$"
)
_MARKS = re.compile(r"\^[^^]*\^|[*\u2020\u2021\u00a7\d]+$|\s+[*\u2020\u2021\u00a7\d,]+(?=\s|$)")


def non_statement(text: str) -> str:
    """Why ``text`` is not a statement (``'an author list'`` ...), or ``''`` when it may be."""
    flat = " ".join(text.split())
    if not flat:
        return "empty"
    if _ORCID.search(flat):
        return "an ORCID line"
    if _LICENCE.search(flat) and not _VERB.search(_LICENCE.sub("", flat)):
        return "a licence or copyright line"
    if _LICENCE.search(flat) and re.search(r"distributed|reproduction|permits", flat, re.I):
        return "a licence or copyright line"
    if _EMAIL.search(flat) or _CORRESPONDENCE.search(flat):
        return "a correspondence line"
    if _CAPTION.search(flat):
        return "a caption"
    if _LABEL_LINE.search(flat):
        return "a front- or back-matter label"
    if _author_list(flat):
        return "an author list"
    if _AFFILIATION.search(flat) and not _VERB.search(flat):
        return "an affiliation"
    if _heading(flat):
        return "a heading"
    return ""


def _author_list(text: str) -> bool:
    """Three or more comma-separated parts that all look like names, and no verb."""
    cleaned = _MARKS.sub("", text.replace(" and ", ", ").replace(" & ", ", "))
    parts = [p.strip(" .;*") for p in cleaned.split(",")]
    parts = [p for p in parts if p]
    if len(parts) < 3 or _VERB.search(text):
        return False
    names = sum(bool(_NAME.match(p)) for p in parts)
    return names >= 0.8 * len(parts)


def _heading(text: str) -> bool:
    """A short line without a final full stop, or a Markdown heading."""
    if text.startswith("#"):
        return True
    words = text.split()
    if len(words) > 8 or text.endswith((".", "?", "!", ";")) or _VERB.search(text):
        return False
    return (
        text.endswith(":")
        or all(w[0].isupper() or not w[0].isalpha() for w in words)
        or (len(words) <= 4)
    )


def drop_non_statements(claims: Iterable[Claim]) -> tuple[list[Claim], list[tuple[Claim, str]]]:
    """The claims to keep, and the uncited ones dropped with the reason for each."""
    kept: list[Claim] = []
    dropped: list[tuple[Claim, str]] = []
    for claim in claims:
        reason = "" if claim.citations else non_statement(claim.text)
        if reason:
            dropped.append((claim, reason))
        else:
            kept.append(claim)
    return kept, dropped
