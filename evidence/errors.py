"""Errors and located problems.

Every error a user can act on derives from :class:`EvidenceError` and prints as
``path:line: message``, the way compilers and linters do, so editors can jump to it.

The tree::

    EvidenceError                 anything the user can act on
    ├── InputError                a file the user gave cannot be used as it is
    │   ├── BibliographyError     a .bib file (unreadable, or problems in strict mode)
    │   ├── ClaimFileError        a claims file (YAML, JSON or CSV)
    │   └── ArticleError          prose that claims are extracted from
    ├── PubMedError               talking to NCBI's E-utilities
    │   ├── PubMedUnavailable     no answer: network down, timeouts, retries used up
    │   └── PubMedResponseError   an answer that is an error or cannot be read
    ├── CacheError                the on-disk cache cannot be used
    └── OutputError               an output file cannot be written

Problems found while reading input are collected as :class:`Problem` records first
(house rule: report everything at once). Loaders that can carry on keep them in a
``.problems`` list; loaders that cannot raise one error holding the whole list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ArticleError",
    "BibliographyError",
    "CacheError",
    "ClaimFileError",
    "EvidenceError",
    "InputError",
    "OutputError",
    "Problem",
    "PubMedError",
    "PubMedResponseError",
    "PubMedUnavailable",
    "Severity",
    "SourceLocation",
]


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where something is in an input: a path (or a name such as ``<string>``) and a line.

    Lines and columns count from 1. ``str()`` gives ``path:line`` (or ``path`` alone when
    the line is not known), ready to start a compiler-style message.

    >>> str(SourceLocation("references.bib", 42))
    'references.bib:42'
    """

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"

    def at(self, line: int | None, column: int | None = None) -> SourceLocation:
        """The same file at another line."""
        return SourceLocation(self.path, line, column)


class Severity(StrEnum):
    """How bad a problem is: an ``error`` loses or breaks something, a ``warning`` does not."""

    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in an input, in plain words.

    ``code`` is a short stable slug (``duplicate-key``, ``uncited``...) that tools can
    filter on (every code is listed in :mod:`evidence.codes`); ``message`` is for people and
    says what to do where that is not obvious; ``key`` names the bibliography entry the
    problem is about, when there is one (docs builds report such problems only when some
    page cites the entry).

    >>> print(Problem(SourceLocation("refs.bib", 3), "empty key", code="empty-key"))
    refs.bib:3: error: empty key
    """

    location: SourceLocation
    message: str
    code: str = "problem"
    severity: Severity = Severity.ERROR
    key: str | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"


class EvidenceError(Exception):
    """Base of every error a user can act on.

    It carries an optional :class:`SourceLocation` and, for inputs with several faults,
    the full list of :class:`Problem` records. ``str()`` is ``path:line: message``;
    with several problems, one such line each.
    """

    def __init__(
        self,
        message: str,
        *,
        location: SourceLocation | None = None,
        problems: Iterable[Problem] = (),
    ) -> None:
        self.message = message
        self.location = location
        self.problems: Sequence[Problem] = tuple(problems)
        super().__init__(message)

    def __str__(self) -> str:
        head = f"{self.location}: {self.message}" if self.location else self.message
        return "\n".join([head, *(str(p) for p in self.problems)])


class InputError(EvidenceError):
    """A file the user gave cannot be used as it is."""


class BibliographyError(InputError):
    """A .bib file could not be read, or had problems and ``strict=True`` was asked for."""


class ClaimFileError(InputError):
    """A claims file is unusable; ``.problems`` lists every fault with its line."""


class ArticleError(InputError):
    """Prose given to :func:`evidence.extract_claims` cannot be read."""


class PubMedError(EvidenceError):
    """Something went wrong talking to NCBI's E-utilities."""


class PubMedUnavailable(PubMedError):
    """NCBI could not be reached, or kept failing until the retry budget ran out."""


class PubMedResponseError(PubMedError):
    """NCBI answered with an error (even inside an HTTP 200 body) or with unreadable data."""


class CacheError(EvidenceError):
    """The on-disk cache cannot be read or written."""


class OutputError(EvidenceError):
    """An output file cannot be written; nothing partial is left behind."""
