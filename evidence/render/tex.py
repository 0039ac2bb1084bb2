"""LaTeX's special characters, escaped: for the LaTeX renderer and for the BibTeX fields
handed to pybtex (whose values are LaTeX), so both print text exactly as written."""

from __future__ import annotations

import re

__all__ = ["latex_escape"]

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))


def latex_escape(text: str) -> str:
    r"""Escape LaTeX's special characters so ``text`` typesets as written.

    >>> latex_escape("50% of $x_1$ & {y}")
    '50\\% of \\$x\\_1\\$ \\& \\{y\\}'
    """
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIALS[m.group()], text)
