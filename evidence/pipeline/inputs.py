"""Reading the pipeline's input files: once per command, or once per content in a docs build.

:class:`Reader` reads each file when asked, through the .bib parse cache on disk; it serves
the command line and Python callers, which read each input once. :class:`InputCache` is a
:class:`Reader` that also remembers what it parsed, keyed by the file's content digest, for
docs builds: ten tables on one page, or on ten pages, parse each file once, and a file whose
bytes changed is parsed again.

Why a content digest rather than a modification time decides when to re-read: a build
reads each input anyway to hash it (milliseconds, even for a 7000-entry .bib), while
parsing is what costs (seconds); a digest cannot be fooled by a coarse file-system clock
or by a checkout that restores old times.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from evidence.bibliography import Bibliography, load_bibliography, parse_bibliography
from evidence.claims import ClaimSet, load_claims, parse_claims
from evidence.snapshot import Snapshot, load_snapshot
from evidence.studies import Collection

__all__ = ["InputCache", "Reader"]


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Reader:
    """Reads claims, bibliographies and snapshots; remembers nothing between calls.

    ``bib_cache`` is the .bib reader's ``cache`` argument (a folder, or ``False``).
    """

    def __init__(self, *, bib_cache: bool | str = True, encoding: str = "utf-8") -> None:
        self.bib_cache = bib_cache
        self.encoding = encoding

    def claims(self, path: Path, display: str) -> ClaimSet:
        """The claims in ``path``; raises :class:`~evidence.errors.ClaimFileError`."""
        return load_claims(path)

    def references(self, path: Path, display: str) -> Bibliography:
        """The references in ``path``, in whichever reference format it is (BibTeX,
        CSL-JSON, RIS, MEDLINE, EndNote XML); raises
        :class:`~evidence.errors.BibliographyError`."""
        return load_bibliography(path, encoding=self.encoding, cache=self.bib_cache)

    def snapshot(self, path: Path) -> Snapshot:
        """The snapshot at ``path`` (a mapping of its records); raises its located
        ``SnapshotError``."""
        return load_snapshot(path)

    def digest(self, path: Path) -> str:
        """The digest of the file as last parsed ('' when nothing is remembered)."""
        return ""

    def studies(self, key: tuple[Any, ...], make: Callable[[], Collection]) -> Collection:
        """The studies ``make()`` gathers (a plain reader gathers them every time)."""
        return make()


class InputCache(Reader):
    """Parsed claims, bibliographies and snapshots, re-read only when a file's bytes change.

    One cache serves one build (the Sphinx environment or the MkDocs plugin holds it).
    ``parses`` counts the real parses per path, so a test can see that a second table on
    the same inputs parsed nothing. It pickles as an empty cache: a Sphinx environment is
    pickled between builds, and parsed input must not travel with it. Files are parsed
    from their bytes under their ``display`` name (the path relative to the docs source),
    so messages name them as the user does.
    """

    def __init__(self, *, encoding: str = "utf-8") -> None:
        super().__init__(bib_cache=False, encoding=encoding)
        self._values: dict[tuple[str, str], tuple[str, Any]] = {}
        self._studies: dict[tuple[Any, ...], Collection] = {}
        self.parses: dict[str, int] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def _cached(self, kind: str, path: Path) -> tuple[str, Any | None, bytes]:
        """The file's digest, the value parsed from it before (None if stale) and its bytes."""
        data = path.read_bytes()
        digest = _digest(data)
        hit = self._values.get((kind, str(path)))
        if hit is not None and hit[0] == digest:
            return digest, hit[1], data
        return digest, None, data

    def _store(self, kind: str, path: Path, digest: str, value: Any) -> None:
        self._values[(kind, str(path))] = (digest, value)
        self.parses[str(path)] = self.parses.get(str(path), 0) + 1

    def digest(self, path: Path) -> str:
        return next((d for (_, p), (d, _) in self._values.items() if p == str(path)), "")

    def claims(self, path: Path, display: str) -> ClaimSet:
        try:
            digest, value, data = self._cached("claims", path)
        except OSError:
            return load_claims(path)  # raises the loader's own located error
        if value is not None:
            return value  # type: ignore[no-any-return]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return load_claims(path)  # raises, naming the undecodable line
        fmt = {".yml": "yaml", ".tsv": "csv"}.get(path.suffix.lower(), path.suffix[1:].lower())
        claims = parse_claims(text, fmt or "yaml", source=display)
        self._store("claims", path, digest, claims)
        return claims

    def references(self, path: Path, display: str) -> Bibliography:
        try:
            digest, value, data = self._cached("bib", path)
        except OSError:
            return load_bibliography(path, cache=False)  # raises the loader's located error
        if value is not None:
            return value  # type: ignore[no-any-return]
        try:
            text = data.decode(self.encoding)
        except UnicodeDecodeError:
            return load_bibliography(path, encoding=self.encoding, cache=False)  # raises
        bib = parse_bibliography(text, source=display)
        self._store("bib", path, digest, bib)
        return bib

    def snapshot(self, path: Path) -> Snapshot:
        try:
            digest, value, _ = self._cached("snapshot", path)
        except OSError:
            return load_snapshot(path)  # raises "not found, create it with ..."
        if value is not None:
            return value  # type: ignore[no-any-return]
        records = load_snapshot(path)
        self._store("snapshot", path, digest, records)
        return records

    def studies(self, key: tuple[Any, ...], make: Callable[[], Collection]) -> Collection:
        found = self._studies.get(key)
        if found is None:
            found = self._studies[key] = make()
        return found
