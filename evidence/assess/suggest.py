"""Suggestions for a citation nobody has reviewed yet, kept apart from decisions.

For a citation whose stance is still ``unknown``, :func:`suggest` reads the abstract and
offers what a reviewer would look for first:

* the best one to three sentences for the claim (:mod:`evidence.assess.support`): the
  best always, the second and third when they score at least half as well and above the
  mention threshold;
* the counts in them (:mod:`evidence.assess.numbers`), each with its sentence; when those
  sentences hold no events-of-n count, the counts of the rest of the abstract follow, best
  sentence first, so "21 of 52" is offered even when the sentence that names the claim's
  words gives only the sample size;
* the design the abstract or title states (the text rules of
  :mod:`evidence.assess.design_text`), when the study's design is otherwise unknown.

No stance is suggested. Two rules were measured on the 564 labelled claim/abstract pairs
of the SciFact train split (``benchmarks/stance_rule.py``) against always saying
"supports" (accuracy 0.656): "contradicts" when the best sentence negates (``not``,
``no``, ``failed`` ...) scores 0.665, and "contradicts" when exactly one of claim and
sentence negates scores 0.676 (its "contradicts" right 55% of the time). Two points over
the guess is no clear margin, and a wrong suggestion costs a reviewer more than none.

A suggestion is never a decision: nothing here changes a citation, and the verdict rules
never read a suggestion. A person accepts one in ``evidence review`` (which writes the
numbers into the claims file) or by typing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence.assess.abstracts import Abstract
from evidence.assess.design import assess_design
from evidence.assess.numbers import Count, find_counts
from evidence.assess.support import THRESHOLD, RankedSentence, check_support
from evidence.model import AbstractSection, PubMedRecord, StudyDesign

__all__ = ["MAX_SENTENCES", "Suggestion", "suggest"]

MAX_SENTENCES = 3
"""At most this many best sentences are offered."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What the abstract suggests for one citation; nothing here is a decision.

    ``sentences`` are the best sentences, best first; ``mentions`` the support check's flag;
    ``counts`` the counts found, those of the best sentences first; ``design`` the design
    the text states (None when it states none); ``stance`` is always None (see the module
    docstring).
    """

    abstract_source: str
    sentences: tuple[RankedSentence, ...]
    mentions: bool
    counts: tuple[Count, ...] = ()
    design: StudyDesign | None = None
    design_basis: str = ""
    stance: None = None

    @property
    def numbers(self) -> Count | None:
        """The count to offer as the citation's ``events`` and ``n``: the first with both."""
        return next((c for c in self.counts if c.events is not None), None)

    @property
    def sample_size(self) -> Count | None:
        """The first count without events (``n = 130``), offered as ``n`` alone."""
        return next((c for c in self.counts if c.events is None), None)


def suggest(
    claim_text: str,
    abstract: Abstract,
    *,
    title: str = "",
    threshold: float = THRESHOLD,
) -> Suggestion:
    """Suggestions for a citation of ``claim_text`` from ``abstract`` (and the ``title``).

    >>> from evidence.assess.abstracts import Abstract
    >>> a = Abstract(("This prospective cohort study evaluated 130 patients.",
    ...               "Dual blocks confirmed sacroiliac joint pain in 21 of 52 patients."),
    ...              ("", ""), "bib")
    >>> s = suggest("Sacroiliac joint pain after fusion is confirmed by blocks.", a)
    >>> s.sentences[0].index, s.numbers.label, s.design.value
    (1, '21/52 patients', 'prospective-cohort')
    """
    check = check_support(claim_text, abstract.sentences, sections=abstract.sections)
    chosen: list[RankedSentence] = list(check.sentences[:1])
    for ranked in check.sentences[1:MAX_SENTENCES]:
        if ranked.score >= threshold and ranked.score >= chosen[0].score / 2:
            chosen.append(ranked)
    counts = [c for r in chosen for c in find_counts(r.text)]
    if not any(c.events is not None for c in counts):
        shown = {r.index for r in chosen}
        counts += [
            c
            for r in check.sentences
            if r.index not in shown
            for c in find_counts(r.text)
            if c.events is not None
        ]
    record = PubMedRecord(
        pmid="",
        title=title,
        abstract=tuple(
            AbstractSection(text, label)
            for text, label in zip(abstract.sentences, abstract.sections, strict=True)
        ),
    )
    design = assess_design(record)
    return Suggestion(
        abstract_source=abstract.source,
        sentences=tuple(chosen),
        mentions=check.score >= threshold,
        counts=tuple(counts),
        design=design.design if design.design is not StudyDesign.UNKNOWN else None,
        design_basis=design.basis if design.design is not StudyDesign.UNKNOWN else "",
    )
