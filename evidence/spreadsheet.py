"""The one rule for CSV cells a spreadsheet would run as a formula.

Every CSV the library writes (evidence tables, claims files) goes through :func:`neutralise`:
a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
``'``, which spreadsheets show as text and do not evaluate (the OWASP advice for CSV
injection). The claims reader undoes it with :func:`restore`, so a claims file written by the
library reads back to the same text; a cell typed by hand as ``'=x`` therefore reads as
``=x``, which is the one cost of the rule. A text that itself starts with quotes before a
formula character (``'@``) gets one more, so that every text reads back as it was written.
"""

from __future__ import annotations

__all__ = ["FORMULA_START", "neutralise", "restore"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula."""


def neutralise(text: str) -> str:
    """``text`` with a ``'`` in front when a spreadsheet would run it.

    >>> neutralise("=HYPERLINK(1)"), neutralise("-12 mg"), neutralise("Pain")
    ("'=HYPERLINK(1)", "'-12 mg", 'Pain')
    """
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given.

    >>> restore("'=HYPERLINK(1)"), restore("'quoted"), restore("plain"), restore("''@")
    ('=HYPERLINK(1)', "'quoted", 'plain', "'@")
    """
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text
