"""Study design, retraction status and numbers: pure functions of PubMed records.

Nothing here reads a file or a network; every function takes records or numbers and returns
a frozen answer that says *why* (``basis``, ``detail``), so an evidence table can show it.

Study design
============

:func:`assess_design` gives one :class:`~evidence.model.StudyDesign` and where it came
from. The first source that answers wins:

1. **The reviewer** (``DesignSource.USER``): ``design`` on the citation in the claims file,
   then the ``design`` field of the .bib entry. A value that is not a known design raises
   ``ValueError`` naming where it was written, for the caller to turn into a located problem.
2. **Publication types**, matched by MeSH UI code (and by exact name, for old XML without
   UI attributes and for the few types whose codes we could not confirm). When several
   apply, the strongest kind wins: trial protocol (no results) > systematic review /
   meta-analysis > randomised trial > other clinical trial > observational study > case
   report > guideline > review > editorial / letter / comment / notice. Some kinds are
   only partly informative, and the later sources may sharpen them within limits:

   - ``Clinical Trial`` (D016430), its phases, ``Controlled Clinical Trial`` (D018848) and
     ``Adaptive Clinical Trial`` say "trial" but not "randomised". Randomisation stated for
     *this* study in the title or abstract ("were randomly assigned") makes it a randomised
     trial; otherwise it is a **non-randomised trial**. We chose that over "unknown": the
     paper is certainly an interventional trial, and calling it non-randomised never rates
     it above what it shows.
   - ``Observational Study`` (D064888) says observational but not which kind; MeSH, title
     and abstract may name a cohort, case-control, cross-sectional or case-series design.
     If none does, the design stays ``unknown`` (with the publication type as its basis):
     guessing a kind would be inventing evidence.
   - ``Review`` (D016454) is a narrative review only when nothing stronger is said: older
     systematic reviews carry only ``Review``, so a title or abstract describing the paper
     as a systematic review or meta-analysis makes it one.
   - ``Case Reports`` becomes a case series when the text says "case series".
   - ``Systematic Review`` / ``Meta-Analysis`` are kept unless the abstract calls *this*
     paper a narrative review ("this narrative review") and never calls it systematic.
     Indexers do tag reviews *of* meta-analyses as Meta-Analysis (fixture PMID 35830032);
     this is the one place the text may lower a publication type, and only downwards.
   - Notices (``Published Erratum``, ``Retraction of Publication``, ``Expression of
     Concern``) and opinion pieces (``Editorial``, ``Letter``, ``Comment``, ``News``,
     ``Interview``) are **editorial or opinion**: they are not studies, and the notice's
     text describes somebody else's study, so it is never read for a design.
   - ``Clinical Trial Protocol`` reports no results: the design is ``unknown``.

3. **MeSH**: ``Case-Control Studies`` and ``Cross-Sectional Studies`` name a design;
   ``Prospective Studies`` / ``Retrospective Studies`` / ``Cohort Studies`` /
   ``Longitudinal Studies`` give a cohort and its direction. A design heading beats a
   direction heading (a case-control study drawn from prospective cohorts is a nested
   case-control study). Headings ending "as Topic" (``Randomized Controlled Trials as
   Topic``) are about the subject of the paper, never its design, and are ignored.
   ``Follow-Up Studies`` is ignored too: it is put on trials and cohorts alike.
4. **The title**, then 5. **the abstract**: design phrases ("prospective cohort study",
   "retrospective review", "randomised controlled trial", "case-control", "cross-sectional",
   "case series", "systematic review and meta-analysis" ...). A phrase counts only if it
   describes *this* paper: plural nouns ("randomised trials") are other studies; phrases
   after a negation ("not randomised", "non-randomised" is its own design) or after words
   that point elsewhere ("unlike previous", "included", "data from", "secondary analysis
   of") are skipped; a phrase followed by "by Smith" / "showed" without "this" or "our"
   before it is a citation of another study. Among the rest, a phrase in a section
   labelled DESIGN (or after an inline "Design:") beats one with a self-reference ("this",
   "our", "we conducted", "was a", "... was performed"), which beats a bare mention; ties go
   to the earliest. "Review" phrases only win when nothing else is found. Weak cues (a
   "survey", "cases and ... controls") need a self-reference or a DESIGN section.

A record with only ``Journal Article`` and text that names no design is ``unknown``.

Two decisions worth stating:

- **"Retrospective review" is a retrospective cohort.** The seed study Katz 2003 reviewed,
  after the fact, the patients of a defined group (fused to the sacrum, then given a joint
  injection) and counted an outcome. Whether that is a cohort or a case series turns on
  whether there is a comparison group, which a phrase cannot see; we take the authors' own
  framing, as for Liliang 2011 ("prospective cohort study", a similar design). The basis
  names the phrase, so a reviewer who prefers "case-series" sets it in the .bib ``design``
  field and wins.
- **"Cohort study" without a direction** is taken as retrospective, the weaker of the
  two, and the basis says it was assumed.

Design rank (:func:`design_rank`), used to order evidence for certainty::

    10 systematic review / meta-analysis
     9 randomised trial
     8 non-randomised trial
     7 prospective cohort
     6 retrospective cohort
     5 case-control
     4 cross-sectional
     3 case series
     2 case report
     1 narrative review, guideline, editorial or opinion
     0 unknown

Retraction
==========

:func:`assess_retraction` reads only structured signals: publication types and
``CommentsCorrections`` links, never the word "retract" in a title (a notice is titled
"Retraction Note: ..."). Severity, most severe first: retracted (``Retracted Publication``
D016441, ``RetractionIn``, ``RetractedandRepublishedIn``) > retraction notice (``Retraction
of Publication`` D016440, ``RetractionOf``) > expression of concern
(``ExpressionOfConcernIn``) > corrected (``ErratumIn``, ``CorrectedandRepublishedIn``).
The most severe one is the status; the others stay in ``detail`` and ``notices``.

Numbers
=======

:func:`wilson_interval` is the Wilson score interval. :func:`pool_proportions` pools
proportions by random effects on the logit scale with the DerSimonian-Laird estimate of
tau². Only :mod:`math` and :mod:`statistics` are used. Tau² and I² are truncated at zero,
as in DerSimonian and Laird (1986); statsmodels' ``combine_effects(method_re="dl")``
leaves them negative when Q < k - 1, in which case our result equals its fixed-effect one.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from statistics import NormalDist
from typing import SupportsIndex

from evidence.model import (
    Citation,
    CommentCorrection,
    DesignSource,
    MeshHeading,
    PublicationType,
    PubMedRecord,
    Reference,
    RetractionStatus,
    StudyDesign,
)

__all__ = [
    "DesignAssessment",
    "PooledEstimate",
    "Proportion",
    "RetractionAssessment",
    "assess_design",
    "assess_retraction",
    "design_rank",
    "is_observational",
    "is_randomised",
    "pool_proportions",
    "wilson_interval",
]

_D = StudyDesign

# --- design rank ----------------------------------------------------------------------

_RANK: dict[StudyDesign, int] = {
    _D.SYSTEMATIC_REVIEW: 10,
    _D.RANDOMISED_TRIAL: 9,
    _D.NON_RANDOMISED_TRIAL: 8,
    _D.PROSPECTIVE_COHORT: 7,
    _D.RETROSPECTIVE_COHORT: 6,
    _D.CASE_CONTROL: 5,
    _D.CROSS_SECTIONAL: 4,
    _D.CASE_SERIES: 3,
    _D.CASE_REPORT: 2,
    _D.NARRATIVE_REVIEW: 1,
    _D.GUIDELINE: 1,
    _D.EDITORIAL: 1,
    _D.UNKNOWN: 0,
}

_OBSERVATIONAL = frozenset(
    {
        _D.PROSPECTIVE_COHORT,
        _D.RETROSPECTIVE_COHORT,
        _D.CASE_CONTROL,
        _D.CROSS_SECTIONAL,
        _D.CASE_SERIES,
        _D.CASE_REPORT,
    }
)


def design_rank(design: StudyDesign) -> int:
    """How strong a design is as evidence, from 10 (systematic review) to 0 (unknown).

    The order is in the module docstring. Narrative reviews, guidelines and editorials
    share rank 1: none of them is a study of its own.

    >>> design_rank(StudyDesign.RANDOMISED_TRIAL) > design_rank(StudyDesign.PROSPECTIVE_COHORT)
    True
    """
    return _RANK[design]


def is_randomised(design: StudyDesign) -> bool:
    """True for a randomised trial only (a systematic review is not itself randomised)."""
    return design is _D.RANDOMISED_TRIAL


def is_observational(design: StudyDesign) -> bool:
    """True for primary studies without assigned intervention: cohort (either direction),
    case-control, cross-sectional, case series and case report."""
    return design in _OBSERVATIONAL


# --- design assessment ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DesignAssessment:
    """A study's design, where it came from, and a short human explanation.

    ``basis`` reads like ``publication type "Randomized Controlled Trial" (D016449)`` or
    ``abstract: "prospective cohort study"``.
    """

    design: StudyDesign
    source: DesignSource
    basis: str


class _Kind(IntEnum):
    """What a publication type says, strongest first (the order decides between PTs)."""

    PROTOCOL = 1
    SYNTHESIS = 2
    RANDOMISED = 3
    TRIAL = 4
    OBSERVATIONAL = 5
    CASE_REPORT = 6
    GUIDELINE = 7
    REVIEW = 8
    OPINION = 9


# UI code -> (NLM name, kind): codes from eutils.md section 8, the fixtures and public
# mappings of NLM's publication-type list. Types whose codes we could not confirm are
# matched by exact name only (_PT_NAMES), which is also the fallback for old UI-less XML.
_PT_CODES: dict[str, tuple[str, _Kind]] = {
    "D000078182": ("Systematic Review", _Kind.SYNTHESIS),
    "D017418": ("Meta-Analysis", _Kind.SYNTHESIS),
    "D016449": ("Randomized Controlled Trial", _Kind.RANDOMISED),
    "D065007": ("Pragmatic Clinical Trial", _Kind.RANDOMISED),
    "D016430": ("Clinical Trial", _Kind.TRIAL),
    "D017426": ("Clinical Trial, Phase I", _Kind.TRIAL),
    "D017427": ("Clinical Trial, Phase II", _Kind.TRIAL),
    "D017428": ("Clinical Trial, Phase III", _Kind.TRIAL),
    "D017429": ("Clinical Trial, Phase IV", _Kind.TRIAL),
    "D018848": ("Controlled Clinical Trial", _Kind.TRIAL),
    "D064888": ("Observational Study", _Kind.OBSERVATIONAL),
    "D018486": ("Twin Study", _Kind.OBSERVATIONAL),
    "D002363": ("Case Reports", _Kind.CASE_REPORT),
    "D017065": ("Practice Guideline", _Kind.GUIDELINE),
    "D016431": ("Guideline", _Kind.GUIDELINE),
    "D016446": ("Consensus Development Conference", _Kind.GUIDELINE),
    "D016447": ("Consensus Development Conference, NIH", _Kind.GUIDELINE),
    "D016454": ("Review", _Kind.REVIEW),
    "D016421": ("Editorial", _Kind.OPINION),
    "D016422": ("Letter", _Kind.OPINION),
    "D016420": ("Comment", _Kind.OPINION),
    "D016433": ("News", _Kind.OPINION),
    "D018431": ("Newspaper Article", _Kind.OPINION),
    "D017203": ("Interview", _Kind.OPINION),
    "D016425": ("Published Erratum", _Kind.OPINION),
    "D016440": ("Retraction of Publication", _Kind.OPINION),
}
_PT_NAMES: dict[str, _Kind] = {name.casefold(): kind for name, kind in _PT_CODES.values()} | {
    "clinical trial protocol": _Kind.PROTOCOL,
    "equivalence trial": _Kind.RANDOMISED,  # a child of Randomized Controlled Trial
    "adaptive clinical trial": _Kind.TRIAL,
    "network meta-analysis": _Kind.SYNTHESIS,
    "meta-analysis, individual participant data": _Kind.SYNTHESIS,
    "observational study, veterinary": _Kind.OBSERVATIONAL,
    "scoping review": _Kind.REVIEW,  # maps the literature; no appraisal or pooling
    "expression of concern": _Kind.OPINION,
}

_ALL_OBSERVATIONAL = frozenset(_OBSERVATIONAL - {_D.CASE_REPORT})


def _pt_kind(pt: PublicationType) -> _Kind | None:
    hit = _PT_CODES.get(pt.ui.strip())
    if hit is not None:
        return hit[1]
    return _PT_NAMES.get(pt.name.strip().casefold())


def _pt_basis(*pts: PublicationType) -> str:
    names = ", ".join(f'"{pt.name}" ({pt.ui})' if pt.ui else f'"{pt.name}"' for pt in pts)
    return f"publication type{'s' if len(pts) > 1 else ''} {names}"


# MeSH descriptors about the design of the paper itself (never the "as Topic" ones).
_MESH_DESIGN: dict[str, tuple[str, StudyDesign]] = {
    "D016022": ("Case-Control Studies", _D.CASE_CONTROL),
    "D003430": ("Cross-Sectional Studies", _D.CROSS_SECTIONAL),
}
_MESH_DIRECTION: dict[str, tuple[str, StudyDesign | None]] = {
    "D011446": ("Prospective Studies", _D.PROSPECTIVE_COHORT),
    "D012189": ("Retrospective Studies", _D.RETROSPECTIVE_COHORT),
    "D015331": ("Cohort Studies", None),  # a cohort; direction not said
    "D008137": ("Longitudinal Studies", None),
}


def _mesh_key(heading: MeshHeading, table: Mapping[str, tuple[str, object]]) -> str | None:
    """The UI code under which ``heading`` is in ``table`` (matched by code, else by exact
    name), or None. "as Topic" headings are about the subject, never the design."""
    name = heading.name.strip().casefold()
    if name.endswith("as topic"):
        return None
    ui = heading.ui.strip()
    if ui in table:
        return ui
    for code, (known, _) in table.items():
        if known.casefold() == name:
            return code
    return None


def _mesh_basis(headings: Iterable[MeshHeading]) -> str:
    parts = [f'"{h.name}" ({h.ui})' if h.ui else f'"{h.name}"' for h in headings]
    return "MeSH " + ", ".join(parts)


# --- text: design phrases -------------------------------------------------------------

_GAP = r"(?:[\s,]+[\w-]+){{0,{n}}}?[\s,]+"  # up to n words between two parts of a phrase


def _gap(n: int) -> str:
    return _GAP.format(n=n)


@dataclass(frozen=True, slots=True)
class _Pattern:
    design: StudyDesign | None  # None: a cohort whose direction the sentence decides
    regex: re.Pattern[str]
    family: str  # "review" phrases win only when nothing else is found
    weak: bool = False  # needs a self-reference or a DESIGN section
    generic: bool = False  # dropped when it overlaps a more specific phrase
    title_only: bool = False


def _p(
    design: StudyDesign | None,
    pattern: str,
    family: str = "study",
    *,
    weak: bool = False,
    generic: bool = False,
    title_only: bool = False,
) -> _Pattern:
    return _Pattern(design, re.compile(pattern, re.IGNORECASE), family, weak, generic, title_only)


_RANDOMISED = r"randomi[sz]ed"
_PATTERNS: tuple[_Pattern, ...] = (
    _p(
        _D.SYSTEMATIC_REVIEW,
        r"\bsystematic\s+review\s+(?:and|&|with)\s+(?:network\s+)?meta[\s-]?analysis\b",
    ),
    _p(_D.SYSTEMATIC_REVIEW, r"\bsystematic(?:\s+literature)?\s+review\b"),
    _p(_D.SYSTEMATIC_REVIEW, r"\b(?:network\s+)?meta[\s-]?analysis\b"),
    _p(_D.SYSTEMATIC_REVIEW, r"\bumbrella\s+review\b"),
    _p(_D.RANDOMISED_TRIAL, rf"\b{_RANDOMISED}{_gap(5)}(?:trial|study)\b"),
    _p(_D.RANDOMISED_TRIAL, r"\bRCT\b"),
    _p(
        _D.RANDOMISED_TRIAL,
        rf"\b(?:(?:were|was)\s+(?:then\s+|subsequently\s+|also\s+)?{_RANDOMISED}"
        rf"|randomly\s+(?:assigned|allocated|divided)|we\s+{_RANDOMISED})\b",
    ),
    _p(
        _D.NON_RANDOMISED_TRIAL,
        rf"\b(?:non|quasi)[\s-]?{_RANDOMISED}(?:{_gap(4)}(?:trial|study))?\b",
    ),
    _p(_D.NON_RANDOMISED_TRIAL, rf"\bsingle[\s-]arm{_gap(3)}(?:trial|study)\b"),
    _p(_D.NON_RANDOMISED_TRIAL, rf"\buncontrolled{_gap(2)}trial\b"),
    _p(_D.NON_RANDOMISED_TRIAL, rf"\bquasi[\s-]experimental{_gap(2)}(?:study|design|trial)\b"),
    _p(
        _D.PROSPECTIVE_COHORT,
        rf"\bprospective(?:ly)?{_gap(3)}cohort(?:[\s,]+(?:study|design|analysis))?\b",
    ),
    _p(_D.PROSPECTIVE_COHORT, rf"\bprospective{_gap(2)}(?:study|analysis)\b", generic=True),
    _p(
        _D.RETROSPECTIVE_COHORT,
        rf"\b(?:retrospective(?:ly)?|historical){_gap(3)}cohort"
        rf"(?:[\s,]+(?:study|design|analysis))?\b",
    ),
    _p(
        _D.RETROSPECTIVE_COHORT,
        rf"\bretrospective{_gap(3)}(?:review|study|analysis|audit)\b",
        generic=True,
    ),
    _p(_D.RETROSPECTIVE_COHORT, r"\bretrospective\s+review\b"),
    _p(
        _D.RETROSPECTIVE_COHORT,
        r"\bretrospectively\s+(?:reviewed|analy[sz]ed|identified|collected)\b",
        generic=True,
    ),
    _p(
        _D.RETROSPECTIVE_COHORT,
        r"\b(?:(?:chart|medical[\s-]+records?|case[\s-]+notes?)\s+review"
        r"|review\s+of\s+(?:the\s+)?(?:\w+\s+)?(?:records|charts|case\s+notes))\b",
        generic=True,
    ),
    _p(
        None,
        r"\b(?:longitudinal\s+|population-based\s+|observational\s+)?cohort\s+"
        r"(?:study|design|analysis)\b",
        generic=True,
    ),
    _p(_D.CASE_CONTROL, rf"\bcase[\s-]+control(?:led)?(?:{_gap(2)}(?:study|design|analysis))?\b"),
    _p(
        _D.CASE_CONTROL,
        r"\bcases\b[^.;:]{0,50}?\band\b[^.;:]{0,30}?\bcontrols\b",
        weak=True,
        generic=True,
    ),
    _p(
        _D.CROSS_SECTIONAL,
        rf"\bcross[\s-]?sectional(?:{_gap(3)}(?:study|survey|analysis|design))?\b",
    ),
    _p(_D.CROSS_SECTIONAL, r"\bsurvey\b", weak=True, generic=True),
    _p(_D.CASE_SERIES, r"\bcase[\s-]+series\b"),
    _p(_D.CASE_SERIES, r"\bseries\s+of\s+(?:\d+|\w+)\s+(?:consecutive\s+)?(?:patients|cases)\b"),
    _p(_D.CASE_REPORT, r"\bcase\s+report\b"),
    _p(
        _D.CASE_REPORT,
        r"\bwe\s+(?:report|describe|present)\s+(?:a|an|the|two|three)\s+(?:[\w-]+\s+){0,4}?"
        r"(?:case|patient|man|woman|boy|girl|infant|child|neonate)\b",
    ),
    _p(_D.NARRATIVE_REVIEW, r"\bnarrative\s+review\b", "review"),
    _p(
        _D.NARRATIVE_REVIEW,
        r"\b(?:literature|scoping|critical)\s+review\b"
        r"|\breview\s+of\s+(?:the\s+)?(?:current\s+|recent\s+)?literature\b",
        "review",
        generic=True,
    ),
    _p(
        _D.NARRATIVE_REVIEW,
        r"(?:^|:\s*)(?:an?\s+)?(?:[\w-]+\s+){0,2}?review\b",
        "review",
        generic=True,
        title_only=True,
    ),
    _p(
        _D.GUIDELINE,
        r"\b(?:clinical\s+)?(?:practice\s+)?guideline\b|\b(?:consensus|position)\s+statement\b",
        title_only=True,
    ),
)

# A sentence (or clause after a colon) ends at these; decimals such as "0.5" have no space.
_BOUNDARY = re.compile(r"[.;:!?](?=\s)|\n")
_PLURAL_NEXT = re.compile(r"[\s,-]+(?:studies|trials|analyses|reviews|surveys|reports)\b", re.I)
_NEGATED = re.compile(
    r"(?:\b(?:not|no|never|without)\b(?:[\s,]+[\w-]+){0,2}[\s,]*|\b(?:non|quasi)[\s-]*)$", re.I
)
_ELSEWHERE = re.compile(
    r"\b(?:unlike|previous(?:ly)?|prior|earlier|former|other|published|existing|recent(?:ly)?"
    r"|rather\s+than|instead\s+of|in\s+contrast\s+(?:to|with)|contrary\s+to|protocol"
    r"|data\s+from|secondary\s+analysis|post[\s-]?hoc|ancillary|within"
    r"|participants?\s+(?:of|in)|includ(?:ed|ing|e)|identify|eligible"
    r"|search(?:ed)?\s+for|meta[\s-]?analys[ie]s\s+of|reviews?\s+of)\b",
    re.I,
)
_SELF_BEFORE = re.compile(
    r"\b(?:this|the\s+present|the\s+current|our|we|here(?:in)?|(?:was|is|were)\s+an?)\b"
    r"(?:[\s,]+[\w-]+){0,5}[\s,]*$",
    re.I,
)
_OWN_WORDS = re.compile(r"\b(?:this|the\s+present|the\s+current|our|we)\b", re.I)
_SELF_AFTER = re.compile(
    r"^[\s,]*(?:was|were)\s+(?:\w+ly\s+)?(?:conducted|performed|undertaken|carried\s+out|done"
    r"|applied|administered|designed|used|made)\b",
    re.I,
)
_CITED_AFTER = re.compile(
    r"^[\s,(]*(?:by\s+[A-Z]|[A-Z][\w'-]+\s+et\s+al|et\s+al"
    r"|(?:has|have|had)\s+(?:been\s+)?(?:shown|reported|found|suggested|demonstrated|published)"
    r"|(?:showed|shown|found|reported|suggested|demonstrated|concluded|published)\b)"
)
_DESIGN_LABEL = re.compile(r"\bdesign\b", re.I)
_INLINE_DESIGN = re.compile(r"\b((?:study\s+)?design)\s*:\s*$", re.I)
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
_PROSPECTIVE_WORD = re.compile(r"\bprospective(?:ly)?\b", re.I)
_RETROSPECTIVE_WORD = re.compile(r"\b(?:retrospective(?:ly)?|historical)\b", re.I)


@dataclass(frozen=True, slots=True)
class _Mention:
    """A design phrase found in a title or abstract, and how surely it is about this paper."""

    design: StudyDesign
    phrase: str
    tier: int  # 3: DESIGN section; 2: self-reference or title; 1: bare mention
    position: int
    where: str  # "title", "abstract" or "abstract, DESIGN section"
    family: str
    note: str = ""  # how part of the design was read, or that it was assumed
    guessed: bool = False  # the cohort's direction was not stated

    def basis(self) -> str:
        return f'{self.where}: "{self.phrase}"{self.note}'


def _sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    for m in _BOUNDARY.finditer(text, 0, start):
        left = m.end()
    right_m = _BOUNDARY.search(text, end)
    return left, right_m.start() if right_m else len(text)


def _scan(
    text: str, *, where: str, offset: int, design_section: bool, title: bool
) -> list[_Mention]:
    """Every design phrase in ``text`` that may describe this paper, with its tier."""
    text = text.translate(_DASHES)
    found: list[tuple[_Pattern, re.Match[str]]] = []
    for pattern in _PATTERNS:
        if pattern.title_only and not title:
            continue
        found.extend((pattern, m) for m in pattern.regex.finditer(text))
    # A generic phrase ("retrospective study") gives way to a specific one it overlaps
    # ("retrospective case-control study"); a review phrase gives way to anything.
    kept: list[tuple[_Pattern, re.Match[str]]] = []
    for pattern, m in found:
        overlapped_by_stronger = any(
            other is not pattern
            and o.start() < m.end()
            and m.start() < o.end()
            and (
                (pattern.generic and not other.generic)
                or (pattern.family == "review" and other.family != "review")
            )
            for other, o in found
        )
        if not overlapped_by_stronger:
            kept.append((pattern, m))

    mentions: list[_Mention] = []
    for pattern, m in kept:
        left, right = _sentence_span(text, m.start(), m.end())
        before = text[left : m.start()]
        after = text[m.end() : right]
        if _PLURAL_NEXT.match(after) or _NEGATED.search(before):
            continue
        near = " ".join(before.split()[-8:])
        elsewhere = [e.start() for e in _ELSEWHERE.finditer(near)]
        own = [o.start() for o in _OWN_WORDS.finditer(near)]
        # "unlike previous trials, this randomised trial": the own word nearer the phrase wins
        if elsewhere and (not own or own[-1] < elsewhere[-1]):
            continue
        own_words = bool(own)
        if not own_words and _CITED_AFTER.match(after):
            continue
        phrase = " ".join(m.group(0).split()).strip(" :")
        self_ref = bool(_SELF_BEFORE.search(before)) or before.strip().casefold() in {
            "",
            "a",
            "an",
            "the",
        }
        cue_after = _SELF_AFTER.match(after)
        if cue_after:
            self_ref = True
            phrase = " ".join((m.group(0) + cue_after.group(0)).split())
        inline = _INLINE_DESIGN.search(text[max(0, left - 20) : left])
        here = f"{where}, {inline.group(1)}" if inline and not design_section else where
        if design_section or inline:
            tier = 3
        elif self_ref or title:
            tier = 2
        else:
            tier = 1
        if pattern.weak and tier < 2:
            continue
        design = pattern.design
        note = ""
        guessed = False
        if design is None:  # "cohort study": the sentence may say which way it looked
            sentence = text[left:right]
            pro = _PROSPECTIVE_WORD.search(sentence)
            retro = _RETROSPECTIVE_WORD.search(sentence)
            if pro and not retro:
                design = _D.PROSPECTIVE_COHORT
                note = f' (the sentence says "{pro.group(0)}")'
            elif retro and not pro:
                design = _D.RETROSPECTIVE_COHORT
                note = f' (the sentence says "{retro.group(0)}")'
            else:
                design = _D.RETROSPECTIVE_COHORT
                note = " (direction not stated; the weaker, retrospective, assumed)"
                guessed = True
        if design is _D.CROSS_SECTIONAL and "survey" in phrase.casefold():
            note = " (a one-off survey is cross-sectional)"
        position = offset + m.start()
        mentions.append(
            _Mention(design, phrase, tier, position, here, pattern.family, note, guessed)
        )
    return mentions


def _title_mentions(record: PubMedRecord) -> list[_Mention]:
    return _scan(record.title, where="title", offset=0, design_section=False, title=True)


def _abstract_mentions(record: PubMedRecord) -> list[_Mention]:
    mentions: list[_Mention] = []
    offset = 0
    for section in record.abstract:
        labelled_design = bool(section.label and _DESIGN_LABEL.search(section.label))
        where = f"abstract, {section.label}" if labelled_design else "abstract"
        mentions += _scan(
            section.text, where=where, offset=offset, design_section=labelled_design, title=False
        )
        offset += len(section.text) + 1
    return mentions


def _choose(
    mentions: Iterable[_Mention], allowed: frozenset[StudyDesign] | None = None
) -> _Mention | None:
    """The mention that best describes this paper: highest tier, then earliest; review
    phrases only when no other design is named."""
    pool = [m for m in mentions if allowed is None or m.design in allowed]
    studies = [m for m in pool if m.family != "review"]
    pool = studies or pool
    if not pool:
        return None
    return min(pool, key=lambda m: (-m.tier, m.position))


def _from_text(
    record: PubMedRecord, allowed: frozenset[StudyDesign] | None = None, *, min_tier: int = 1
) -> tuple[_Mention, DesignSource] | None:
    """Title first, then abstract: the first that names an allowed design."""
    for mentions, source in (
        (_title_mentions(record), DesignSource.TITLE),
        (_abstract_mentions(record), DesignSource.ABSTRACT),
    ):
        best = _choose((m for m in mentions if m.tier >= min_tier), allowed)
        if best is not None:
            return best, source
    return None


def _from_mesh(
    record: PubMedRecord, allowed: frozenset[StudyDesign] | None
) -> DesignAssessment | None:
    design_heads = [
        (h, _MESH_DESIGN[code][1])
        for h in record.mesh
        if (code := _mesh_key(h, _MESH_DESIGN)) is not None
    ]
    direction_heads = [
        (h, _MESH_DIRECTION[code][1])
        for h in record.mesh
        if (code := _mesh_key(h, _MESH_DIRECTION)) is not None
    ]
    if design_heads:
        candidates = frozenset(d for _, d in design_heads)
        if len(candidates) == 1:
            design = next(iter(candidates))
        else:  # both case-control and cross-sectional: let the text decide, else the weaker
            hit = _from_text(record, candidates, min_tier=2)
            design = hit[0].design if hit else min(candidates, key=design_rank)
        if allowed is not None and design not in allowed:
            return None
        used = [h for h, d in design_heads if d is design] + [h for h, _ in direction_heads]
        return DesignAssessment(design, DesignSource.MESH, _mesh_basis(used))
    if not direction_heads:
        return None
    heads = [h for h, _ in direction_heads]
    # Direction headings say "cohort-like"; a self-described case series is narrower.
    series = _from_text(record, frozenset({_D.CASE_SERIES}), min_tier=2)
    if series is not None and (allowed is None or _D.CASE_SERIES in allowed):
        mention, source = series
        return DesignAssessment(_D.CASE_SERIES, source, f"{mention.basis()}; {_mesh_basis(heads)}")
    directions = {d for _, d in direction_heads if d is not None}
    note = ""
    if len(directions) == 1:
        design = next(iter(directions))
    elif directions:  # both prospective and retrospective: the weaker
        design = _D.RETROSPECTIVE_COHORT
        note = " (both directions indexed; the weaker assumed)"
    else:  # "Cohort Studies" alone: the text may say which way it looked
        hit = _from_text(
            record, frozenset({_D.PROSPECTIVE_COHORT, _D.RETROSPECTIVE_COHORT}), min_tier=2
        )
        if hit is not None and not hit[0].guessed:
            design = hit[0].design
            note = f"; {hit[0].basis()}"
        else:
            design = _D.RETROSPECTIVE_COHORT
            note = " (direction not stated; the weaker, retrospective, assumed)"
    if allowed is not None and design not in allowed:
        return None
    return DesignAssessment(design, DesignSource.MESH, _mesh_basis(heads) + note)


def _refine(
    record: PubMedRecord, allowed: frozenset[StudyDesign], *, use_mesh: bool
) -> DesignAssessment | None:
    """MeSH, then title, then abstract, limited to the designs a publication type allows."""
    if use_mesh:
        found = _from_mesh(record, allowed)
        if found is not None:
            return found
    hit = _from_text(record, allowed)
    if hit is None:
        return None
    mention, source = hit
    return DesignAssessment(mention.design, source, mention.basis())


def _with_pt(found: DesignAssessment, basis: str) -> DesignAssessment:
    return DesignAssessment(found.design, found.source, f"{basis}; {found.basis}")


def _from_publication_types(record: PubMedRecord) -> DesignAssessment | None:
    matched = [(kind, pt) for pt in record.publication_types if (kind := _pt_kind(pt)) is not None]
    if not matched:
        return None
    kind = min(k for k, _ in matched)
    # Name every publication type of the deciding kind ("Systematic Review", "Meta-Analysis").
    basis = _pt_basis(*(pt for k, pt in matched if k is kind))
    source = DesignSource.PUBLICATION_TYPE
    if kind is _Kind.PROTOCOL:
        return DesignAssessment(_D.UNKNOWN, source, f"{basis}: a protocol reports no results")
    if kind is _Kind.SYNTHESIS:
        mentions = _title_mentions(record) + _abstract_mentions(record)
        narrative = [m for m in mentions if m.phrase.casefold().startswith("narrative")]
        systematic = [m for m in mentions if m.design is _D.SYSTEMATIC_REVIEW and m.tier >= 2]
        own = [m for m in narrative if m.tier >= 2]
        if own and not systematic:
            first = min(own, key=lambda m: m.position)
            where = DesignSource.TITLE if first.where == "title" else DesignSource.ABSTRACT
            return DesignAssessment(
                _D.NARRATIVE_REVIEW,
                where,
                f"{first.basis()}, the paper's own words; {basis} set aside",
            )
        return DesignAssessment(_D.SYSTEMATIC_REVIEW, source, basis)
    if kind is _Kind.RANDOMISED:
        return DesignAssessment(_D.RANDOMISED_TRIAL, source, basis)
    if kind is _Kind.TRIAL:
        found = _refine(record, frozenset({_D.RANDOMISED_TRIAL}), use_mesh=False)
        if found is not None:
            return _with_pt(found, basis)
        return DesignAssessment(
            _D.NON_RANDOMISED_TRIAL, source, f"{basis}; no randomisation stated"
        )
    if kind is _Kind.OBSERVATIONAL:
        found = _refine(record, _ALL_OBSERVATIONAL, use_mesh=True)
        if found is not None:
            return _with_pt(found, basis)
        return DesignAssessment(
            _D.UNKNOWN, source, f"{basis}: observational, but the kind is not stated"
        )
    if kind is _Kind.CASE_REPORT:
        found = _refine(record, frozenset({_D.CASE_SERIES}), use_mesh=False)
        if found is not None:
            return _with_pt(found, basis)
        return DesignAssessment(_D.CASE_REPORT, source, basis)
    if kind is _Kind.GUIDELINE:
        return DesignAssessment(_D.GUIDELINE, source, basis)
    if kind is _Kind.REVIEW:
        found = _refine(record, frozenset({_D.SYSTEMATIC_REVIEW}), use_mesh=False)
        if found is not None:
            return _with_pt(found, basis)
        return DesignAssessment(_D.NARRATIVE_REVIEW, source, basis)
    return DesignAssessment(_D.EDITORIAL, source, f"{basis}: not a study")


_DESIGN_ALIASES: dict[str, StudyDesign] = {
    "rct": _D.RANDOMISED_TRIAL,
    "randomized-trial": _D.RANDOMISED_TRIAL,
    "randomised-controlled-trial": _D.RANDOMISED_TRIAL,
    "randomized-controlled-trial": _D.RANDOMISED_TRIAL,
    "non-randomized-trial": _D.NON_RANDOMISED_TRIAL,
    "meta-analysis": _D.SYSTEMATIC_REVIEW,
    "systematic-review-and-meta-analysis": _D.SYSTEMATIC_REVIEW,
    "editorial": _D.EDITORIAL,
    "opinion": _D.EDITORIAL,
}


def _user_design(text: str, where: str) -> StudyDesign:
    wanted = text.strip().lower().replace("_", "-").replace(" ", "-")
    if wanted in _DESIGN_ALIASES:
        return _DESIGN_ALIASES[wanted]
    try:
        return StudyDesign(StudyDesign.parse(text).value)
    except ValueError:
        accepted = ", ".join(d.value for d in StudyDesign)
        raise ValueError(
            f"{where}: unknown study design {text!r}; use one of: {accepted}"
        ) from None


def assess_design(
    record: PubMedRecord | None,
    *,
    reference: Reference | None = None,
    citation: Citation | None = None,
) -> DesignAssessment:
    """The design of one study, from the reviewer's word or from its PubMed record.

    The order of sources and every rule are in the module docstring. Raises
    ``ValueError`` (``where: unknown study design ...``) when the citation or the .bib entry
    sets a design that is not in :class:`~evidence.model.StudyDesign`.

    >>> from evidence.model import PublicationType, PubMedRecord
    >>> rct = PubMedRecord("1", "Aspirin", publication_types=(
    ...     PublicationType("D016449", "Randomized Controlled Trial"),))
    >>> assess_design(rct).basis
    'publication type "Randomized Controlled Trial" (D016449)'
    """
    if citation is not None and citation.design and citation.design.strip():
        where = str(citation.location) if citation.location else f"citation of {citation.key!r}"
        design = _user_design(citation.design, where)
        return DesignAssessment(
            design, DesignSource.USER, f'set on the citation: "{citation.design.strip()}"'
        )
    if reference is not None and reference.design and reference.design.strip():
        where = str(reference.location) if reference.location else f"reference {reference.key!r}"
        design = _user_design(reference.design, where)
        return DesignAssessment(
            design,
            DesignSource.USER,
            f'design field of the .bib entry: "{reference.design.strip()}"',
        )
    if record is None:
        return DesignAssessment(_D.UNKNOWN, DesignSource.NONE, "no PubMed record")
    found = _from_publication_types(record)
    if found is None:
        found = _from_mesh(record, None)
    if found is None:
        hit = _from_text(record)
        if hit is not None:
            found = DesignAssessment(hit[0].design, hit[1], hit[0].basis())
    if found is None:
        found = DesignAssessment(
            _D.UNKNOWN,
            DesignSource.NONE,
            "no design in the publication types, MeSH, title or abstract",
        )
    return found


# --- retraction -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetractionAssessment:
    """A record's retraction standing, the links that say so, and a sentence for people.

    ``notices`` are the ``CommentsCorrections`` links behind the status and the lesser
    signals, most severe first. ``checked`` is False when there was no record to read, so
    ``status`` NONE then means "not known", never "clean".
    """

    status: RetractionStatus
    notices: tuple[CommentCorrection, ...] = ()
    detail: str = ""
    checked: bool = True

    @property
    def notice_pmids(self) -> tuple[str, ...]:
        """PMIDs of the linked notices (retraction, concern, erratum), in order."""
        return tuple(n.pmid for n in self.notices if n.pmid)

    @property
    def is_retracted(self) -> bool:
        return self.status is RetractionStatus.RETRACTED


_RETRACTED_PT = ("D016441", "retracted publication")
_NOTICE_PT = ("D016440", "retraction of publication")
# RefType -> (status, words for people); the tuple order is the order of severity.
_LINKS: dict[str, tuple[RetractionStatus, str]] = {
    "RetractionIn": (RetractionStatus.RETRACTED, "retraction notice"),
    "RetractedandRepublishedIn": (RetractionStatus.RETRACTED, "retracted and republished as"),
    "RetractionOf": (RetractionStatus.RETRACTION_NOTICE, "notice retracting"),
    "ExpressionOfConcernIn": (RetractionStatus.EXPRESSION_OF_CONCERN, "expression of concern"),
    "ErratumIn": (RetractionStatus.CORRECTED, "erratum"),
    "CorrectedandRepublishedIn": (RetractionStatus.CORRECTED, "corrected and republished as"),
}
_SEVERITY = (
    RetractionStatus.RETRACTED,
    RetractionStatus.RETRACTION_NOTICE,
    RetractionStatus.EXPRESSION_OF_CONCERN,
    RetractionStatus.CORRECTED,
)


def _has_pt(record: PubMedRecord, code: tuple[str, str]) -> PublicationType | None:
    for pt in record.publication_types:
        if pt.ui.strip() == code[0] or pt.name.strip().casefold() == code[1]:
            return pt
    return None


def _describe_link(link: CommentCorrection, words: str) -> str:
    what = f"PMID {link.pmid}" if link.pmid else "no PMID"
    return f"{words} {what}" + (f" ({link.source})" if link.source else "")


def assess_retraction(record: PubMedRecord | None) -> RetractionAssessment:
    """Whether a record is retracted, is itself a retraction notice, carries an expression
    of concern, or was corrected, from publication types and CommentsCorrections only.

    >>> from evidence.model import CommentCorrection, PubMedRecord
    >>> r = PubMedRecord("1", "A study", comments_corrections=(
    ...     CommentCorrection("RetractionIn", "J. 2019;1:2", "99"),))
    >>> assess_retraction(r).status, assess_retraction(r).notice_pmids
    (<RetractionStatus.RETRACTED: 'retracted'>, ('99',))
    """
    if record is None:
        return RetractionAssessment(
            RetractionStatus.NONE, (), "not checked: no PubMed record", checked=False
        )
    found: dict[RetractionStatus, list[str]] = {s: [] for s in _SEVERITY}
    links: list[tuple[int, CommentCorrection]] = []
    retracted_pt = _has_pt(record, _RETRACTED_PT)
    if retracted_pt is not None:
        found[RetractionStatus.RETRACTED].append(_pt_basis(retracted_pt))
    notice_pt = _has_pt(record, _NOTICE_PT)
    if notice_pt is not None:
        found[RetractionStatus.RETRACTION_NOTICE].append(_pt_basis(notice_pt))
    for link in record.comments_corrections:
        hit = _LINKS.get(link.ref_type.strip())
        if hit is None:
            continue
        status, words = hit
        found[status].append(_describe_link(link, words))
        links.append((_SEVERITY.index(status), link))
    present = [s for s in _SEVERITY if found[s]]
    if not present:
        return RetractionAssessment(RetractionStatus.NONE, (), "no retraction, concern or erratum")
    status = present[0]
    if status is RetractionStatus.RETRACTED and any(
        link.ref_type.strip() == "RetractedandRepublishedIn" for _, link in links
    ):
        head = "retracted and republished"
    else:
        head = status.label
    parts = [f"{head}: " + "; ".join(found[status])]
    parts += [f"also {s.label}: " + "; ".join(found[s]) for s in present[1:]]
    notices = tuple(link for _, link in sorted(links, key=lambda item: item[0]))
    return RetractionAssessment(status, notices, ". ".join(parts))


# --- numbers --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proportion:
    """``events`` of ``n``, the raw proportion and its confidence interval."""

    events: int
    n: int
    estimate: float
    low: float
    high: float
    confidence: float = 0.95

    def __str__(self) -> str:
        pct = round(100 * self.confidence)
        return (
            f"{self.events}/{self.n} = {self.estimate:.0%} "
            f"({pct}% CI {self.low:.0%} to {self.high:.0%})"
        )


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), not {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def _count(value: object, what: str) -> int:
    if isinstance(value, SupportsIndex):  # int, numpy integers; not float or str
        return operator.index(value)
    raise ValueError(f"{what} must be a whole number, not {value!r}")


def _check_counts(events: object, n: object) -> tuple[int, int, str]:
    """Coerced counts and, if they are unusable, why (empty string when fine)."""
    try:
        e, size = _count(events, "events"), _count(n, "n")
    except ValueError as exc:
        return 0, 0, str(exc)
    if size <= 0:
        return e, size, f"n must be at least 1, not {size}"
    if not 0 <= e <= size:
        return e, size, f"events must be between 0 and n ({size}), not {e}"
    return e, size, ""


def wilson_interval(events: int, n: int, confidence: float = 0.95) -> Proportion:
    """The Wilson score interval for ``events`` out of ``n``.

    Exact closed form (Wilson 1927), the same as statsmodels'
    ``proportion_confint(method="wilson")``; 0 events give a lower bound of exactly 0 and
    ``n`` events an upper bound of exactly 1. ``n`` = 0 raises ``ValueError``.

    >>> p = wilson_interval(11, 34)
    >>> round(p.estimate, 3), round(p.low, 3), round(p.high, 3)
    (0.324, 0.191, 0.492)
    """
    e, size, problem = _check_counts(events, n)
    if problem:
        raise ValueError(problem)
    z = _z(confidence)
    p = e / size
    z2n = z * z / size
    denom = 1.0 + z2n
    centre = (p + z2n / 2.0) / denom
    half = z * math.sqrt(p * (1.0 - p) / size + z2n / (4.0 * size)) / denom
    low = 0.0 if e == 0 else max(0.0, centre - half)
    high = 1.0 if e == size else min(1.0, centre + half)
    return Proportion(e, size, p, low, high, confidence)


@dataclass(frozen=True, slots=True)
class PooledEstimate:
    """A random-effects pooled proportion.

    ``estimate``, ``low`` and ``high`` are on the proportion scale; ``logit`` and ``se``
    on the logit scale they were computed on. ``tau2`` is the between-study variance
    (DerSimonian-Laird, truncated at 0), ``q`` Cochran's Q with ``k - 1`` degrees of
    freedom, and ``i2`` the share of variation due to heterogeneity **as a fraction**
    between 0 and 1 (multiply by 100 for the usual percent). ``corrected`` holds the
    indices of studies that needed the 0.5 continuity correction.
    """

    estimate: float
    low: float
    high: float
    logit: float
    se: float
    tau2: float
    i2: float
    q: float
    k: int
    method: str
    confidence: float = 0.95
    corrected: tuple[int, ...] = ()

    @property
    def i2_percent(self) -> float:
        return 100.0 * self.i2


def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    ex = math.exp(x)
    return ex / (1.0 + ex)


def _logit_effect(events: int, n: int) -> tuple[float, float, bool]:
    """Logit of the proportion and its variance 1/(np) + 1/(n(1-p)); studies with 0 or n
    events get 0.5 added to events and non-events (else the logit is infinite)."""
    corrected = events in (0, n)
    a = events + 0.5 if corrected else float(events)
    b = n - events + 0.5 if corrected else float(n - events)
    return math.log(a / b), 1.0 / a + 1.0 / b, corrected


def pool_proportions(items: Sequence[tuple[int, int]], confidence: float = 0.95) -> PooledEstimate:
    """Pool ``(events, n)`` pairs by a random-effects model on the logit scale.

    Each study contributes logit(p) with variance 1/(np) + 1/(n(1-p)); a study with 0 or n
    events gets a continuity correction of 0.5 on both cells (its index is in
    ``corrected``). Tau² is the DerSimonian-Laird moment estimate, truncated at 0; the
    pooled logit is the inverse-variance mean with weights 1/(v + tau²) and a normal
    interval, transformed back to a proportion.

    One study is returned as itself: its raw proportion and Wilson interval, ``method``
    saying nothing was pooled. No studies, or any unusable pair, raise ``ValueError``
    listing every bad pair.

    >>> pooled = pool_proportions([(21, 52), (11, 34)])
    >>> round(pooled.estimate, 3), pooled.tau2, pooled.k
    (0.373, 0.0, 2)
    """
    _z(confidence)  # reject a bad level before anything else
    if len(items) == 0:
        raise ValueError("no studies to pool: give at least one (events, n) pair")
    problems: list[str] = []
    counts: list[tuple[int, int]] = []
    for index, item in enumerate(items):
        try:
            events, n = item
        except (TypeError, ValueError):
            problems.append(f"study {index}: expected an (events, n) pair, not {item!r}")
            continue
        e, size, problem = _check_counts(events, n)
        if problem:
            problems.append(f"study {index}: {problem}")
        counts.append((e, size))
    if problems:
        raise ValueError("cannot pool proportions:\n" + "\n".join(problems))
    effects = [_logit_effect(e, size) for e, size in counts]
    corrected = tuple(i for i, (_, _, c) in enumerate(effects) if c)
    z = _z(confidence)
    if len(counts) == 1:
        (y, v, _), (e, size) = effects[0], counts[0]
        single = wilson_interval(e, size, confidence)
        return PooledEstimate(
            estimate=single.estimate,
            low=single.low,
            high=single.high,
            logit=y,
            se=math.sqrt(v),
            tau2=0.0,
            i2=0.0,
            q=0.0,
            k=1,
            method="single study: its own proportion and Wilson interval, nothing pooled",
            confidence=confidence,
            corrected=corrected,
        )
    ys = [y for y, _, _ in effects]
    ws = [1.0 / v for _, v, _ in effects]
    w_sum = math.fsum(ws)
    fixed = math.fsum(w * y for w, y in zip(ws, ys, strict=True)) / w_sum
    q = math.fsum(w * (y - fixed) ** 2 for w, y in zip(ws, ys, strict=True))
    df = len(ys) - 1
    c = w_sum - math.fsum(w * w for w in ws) / w_sum
    tau2 = max(0.0, (q - df) / c)
    i2 = max(0.0, (q - df) / q) if q > 0 else 0.0
    ws_re = [1.0 / (v + tau2) for _, v, _ in effects]
    w_re_sum = math.fsum(ws_re)
    pooled = math.fsum(w * y for w, y in zip(ws_re, ys, strict=True)) / w_re_sum
    se = math.sqrt(1.0 / w_re_sum)
    return PooledEstimate(
        estimate=_expit(pooled),
        low=_expit(pooled - z * se),
        high=_expit(pooled + z * se),
        logit=pooled,
        se=se,
        tau2=tau2,
        i2=i2,
        q=q,
        k=len(ys),
        method="random effects (DerSimonian-Laird) on the logit scale",
        confidence=confidence,
        corrected=corrected,
    )
