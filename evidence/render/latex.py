"""LaTeX: booktabs tables, then lists and references; LaTeX specials escaped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from evidence.render.layout import Grid, Listing, table_parts
from evidence.render.registry import register
from evidence.render.tex import latex_escape

if TYPE_CHECKING:
    from evidence.table import EvidenceTable

__all__ = ["latex_escape", "render_latex"]


def _latex_grid(grid: Grid, spec: str) -> list[str]:
    out = [
        r"\begin{table}[htbp]",
        r"\centering\small",
        rf"\caption{{{latex_escape(grid.caption)}}}",
        rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        " & ".join(latex_escape(h) for h in grid.headers) + r" \\",
        r"\midrule",
    ]
    for row in grid.rows:
        out.append(" & ".join(latex_escape(" ".join(c.text.split())) for c in row) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}", r"\end{table}", ""]
    return out


def _latex_list(items: Listing) -> list[str]:
    env = "enumerate" if items.ordered else "itemize"
    out = [rf"\paragraph{{{latex_escape(items.caption)}}}", rf"\begin{{{env}}}"]
    out += [rf"\item {latex_escape(' '.join(i.text.split()))}" for i in items.items]
    return [*out, rf"\end{{{env}}}", ""]


def _latex_spec(grid: Grid) -> str:
    # Long prose columns wrap; short ones do not.
    wide = {"Claim", "Finding", "Statement", "In plain words", "What it found", "Notes"}
    return " ".join("p{4cm}" if h in wide else "l" for h in grid.headers)


@register("latex")
def render_latex(table: EvidenceTable, *, style: str = "unsrt", audience: str = "reviewers") -> str:
    """Booktabs tables (``\\usepackage{booktabs}``), then lists and references."""
    out = [f"% {latex_escape(table.title)} -- needs \\usepackage{{booktabs}}", ""]
    for part in table_parts(table, audience, style):
        if isinstance(part, Grid):
            out += _latex_grid(part, _latex_spec(part))
        else:
            out += _latex_list(part)
    return "\n".join(out)
