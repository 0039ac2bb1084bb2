"""The one pipeline every front end uses: inputs → merged bibliography → studies → table.

``run.py`` holds the steps (:class:`Pipeline`, :func:`evidence_table`), ``inputs.py`` how
files are read (once, or once per content for docs builds), ``settings.py`` the PubMed
settings and the cache root. May import everything below the front ends (readers, pubmed,
assess, studies, table); the command line, Sphinx and MkDocs import this, never the reverse.
"""

from evidence.pipeline.inputs import InputCache, Reader
from evidence.pipeline.run import Pipeline, cited_references, evidence_table
from evidence.pipeline.settings import PubMedSettings

__all__ = [
    "InputCache",
    "Pipeline",
    "PubMedSettings",
    "Reader",
    "cited_references",
    "evidence_table",
]
