"""Extracting again onto a reviewed claims file: keep the review, add what is new.

Claims are extracted once and then reviewed by hand (stances, findings, counts, notes).
When the document changes and is extracted again, :func:`merge_claims` matches each new
claim to the reviewed one it continues and keeps the review:

* a match is the same text (ignoring case, accents, spacing and punctuation), else the
  same id with a similar text, else a text at least :data:`SIMILAR` alike (compared only
  with claims sharing its first or last words, so the merge stays linear);
* a matched claim keeps its id, tags, certainty and note, and every citation of a key it
  still cites keeps its stance, finding, numbers, outcome, quote and notes; a citation
  the reviewer added that the sentence no longer carries is kept too; the text and the
  source are the document's;
* a new claim is added as extracted (stance ``unknown``);
* a reviewed claim that is no longer in the document is kept and reported; one nobody
  reviewed is dropped and reported, so nothing disappears without a word.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from evidence.errors import Problem, Severity, SourceLocation
from evidence.model import Citation, Claim, Stance
from evidence.text import fold

__all__ = ["SIMILAR", "MergeResult", "merge_claims", "reviewed"]

#: How alike (difflib ratio) two texts must be for a claim to continue another.
SIMILAR = 0.85


@dataclass(frozen=True)
class MergeResult:
    """The merged claims (document order, kept vanished ones last) and what happened."""

    claims: tuple[Claim, ...]
    kept: int
    added: int
    vanished: tuple[Claim, ...]
    problems: tuple[Problem, ...]

    def summary(self) -> str:
        """``12 kept with their review, 3 added, 1 no longer in the document``."""
        return (
            f"{self.kept} kept with their review, {self.added} added, "
            f"{len(self.vanished)} no longer in the document"
        )


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())


def reviewed(claim: Claim) -> bool:
    """Whether a person has worked on the claim (a stance, finding, count, note...)."""
    if claim.certainty is not None or claim.tags:
        return True
    return any(
        c.stance is not Stance.UNKNOWN
        or c.finding
        or c.n is not None
        or c.events is not None
        or c.outcome
        or c.quote
        or c.design
        or c.risk_of_bias is not None
        for c in claim.citations
    )


class _Index:
    """Previous claims, findable by text, id and first/last words."""

    def __init__(self, claims: Sequence[Claim]) -> None:
        self.claims = list(claims)
        self.used = [False] * len(claims)
        self.by_text: dict[str, list[int]] = {}
        self.by_id: dict[str, int] = {}
        self.by_edge: dict[str, list[int]] = {}
        self.norms = [_norm(c.text) for c in claims]
        for i, claim in enumerate(claims):
            self.by_text.setdefault(self.norms[i], []).append(i)
            self.by_id.setdefault(claim.id, i)
            for edge in _edges(self.norms[i]):
                self.by_edge.setdefault(edge, []).append(i)

    def match(self, claim: Claim) -> int | None:
        norm = _norm(claim.text)
        for i in self.by_text.get(norm, ()):
            if not self.used[i]:
                return self._take(i)
        same = self.by_id.get(claim.id)
        if same is not None and not self.used[same] and _ratio(norm, self.norms[same]) >= 0.6:
            return self._take(same)
        best, best_ratio = None, SIMILAR
        for edge in _edges(norm):
            for i in self.by_edge.get(edge, ()):
                if self.used[i]:
                    continue
                ratio = _ratio(norm, self.norms[i])
                if ratio >= best_ratio:
                    best, best_ratio = i, ratio
        return self._take(best) if best is not None else None

    def _take(self, i: int) -> int:
        self.used[i] = True
        return i


def _edges(norm: str) -> tuple[str, ...]:
    words = norm.split()
    return ("<" + " ".join(words[:3]), ">" + " ".join(words[-3:])) if words else ()


def _ratio(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR * 0.9:
        return matcher.real_quick_ratio()
    return matcher.ratio()


def merge_claims(
    previous: Sequence[Claim], extracted: Sequence[Claim], *, path: str = "<claims>"
) -> MergeResult:
    """The claims ``extracted`` from a document, carrying over the review of the
    ``previous`` claims (read from ``path``, named in the reports); see the module
    docstring for the rules."""
    index = _Index(previous)
    merged: list[Claim] = []
    problems: list[Problem] = []
    kept = added = 0
    taken_ids = {c.id for c in extracted}
    for claim in extracted:
        i = index.match(claim)
        if i is None:
            merged.append(claim)
            added += 1
            continue
        old = previous[i]
        kept += 1
        # Keep the reviewed id, unless it now names another claim of the document.
        old_id = claim.id if old.id != claim.id and old.id in taken_ids else old.id
        merged.append(
            replace(
                claim,
                id=old_id,
                tags=old.tags,
                certainty=old.certainty,
                note=old.note or claim.note,
                citations=_citations(old, claim),
            )
        )
    ids = {c.id for c in merged}
    vanished: list[Claim] = []
    for i, old in enumerate(previous):
        if index.used[i]:
            continue
        vanished.append(old)
        where = old.location or SourceLocation(path)
        if reviewed(old) and old.id not in ids:
            merged.append(old)
            ids.add(old.id)
            message = (
                f"claim {old.id!r} is no longer in the document; kept with its review "
                "(delete it if it is gone for good)"
            )
        else:
            message = (
                f"claim {old.id!r} is no longer in the document and was never reviewed; dropped"
            )
        problems.append(Problem(where, message, "vanished-claim", Severity.WARNING))
    return MergeResult(tuple(merged), kept, added, tuple(vanished), tuple(problems))


def _citations(old: Claim, new: Claim) -> tuple[Citation, ...]:
    previous = {c.key: c for c in old.citations}
    out = [previous.pop(c.key, c) for c in new.citations]
    out.extend(previous.values())  # citations the reviewer added stay
    return tuple(out)
