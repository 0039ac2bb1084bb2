"""How the pipeline gets PubMed records: the settings every front end fills in.

The command line fills them from its options and the environment, the docs builds from
``conf.py`` or ``mkdocs.yml``, Python callers by keyword. ``cache_dir`` is the one cache
root of :mod:`evidence.cachedir`: the .bib parse cache lives in ``cache_dir/bib`` and the
PubMed records in ``cache_dir/pubmed``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from evidence.cachedir import cache_folder
from evidence.model import PubMedRecord

if TYPE_CHECKING:
    from evidence.pubmed import PubMedClient

__all__ = ["PubMedSettings"]


@dataclass(frozen=True, slots=True)
class PubMedSettings:
    """Where records come from and where they are kept.

    ``offline`` never uses the network (only the snapshot and the cache); ``cache`` turns
    both on-disk caches on or off; ``cache_dir`` is their root (default
    ``$EVIDENCE_CACHE_DIR``, else the user's cache folder); ``email``, ``api_key`` and
    ``base_url`` go to NCBI (``None`` leaves them to ``NCBI_EMAIL``, ``NCBI_API_KEY`` and
    ``NCBI_EUTILS_URL``); ``refresh`` treats every cached record as stale; ``options`` are
    further :class:`~evidence.pubmed.client.PubMedClient` arguments (``timeout``,
    ``max_retries`` ...).
    """

    offline: bool = False
    cache: bool = True
    cache_dir: str | os.PathLike[str] | None = None
    email: str | None = None
    api_key: str | None = None
    base_url: str | None = None
    refresh: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[Any, ...]:
        """What distinguishes one set of settings from another, for memoising a fetch."""
        return (
            self.offline,
            self.cache,
            os.fspath(self.cache_dir) if self.cache_dir is not None else None,
            self.email,
            self.base_url,
            self.refresh,
            tuple(sorted((k, repr(v)) for k, v in self.options.items())),
        )

    def bib_cache(self) -> bool | str:
        """The ``cache`` argument for the .bib reader: its folder, or ``False``."""
        return os.fspath(cache_folder("bib", self.cache_dir)) if self.cache else False

    def client(self, snapshot: Mapping[str, PubMedRecord] | None = None) -> PubMedClient:
        """A client with these settings (and the records of ``snapshot``, if any)."""
        from evidence.pubmed import PubMedCache, PubMedClient

        cache = None
        if self.cache:
            # A refresh treats every cached record as stale, so each is fetched again (and
            # the stale copy still serves if NCBI cannot be reached).
            age = {"max_age": timedelta(microseconds=1)} if self.refresh else {}
            cache = PubMedCache(cache_folder("pubmed", self.cache_dir), **age)
        named = {
            name: value
            for name, value in (
                ("email", self.email),
                ("api_key", self.api_key),
                ("base_url", self.base_url),
            )
            if value is not None
        }
        arguments: dict[str, Any] = {**dict(self.options), **named}
        return PubMedClient(cache=cache, snapshot=snapshot, offline=self.offline, **arguments)
