"""The evidence table: one object around DataFrames, with remarks shown under them.

:func:`build_table` (``build``) joins claims to the references they cite, asks
:mod:`evidence.assess.judge` for each claim's verdict, pools what can be pooled and collects
what is wrong in plain words (``remarks``). The result, :class:`EvidenceTable`
(``evidence_table``), holds

* ``claims`` — one row per claim (id, text, verdict, supporting and contradicting keys,
  number of studies, participants);
* ``evidence`` — one row per claim x citation (study, bibliographic data, stance, finding,
  numbers, suggestions kept apart from decisions);
* ``pooled`` and ``comparative`` — pooled proportions and comparative effects;
* ``remarks`` — located :class:`~evidence.errors.Problem` records about the claims.

Like tableone's object it forwards ``to_markdown``/``to_html``/``to_csv``/``to_json``/
``to_latex`` to the renderers in :mod:`evidence.render`, and shows itself in notebooks
through ``_repr_html_``, ``_repr_markdown_`` and ``_repr_latex_``. The table knows nothing
about output formats. ``columns`` holds the column lists, dtypes and the orders of the
ordered categoricals (certainty very low < low < moderate < high; verdicts and designs in
the order their enums list them); ``frames`` builds the DataFrames from their rows when
they are first read, so a caller that reads only remarks (``evidence check``) never
imports pandas. May import every stage below (assess, studies, model);
render only lazily, inside the forwarding methods.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence.table.build import build_table
    from evidence.table.columns import (
        CERTAINTY_ORDER,
        CLAIM_COLUMNS,
        DESIGN_ORDER,
        EVIDENCE_COLUMNS,
        POOLED_COLUMNS,
        VERDICT_ORDER,
    )
    from evidence.table.evidence_table import EvidenceTable

# Where each public name lives: imported on first use (PEP 562), so importing one module
# of the package does not import all of them (the command line's start-up).
_WHERE = {
    "CERTAINTY_ORDER": "evidence.table.columns",
    "CLAIM_COLUMNS": "evidence.table.columns",
    "DESIGN_ORDER": "evidence.table.columns",
    "EVIDENCE_COLUMNS": "evidence.table.columns",
    "EvidenceTable": "evidence.table.evidence_table",
    "POOLED_COLUMNS": "evidence.table.columns",
    "VERDICT_ORDER": "evidence.table.columns",
    "build_table": "evidence.table.build",
}

__all__ = [
    "CERTAINTY_ORDER",
    "CLAIM_COLUMNS",
    "DESIGN_ORDER",
    "EVIDENCE_COLUMNS",
    "POOLED_COLUMNS",
    "VERDICT_ORDER",
    "EvidenceTable",
    "build_table",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access and keep the name here."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value  # the next access is a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
