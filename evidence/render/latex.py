"""LaTeX: tables that fit the page, then lists and references; LaTeX specials escaped.

Each grid is a ``longtable`` (it breaks across pages and repeats its header) whose columns
are ragged-right paragraph columns with widths that add up to the line width exactly:
prose wraps, and nothing runs into the margin. The widths come from the cells: every
column is at least as wide as its longest unbreakable token at the chosen type size, where
a number (``62/150``, ``(34%-49%)``, a PMID) is one token that is never broken, a long
identifier (a claim id, a DOI) may break after ``-``, ``/``, ``.`` and ``_``, and words may
be hyphenated; the rest of the width goes to the columns with the most text. Wide grids are
set smaller (``\\small``, ``\\footnotesize``, ``\\scriptsize``) until their tokens fit a
345 pt line (LaTeX's ``article`` default, the narrowest common text block).

The fragment needs ``array``, ``booktabs`` and ``longtable`` (Sphinx loads all three);
``standalone=True`` gives a whole document that ``pdflatex`` builds as it is.
``columns`` picks the columns to print by their headers (the others are left out), for a
page that cannot hold them all.

``latex_grid`` is used by the Sphinx extension for its LaTeX builder, so a PDF made by
Sphinx prints the same tables as this renderer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from evidence.render.layout import Grid, Listing, table_parts
from evidence.render.registry import register
from evidence.render.tex import latex_escape
from evidence.render.visible import visible, visible_part

if TYPE_CHECKING:
    from evidence.table import EvidenceTable

__all__ = ["column_widths", "latex_escape", "latex_grid", "render_latex"]

LINE_PT = 345.0
"""The line width a fragment's columns are planned for (``article``'s default text width,
the narrowest common one): on a wider line every column grows in proportion."""

STANDALONE_LINE_PT = 455.0
"""The standalone document's line width (A4 with 2.5 cm margins)."""

TABCOLSEP_PT = 4.0
"""Space on each side of a column (``\\tabcolsep``), set by every grid."""

# Type sizes tried in turn, with a generous average character width at each (in points):
# generous so that a planned column is never narrower than what it must hold.
_SIZES = ((r"\small", 4.7), (r"\footnotesize", 4.2), (r"\scriptsize", 3.7))
_PROSE_SHARE = 0.2  # a size is chosen only if this much of the line is left over for prose

# A number, a range, a count or a percentage: never broken.
_NUMBER_CHARS = r"\d\s.,/%()\[\]\u2013\u2014\-+<>=:;\u00b2\u00d7\u00b7"
_NUMBER = re.compile(rf"[{_NUMBER_CHARS}]*\d[{_NUMBER_CHARS}]*")
# Where a long identifier may break: after these.
# (TeX already breaks after an explicit hyphen; these need an \allowbreak.)
_BREAK_AFTER = re.compile(r"(?<=[/._])(?=.)")
_SPLITS = re.compile(r"(?<=[-/._])(?=.)")
_SHORTEST_SYLLABLES = 4  # a hyphenated word keeps at least this many letters on a line


def _token_chars(token: str) -> float:
    """How many average characters of width the unbreakable part of ``token`` needs."""
    if _NUMBER.fullmatch(token):
        # Digits and % are wider than an average letter.
        return len(token) + 0.3 * sum(c == "%" for c in token)
    pieces = _SPLITS.split(token)
    if len(pieces) > 1:
        return max(len(p) for p in pieces)
    core = token.strip(".,;:!?()[]'\"")
    if core.isalpha() and len(core) >= 2 * _SHORTEST_SYLLABLES:
        # TeX hyphenates long words: plan for the longer part, with its punctuation.
        return len(core) * 0.6 + 1 + len(token) - len(core)
    return len(token) + 0.2 * sum(c.isupper() for c in token)


def column_widths(grid: Grid, line_pt: float = LINE_PT) -> tuple[str, list[float]]:
    """The type size for ``grid`` and each column's share of the line width (summing to 1).

    Every column gets at least its longest unbreakable token at that size; the rest of the
    line goes to the columns in proportion to how much more text they have.
    """
    n = len(grid.headers)
    columns = [[h, *(row[i].text for row in grid.rows)] for i, h in enumerate(grid.headers)]
    least = [
        max(_token_chars(t) for text in col for t in [*text.split(), ""] if t) or 1
        for col in columns
    ]
    natural = [max(len(" ".join(text.split())) for text in col) for col in columns]
    free = line_pt - 2 * TABCOLSEP_PT * n
    size, char_pt = next(((size, pt) for size, pt in _SIZES if sum(least) * pt <= free), _SIZES[-1])
    low = [c * char_pt for c in least]
    want = [max(c * char_pt, lo) for c, lo in zip(natural, low, strict=True)]
    spare = free - sum(low)
    if spare <= 0:  # even the smallest size cannot hold the tokens: share out what exists
        widths = [free * lo / sum(low) for lo in low]
    elif sum(want) <= free:  # everything fits on one line: share the rest by text length
        extra = free - sum(want)
        widths = [w + extra * w / sum(want) for w in want]
    else:
        need = [w - lo for w, lo in zip(want, low, strict=True)]
        widths = [lo + spare * d / sum(need) for lo, d in zip(low, need, strict=True)]
    shares = [(w + 2 * TABCOLSEP_PT) / line_pt for w in widths]
    return size, [s / sum(shares) for s in shares]


def _escape(text: str) -> str:
    """Text on one line (a newline would end the ``%`` comment the title sits in), with
    invisible characters shown or removed (:func:`~evidence.render.visible.visible`), then
    LaTeX's specials escaped."""
    return latex_escape(" ".join(visible(text).split()))


def _cell(text: str) -> str:
    """A cell's text escaped, with break points in long identifiers (never in numbers)."""
    out = []
    for token in " ".join(text.split()).split(" "):
        if len(token) > 8 and not _NUMBER.fullmatch(token) and _BREAK_AFTER.search(token):
            out.append(r"\allowbreak{}".join(latex_escape(p) for p in _BREAK_AFTER.split(token)))
        else:
            out.append(latex_escape(token))
    return _guarded(" ".join(out))


def _guarded(text: str) -> str:
    """``text`` safe after ``\\\\`` or ``\\item``, which read a following ``[`` or ``*`` as
    their own option: an empty group in front keeps it text."""
    return "{}" + text if text.startswith(("[", "*")) else text


def _row(cells: Sequence[str]) -> str:
    return " & ".join(cells) + r" \\"


def latex_grid(grid: Grid, line_pt: float = LINE_PT) -> list[str]:
    """One grid as a ``longtable`` that fits a line of ``line_pt`` points or more, with its
    header repeated on every page (needs ``array``, ``booktabs``, ``longtable``).

    Invisible characters are shown or removed first
    (:func:`~evidence.render.visible.visible_part`), so the widths are planned for what is
    printed."""
    grid = visible_part(grid)
    size, shares = column_widths(grid, line_pt)
    spec = "".join(
        rf">{{\raggedright\arraybackslash\hspace{{0pt}}}}"
        rf"p{{\dimexpr {share:.4f}\linewidth-2\tabcolsep\relax}}"
        for share in shares
    )
    n = len(grid.headers)
    caption = latex_escape(grid.caption)
    header = _row([_cell(h) for h in grid.headers])
    out = [
        r"\begingroup",
        size,
        rf"\setlength{{\tabcolsep}}{{{TABCOLSEP_PT:g}pt}}",
        rf"\begin{{longtable}}{{{spec}}}",
        rf"\caption{{{caption}}}\\",
        r"\toprule",
        header,
        r"\midrule",
        r"\endfirsthead",
        rf"\multicolumn{{{n}}}{{@{{}}l}}{{\itshape {caption} (continued)}}\\",
        r"\toprule",
        header,
        r"\midrule",
        r"\endhead",
    ]
    out += [_row([_cell(c.text) for c in row]) for row in grid.rows]
    out += [r"\bottomrule", r"\end{longtable}", r"\endgroup", ""]
    return out


def _latex_list(items: Listing) -> list[str]:
    items = visible_part(items)
    env = "enumerate" if items.ordered else "itemize"
    out = [rf"\paragraph{{{latex_escape(items.caption)}}}", rf"\begin{{{env}}}"]
    out += [rf"\item {_guarded(latex_escape(' '.join(i.text.split())))}" for i in items.items]
    return [*out, rf"\end{{{env}}}", ""]


def _pick(parts: list[Grid | Listing], columns: Sequence[str]) -> list[Grid | Listing]:
    """The grids with only the ``columns`` named (grids naming none of them stay whole)."""
    wanted = [c.casefold() for c in columns]
    known = {h.casefold(): h for part in parts if isinstance(part, Grid) for h in part.headers}
    unknown = [c for c in columns if c.casefold() not in known]
    if unknown:
        raise ValueError(
            f"no column {', '.join(map(repr, unknown))} in this table; its columns are: "
            + ", ".join(dict.fromkeys(known.values()))
        )
    picked: list[Grid | Listing] = []
    for part in parts:
        if isinstance(part, Grid):
            keep = [i for i, h in enumerate(part.headers) if h.casefold() in wanted]
            if keep:
                part = replace(
                    part,
                    headers=tuple(part.headers[i] for i in keep),
                    rows=tuple(tuple(row[i] for i in keep) for row in part.rows),
                )
        picked.append(part)
    return picked


# Characters common in clinical text that pdflatex's T1 and TS1 encodings lack (Greek
# letters, relations, arrows), set from math mode, by code point.
_GREEK = "alpha beta gamma delta varepsilon zeta eta theta iota kappa lambda mu nu xi"
_MATH_CHARACTERS = {
    **{0x03B1 + i: rf"\{name}" for i, name in enumerate(_GREEK.split())},
    0x03BF: "o", 0x03C0: r"\pi", 0x03C1: r"\rho", 0x03C2: r"\varsigma", 0x03C3: r"\sigma",
    0x03C4: r"\tau", 0x03C5: r"\upsilon", 0x03C6: r"\varphi", 0x03C7: r"\chi",
    0x03C8: r"\psi", 0x03C9: r"\omega", 0x0393: r"\Gamma", 0x0394: r"\Delta",
    0x0398: r"\Theta", 0x039B: r"\Lambda", 0x039E: r"\Xi", 0x03A0: r"\Pi",
    0x03A3: r"\Sigma", 0x03A5: r"\Upsilon", 0x03A6: r"\Phi", 0x03A8: r"\Psi",
    0x03A9: r"\Omega", 0x2206: r"\Delta", 0x2264: r"\leq", 0x2265: r"\geq",
    0x2A7D: r"\leq", 0x2A7E: r"\geq", 0x2260: r"\neq", 0x2248: r"\approx", 0x223C: r"\sim",
    0x2243: r"\simeq", 0x221E: r"\infty", 0x2212: "-", 0x2032: r"\prime", 0x221A: r"\surd",
    0x2211: r"\sum", 0x2192: r"\rightarrow", 0x2190: r"\leftarrow",
    0x2194: r"\leftrightarrow", 0x2191: r"\uparrow", 0x2193: r"\downarrow",
}  # fmt: skip

PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[T1]{fontenc}
\usepackage[utf8]{inputenc}
\usepackage{tgtermes}
\usepackage[margin=2.5cm]{geometry}
\usepackage{array,booktabs,longtable}
\makeatletter
\def\UTFviii@undefined@err#1{%
  \PackageWarning{evidence}{a character the font lacks is printed as a boxed ?}\fbox{?}}
\makeatother
""" + "".join(
    rf"\DeclareUnicodeCharacter{{{code:04X}}}{{\ensuremath{{{command}}}}}" + "\n"
    for code, command in sorted(_MATH_CHARACTERS.items())
)
"""The standalone document's preamble: TeX Gyre Termes (the font Sphinx's PDFs use); the
Greek letters and mathematical signs of clinical text set from math mode, and any other
character the fonts lack printed as a boxed ``?`` with a warning in the log, where
pdflatex would stop with "Unicode character not set up" and make no PDF."""


@register("latex")
def render_latex(
    table: EvidenceTable,
    *,
    style: str = "unsrt",
    audience: str = "reviewers",
    columns: Sequence[str] | None = None,
    standalone: bool = False,
) -> str:
    """Tables that fit the page (``longtable``), then lists and references.

    ``columns`` keeps only the named columns (headers, any case) of the grids that have
    them; ``standalone`` wraps the whole in a document ``pdflatex`` builds.
    """
    parts = list(table_parts(table, audience, style))
    if audience == "patients":  # lint lines are for the authors, never for patients
        parts = [part for part in parts if part.id != "remarks"]
    if columns:
        parts = _pick(parts, columns)
    out = [
        f"% {_escape(table.title)} -- needs \\usepackage{{array,booktabs,longtable}}",
        "",
    ]
    line_pt = STANDALONE_LINE_PT if standalone else LINE_PT
    for part in parts:
        out += latex_grid(part, line_pt) if isinstance(part, Grid) else _latex_list(part)
    if not standalone:
        return "\n".join(out)
    return "\n".join(
        [
            PREAMBLE,
            r"\begin{document}",
            rf"\section*{{{_escape(table.title)}}}",
            *out[2:],
            r"\end{document}",
            "",
        ]
    )
