"""Plain-text articles: masked as Markdown (pasted text often carries some), cleaned not at all.

A ``.txt`` copied from a PDF or a web page may still hold a ``References`` heading written
with ``#``, a table or a URL: the Markdown masks find those and leave ordinary prose
alone. Its claim text is kept as written, since ``*`` or ``_`` there are not markup.
"""

from __future__ import annotations

from evidence.extract.markdown import mask_markdown_code, mask_markdown_markup
from evidence.extract.reader import ArticleFormat

__all__ = ["FORMAT"]

FORMAT = ArticleFormat(
    name="plain",
    suffixes=(".txt", ".text"),
    aliases=("text", "txt"),
    mask_code=mask_markdown_code,
    mask_markup=mask_markdown_markup,
)
