"""The claims of one file: :class:`ClaimSet`, an immutable sequence of claims and warnings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from evidence.errors import Problem
from evidence.model import Claim

__all__ = ["ClaimSet"]


class ClaimSet(Sequence[Claim]):
    """The claims of one file, in file order: an immutable sequence of :class:`Claim`.

    ``path`` names the file (or the ``source`` given to :func:`parse_claims`);
    ``problems`` holds the warnings that did not stop loading (unknown fields, duplicate
    citations, an empty file). Ids are unique; :meth:`by_id` finds a claim by its id.
    Two claim sets are equal when they hold equal claims, whatever file or format they
    came from (locations never take part in equality, as in the records themselves).

    >>> claims = ClaimSet([Claim("c1", "Pain is common.")], path="claims.yaml")
    >>> claims.by_id("c1").text
    'Pain is common.'
    >>> len(claims), claims.path
    (1, 'claims.yaml')
    """

    __slots__ = ("_claims", "_index", "_path", "_problems", "_title")

    _claims: tuple[Claim, ...]
    _index: dict[str, Claim]
    _path: str
    _problems: tuple[Problem, ...]
    _title: str

    def __init__(
        self,
        claims: Iterable[Claim] = (),
        *,
        path: str = "<string>",
        problems: Iterable[Problem] = (),
        title: str = "",
    ) -> None:
        items = tuple(claims)
        index: dict[str, Claim] = {}
        for claim in items:
            if claim.id in index:
                raise ValueError(f"duplicate claim id {claim.id!r} in a ClaimSet")
            index[claim.id] = claim
        object.__setattr__(self, "_claims", items)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_problems", tuple(problems))
        object.__setattr__(self, "_title", title)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ClaimSet is immutable; cannot set {name!r}")

    @property
    def path(self) -> str:
        """The file the claims came from, as it was named to :func:`load_claims`."""
        return self._path

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Warnings found while loading (errors would have raised ``ClaimFileError``)."""
        return self._problems

    @property
    def title(self) -> str:
        """The file's optional ``title`` ('' when it has none); tables show it as theirs."""
        return self._title

    @property
    def ids(self) -> tuple[str, ...]:
        """The claim ids in file order."""
        return tuple(self._index)

    def by_id(self, claim_id: str) -> Claim:
        """The claim with this id; ``KeyError`` naming the file when there is none."""
        try:
            return self._index[str(claim_id)]
        except KeyError:
            raise KeyError(f"no claim with id {claim_id!r} in {self._path}") from None

    def __len__(self) -> int:
        return len(self._claims)

    @overload
    def __getitem__(self, index: int) -> Claim: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Claim, ...]: ...

    def __getitem__(self, index: int | slice) -> Claim | tuple[Claim, ...]:
        return self._claims[index]

    def __iter__(self) -> Iterator[Claim]:
        return iter(self._claims)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClaimSet):
            return NotImplemented
        return self._claims == other._claims

    def __hash__(self) -> int:
        return hash(self._claims)

    def __repr__(self) -> str:
        warnings = f", {len(self._problems)} warning(s)" if self._problems else ""
        return f"<ClaimSet {self._path!r}: {len(self._claims)} claim(s){warnings}>"
