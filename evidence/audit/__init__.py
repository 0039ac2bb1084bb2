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

from evidence.audit.engine import Engine, EngineError, RunReport, Task, run_tasks
from evidence.audit.medline_build import IndexBuild, build_index

__all__ = [
    "Engine",
    "EngineError",
    "IndexBuild",
    "RunReport",
    "Task",
    "build_index",
    "run_tasks",
]
