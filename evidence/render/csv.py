"""CSV: long form, one row per claim x citation.

Cells that a spreadsheet would run as a formula (``= + - @``, tab, CR) are prefixed with
``'``.
"""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING, Any

from evidence.render.layout import TableRows, plain_text
from evidence.render.registry import register
from evidence.spreadsheet import neutralise

if TYPE_CHECKING:
    from evidence.table import EvidenceTable

__all__ = ["CSV_CLAIM_COLUMNS", "CSV_COLUMNS", "CSV_EVIDENCE_COLUMNS", "csv_cell", "render_csv"]


_LONE_CR = re.compile(r"\r(?!\n)")


def csv_cell(value: Any) -> str:
    """A cell that no spreadsheet will run: text starting like a formula gets a ``'``.

    >>> csv_cell("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    """
    text = plain_text(value)
    formula = neutralise(text) != text
    if "\r" in text:
        # The writer ends rows with "\n", so it quotes a cell holding "\n" but not one
        # holding only a lone "\r", which every reader takes for the end of the row: such
        # a cell broke the table (found by fuzzing). A lone "\r" is written "\n".
        text = _LONE_CR.sub("\n", text)
    return "'" + text if formula else text


CSV_CLAIM_COLUMNS = ("claim_id", "claim", "verdict", "certainty", "plain_language")
"""Claim-level columns of the CSV, repeated on each of the claim's rows."""

CSV_EVIDENCE_COLUMNS = (
    "key",
    "study",
    "design",
    "stance",
    "finding",
    "n",
    "events",
    "proportion",
    "ci_low",
    "ci_high",
    "title",
    "journal",
    "year",
    "pmid",
    "doi",
    "pubmed_status",
    "retraction",
    "excluded",
    "abstract_source",
    "suggested_numbers",
    "suggested_design",
)
"""Citation-level columns of the CSV (names as in :attr:`EvidenceTable.evidence`); the
``suggested_*`` ones are what the abstract suggests for an unreviewed citation, never a
decision."""

CSV_COLUMNS = CSV_CLAIM_COLUMNS + CSV_EVIDENCE_COLUMNS


@register("csv")
def render_csv(table: EvidenceTable) -> str:
    """Long form: one row per claim x citation; an uncited claim is one row with no key."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    by_claim: dict[str, list[dict[str, Any]]] = {}
    frames = TableRows(table)
    for rec in frames.evidence:
        by_claim.setdefault(rec["claim_id"], []).append(rec)
    for claim in frames.claims:
        head = [
            claim["id"], claim["text"], claim["verdict"], claim["certainty"],
            claim["plain_language"],
        ]  # fmt: skip
        rows = by_claim.get(claim["id"])
        if not rows:
            writer.writerow([csv_cell(v) for v in head] + [""] * len(CSV_EVIDENCE_COLUMNS))
        for rec in rows or ():
            values = head + [rec[c] for c in CSV_EVIDENCE_COLUMNS]
            writer.writerow([csv_cell(v) for v in values])
    return buffer.getvalue()
