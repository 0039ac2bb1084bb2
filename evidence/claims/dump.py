"""Writing claims: :func:`dump_claims`, checked by reading the output back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from evidence._gc import paused_gc
from evidence.claims.build import claims_from_tree
from evidence.claims.formats import find_format, spelled
from evidence.claims.load import parse_claims
from evidence.claims.tree import Report
from evidence.claims.writers import normalised, yaml_and_tree
from evidence.errors import ClaimFileError
from evidence.model import Claim

__all__ = ["dump_claims"]


def dump_claims(claims: Iterable[Claim], fmt: str = "yaml") -> str:
    """Write claims as a claims file in ``fmt`` that :func:`parse_claims` reads back equal.

    ``fmt`` is ``"yaml"`` (the default), ``"json"`` or ``"csv"`` (``"tsv"`` writes the
    same table separated by tabs).

    Free text is written stripped of surrounding whitespace, as it would be read; stance
    ``unknown``, uncited claims, Unicode, line breaks and text that looks like YAML
    syntax are all written faithfully. Raises ``ValueError`` when the claims could not be
    loaded from any file (duplicate ids, an empty text or key, ``events > n``, a tag
    containing ``;``...): the output is read back before it is returned, so a file this
    function writes always loads.

    >>> from evidence.model import Citation, Claim, Stance
    >>> text = dump_claims([Claim("c1", "Pain: common.", (Citation("k", Stance.UNKNOWN),))])
    >>> parse_claims(text, "yaml")[0].text
    'Pain: common.'
    """
    with paused_gc():  # many small objects, no cycles: the collector's passes cost most
        return _dump(claims, fmt)


def _dump(claims: Iterable[Claim], fmt: str) -> str:
    report = Report("<dump_claims>")
    chosen = find_format(fmt, report)
    if chosen is None:
        raise ValueError(report.problems[0].message)
    kind = chosen.name
    items = tuple(normalised(claim) for claim in claims)
    source = f"<dump_claims {kind}>"
    back: Sequence[Claim] | None = None
    if kind == "yaml":
        text, tree = yaml_and_tree(items)
        if tree is not None:
            # Written by the fast path, which also made the tree the text reads as: the
            # read-back check builds the claims from it (the same steps as parse_claims,
            # without a YAML parser). Any error: parse the text, for the usual messages.
            # No check_characters: the fast path writes only characters YAML prints as
            # they are, never half of a surrogate pair.
            report = Report(source)
            built = claims_from_tree(tree, report)
            back = built if not report.errors else None
    else:
        text = chosen.write(items, spelled(fmt))
    try:
        if back is None:
            back = parse_claims(text, kind, source=source)
    except ClaimFileError as exc:
        details = "\n".join(p.message for p in exc.problems)
        raise ValueError(f"these claims cannot be written as a claims file:\n{details}") from None
    for wrote, read in zip(items, back, strict=True):
        if wrote != read:  # a writer bug, not bad input; say which claim shows it
            raise ValueError(f"claim {wrote.id!r} would not read back unchanged from {kind}")
    return text
