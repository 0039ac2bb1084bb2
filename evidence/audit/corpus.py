"""Finding the articles of a corpus and cutting it into partitions.

A corpus is folders (searched recursively) and tar packages (``.tar``, ``.tar.gz``,
``.tgz``: PMC's bulk packages are these). Articles are files with an article suffix
(:data:`ARTICLE_SUFFIXES`); hidden files are skipped. Partitions are stable: the files of
the folders, sorted, cut into runs of ``batch``; the article members of a package, in
package order, cut the same way. A partition's key starts with its position and ends with
a hash of what it holds, so a rerun over the same corpus finds the same keys (and skips
the finished ones), and a changed corpus never reuses a stale part.

Reading a slice of a compressed package decompresses it from the start (gzip cannot
seek), so each partition of a ``.tar.gz`` pays for the members before it; with PMC's
packages of a few thousand articles and ``batch`` in the hundreds that is cheap, and an
uncompressed ``.tar`` is read by seeking.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from evidence.errors import InputError, SourceLocation

__all__ = ["ARTICLE_SUFFIXES", "Slice", "read_slice", "slices"]

#: Suffixes read as articles: JATS, and what the extractor reads.
ARTICLE_SUFFIXES = (
    ".xml",
    ".nxml",
    ".md",
    ".markdown",
    ".txt",
    ".rst",
    ".tex",
)
_TARS = (".tar", ".tar.gz", ".tgz")


@dataclass(frozen=True, slots=True)
class Slice:
    """One partition's articles: files (``package`` is ``None``) or members of a package."""

    key: str
    label: str
    package: str | None
    names: tuple[str, ...]


def _is_article(name: str) -> bool:
    base = os.path.basename(name)
    return not base.startswith(".") and base.lower().endswith(ARTICLE_SUFFIXES)


def _is_tar(path: str) -> bool:
    return path.lower().endswith(_TARS)


def slices(inputs: Sequence[str | os.PathLike[str]], batch: int) -> list[Slice]:
    """The partitions of the corpus ``inputs`` (folders, tar packages or article files)."""
    if batch < 1:
        raise ValueError(f"batch must be at least 1 article, not {batch}")
    loose: list[str] = []
    packages: list[str] = []
    missing = []
    for item in inputs:
        path = os.fspath(item)
        if os.path.isdir(path):
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                loose += [os.path.join(folder, f) for f in files if _is_article(f)]
        elif os.path.isfile(path):
            (packages if _is_tar(path) else loose).append(path)
        else:
            missing.append(path)
    if missing:
        raise InputError(
            "no such file or folder in the corpus: " + ", ".join(missing),
            location=SourceLocation(missing[0]),
        )
    result: list[Slice] = []

    def add(package: str | None, names: list[str], label: str) -> None:
        digest = hashlib.sha1("\0".join([package or "", *names]).encode()).hexdigest()[:10]
        result.append(Slice(f"{len(result):06d}-{digest}", label, package, tuple(names)))

    loose = sorted(dict.fromkeys(loose))
    for start in range(0, len(loose), batch):
        names = loose[start : start + batch]
        add(None, names, names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1})")
    for package in packages:
        try:
            with tarfile.open(package, "r:*") as tar:
                members = [m.name for m in tar if m.isfile() and _is_article(m.name)]
        except (tarfile.TarError, OSError, EOFError) as error:
            raise InputError(
                f"cannot read the package: {error}", location=SourceLocation(package)
            ) from error
        for start in range(0, len(members), batch):
            names = members[start : start + batch]
            add(package, names, f"{package}[{start}:{start + len(names)}]")
    return result


def read_slice(piece: Slice) -> Iterator[tuple[str, bytes | OSError]]:
    """``(name, bytes)`` for each article of the slice, in order; an unreadable article
    gives its ``OSError`` instead, so it is reported, not dropped. Member names are
    written ``package.tar.gz:member``."""
    if piece.package is None:
        for name in piece.names:
            try:
                yield name, Path(name).read_bytes()
            except OSError as error:
                yield name, error
        return
    wanted = set(piece.names)
    found: dict[str, bytes | OSError] = {}
    with tarfile.open(piece.package, "r:*") as tar:
        for member in tar:
            if member.name in wanted and member.name not in found:
                handle = tar.extractfile(member)
                if handle is None:
                    found[member.name] = OSError(f"{member.name} is not a regular file")
                else:
                    found[member.name] = handle.read()
                if len(found) == len(wanted):
                    break
    for name in piece.names:
        data = found.get(name, OSError(f"{name} is no longer in the package"))
        yield f"{piece.package}:{name}", data
