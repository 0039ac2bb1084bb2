"""EvidenceTable: the DataFrames, the remarks, the forwarded renderers and the notebook
representations."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evidence.assess import (
    COMPARATIVE_COLUMNS,
    Comparison,
    Proportion,
    pool_proportions,
    wilson_interval,
)
from evidence.assess.judge import Judgement
from evidence.errors import Problem
from evidence.model import (
    Reference,
)
from evidence.studies import Study
from evidence.table.columns import (
    _NOTEBOOK_CSS,
    POOLED_COLUMNS,
)
from evidence.table.frames import FrameField, PendingFrame


@dataclass(frozen=True)
class EvidenceTable:
    """Claims, the evidence behind each, and what is wrong, ready to render.

    Build it with :func:`build_table`. ``references`` lists the cited references in the
    order they are numbered in the rendered reference list.

    ``claims``, ``evidence``, ``pooled`` and ``comparative`` are DataFrames; they may be
    given as a :class:`~evidence.table.frames.PendingFrame` and are then built on first
    read (:mod:`evidence.table.frames`: ``evidence check`` never imports pandas).
    """

    # A FrameField is a descriptor (one per field), not a shared default: hence the noqa.
    claims: FrameField = FrameField()  # noqa: RUF009
    """A DataFrame: one row per claim; columns :data:`~evidence.table.columns.CLAIM_COLUMNS`."""
    evidence: FrameField = FrameField()  # noqa: RUF009
    """A DataFrame: one row per claim and citation; columns
    :data:`~evidence.table.columns.EVIDENCE_COLUMNS`."""
    # mypy takes a descriptor for a default, but ``claims`` and ``evidence`` have none (a
    # FrameField without one raises AttributeError when dataclasses asks for it).
    remarks: tuple[Problem, ...]  # type: ignore[misc]
    references: tuple[Reference, ...]  # type: ignore[misc]
    judgements: Mapping[str, Judgement] = field(default_factory=dict)
    input_problems: tuple[Problem, ...] = ()
    title: str = "Evidence table"
    pooled: FrameField = FrameField(PendingFrame((), POOLED_COLUMNS))  # noqa: RUF009
    """A DataFrame of pooled proportions, one row per claim and outcome; columns
    :data:`~evidence.table.columns.POOLED_COLUMNS`."""
    studies: Mapping[str, Study] = field(default_factory=dict)
    comparative: FrameField = FrameField(PendingFrame((), COMPARATIVE_COLUMNS))  # noqa: RUF009
    """A DataFrame of comparative effects (RR, OR, MD...): per study and pooled, one block
    per claim, outcome and measure; columns
    :data:`~evidence.assess.comparisons.COMPARATIVE_COLUMNS`."""
    comparisons: Mapping[str, tuple[Comparison, ...]] = field(default_factory=dict)
    """The same as records, by claim id, largest group first (what plots are drawn from)."""
    formatted_references: dict[str, tuple[str, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """The reference list as the renderers formatted it, by pybtex style: ``references``
    never changes, so the formats of one table format it once (pybtex is most of a render)."""

    # -- rendering ------------------------------------------------------------------
    def render(self, fmt: str, **options: Any) -> str:
        """Render in ``fmt`` (``markdown``, ``html``, ``html-page``, ``csv``, ``json``,
        ``latex``); see :mod:`evidence.render` for the options."""
        from evidence.render import render

        return render(self, fmt, **options)

    def to_markdown(self, **options: Any) -> str:
        """GitHub-flavoured Markdown: claims, evidence, remarks and references."""
        return self.render("markdown", **options)

    def to_html(self, *, standalone: bool = False, **options: Any) -> str:
        """An HTML fragment, or a whole page with ``standalone=True``."""
        return self.render("html-page" if standalone else "html", **options)

    def to_csv(self, **options: Any) -> str:
        """The evidence rows as CSV, safe to open in a spreadsheet."""
        return self.render("csv", **options)

    def to_json(self, **options: Any) -> str:
        """The documented JSON schema (``claims`` and ``evidence`` arrays)."""
        return self.render("json", **options)

    def to_latex(self, **options: Any) -> str:
        """A booktabs table and a numbered reference list."""
        return self.render("latex", **options)

    def plot(
        self,
        claim_id: str,
        *,
        outcome: str | None = None,
        path: str | os.PathLike[str] | None = None,
    ) -> Any:
        """A forest plot of one claim: its comparative effects, else its proportions.

        A claim with comparative effects (two-arm numbers or reported effects; see
        :attr:`comparisons`) gets the effect plot of ``outcome`` (default: its largest
        group): ratios on a log axis with the line of no effect at 1, each study's arms,
        effect and weight, the pooled diamond and the prediction interval. Otherwise the
        plot shows the counted citations that report ``events`` and ``n`` for ``outcome``
        (default: the claim's pooled outcome, else every such citation), the pooled
        proportion as a diamond. Writes PNG, SVG or PDF to ``path`` when given; returns the
        matplotlib figure. Needs the ``plot`` extra. Raises ``ValueError`` for an unknown
        claim or one with no numbers to plot.
        """
        import pandas as pd

        from evidence.plot import ForestRow, figure_bytes, forest_plot, pooled_weights

        if claim_id not in set(self.claims["id"]):
            known = ", ".join(map(str, self.claims["id"]))
            raise ValueError(f"no claim with id {claim_id!r}; the claims are: {known}")
        comparison = self._comparison(claim_id, outcome)
        if comparison is not None:
            return self._effect_plot(comparison, path)
        claim = self.claims[self.claims["id"] == claim_id].iloc[0]
        wanted = outcome or claim["pooled_outcome"]
        found: list[tuple[str, Proportion]] = []
        seen: set[str] = set()
        for rec in self.evidence[self.evidence["claim_id"] == claim_id].to_dict("records"):
            if pd.isna(rec["events"]) or pd.isna(rec["n"]) or rec["excluded"]:
                continue
            if isinstance(wanted, str) and wanted and rec["outcome"] != wanted:
                continue
            if rec["key"] in seen:
                continue
            seen.add(rec["key"])
            found.append((str(rec["study"]), wilson_interval(int(rec["events"]), int(rec["n"]))))
        if not found:
            raise ValueError(
                f"claim {claim_id!r} has no counted citation with events and n"
                + (f" for outcome {wanted!r}" if isinstance(wanted, str) and wanted else "")
                + "; add them in the claims file to plot it"
            )
        pooled = None
        rows = [ForestRow(label, proportion) for label, proportion in found]
        if len(found) > 1:
            # Squares are sized by each study's share of the random-effects weight.
            pooled = pool_proportions([(p.events, p.n) for _, p in found])
            weights = pooled_weights([p for _, p in found], pooled)
            rows = [
                ForestRow(label, proportion, weight)
                for (label, proportion), weight in zip(found, weights, strict=True)
            ]
        title = str(wanted) if isinstance(wanted, str) and wanted else str(claim["text"])
        figure = forest_plot(rows, pooled=pooled, title=title, path=path)
        # The figure is not registered with pyplot (nothing leaks), so Jupyter would show
        # "<Figure size ...>" without %matplotlib inline: give it its own PNG and SVG reprs.
        figure._repr_png_ = lambda: figure_bytes(figure, "png")  # type: ignore[attr-defined]
        figure._repr_svg_ = lambda: figure_bytes(figure, "svg").decode()  # type: ignore[attr-defined]
        return figure

    def _comparison(self, claim_id: str, outcome: str | None) -> Comparison | None:
        """The claim's comparison for ``outcome`` (its largest one by default), if any."""
        found = self.comparisons.get(claim_id, ())
        if outcome:
            return next((c for c in found if c.outcome == outcome), None)
        return found[0] if found else None

    def _effect_plot(self, comparison: Comparison, path: str | os.PathLike[str] | None) -> Any:
        from evidence.plot import comparison_forest_plot

        rows = self.evidence[self.evidence["claim_id"] == comparison.claim_id]
        label_of = dict(zip(rows["key"], rows["study"], strict=True))
        claim = self.claims[self.claims["id"] == comparison.claim_id].iloc[0]
        labels = [str(label_of.get(key, key)) for key in comparison.keys]
        return comparison_forest_plot(comparison, labels, title=str(claim["text"]), path=path)

    # -- notebooks --------------------------------------------------------------------
    def _repr_html_(self) -> str:
        # Jupyter's stylesheet right-aligns table cells, which suits numbers, not prose:
        # these rules, scoped to the table's own class, put the cells back on the left.
        opening, rest = self.render("html").split("\n", 1)
        return f"{opening}\n{_NOTEBOOK_CSS}{rest}"

    def _repr_markdown_(self) -> str:
        return self.render("markdown")

    def _repr_latex_(self) -> str:
        # For a notebook exported to LaTeX/PDF (nbconvert's template loads booktabs and
        # longtable): the tables break across pages and fit the text width.
        return self.render("latex")

    def __repr__(self) -> str:
        counts = self.claims["verdict"].value_counts().to_dict() if len(self.claims) else {}
        summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()) if n)
        return (
            f"<EvidenceTable: {len(self.claims)} claims ({summary or 'none'}), "
            f"{len(self.evidence)} citations, {len(self.remarks)} remarks>"
        )
