"""The :class:`Bibliography` every reference reader returns, whatever the file format.

A reader (today :mod:`evidence.bibliography.bibtex`; CSL-JSON, RIS or EndNote XML readers
would be modules beside it) turns a file into references and problems; this module holds
the mapping they share, the problem codes that mean "entry left out", and the strict mode's
error. Stage 2: imports ``evidence.errors``, ``evidence.model`` and ``evidence._gc`` only.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping, ValuesView
from typing import cast

from evidence._gc import paused_gc
from evidence.errors import BibliographyError, Problem, SourceLocation
from evidence.model import Reference

__all__ = ["MAX_VALUE_LENGTH", "NOT_LOADED", "Bibliography", "checked"]

#: The longest value the BibTeX reader takes, in characters after ``@string`` macros are
#: put in: a bound so that a hostile file cannot exhaust memory. ``@string{b = a # a}``
#: doubles a macro in one line, so 30 such lines would ask for gigabytes (pybtex would build
#: them). Real values, long abstracts and file lists included, stay far below it.
MAX_VALUE_LENGTH = 1_000_000


#: Problem codes that stand for an entry left out of the mapping (one problem each).
NOT_LOADED = frozenset({"duplicate-key", "empty-key", "empty-record", "duplicate-work"})


class Bibliography(Mapping[str, Reference]):
    """An immutable mapping from citation key to :class:`Reference`, in file order.

    ``problems`` lists everything found while reading, in file order; ``path`` is the file
    (or the ``source`` name given to
    :func:`~evidence.bibliography.bibtex.parse_references`). Indexing is exact, as in
    biber; :meth:`find` also accepts a key written in another case, as BibTeX does.

    >>> from evidence.model import Reference
    >>> bib = Bibliography([Reference("Chen_2017", "article")], path="refs.bib")
    >>> "chen_2017" in bib, bib.find("chen_2017").key
    (False, 'Chen_2017')
    """

    __slots__ = ("_entries", "_every", "_folded", "_one", "_path", "_problems", "_stored")

    def __init__(
        self,
        references: Iterable[Reference] = (),
        *,
        problems: Iterable[Problem] = (),
        path: str = "<string>",
    ) -> None:
        entries: dict[str, Reference | int] = {}
        for ref in references:
            if ref.key in entries:
                raise ValueError(f"duplicate key {ref.key!r} in a Bibliography")
            entries[ref.key] = ref
        self._entries = entries
        self._folded: dict[str, str] | None = None  # see _fold
        self._problems = tuple(problems)
        self._path = path
        self._one: Callable[[int], Reference] | None = None  # see from_stored
        self._every: Callable[[], list[Reference]] | None = None
        self._stored = 0  # how many references are not built yet

    @classmethod
    def from_stored(
        cls,
        keys: list[str],
        one: Callable[[int], Reference],
        every: Callable[[], list[Reference]],
        *,
        problems: Iterable[Problem] = (),
        path: str = "<string>",
    ) -> Bibliography:
        """A bibliography whose references are built when first asked for: ``one(i)``
        builds the reference of ``keys[i]``, ``every()`` all of them in the order of
        ``keys`` (the first time :meth:`values` or :meth:`items` is called). A parse cache
        hands over thousands of entries this way: a build that cites 40 of them builds 40,
        and reading every entry builds them all in one go. ``keys`` must be distinct."""
        bib = cls(problems=problems, path=path)
        bib._entries = dict(zip(keys, range(len(keys)), strict=True))
        if len(bib._entries) != len(keys):
            raise ValueError("a key repeats")
        bib._one = one
        bib._every = every
        bib._stored = len(keys)
        return bib

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem found while reading, in file order."""
        return self._problems

    @property
    def path(self) -> str:
        """The file read, or the ``source`` name of parsed text."""
        return self._path

    @property
    def not_loaded(self) -> tuple[Problem, ...]:
        """The problems that stand for entries left out of the mapping (one each)."""
        return tuple(p for p in self._problems if p.code in NOT_LOADED)

    def find(self, key: str) -> Reference | None:
        """The reference cited as ``key``: exact match first, then ignoring case."""
        if key not in self._entries:
            exact = self._fold().get(key.lower())
            if exact is None:
                return None
            key = exact
        return self[key]

    def _fold(self) -> dict[str, str]:
        """Each key in lower case to the first key that folds to it, made when a key is
        first looked up ignoring case (few are): 5-10 ms on 50,000 keys a load need not
        pay."""
        if self._folded is None:
            keys = list(reversed(self._entries))  # reversed: the first of equal keys wins
            self._folded = dict(zip(map(str.lower, keys), keys, strict=True))
        return self._folded

    def __getitem__(self, key: str) -> Reference:
        value = self._entries[key]
        if type(value) is int:  # its place in the store (see from_stored), not built yet
            value = self._entries[key] = cast(Callable[[int], Reference], self._one)(value)
            self._stored -= 1
        return cast(Reference, value)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def values(self) -> ValuesView[Reference]:
        """The references in file order (stored ones are built first)."""
        self._build_all()
        return cast(ValuesView[Reference], self._entries.values())  # no int is left

    def items(self) -> ItemsView[str, Reference]:
        """``(key, reference)`` pairs in file order."""
        self._build_all()
        return cast(ItemsView[str, Reference], self._entries.items())

    def _build_all(self) -> None:
        """Build every reference still stored, all at once, with the GC paused (many
        small objects, no cycles): twice as fast as one at a time."""
        if not self._stored:
            return
        with paused_gc():
            built = cast(Callable[[], list[Reference]], self._every)()
            entries = self._entries
            if len(built) != len(entries):
                raise ValueError(f"{self._path}: {len(built)} references for {len(entries)} keys")
            if self._stored == len(entries):  # none built one by one yet
                self._entries = dict(zip(entries, built, strict=True))
            else:  # keep those already handed out: ``bib[key] is bib[key]``
                for key, ref in zip(list(entries), built, strict=True):
                    if type(entries[key]) is int:
                        entries[key] = ref
            self._stored = 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return (
            f"<Bibliography {self._path!r}: {len(self)} references, {len(self._problems)} problems>"
        )


# --- entry points ------------------------------------------------------------------------


def checked(bib: Bibliography, strict: bool) -> Bibliography:
    """``bib`` itself; with ``strict``, one :class:`~evidence.errors.BibliographyError`
    listing all its problems instead, if it has any (warnings included)."""
    if strict and bib.problems:
        count = len(bib.problems)
        raise BibliographyError(
            f"{count} problem{'s' if count != 1 else ''} found; fix them, or load with "
            "strict=False to keep every entry that could be read",
            location=SourceLocation(bib.path),
            problems=bib.problems,
        )
    return bib
