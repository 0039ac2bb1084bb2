"""LaTeX articles: what is not prose, and the markup left in a claim's text.

Comments, the preamble, math, verbatim, tables and ``thebibliography`` are masked, and
sectioning commands end a paragraph, all before the reference list is searched; nothing is
masked after it, and list items (``\\item``) are already cut here.
"""

from __future__ import annotations

import re

from evidence.bibliography import decode_latex
from evidence.extract.reader import ArticleFormat
from evidence.extract.view import TextView

__all__ = ["FORMAT", "LATEX_DROP", "clean_latex", "mask_latex"]

_LATEX_BLANK_ENVS = (
    "verbatim",
    "Verbatim",
    "lstlisting",
    "minted",
    "comment",
    "equation",
    "equation*",
    "align",
    "align*",
    "alignat",
    "alignat*",
    "gather",
    "gather*",
    "multline",
    "multline*",
    "eqnarray",
    "eqnarray*",
    "displaymath",
    "math",
    "tabular",
    "tabular*",
    "tabularx",
    "longtable",
    "tikzpicture",
    "thebibliography",
)
_LATEX_HEADINGS = re.compile(
    r"\\(?:part|chapter|section|subsection|subsubsection|paragraph|subparagraph|title|author"
    r"|date|caption|maketitle|tableofcontents|item|par)\b\*?(?:\[[^\]]*\])?(?:\{(?:[^{}]|\{[^{}]*\})*\})?"
)
LATEX_DROP = re.compile(
    r"\\(?:label|ref|eqref|pageref|autoref|cref|Cref|nocite|bibliography|bibliographystyle"
    r"|addbibresource|includegraphics|input|include|usepackage|documentclass|vspace|hspace"
    r"|printbibliography|newpage|clearpage|centering|noindent|footnotemark|url|href)\b\*?"
    r"(?:\[[^\]]*\])?(?:\{[^{}]*\})*|\\(?:begin|end)\{[^{}]*\}(?:\[[^\]]*\])?(?:\{[^{}]*\})?"
)


def mask_latex(text: str, view: TextView) -> None:
    """Comments, the preamble, math, verbatim and tables; sectioning ends a paragraph."""
    view.blank_matches(re.compile(r"(?<!\\)%.*"), text)
    begin = re.search(r"\\begin\{document\}", text)
    if begin:
        view.blank(0, begin.end())
        end = re.search(r"\\end\{document\}", text[begin.end() :])
        if end:
            view.blank(begin.end() + end.start(), len(text))
    for env in _LATEX_BLANK_ENVS:
        name = re.escape(env)
        pattern = re.compile(rf"\\begin\{{{name}\}}.*?(?:\\end\{{{name}\}}|\Z)", re.S)
        for match in pattern.finditer(text):
            view.cut(match.start(), match.end())
    view.blank_matches(re.compile(r"\$\$.*?\$\$|\\\[.*?\\\]|\\\(.*?\\\)", re.S), text)
    view.blank_matches(re.compile(r"(?<![\\$])\$(?!\$)(?:[^$\\]|\\.)+?(?<!\\)\$"), text)
    for match in _LATEX_HEADINGS.finditer(text):
        view.cut(match.start(), match.end())
    view.blank_matches(LATEX_DROP, text)
    view.blank_matches(re.compile(r"\\\\(?:\[[^\]]*\])?"), text)


def clean_latex(text: str) -> str:
    r"""LaTeX undone in a claim's text: comments, labels, references and footnotes dropped,
    accents and escapes decoded (as in .bib values).

    >>> clean_latex(r"Pain follows fusion\label{x} in M\"uller's data.% unsure")
    "Pain follows fusion in Müller's data."
    """
    text = re.sub(r"(?<!\\)%.*", "", text)
    text = LATEX_DROP.sub("", text)
    text = re.sub(r"\\footnote\{(?:[^{}]|\{[^{}]*\})*\}", "", text)
    return decode_latex(text)


FORMAT = ArticleFormat(
    name="latex",
    suffixes=(".tex", ".latex", ".ltx"),
    aliases=("tex",),
    mask_code=mask_latex,
    clean=clean_latex,
    list_items=False,
)
