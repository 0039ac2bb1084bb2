"""Design phrases in a title or abstract, and whether they describe *this* paper.

The text rules of :func:`evidence.assess.design.assess_design` (its sources 4 and 5, and the
refinements of a publication type or MeSH heading): each phrase is found by a pattern, then
kept only if its sentence does not point at other studies (plurals, negations, "unlike
previous", a citation after it), and ranked by how surely it is about this paper (a DESIGN
section, a self-reference, a bare mention). Pure functions of a record, standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from evidence.model import DesignSource, PubMedRecord, StudyDesign

__all__ = ["DesignMention", "abstract_mentions", "design_from_text", "title_mentions"]

_D = StudyDesign

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
    # Words the phrase cannot match without (lower case): a text holding none of them is
    # not searched at all. Most abstracts name one or two designs, so this skips most of
    # the 31 searches per text (warm builds spent most of their time in them).
    needles: tuple[str, ...] = ()


def _p(
    design: StudyDesign | None,
    pattern: str,
    family: str = "study",
    *,
    weak: bool = False,
    generic: bool = False,
    title_only: bool = False,
    needs: str | tuple[str, ...],
) -> _Pattern:
    needles = (needs,) if isinstance(needs, str) else needs
    return _Pattern(
        design, re.compile(pattern, re.IGNORECASE), family, weak, generic, title_only, needles
    )


_RANDOMISED = r"randomi[sz]ed"
_PATTERNS: tuple[_Pattern, ...] = (
    _p(
        _D.SYSTEMATIC_REVIEW,
        r"\bsystematic\s+review\s+(?:and|&|with)\s+(?:network\s+)?meta[\s-]?analysis\b",
        needs="systematic",
    ),
    _p(_D.SYSTEMATIC_REVIEW, r"\bsystematic(?:\s+literature)?\s+review\b", needs="systematic"),
    _p(_D.SYSTEMATIC_REVIEW, r"\b(?:network\s+)?meta[\s-]?analysis\b", needs="meta"),
    _p(_D.SYSTEMATIC_REVIEW, r"\bumbrella\s+review\b", needs="umbrella"),
    _p(_D.RANDOMISED_TRIAL, rf"\b{_RANDOMISED}{_gap(5)}(?:trial|study)\b", needs="randomi"),
    _p(_D.RANDOMISED_TRIAL, r"\bRCT\b", needs="rct"),
    _p(
        _D.RANDOMISED_TRIAL,
        rf"\b(?:(?:were|was)\s+(?:then\s+|subsequently\s+|also\s+)?{_RANDOMISED}"
        rf"|randomly\s+(?:assigned|allocated|divided)|we\s+{_RANDOMISED})\b",
        needs="random",
    ),
    _p(
        _D.NON_RANDOMISED_TRIAL,
        rf"\b(?:non|quasi)[\s-]?{_RANDOMISED}(?:{_gap(4)}(?:trial|study))?\b",
        needs="randomi",
    ),
    _p(_D.NON_RANDOMISED_TRIAL, rf"\bsingle[\s-]arm{_gap(3)}(?:trial|study)\b", needs="single"),
    _p(_D.NON_RANDOMISED_TRIAL, rf"\buncontrolled{_gap(2)}trial\b", needs="uncontrolled"),
    _p(
        _D.NON_RANDOMISED_TRIAL,
        rf"\bquasi[\s-]experimental{_gap(2)}(?:study|design|trial)\b",
        needs="experimental",
    ),
    _p(
        _D.PROSPECTIVE_COHORT,
        rf"\bprospective(?:ly)?{_gap(3)}cohort(?:[\s,]+(?:study|design|analysis))?\b",
        needs="cohort",
    ),
    _p(
        _D.PROSPECTIVE_COHORT,
        rf"\bprospective{_gap(2)}(?:study|analysis)\b",
        generic=True,
        needs="prospective",
    ),
    _p(
        _D.RETROSPECTIVE_COHORT,
        rf"\b(?:retrospective(?:ly)?|historical){_gap(3)}cohort"
        rf"(?:[\s,]+(?:study|design|analysis))?\b",
        needs="cohort",
    ),
    _p(
        _D.RETROSPECTIVE_COHORT,
        rf"\bretrospective{_gap(3)}(?:review|study|analysis|audit)\b",
        generic=True,
        needs="retrospective",
    ),
    _p(_D.RETROSPECTIVE_COHORT, r"\bretrospective\s+review\b", needs="retrospective"),
    _p(
        _D.RETROSPECTIVE_COHORT,
        r"\bretrospectively\s+(?:reviewed|analy[sz]ed|identified|collected)\b",
        generic=True,
        needs="retrospectively",
    ),
    _p(
        _D.RETROSPECTIVE_COHORT,
        r"\b(?:(?:chart|medical[\s-]+records?|case[\s-]+notes?)\s+review"
        r"|review\s+of\s+(?:the\s+)?(?:\w+\s+)?(?:records|charts|case\s+notes))\b",
        generic=True,
        needs="review",
    ),
    _p(
        None,
        r"\b(?:longitudinal\s+|population-based\s+|observational\s+)?cohort\s+"
        r"(?:study|design|analysis)\b",
        generic=True,
        needs="cohort",
    ),
    _p(
        _D.CASE_CONTROL,
        rf"\bcase[\s-]+control(?:led)?(?:{_gap(2)}(?:study|design|analysis))?\b",
        needs="control",
    ),
    _p(
        _D.CASE_CONTROL,
        r"\bcases\b[^.;:]{0,50}?\band\b[^.;:]{0,30}?\bcontrols\b",
        weak=True,
        generic=True,
        needs="controls",
    ),
    _p(
        _D.CROSS_SECTIONAL,
        rf"\bcross[\s-]?sectional(?:{_gap(3)}(?:study|survey|analysis|design))?\b",
        needs="sectional",
    ),
    _p(_D.CROSS_SECTIONAL, r"\bsurvey\b", weak=True, generic=True, needs="survey"),
    _p(_D.CASE_SERIES, r"\bcase[\s-]+series\b", needs="series"),
    _p(
        _D.CASE_SERIES,
        r"\bseries\s+of\s+(?:\d+|\w+)\s+(?:consecutive\s+)?(?:patients|cases)\b",
        needs="series",
    ),
    _p(_D.CASE_REPORT, r"\bcase\s+report\b", needs="report"),
    _p(
        _D.CASE_REPORT,
        r"\bwe\s+(?:report|describe|present)\s+(?:a|an|the|two|three)\s+(?:[\w-]+\s+){0,4}?"
        r"(?:case|patient|man|woman|boy|girl|infant|child|neonate)\b",
        needs="we",
    ),
    _p(_D.NARRATIVE_REVIEW, r"\bnarrative\s+review\b", "review", needs="narrative"),
    _p(
        _D.NARRATIVE_REVIEW,
        r"\b(?:literature|scoping|critical)\s+review\b"
        r"|\breview\s+of\s+(?:the\s+)?(?:current\s+|recent\s+)?literature\b",
        "review",
        generic=True,
        needs="review",
    ),
    _p(
        _D.NARRATIVE_REVIEW,
        r"(?:^|:\s*)(?:an?\s+)?(?:[\w-]+\s+){0,2}?review\b",
        "review",
        generic=True,
        title_only=True,
        needs="review",
    ),
    _p(
        _D.GUIDELINE,
        r"\b(?:clinical\s+)?(?:practice\s+)?guideline\b|\b(?:consensus|position)\s+statement\b",
        title_only=True,
        needs=("guideline", "statement"),
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
# re.IGNORECASE also matches these to ASCII letters (dotted and dotless i, long s, Kelvin).
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_PROSPECTIVE_WORD = re.compile(r"\bprospective(?:ly)?\b", re.I)
_RETROSPECTIVE_WORD = re.compile(r"\b(?:retrospective(?:ly)?|historical)\b", re.I)


@dataclass(frozen=True, slots=True)
class DesignMention:
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
        """Where the phrase was found and the phrase: ``abstract: "cohort study"``."""
        return f'{self.where}: "{self.phrase}"{self.note}'


def _sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    left = 0
    for m in _BOUNDARY.finditer(text, 0, start):
        left = m.end()
    right_m = _BOUNDARY.search(text, end)
    return left, right_m.start() if right_m else len(text)


def _scan(
    text: str, *, where: str, offset: int, design_section: bool, title: bool
) -> list[DesignMention]:
    """Every design phrase in ``text`` that may describe this paper, with its tier."""
    text = text.translate(_DASHES)
    # The letters the case-insensitive patterns treat as ASCII ones, folded to them, so a
    # needle is present whenever its pattern could match (see _Pattern.needles).
    folded = text.translate(_FOLD).lower()
    found: list[tuple[_Pattern, re.Match[str]]] = []
    for pattern in _PATTERNS:
        if pattern.title_only and not title:
            continue
        if not any(needle in folded for needle in pattern.needles):
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

    mentions: list[DesignMention] = []
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
            DesignMention(design, phrase, tier, position, here, pattern.family, note, guessed)
        )
    return mentions


def title_mentions(record: PubMedRecord) -> list[DesignMention]:
    """Every design phrase in the record's title that may describe the paper."""
    return _scan(record.title, where="title", offset=0, design_section=False, title=True)


def abstract_mentions(record: PubMedRecord) -> list[DesignMention]:
    """Every design phrase in the record's abstract that may describe the paper; a phrase
    in a section labelled DESIGN ranks highest."""
    mentions: list[DesignMention] = []
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
    mentions: Iterable[DesignMention], allowed: frozenset[StudyDesign] | None = None
) -> DesignMention | None:
    """The mention that best describes this paper: highest tier, then earliest; review
    phrases only when no other design is named."""
    pool = [m for m in mentions if allowed is None or m.design in allowed]
    studies = [m for m in pool if m.family != "review"]
    pool = studies or pool
    if not pool:
        return None
    return min(pool, key=lambda m: (-m.tier, m.position))


def design_from_text(
    record: PubMedRecord, allowed: frozenset[StudyDesign] | None = None, *, min_tier: int = 1
) -> tuple[DesignMention, DesignSource] | None:
    """Title first, then abstract: the first that names an allowed design."""
    for mentions, source in (
        (title_mentions(record), DesignSource.TITLE),
        (abstract_mentions(record), DesignSource.ABSTRACT),
    ):
        best = _choose((m for m in mentions if m.tier >= min_tier), allowed)
        if best is not None:
            return best, source
    return None
