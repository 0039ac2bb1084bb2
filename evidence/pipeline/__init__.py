"""The one pipeline every front end uses: inputs → merged bibliography → studies → table.

``run.py`` holds the steps (:class:`Pipeline`, :func:`evidence_table`), ``inputs.py`` how
files are read (once, or once per content for docs builds), ``settings.py`` the PubMed
settings and the cache root. May import everything below the front ends (readers, pubmed,
assess, studies, table); the command line, Sphinx and MkDocs import this, never the reverse.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence.pipeline.inputs import InputCache, Reader
    from evidence.pipeline.run import Pipeline, cited_references, evidence_table
    from evidence.pipeline.settings import PubMedSettings

# Where each public name lives: imported on first use (PEP 562), so importing one module
# of the package does not import all of them (the command line's start-up).
_WHERE = {
    "InputCache": "evidence.pipeline.inputs",
    "Pipeline": "evidence.pipeline.run",
    "PubMedSettings": "evidence.pipeline.settings",
    "Reader": "evidence.pipeline.inputs",
    "cited_references": "evidence.pipeline.run",
    "evidence_table": "evidence.pipeline.run",
}

__all__ = [
    "InputCache",
    "Pipeline",
    "PubMedSettings",
    "Reader",
    "cited_references",
    "evidence_table",
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
