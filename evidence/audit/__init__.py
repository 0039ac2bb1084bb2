"""Auditing a corpus: every citation of many articles checked against retractions, on Dask.

``engine`` runs partitions (files, slices of tar packages) on a local or remote Dask
cluster, resumably; ``parquet`` writes and reads the partition files; ``medline_build``
turns MEDLINE/PubMed XML into the offline index read by :mod:`evidence.pubmed.medline`;
``corpus`` finds the articles; ``jats`` collects the citations of JATS articles (until
:mod:`evidence.extract` reads JATS); ``citations`` gets each article's citing sentences
and cited identifiers from any format; ``check`` looks the cited works up and assesses
them; ``run`` is the audit job; ``report`` renders the findings as HTML and Markdown.

A front-end stage: may import everything below it (``pipeline``, ``extract``, ``assess``,
``pubmed`` ...), never ``evidence.cli``. Siblings import each other directly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence.audit.engine import Engine, EngineError, RunReport, Task, run_tasks
    from evidence.audit.medline_build import IndexBuild, build_index

# Where each public name lives: imported on first use (PEP 562), so importing one module
# of the package does not import all of them (the command line's start-up).
_WHERE = {
    "Engine": "evidence.audit.engine",
    "EngineError": "evidence.audit.engine",
    "IndexBuild": "evidence.audit.medline_build",
    "RunReport": "evidence.audit.engine",
    "Task": "evidence.audit.engine",
    "build_index": "evidence.audit.medline_build",
    "run_tasks": "evidence.audit.engine",
}

__all__ = [
    "Engine",
    "EngineError",
    "IndexBuild",
    "RunReport",
    "Task",
    "build_index",
    "run_tasks",
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
