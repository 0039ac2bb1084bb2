"""Tests for evidence.assess.design: study design, retraction status, Wilson intervals, pooling.

Design expectations for the real PubMed fixtures were decided by reading each record
(publication types, MeSH, title, abstract); the reasons are in ``FIXTURE_DESIGNS``. The seed
studies (Liliang 2011, Katz 2003) are not fixtures, so their records are built here with
abstracts written in our own words around the design phrases their papers use.
Statistics are checked against statsmodels, which is a test-only dependency.
"""

from __future__ import annotations

import ast
import math

import numpy as np
import pytest
from conftest import ROOT, shared_path
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.proportion import proportion_confint

from evidence.assess.design import (
    DesignAssessment,
    assess_design,
    design_rank,
    is_observational,
    is_randomised,
)
from evidence.assess.retraction import assess_retraction
from evidence.assess.statistics import PooledEstimate, pool_proportions, wilson_interval
from evidence.errors import SourceLocation
from evidence.model import (
    AbstractSection,
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
from evidence.pubmed import parse_efetch

D = StudyDesign
S = DesignSource

JOURNAL_ARTICLE = PublicationType("D016428", "Journal Article")
RCT = PublicationType("D016449", "Randomized Controlled Trial")
CLINICAL_TRIAL = PublicationType("D016430", "Clinical Trial")
OBSERVATIONAL = PublicationType("D064888", "Observational Study")
REVIEW = PublicationType("D016454", "Review")
META_ANALYSIS = PublicationType("D017418", "Meta-Analysis")
SYSTEMATIC_REVIEW = PublicationType("D000078182", "Systematic Review")
CASE_REPORTS = PublicationType("D002363", "Case Reports")
LETTER = PublicationType("D016422", "Letter")
EDITORIAL = PublicationType("D016421", "Editorial")
PRACTICE_GUIDELINE = PublicationType("D017065", "Practice Guideline")
RETRACTED = PublicationType("D016441", "Retracted Publication")
RETRACTION_OF = PublicationType("D016440", "Retraction of Publication")

RCTS_AS_TOPIC = MeshHeading("D016032", "Randomized Controlled Trials as Topic")
PROSPECTIVE = MeshHeading("D011446", "Prospective Studies")
RETROSPECTIVE = MeshHeading("D012189", "Retrospective Studies")
COHORT = MeshHeading("D015331", "Cohort Studies")
CASE_CONTROL = MeshHeading("D016022", "Case-Control Studies")
CROSS_SECTIONAL = MeshHeading("D003430", "Cross-Sectional Studies")
FOLLOW_UP = MeshHeading("D005500", "Follow-Up Studies")


def record(
    abstract: str | tuple[AbstractSection, ...] = "",
    *,
    title: str = "Pain after spinal fusion",
    pts: tuple[PublicationType, ...] = (JOURNAL_ARTICLE,),
    mesh: tuple[MeshHeading, ...] = (),
    links: tuple[CommentCorrection, ...] = (),
) -> PubMedRecord:
    sections: tuple[AbstractSection, ...] = ()
    if isinstance(abstract, tuple):
        sections = abstract
    elif abstract:
        sections = (AbstractSection(abstract),)
    return PubMedRecord(
        "1",
        title,
        abstract=sections,
        publication_types=pts,
        mesh=mesh,
        comments_corrections=links,
    )


# --- the seed studies -----------------------------------------------------------------


def liliang_2011() -> PubMedRecord:
    """PMID 21463470 as a hand-built record: only "Journal Article", so the abstract decides."""
    return PubMedRecord(
        "21463470",
        "Sacroiliac joint pain after lumbar and lumbosacral fusion: findings using dual "
        "sacroiliac joint blocks.",
        abstract=(
            AbstractSection(
                "To learn how often the sacroiliac joint is the source of low back pain "
                "after lumbar or lumbosacral fusion.",
                "OBJECTIVE",
            ),
            AbstractSection(
                "This prospective cohort study followed patients with new or persisting back "
                "pain after fusion. Those with at least three positive provocation tests had "
                "two diagnostic blocks of the joint; earlier retrospective studies had relied "
                "on a single block.",
                "METHODS",
            ),
            AbstractSection(
                "Twenty-one of the 52 patients who had the blocks responded to both.",
                "RESULTS",
            ),
        ),
        publication_types=(JOURNAL_ARTICLE,),
    )


def katz_2003() -> PubMedRecord:
    """PMID 12571491 as a hand-built record, abstract in our own words."""
    return PubMedRecord(
        "12571491",
        "The sacroiliac joint: a potential cause of pain after lumbar fusion to the sacrum.",
        abstract=(
            AbstractSection(
                "We performed a retrospective review of 34 patients whose low back pain "
                "continued after fusion to the sacrum and who were given an anaesthetic "
                "injection into the sacroiliac joint. Relief of more than 75% counted as a "
                "positive block. The joint was judged the source of pain in 11 patients "
                "(32%) and a possible source in a further 10."
            ),
        ),
        publication_types=(JOURNAL_ARTICLE,),
    )


def test_liliang_is_a_prospective_cohort_read_from_the_abstract() -> None:
    found = assess_design(liliang_2011())
    assert found == DesignAssessment(
        D.PROSPECTIVE_COHORT, S.ABSTRACT, 'abstract: "prospective cohort study"'
    )


def test_katz_retrospective_review_is_a_retrospective_cohort_naming_the_phrase() -> None:
    found = assess_design(katz_2003())
    assert found.design is D.RETROSPECTIVE_COHORT
    assert found.source is S.ABSTRACT
    assert '"retrospective review"' in found.basis


def test_seed_numbers_katz_11_of_34_is_32_percent() -> None:
    katz = wilson_interval(11, 34)
    assert round(100 * katz.estimate) == 32
    assert str(katz).startswith("11/34 = 32% (95% CI ")


# --- design: one rule at a time -------------------------------------------------------

RULES = [
    # (why, record, design, source, words the basis must contain)
    (
        "RCT publication type",
        record(pts=(JOURNAL_ARTICLE, RCT)),
        D.RANDOMISED_TRIAL,
        S.PUBLICATION_TYPE,
        '"Randomized Controlled Trial" (D016449)',
    ),
    (
        "systematic review PT",
        record(pts=(SYSTEMATIC_REVIEW, REVIEW)),
        D.SYSTEMATIC_REVIEW,
        S.PUBLICATION_TYPE,
        "D000078182",
    ),
    (
        "meta-analysis PT beats review PT",
        record(pts=(REVIEW, META_ANALYSIS)),
        D.SYSTEMATIC_REVIEW,
        S.PUBLICATION_TYPE,
        "D017418",
    ),
    (
        "RCT PT beats review and letter",
        record(pts=(LETTER, REVIEW, RCT)),
        D.RANDOMISED_TRIAL,
        S.PUBLICATION_TYPE,
        "D016449",
    ),
    (
        "practice guideline PT",
        record(pts=(PRACTICE_GUIDELINE,)),
        D.GUIDELINE,
        S.PUBLICATION_TYPE,
        "D017065",
    ),
    (
        "guideline PT",
        record(pts=(PublicationType("D016431", "Guideline"),)),
        D.GUIDELINE,
        S.PUBLICATION_TYPE,
        "Guideline",
    ),
    (
        "case reports PT",
        record(pts=(CASE_REPORTS, JOURNAL_ARTICLE)),
        D.CASE_REPORT,
        S.PUBLICATION_TYPE,
        "D002363",
    ),
    (
        "a case report published as a letter is a case report",
        record(pts=(LETTER, CASE_REPORTS)),
        D.CASE_REPORT,
        S.PUBLICATION_TYPE,
        "Case Reports",
    ),
    (
        "case report with a literature review",
        record(pts=(CASE_REPORTS, REVIEW)),
        D.CASE_REPORT,
        S.PUBLICATION_TYPE,
        "Case Reports",
    ),
    (
        "case reports PT, text says case series",
        record("We describe a case series of nine patients.", pts=(CASE_REPORTS,)),
        D.CASE_SERIES,
        S.ABSTRACT,
        '"case series"',
    ),
    ("editorial PT", record(pts=(EDITORIAL,)), D.EDITORIAL, S.PUBLICATION_TYPE, "D016421"),
    ("letter PT", record(pts=(LETTER,)), D.EDITORIAL, S.PUBLICATION_TYPE, "Letter"),
    (
        "comment PT",
        record(pts=(PublicationType("D016420", "Comment"),)),
        D.EDITORIAL,
        S.PUBLICATION_TYPE,
        "Comment",
    ),
    (
        "review PT alone",
        record("We summarise the treatment of back pain.", pts=(REVIEW,)),
        D.NARRATIVE_REVIEW,
        S.PUBLICATION_TYPE,
        "D016454",
    ),
    (
        "review PT, abstract says systematic review",
        record("We performed a systematic review of trials of joint fusion.", pts=(REVIEW,)),
        D.SYSTEMATIC_REVIEW,
        S.ABSTRACT,
        '"systematic review"',
    ),
    (
        "review PT, title says meta-analysis",
        record(title="Fusion for back pain: a meta-analysis", pts=(REVIEW,)),
        D.SYSTEMATIC_REVIEW,
        S.TITLE,
        '"meta-analysis"',
    ),
    (
        "meta-analysis PT on a self-described narrative review",
        record(
            "The aim of this narrative review is to weigh the adverse effects.",
            pts=(META_ANALYSIS, REVIEW),
        ),
        D.NARRATIVE_REVIEW,
        S.ABSTRACT,
        '"narrative review"',
    ),
    (
        "meta-analysis PT; a narrative review mentioned as other work",
        record(
            "Unlike a narrative review, this meta-analysis pooled 12 trials.", pts=(META_ANALYSIS,)
        ),
        D.SYSTEMATIC_REVIEW,
        S.PUBLICATION_TYPE,
        "Meta-Analysis",
    ),
    (
        "clinical trial PT with randomisation stated",
        record("Adults were randomly assigned to fusion or physiotherapy.", pts=(CLINICAL_TRIAL,)),
        D.RANDOMISED_TRIAL,
        S.ABSTRACT,
        '"randomly assigned"',
    ),
    (
        "controlled clinical trial PT, no randomisation",
        record(
            "Patients chose fusion or physiotherapy.",
            pts=(PublicationType("D018848", "Controlled Clinical Trial"),),
        ),
        D.NON_RANDOMISED_TRIAL,
        S.PUBLICATION_TYPE,
        "no randomisation stated",
    ),
    (
        "phase II trial PT",
        record(pts=(PublicationType("D017427", "Clinical Trial, Phase II"),)),
        D.NON_RANDOMISED_TRIAL,
        S.PUBLICATION_TYPE,
        "Phase II",
    ),
    (
        "observational PT refined by MeSH",
        record(pts=(OBSERVATIONAL,), mesh=(RETROSPECTIVE,)),
        D.RETROSPECTIVE_COHORT,
        S.MESH,
        '"Retrospective Studies" (D012189)',
    ),
    (
        "observational PT refined by the abstract",
        record("This retrospective cohort study used hospital records.", pts=(OBSERVATIONAL,)),
        D.RETROSPECTIVE_COHORT,
        S.ABSTRACT,
        '"retrospective cohort study"',
    ),
    (
        "observational PT never becomes a trial from text",
        record(
            "This study used data from a randomized trial; patients were randomized to exercise.",
            pts=(OBSERVATIONAL,),
        ),
        D.UNKNOWN,
        S.PUBLICATION_TYPE,
        "Observational Study",
    ),
    (
        "protocol PT reports no results",
        record(
            "This randomised controlled trial will enrol 300 adults.",
            pts=(PublicationType("", "Clinical Trial Protocol"),),
        ),
        D.UNKNOWN,
        S.PUBLICATION_TYPE,
        "protocol",
    ),
    (
        "MeSH prospective studies",
        record(mesh=(PROSPECTIVE,)),
        D.PROSPECTIVE_COHORT,
        S.MESH,
        '"Prospective Studies" (D011446)',
    ),
    (
        "MeSH prospective + cohort studies",
        record(mesh=(COHORT, PROSPECTIVE)),
        D.PROSPECTIVE_COHORT,
        S.MESH,
        "Prospective Studies",
    ),
    (
        "MeSH retrospective studies",
        record(mesh=(RETROSPECTIVE,)),
        D.RETROSPECTIVE_COHORT,
        S.MESH,
        "Retrospective Studies",
    ),
    (
        "MeSH case-control beats the direction heading",
        record(mesh=(PROSPECTIVE, CASE_CONTROL)),
        D.CASE_CONTROL,
        S.MESH,
        "Case-Control Studies",
    ),
    ("MeSH cross-sectional", record(mesh=(CROSS_SECTIONAL,)), D.CROSS_SECTIONAL, S.MESH, "D003430"),
    (
        "MeSH cohort without direction: the weaker, said to be assumed",
        record(mesh=(COHORT,)),
        D.RETROSPECTIVE_COHORT,
        S.MESH,
        "assumed",
    ),
    (
        "MeSH cohort, direction from the abstract",
        record(
            "In this cohort study adults were followed prospectively for ten years.", mesh=(COHORT,)
        ),
        D.PROSPECTIVE_COHORT,
        S.MESH,
        "prospectively",
    ),
    (
        "MeSH retrospective + a self-described case series",
        record("We report this case series of seven patients.", mesh=(RETROSPECTIVE,)),
        D.CASE_SERIES,
        S.ABSTRACT,
        "Retrospective Studies",
    ),
    (
        "MeSH Follow-Up Studies is not a design",
        record(mesh=(FOLLOW_UP,)),
        D.UNKNOWN,
        S.NONE,
        "no design",
    ),
    (
        "title: systematic review and meta-analysis of RCTs",
        record(
            title="Fusion versus rehabilitation: a systematic review and meta-analysis of "
            "randomized controlled trials"
        ),
        D.SYSTEMATIC_REVIEW,
        S.TITLE,
        '"systematic review and meta-analysis"',
    ),
    (
        "title: randomised trial",
        record(title="Fusion or exercise: a randomised controlled trial"),
        D.RANDOMISED_TRIAL,
        S.TITLE,
        '"randomised controlled trial"',
    ),
    (
        "title: case report with literature review",
        record(title="Sacroiliac fracture after fusion: case report and review of the literature"),
        D.CASE_REPORT,
        S.TITLE,
        '"case report"',
    ),
    (
        "title: a review",
        record(title="Sacroiliac joint pain: a review"),
        D.NARRATIVE_REVIEW,
        S.TITLE,
        "review",
    ),
    (
        "title beats abstract",
        record("This retrospective cohort study ...", title="A cross-sectional study of pain"),
        D.CROSS_SECTIONAL,
        S.TITLE,
        '"cross-sectional study"',
    ),
    (
        "abstract: DESIGN section first",
        record(
            (
                AbstractSection("Unlike earlier work, we used records.", "BACKGROUND"),
                AbstractSection("Case-control study.", "DESIGN"),
            )
        ),
        D.CASE_CONTROL,
        S.ABSTRACT,
        'abstract, DESIGN: "Case-control study"',
    ),
    (
        "abstract: inline Design: label",
        record("Background: pain is common. Design: Cross-sectional survey. Setting: clinics."),
        D.CROSS_SECTIONAL,
        S.ABSTRACT,
        'abstract, Design: "Cross-sectional survey"',
    ),
    (
        "abstract: DESIGN section beats an earlier self-description",
        record(
            (
                AbstractSection("This retrospective cohort study asks why.", "OBJECTIVE"),
                AbstractSection("A nested case-control study.", "STUDY DESIGN"),
            )
        ),
        D.CASE_CONTROL,
        S.ABSTRACT,
        "STUDY DESIGN",
    ),
    (
        "abstract: randomised, blinded trial",
        record("A randomised, double-blind, placebo-controlled trial was conducted in 12 centres."),
        D.RANDOMISED_TRIAL,
        S.ABSTRACT,
        "randomised, double-blind, placebo-controlled trial",
    ),
    (
        "abstract: non-randomised trial",
        record("In this non-randomised controlled trial, 40 patients received the device."),
        D.NON_RANDOMISED_TRIAL,
        S.ABSTRACT,
        '"non-randomised controlled trial"',
    ),
    (
        "abstract: case-control with an en dash",
        record("We conducted a nested case\u2013control study of 400 nurses."),
        D.CASE_CONTROL,
        S.ABSTRACT,
        "case-control study",
    ),
    (
        "abstract: cross-sectional",
        record("This cross-sectional study measured pain in 500 adults."),
        D.CROSS_SECTIONAL,
        S.ABSTRACT,
        '"cross-sectional study"',
    ),
    (
        "abstract: case series",
        record("We describe a series of 12 consecutive patients."),
        D.CASE_SERIES,
        S.ABSTRACT,
        "series of 12 consecutive patients",
    ),
    (
        "abstract: case report",
        record("We report a case of a 40-year-old man with hip pain."),
        D.CASE_REPORT,
        S.ABSTRACT,
        "We report a case",
    ),
    (
        "abstract: chart review",
        record("A chart review of 210 admissions was performed."),
        D.RETROSPECTIVE_COHORT,
        S.ABSTRACT,
        "chart review",
    ),
    (
        "abstract: 'cohort study' with no direction",
        record("This cohort study followed adults."),
        D.RETROSPECTIVE_COHORT,
        S.ABSTRACT,
        "assumed",
    ),
    (
        "abstract: a survey carried out by the authors",
        record("A questionnaire survey was administered to 300 surgeons."),
        D.CROSS_SECTIONAL,
        S.ABSTRACT,
        "survey was administered",
    ),
]


@pytest.mark.parametrize(
    ("rec", "design", "source", "words"),
    [pytest.param(r, d, s, w, id=why) for why, r, d, s, w in RULES],
)
def test_design_rule(
    rec: PubMedRecord, design: StudyDesign, source: DesignSource, words: str
) -> None:
    found = assess_design(rec)
    assert (found.design, found.source) == (design, source), found.basis
    assert words in found.basis


# --- design: the traps ----------------------------------------------------------------


def test_clinical_trial_alone_is_non_randomised_never_an_rct() -> None:
    found = assess_design(record("Twenty adults received the new implant.", pts=(CLINICAL_TRIAL,)))
    assert found.design is D.NON_RANDOMISED_TRIAL
    assert found.source is S.PUBLICATION_TYPE
    assert '"Clinical Trial" (D016430)' in found.basis


def test_journal_article_only_with_silent_text_is_unknown() -> None:
    silent = record(
        "We measured the magnetic properties of a flavoprotein at low temperature.",
        title="Magnetic studies of a flavoprotein",
    )
    assert assess_design(silent) == DesignAssessment(
        D.UNKNOWN, S.NONE, "no design in the publication types, MeSH, title or abstract"
    )


def test_no_record_is_unknown_with_no_source() -> None:
    assert assess_design(None) == DesignAssessment(D.UNKNOWN, S.NONE, "no PubMed record")


@pytest.mark.parametrize(
    "text",
    [
        "Unlike previous randomized trials, we followed 200 patients for five years.",
        "Unlike a previous randomized trial, this study enrolled adults of any age.",
        "This was not a randomized trial; patients chose their treatment.",
        "Randomized controlled trials are lacking for this question.",
        "A meta-analysis by Smith et al. showed a benefit of fusion.",
        "A recent meta-analysis found that fusion helps.",
        "This secondary analysis of a randomized trial examined adherence.",
        "Systematic reviews of randomised trials were included.",
        "Data from a randomized trial were used.",
        "National Health Survey data were used.",
    ],
)
def test_other_studies_and_negations_do_not_give_this_paper_a_design(text: str) -> None:
    found = assess_design(record(text))
    assert found.design is D.UNKNOWN, found.basis


def test_own_words_after_a_mention_of_other_work_still_count() -> None:
    found = assess_design(
        record("In contrast to earlier cohort studies, this randomised trial assigned adults.")
    )
    assert found.design is D.RANDOMISED_TRIAL


def test_a_cited_meta_analysis_does_not_hide_this_papers_own_design() -> None:
    found = assess_design(
        record("A recent meta-analysis found benefit. We conducted a retrospective cohort study.")
    )
    assert found.design is D.RETROSPECTIVE_COHORT


def test_rcts_as_topic_mesh_is_not_this_papers_design() -> None:
    found = assess_design(record("We discuss how trials are reported.", mesh=(RCTS_AS_TOPIC,)))
    assert found.design is D.UNKNOWN
    assert found.source is S.NONE


def test_rcts_as_topic_mesh_without_a_ui_is_ignored_too() -> None:
    topic = MeshHeading("", "Randomized Controlled Trials as Topic")
    assert assess_design(record(mesh=(topic,))).design is D.UNKNOWN


def test_publication_types_without_ui_codes_are_matched_by_exact_name() -> None:
    # Old EFetch XML (before the UI attributes) gives names only.
    old = record(pts=(PublicationType("", "Randomized Controlled Trial"),))
    assert assess_design(old).design is D.RANDOMISED_TRIAL
    assert assess_design(old).basis == 'publication type "Randomized Controlled Trial"'


def test_retraction_notice_is_not_read_for_the_retracted_studys_design() -> None:
    notice = record(
        "The authors retract this randomised controlled trial of fusion.",
        pts=(RETRACTION_OF,),
    )
    found = assess_design(notice)
    assert found.design is D.EDITORIAL
    assert "Retraction of Publication" in found.basis


# --- design: the reviewer's word ------------------------------------------------------


def test_citation_design_beats_bib_design_and_pubmed() -> None:
    found = assess_design(
        record(pts=(RCT,)),
        reference=Reference("katz2003", "article", design="case-series"),
        citation=Citation("katz2003", design="retrospective cohort"),
    )
    assert (found.design, found.source) == (D.RETROSPECTIVE_COHORT, S.USER)
    assert "citation" in found.basis


def test_bib_design_beats_pubmed() -> None:
    found = assess_design(
        record(pts=(RCT,)), reference=Reference("katz2003", "article", design="Case Series")
    )
    assert found == DesignAssessment(
        D.CASE_SERIES, S.USER, 'design field of the .bib entry: "Case Series"'
    )


def test_user_design_works_without_a_record() -> None:
    found = assess_design(None, reference=Reference("x", "article", design="RCT"))
    assert (found.design, found.source) == (D.RANDOMISED_TRIAL, S.USER)


def test_blank_user_design_falls_through_to_pubmed() -> None:
    found = assess_design(record(pts=(RCT,)), citation=Citation("x", design="  "))
    assert found.source is S.PUBLICATION_TYPE


def test_unknown_bib_design_raises_value_error_with_its_location() -> None:
    bad = Reference(
        "katz2003", "article", design="cohort-ish", location=SourceLocation("refs.bib", 7)
    )
    with pytest.raises(ValueError, match=r"^refs\.bib:7: unknown study design 'cohort-ish'") as err:
        assess_design(record(), reference=bad)
    assert "prospective-cohort" in str(err.value)  # says what to write instead


def test_unknown_citation_design_without_location_names_the_key() -> None:
    with pytest.raises(ValueError, match="citation of 'liliang2011'"):
        assess_design(None, citation=Citation("liliang2011", design="anecdote"))


# --- design rank ----------------------------------------------------------------------

DOCUMENTED_ORDER = [
    D.SYSTEMATIC_REVIEW,
    D.RANDOMISED_TRIAL,
    D.NON_RANDOMISED_TRIAL,
    D.PROSPECTIVE_COHORT,
    D.RETROSPECTIVE_COHORT,
    D.CASE_CONTROL,
    D.CROSS_SECTIONAL,
    D.CASE_SERIES,
    D.CASE_REPORT,
    D.NARRATIVE_REVIEW,
    D.UNKNOWN,
]


def test_design_rank_follows_the_documented_order() -> None:
    ranks = [design_rank(d) for d in DOCUMENTED_ORDER]
    assert ranks == sorted(ranks, reverse=True)
    assert len(set(ranks)) == len(ranks)


def test_non_studies_share_the_rank_above_unknown() -> None:
    shared = {design_rank(d) for d in (D.NARRATIVE_REVIEW, D.GUIDELINE, D.EDITORIAL)}
    assert len(shared) == 1
    assert shared.pop() > design_rank(D.UNKNOWN)


def test_every_design_has_a_rank() -> None:
    assert all(isinstance(design_rank(d), int) for d in StudyDesign)


def test_randomised_and_observational_helpers() -> None:
    assert [d for d in StudyDesign if is_randomised(d)] == [D.RANDOMISED_TRIAL]
    observational = {d for d in StudyDesign if is_observational(d)}
    assert observational == {
        D.PROSPECTIVE_COHORT,
        D.RETROSPECTIVE_COHORT,
        D.CASE_CONTROL,
        D.CROSS_SECTIONAL,
        D.CASE_SERIES,
        D.CASE_REPORT,
    }


# --- design: every real PubMed fixture ------------------------------------------------

# file -> [(pmid, design, source, words in the basis)], each decided by reading the record.
FIXTURE_DESIGNS: dict[str, list[tuple[str, StudyDesign, DesignSource, str]]] = {
    # A GeneReviews chapter; its only PT is Review and nothing says systematic.
    "efetch_pubmed_book_article_genereviews.xml": [
        ("20301577", D.NARRATIVE_REVIEW, S.PUBLICATION_TYPE, '"Review" (D016454)'),
    ],
    # PT Case Reports, no abstract.
    "efetch_pubmed_case_report_no_abstract.xml": [
        ("219391", D.CASE_REPORT, S.PUBLICATION_TYPE, '"Case Reports" (D002363)'),
    ],
    # A software pipeline paper: Journal Article only, not indexed, no design words.
    "efetch_pubmed_collective_name_mathml.xml": [
        ("29963580", D.UNKNOWN, S.NONE, "no design"),
    ],
    # PTs Meta-Analysis + Review, but the abstract twice calls itself a narrative review
    # ("The purpose of this narrative review"; "A narrative review was conducted") and only
    # searched for other people's meta-analyses.
    "efetch_pubmed_meta_analysis_season_range.xml": [
        ("35830032", D.NARRATIVE_REVIEW, S.ABSTRACT, "Meta-Analysis"),
    ],
    # Journal Article only; "A survey was applied to a non-probabilistic sample of health
    # care workers": a one-off survey of providers, i.e. cross-sectional.
    "efetch_pubmed_nonascii_names.xml": [
        ("35067114", D.CROSS_SECTIONAL, S.ABSTRACT, "survey was applied"),
    ],
    # ASPIRE: PT Randomized Controlled Trial.
    "efetch_pubmed_rct_structured_abstract.xml": [
        ("23121403", D.RANDOMISED_TRIAL, S.PUBLICATION_TYPE, "D016449"),
    ],
    # A cell-line and xenograft study with tissue correlations: no clinical design stated.
    "efetch_pubmed_retracted_publication.xml": [
        ("27685632", D.UNKNOWN, S.NONE, "no design"),
    ],
    # The retraction notice: a notice, not a study.
    "efetch_pubmed_retraction_notice.xml": [
        ("30683838", D.EDITORIAL, S.PUBLICATION_TYPE, "Retraction of Publication"),
    ],
    # Title "A Systematic Review and Meta-Analysis of Randomized Controlled Trials", PT
    # Journal Article only: the title decides, and the trials it pools are not its design.
    "efetch_pubmed_sr_ma_in_title_not_pubtype.xml": [
        ("29915538", D.SYSTEMATIC_REVIEW, S.TITLE, '"Systematic Review and Meta-Analysis"'),
    ],
    # PT Observational Study; MeSH Case-Control Studies + Prospective Studies (+ RCTs as
    # Topic); DESIGN: 386 cases and 896 matched controls from five prospective cohorts, a
    # nested case-control study.
    "efetch_pubmed_structured_abstract_observational_italic_title.xml": [
        ("27797938", D.CASE_CONTROL, S.MESH, '"Case-Control Studies" (D016022)'),
    ],
    # Materials chemistry (Cu2O particles): Journal Article only, no study design.
    "efetch_pubmed_title_inline_markup.xml": [
        ("27933116", D.UNKNOWN, S.NONE, "no design"),
    ],
    # #1 PT Review with no abstract; #2 a 1970s biophysics paper, Journal Article only.
    "efetch_pubmed_two_articles_review_season.xml": [
        ("12091962", D.NARRATIVE_REVIEW, S.PUBLICATION_TYPE, '"Review"'),
        ("9997", D.UNKNOWN, S.NONE, "no design"),
    ],
    # No records at all.
    "efetch_pubmed_empty_set.xml": [],
}


def fixture_records(name: str) -> list[PubMedRecord]:
    return parse_efetch(shared_path("fixtures", "pubmed", name).read_bytes(), source=name)


def test_every_efetch_fixture_has_a_design_expectation() -> None:
    folder = shared_path("fixtures", "pubmed")
    assert sorted(p.name for p in folder.glob("efetch_*.xml")) == sorted(FIXTURE_DESIGNS)


@pytest.mark.parametrize("name", sorted(FIXTURE_DESIGNS))
def test_fixture_design(name: str) -> None:
    records = fixture_records(name)
    expected = FIXTURE_DESIGNS[name]
    assert [r.pmid for r in records] == [pmid for pmid, *_ in expected]
    for rec, (pmid, design, source, words) in zip(records, expected, strict=True):
        found = assess_design(rec)
        assert (found.design, found.source) == (design, source), f"{pmid}: {found.basis}"
        assert words in found.basis, f"{pmid}: {found.basis}"


def test_observational_fixture_is_not_made_an_rct_by_its_topic_heading() -> None:
    (rec,) = fixture_records("efetch_pubmed_structured_abstract_observational_italic_title.xml")
    assert "Randomized Controlled Trials as Topic" in [m.name for m in rec.mesh]
    found = assess_design(rec)
    assert not is_randomised(found.design)
    assert "as Topic" not in found.basis


# --- retraction -----------------------------------------------------------------------


def test_retracted_fixture_is_retracted_with_its_notice_and_erratum() -> None:
    (rec,) = fixture_records("efetch_pubmed_retracted_publication.xml")
    found = assess_retraction(rec)
    assert found.status is RetractionStatus.RETRACTED
    assert found.is_retracted
    assert found.notice_pmids == ("30683838", "30082717")  # the retraction first
    assert found.notices[0].ref_type == "RetractionIn"
    assert "Retracted Publication" in found.detail
    assert "also corrected" in found.detail
    assert "30082717" in found.detail


def test_retraction_notice_fixture_is_a_notice_not_retracted() -> None:
    (rec,) = fixture_records("efetch_pubmed_retraction_notice.xml")
    assert rec.title.startswith("Retraction Note")
    found = assess_retraction(rec)
    assert found.status is RetractionStatus.RETRACTION_NOTICE
    assert not found.is_retracted
    assert found.notice_pmids == ("27685632",)
    assert found.notices[0].ref_type == "RetractionOf"


@pytest.mark.parametrize(
    "name",
    sorted(
        set(FIXTURE_DESIGNS)
        - {"efetch_pubmed_retracted_publication.xml", "efetch_pubmed_retraction_notice.xml"}
    ),
)
def test_other_fixtures_are_not_retracted(name: str) -> None:
    for rec in fixture_records(name):
        found = assess_retraction(rec)
        assert found.status is RetractionStatus.NONE
        assert found.checked
        assert found.notices == ()


def test_the_word_retract_in_a_title_or_abstract_flags_nothing() -> None:
    rec = record(
        "Journals retract papers for many reasons; retraction notices vary.",
        title="Retraction Note: why journals retract papers",
    )
    assert assess_retraction(rec).status is RetractionStatus.NONE


@pytest.mark.parametrize(
    ("rec", "status", "words"),
    [
        (record(pts=(RETRACTED,)), RetractionStatus.RETRACTED, "Retracted Publication"),
        (
            record(links=(CommentCorrection("RetractionIn", "J. 2020;1:1", "11"),)),
            RetractionStatus.RETRACTED,
            "retraction notice PMID 11",
        ),
        (
            record(links=(CommentCorrection("RetractedandRepublishedIn", "J. 2020;1:2", "12"),)),
            RetractionStatus.RETRACTED,
            "retracted and republished",
        ),
        (
            record(pts=(RETRACTION_OF,)),
            RetractionStatus.RETRACTION_NOTICE,
            "Retraction of Publication",
        ),
        (
            record(links=(CommentCorrection("ExpressionOfConcernIn", "J. 2021;2:3", "13"),)),
            RetractionStatus.EXPRESSION_OF_CONCERN,
            "expression of concern PMID 13",
        ),
        (
            record(links=(CommentCorrection("ErratumIn", "J. 2021;2:4", "14"),)),
            RetractionStatus.CORRECTED,
            "erratum PMID 14",
        ),
        (
            record(links=(CommentCorrection("CorrectedandRepublishedIn", "J. 2021;2:5", "15"),)),
            RetractionStatus.CORRECTED,
            "corrected and republished",
        ),
        (
            record(links=(CommentCorrection("CommentIn", "J. 2021;2:6", "16"),)),
            RetractionStatus.NONE,
            "no retraction",
        ),
        (
            record(pts=(PublicationType("", "Retracted Publication"),)),
            RetractionStatus.RETRACTED,
            "Retracted Publication",
        ),
    ],
)
def test_retraction_signal(rec: PubMedRecord, status: RetractionStatus, words: str) -> None:
    found = assess_retraction(rec)
    assert found.status is status
    assert words in found.detail


def test_retracted_dominates_and_keeps_the_lesser_signals_in_order() -> None:
    erratum = CommentCorrection("ErratumIn", "J. 2019;1:1", "21")
    concern = CommentCorrection("ExpressionOfConcernIn", "J. 2019;1:2", "22")
    retraction = CommentCorrection("RetractionIn", "J. 2020;1:3", "23")
    found = assess_retraction(record(links=(erratum, concern, retraction)))
    assert found.status is RetractionStatus.RETRACTED
    assert found.notices == (retraction, concern, erratum)
    assert "also expression of concern" in found.detail
    assert "also corrected" in found.detail


def test_concern_dominates_a_correction() -> None:
    found = assess_retraction(
        record(
            links=(
                CommentCorrection("ErratumIn", "J. 2019;1:1", "31"),
                CommentCorrection("ExpressionOfConcernIn", "J. 2019;1:2", "32"),
            )
        )
    )
    assert found.status is RetractionStatus.EXPRESSION_OF_CONCERN
    assert found.notice_pmids == ("32", "31")


def test_no_record_is_not_checked_rather_than_clean() -> None:
    found = assess_retraction(None)
    assert found.status is RetractionStatus.NONE
    assert not found.checked
    assert "not checked" in found.detail


# --- Wilson interval ------------------------------------------------------------------


def statsmodels_wilson(events: int, n: int, confidence: float) -> tuple[float, float]:
    low, high = proportion_confint(events, n, alpha=1 - confidence, method="wilson")
    return float(low), float(high)


@pytest.mark.parametrize(
    ("events", "n"), [(21, 52), (11, 34), (0, 1), (1, 1), (0, 34), (34, 34), (1, 1000)]
)
@pytest.mark.parametrize("confidence", [0.95, 0.9, 0.99])
def test_wilson_matches_statsmodels(events: int, n: int, confidence: float) -> None:
    got = wilson_interval(events, n, confidence)
    low, high = statsmodels_wilson(events, n, confidence)
    assert got.low == pytest.approx(low, abs=1e-9)
    assert got.high == pytest.approx(high, abs=1e-9)
    assert got.estimate == events / n
    assert (got.events, got.n, got.confidence) == (events, n, confidence)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=100_000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    ),
    st.floats(min_value=0.5, max_value=0.999),
)
def test_wilson_matches_statsmodels_for_random_counts(
    counts: tuple[int, int], confidence: float
) -> None:
    events, n = counts
    got = wilson_interval(events, n, confidence)
    low, high = statsmodels_wilson(events, n, confidence)
    assert got.low == pytest.approx(low, abs=1e-9)
    assert got.high == pytest.approx(high, abs=1e-9)
    assert 0.0 <= got.low <= got.estimate <= got.high <= 1.0


def test_wilson_bounds_are_exact_at_zero_and_all_events() -> None:
    assert wilson_interval(0, 20).low == 0.0
    assert wilson_interval(20, 20).high == 1.0
    assert wilson_interval(0, 20).high > 0.0
    assert wilson_interval(20, 20).low < 1.0


@pytest.mark.parametrize(
    ("events", "n", "confidence", "message"),
    [
        (0, 0, 0.95, "n must be at least 1"),
        (5, 3, 0.95, "between 0 and n"),
        (-1, 3, 0.95, "between 0 and n"),
        (1.5, 3, 0.95, "whole number"),
        (1, 3, 1.0, "confidence"),
        (1, 3, 0.0, "confidence"),
    ],
)
def test_wilson_rejects_impossible_input(
    events: int, n: int, confidence: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        wilson_interval(events, n, confidence)


def test_wilson_accepts_numpy_integers() -> None:
    got = wilson_interval(np.int64(11), np.int64(34))  # type: ignore[arg-type]
    assert (got.events, got.n) == (11, 34)


# --- pooling --------------------------------------------------------------------------


def logit_effects(items: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """The documented inputs: logit(p) and 1/(np) + 1/(n(1-p)), with 0.5 added to both
    cells of a study with 0 or n events."""
    effects, variances = [], []
    for events, n in items:
        a, b = float(events), float(n - events)
        if events in (0, n):
            a, b = a + 0.5, b + 0.5
        effects.append(math.log(a / b))
        variances.append(1 / a + 1 / b)
    return np.array(effects), np.array(variances)


def expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def check_against_statsmodels(items: list[tuple[int, int]], confidence: float = 0.95) -> None:
    effects, variances = logit_effects(items)
    with np.errstate(divide="ignore", invalid="ignore"):
        ref = combine_effects(effects, variances, method_re="dl", alpha=1 - confidence)
        frame = ref.summary_frame(alpha=1 - confidence)
    got = pool_proportions(items, confidence)
    assert got.k == len(items)
    assert got.q == pytest.approx(float(ref.q), rel=1e-9, abs=1e-9)
    if ref.tau2 >= 0:
        row = frame.loc["random effect"]
        assert got.tau2 == pytest.approx(float(ref.tau2), rel=1e-9, abs=1e-9)
        assert got.i2 == pytest.approx(float(ref.i2), rel=1e-9, abs=1e-9)
    else:
        # DerSimonian-Laird truncates a negative moment estimate at 0, which makes the
        # random-effects model the fixed-effect one; statsmodels keeps the negative value.
        row = frame.loc["fixed effect"]
        assert got.tau2 == 0.0
        assert got.i2 == 0.0
    assert got.logit == pytest.approx(float(row["eff"]), rel=1e-9, abs=1e-9)
    assert got.se == pytest.approx(float(row["sd_eff"]), rel=1e-9, abs=1e-9)
    assert got.estimate == pytest.approx(expit(float(row["eff"])), rel=1e-9, abs=1e-9)
    assert got.low == pytest.approx(expit(float(row["ci_low"])), rel=1e-9, abs=1e-9)
    assert got.high == pytest.approx(expit(float(row["ci_upp"])), rel=1e-9, abs=1e-9)


def test_pool_seed_studies_matches_statsmodels() -> None:
    check_against_statsmodels([(21, 52), (11, 34)])


def test_pool_seed_studies_are_homogeneous() -> None:
    pooled = pool_proportions([(21, 52), (11, 34)])
    assert pooled.tau2 == 0.0
    assert pooled.i2 == 0.0
    assert 11 / 34 < pooled.estimate < 21 / 52
    assert pooled.low < pooled.estimate < pooled.high
    assert "DerSimonian-Laird" in pooled.method


def test_pool_heterogeneous_studies_matches_statsmodels() -> None:
    items = [(5, 100), (50, 100), (90, 100), (30, 60)]
    check_against_statsmodels(items)
    pooled = pool_proportions(items)
    assert pooled.tau2 > 0
    assert 0.9 < pooled.i2 < 1.0
    assert pooled.i2_percent == pytest.approx(100 * pooled.i2)


def test_pool_applies_the_continuity_correction_to_0_and_n_events() -> None:
    items = [(0, 20), (5, 30), (30, 30)]
    check_against_statsmodels(items)
    assert pool_proportions(items).corrected == (0, 2)


@pytest.mark.parametrize("confidence", [0.9, 0.99])
def test_pool_other_confidence_levels_match_statsmodels(confidence: float) -> None:
    check_against_statsmodels([(3, 40), (12, 45), (9, 50)], confidence)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.integers(min_value=1, max_value=500).flatmap(
            lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
        ),
        min_size=2,
        max_size=8,
    )
)
def test_pool_matches_statsmodels_for_random_studies(items: list[tuple[int, int]]) -> None:
    check_against_statsmodels(items)


def test_pool_of_one_study_is_that_study() -> None:
    pooled = pool_proportions([(11, 34)])
    single = wilson_interval(11, 34)
    assert (pooled.estimate, pooled.low, pooled.high) == (single.estimate, single.low, single.high)
    assert (pooled.k, pooled.tau2, pooled.i2, pooled.q) == (1, 0.0, 0.0, 0.0)
    assert pooled.logit == pytest.approx(math.log(11 / 23))
    assert "single study" in pooled.method
    assert isinstance(pooled, PooledEstimate)


def test_pool_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no studies"):
        pool_proportions([])


def test_pool_lists_every_bad_study() -> None:
    with pytest.raises(ValueError, match="cannot pool") as err:
        pool_proportions([(5, 3), (2, 10), (1, 0), (2.5, 10)])  # type: ignore[list-item]
    message = str(err.value)
    for bad in ("study 0", "study 2", "study 3"):
        assert bad in message
    assert "study 1" not in message


# --- the module stays pure and stdlib-only --------------------------------------------


PURE_ASSESSMENT = ("design", "design_text", "retraction", "statistics")


def test_assess_imports_only_the_standard_library_and_the_model() -> None:
    folder = ROOT / "evidence" / "assess"
    paths = [folder / f"{stem}.py" for stem in PURE_ASSESSMENT if (folder / f"{stem}.py").exists()]
    assert paths
    imported: set[str] = set()
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in paths]
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(
                node.module if node.module.startswith("evidence") else node.module.split(".")[0]
            )
    allowed = {
        "__future__",
        "collections",
        "dataclasses",
        "enum",
        "math",
        "operator",
        "re",
        "statistics",
        "typing",
        "evidence.model",
        *(f"evidence.assess.{stem}" for stem in PURE_ASSESSMENT),
    }
    assert imported <= allowed, imported - allowed
