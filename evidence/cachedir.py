"""The one rule for where caches live.

One root holds every cache: ``--cache-dir DIR`` (or a ``cache_dir`` argument) when given,
else ``$EVIDENCE_CACHE_DIR``, else the platform's user cache folder (``~/.cache/evidence``
on Linux). Each cache has its own folder below it: ``bib/`` for parsed .bib files and
``pubmed/`` for PubMed records. So ``--cache-dir D`` and ``EVIDENCE_CACHE_DIR=D`` mean the
same thing, and clearing ``D`` clears everything.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["KINDS", "cache_folder", "cache_root"]

KINDS = ("bib", "pubmed")
"""The caches that live under the root, one folder each."""


def cache_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds every cache (see the module docstring)."""
    if explicit is not None and os.fspath(explicit).strip():
        return Path(explicit).expanduser()
    override = os.environ.get("EVIDENCE_CACHE_DIR", "").strip()
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_cache_dir("evidence"))


def cache_folder(kind: str, explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder of one cache (``bib`` or ``pubmed``) under :func:`cache_root`.

    >>> cache_folder("pubmed", "/tmp/c").as_posix()
    '/tmp/c/pubmed'
    """
    if kind not in KINDS:
        raise ValueError(f"unknown cache {kind!r}; the caches are {', '.join(KINDS)}")
    return cache_root(explicit) / kind
