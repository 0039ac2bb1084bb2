"""Study design: a pure function of a PubMed record, the .bib entry and the citation.

Nothing here reads a file or a network; :func:`assess_design` returns a frozen answer that
says *why* (``basis``), so an evidence table can show it. The phrases of a title or abstract
are read by :mod:`evidence.assess.design_text`; retraction status lives in
:mod:`evidence.assess.retraction`, intervals and pooling in :mod:`evidence.assess.statistics`.

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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from evidence.assess.design_text import (
    abstract_mentions,
    design_from_text,
    title_mentions,
)
from evidence.model import (
    Citation,
    DesignSource,
    MeshHeading,
    PublicationType,
    PubMedRecord,
    Reference,
    StudyDesign,
)

__all__ = [
    "DesignAssessment",
    "assess_design",
    "design_rank",
    "is_observational",
    "is_randomised",
    "publication_type_basis",
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


def publication_type_basis(*pts: PublicationType) -> str:
    """Publication types as a basis names them: ``publication type "Review" (D016454)``."""
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
            hit = design_from_text(record, candidates, min_tier=2)
            design = hit[0].design if hit else min(candidates, key=design_rank)
        if allowed is not None and design not in allowed:
            return None
        used = [h for h, d in design_heads if d is design] + [h for h, _ in direction_heads]
        return DesignAssessment(design, DesignSource.MESH, _mesh_basis(used))
    if not direction_heads:
        return None
    heads = [h for h, _ in direction_heads]
    # Direction headings say "cohort-like"; a self-described case series is narrower.
    series = design_from_text(record, frozenset({_D.CASE_SERIES}), min_tier=2)
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
        hit = design_from_text(
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
    hit = design_from_text(record, allowed)
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
    basis = publication_type_basis(*(pt for k, pt in matched if k is kind))
    source = DesignSource.PUBLICATION_TYPE
    if kind is _Kind.PROTOCOL:
        return DesignAssessment(_D.UNKNOWN, source, f"{basis}: a protocol reports no results")
    if kind is _Kind.SYNTHESIS:
        mentions = title_mentions(record) + abstract_mentions(record)
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
        return StudyDesign.from_text(text)
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
        hit = design_from_text(record)
        if hit is not None:
            found = DesignAssessment(hit[0].design, hit[1], hit[0].basis())
    if found is None:
        found = DesignAssessment(
            _D.UNKNOWN,
            DesignSource.NONE,
            "no design in the publication types, MeSH, title or abstract",
        )
    return found
