"""Certainty rules: each one firing and not firing, their combination, the floor, the
reviewer's override, the plain-language sentences, and the seed claim worked through."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest
from conftest import ROOT

from evidence.assess.certainty import (
    CERTAINTY_RULES,
    CertaintyAssessment,
    CitedStudy,
    assess_certainty,
    body_of_evidence,
    plain_language,
    rule_description,
    starting_level,
)
from evidence.assess.judge import Judgement, judge_claim
from evidence.assess.statistics import PooledEstimate, pool_proportions, wilson_interval
from evidence.claims import load_claims
from evidence.model import (
    Certainty,
    CertaintyJudgement,
    Citation,
    Claim,
    RiskOfBias,
    Stance,
    StudyDesign,
    Verdict,
)

D = StudyDesign
S = Stance
BIG = 1000  # participants enough that imprecision never fires


def study(
    key: str,
    stance: Stance = S.SUPPORTS,
    design: StudyDesign = D.RANDOMISED_TRIAL,
    n: int | None = BIG,
    events: int | None = None,
    rob: RiskOfBias | None = None,
    label: str = "",
) -> CitedStudy:
    interval = wilson_interval(events, n) if events is not None and n is not None else None
    return CitedStudy(key, stance, design, n, events, rob, interval, label)


def rate(
    studies: Sequence[CitedStudy],
    *,
    pooled: PooledEstimate | None = None,
    certainty: CertaintyJudgement | None = None,
    excluded: dict[str, str] | None = None,
    known: set[str] | None = None,
) -> tuple[CertaintyAssessment, Judgement]:
    """Judge and rate a claim citing ``studies`` (all keys known unless ``known`` says)."""
    citations = tuple(Citation(s.key, s.stance) for s in studies)
    claim = Claim("c1", "A claim.", citations, certainty=certainty)
    keys = {s.key for s in studies} if known is None else known
    judgement = judge_claim(claim, keys, excluded=excluded)
    return assess_certainty(claim, judgement, studies, pooled=pooled), judgement


# --- nothing to rate ------------------------------------------------------------------


def test_uncited_claim_is_not_rated() -> None:
    assessment, judgement = rate([])
    assert judgement.verdict is Verdict.UNCITED
    assert assessment.level is None
    assert assessment.rules == ("rule_not_rated",)
    assert assessment.source == "computed"
    assert assessment.reasons == ("not rated: the claim cites no study",)


def test_unresolved_claim_is_not_rated_and_names_the_missing_key() -> None:
    assessment, judgement = rate([study("a"), study("ghost2020")], known={"a"})
    assert judgement.verdict is Verdict.UNRESOLVED
    assert assessment.level is None
    assert "ghost2020" in assessment.reasons[0]


def test_unreviewed_claim_is_not_rated() -> None:
    assessment, judgement = rate([study("a", S.UNKNOWN)])
    assert judgement.verdict is Verdict.UNREVIEWED
    assert assessment.level is None
    assert assessment.rules == ("rule_not_rated",)


def test_insufficient_claim_is_not_rated_and_says_what_was_left_out() -> None:
    assessment, judgement = rate([study("a")], excluded={"a": "retracted"})
    assert judgement.verdict is Verdict.INSUFFICIENT
    assert assessment.level is None
    assert "a (retracted)" in assessment.reasons[0]
    background, _ = rate([study("b", S.BACKGROUND)])
    assert background.level is None
    assert "left out" not in background.reasons[0]


# --- starting level -------------------------------------------------------------------

START = {
    D.SYSTEMATIC_REVIEW: Certainty.HIGH,
    D.RANDOMISED_TRIAL: Certainty.HIGH,
    D.NON_RANDOMISED_TRIAL: Certainty.LOW,
    D.PROSPECTIVE_COHORT: Certainty.LOW,
    D.RETROSPECTIVE_COHORT: Certainty.LOW,
    D.CASE_CONTROL: Certainty.LOW,
    D.CROSS_SECTIONAL: Certainty.LOW,
    D.CASE_SERIES: Certainty.VERY_LOW,
    D.CASE_REPORT: Certainty.VERY_LOW,
    D.NARRATIVE_REVIEW: Certainty.VERY_LOW,
    D.GUIDELINE: Certainty.VERY_LOW,
    D.EDITORIAL: Certainty.VERY_LOW,
    D.UNKNOWN: Certainty.VERY_LOW,
}


def test_every_design_has_a_documented_starting_level() -> None:
    assert set(START) == set(StudyDesign)
    docs = (ROOT / "docs" / "certainty.md").read_text(encoding="utf-8")
    for design in StudyDesign:
        assert design.value in docs, f"docs/certainty.md does not place {design.value}"


@pytest.mark.parametrize("design", list(StudyDesign))
def test_start_from_design(design: StudyDesign) -> None:
    assessment, _ = rate([study("a", design=design)])
    assert starting_level(design) is START[design]
    assert assessment.level is START[design]
    assert assessment.rules == ("rule_start_from_design",)
    assert assessment.reasons[0].startswith(f"started {START[design].label}: ")


def test_observational_start_names_the_design() -> None:
    assessment, _ = rate([study("a", design=D.PROSPECTIVE_COHORT)])
    assert assessment.reasons == (
        "started low: the best supporting evidence is observational (prospective cohort)",
    )


def test_systematic_review_start_says_it_is_taken_at_face_value() -> None:
    assessment, _ = rate([study("a", design=D.SYSTEMATIC_REVIEW)])
    assert "as if it pooled randomised trials" in assessment.reasons[0]


def test_the_best_design_on_the_claims_side_sets_the_start() -> None:
    strongest, _ = rate([study("a", design=D.CASE_SERIES), study("b", design=D.RANDOMISED_TRIAL)])
    assert strongest.level is Certainty.HIGH
    assert "randomised trial" in strongest.reasons[0]
    # A background randomised trial does not lift a claim supported by a cohort study.
    side_only, _ = rate(
        [study("a", design=D.PROSPECTIVE_COHORT), study("b", S.BACKGROUND, D.RANDOMISED_TRIAL)]
    )
    assert side_only.level is Certainty.LOW


def test_contradicted_claim_is_rated_on_its_contradicting_studies() -> None:
    assessment, judgement = rate(
        [study("a", S.CONTRADICTS, D.RANDOMISED_TRIAL), study("b", S.BACKGROUND, D.CASE_REPORT)]
    )
    assert judgement.verdict is Verdict.CONTRADICTED
    assert assessment.level is Certainty.HIGH
    assert assessment.reasons[0].startswith("started high: the best contradicting evidence")


def test_excluded_study_is_not_rated_even_if_passed_in() -> None:
    studies = [study("a", design=D.CASE_SERIES), study("b", design=D.RANDOMISED_TRIAL)]
    assessment, _ = rate(studies, excluded={"b": "retracted"})
    assert assessment.level is Certainty.VERY_LOW


def test_no_study_details_start_very_low_and_say_so() -> None:
    claim = Claim("c1", "A claim.", (Citation("a"),))
    assessment = assess_certainty(claim, judge_claim(claim, {"a"}), [])
    assert assessment.level is Certainty.VERY_LOW
    assert "no details were given" in assessment.reasons[0]


# --- risk of bias ---------------------------------------------------------------------


def test_risk_of_bias_high_on_any_study_goes_down_one() -> None:
    assessment, _ = rate([study("a"), study("b", rob=RiskOfBias.HIGH, label="Katz 2003")])
    assert assessment.level is Certainty.MODERATE
    assert assessment.rules == ("rule_start_from_design", "rule_risk_of_bias")
    assert assessment.reasons[1] == (
        "down one for risk of bias: Katz 2003 was rated at high risk of bias"
    )


def test_risk_of_bias_low_ratings_do_not_fire() -> None:
    assessment, _ = rate([study("a", rob=RiskOfBias.LOW), study("b", rob=RiskOfBias.LOW)])
    assert assessment.level is Certainty.HIGH
    assert "rule_risk_of_bias" not in assessment.rules


def test_some_concerns_on_most_participants_goes_down_one() -> None:
    assessment, _ = rate(
        [study("a", n=600, rob=RiskOfBias.SOME_CONCERNS), study("b", n=400, rob=RiskOfBias.LOW)]
    )
    assert assessment.level is Certainty.MODERATE
    assert "600 of 1000 participants (60%)" in assessment.reasons[1]


def test_some_concerns_on_a_minority_or_exactly_half_does_not_fire() -> None:
    minority, _ = rate([study("a", n=300, rob=RiskOfBias.SOME_CONCERNS), study("b", n=700)])
    half, _ = rate([study("a", n=500, rob=RiskOfBias.SOME_CONCERNS), study("b", n=500)])
    assert minority.level is Certainty.HIGH
    assert half.level is Certainty.HIGH


def test_some_concerns_counts_studies_when_a_size_is_missing() -> None:
    studies = [
        study("a", n=None, rob=RiskOfBias.SOME_CONCERNS),
        study("b", n=None, rob=RiskOfBias.SOME_CONCERNS),
        study("c", n=BIG),
    ]
    assessment, _ = rate(studies)
    assert "rule_risk_of_bias" in assessment.rules
    assert "2 of 3 studies" in assessment.reasons[1]
    one_of_two, _ = rate([study("a", n=None, rob=RiskOfBias.SOME_CONCERNS), study("b", n=None)])
    assert "rule_risk_of_bias" not in one_of_two.rules


# --- inconsistency --------------------------------------------------------------------


def test_mixed_verdict_goes_down_one_for_inconsistency() -> None:
    assessment, judgement = rate([study("a"), study("b", S.CONTRADICTS, D.PROSPECTIVE_COHORT)])
    assert judgement.verdict is Verdict.MIXED
    # Both sides are rated: the trial on one side sets the start.
    assert assessment.reasons[0].startswith("started high: the best evidence either way")
    assert assessment.level is Certainty.MODERATE
    assert assessment.rules == ("rule_start_from_design", "rule_inconsistency")
    assert assessment.reasons[1] == (
        "down one for inconsistency: the evidence points both ways "
        "(1 study supports it, 1 study contradicts it)"
    )


def test_a_study_with_mixed_findings_is_inconsistency_too() -> None:
    assessment, _ = rate([study("a", S.MIXED)])
    assert "1 study reports results both ways" in assessment.reasons[1]
    assert assessment.level is Certainty.MODERATE


HETEROGENEOUS = [(10, 200), (100, 200), (180, 200)]


def test_heterogeneity_just_over_the_threshold_shows_a_decimal() -> None:
    pooled = PooledEstimate(0.45, 0.4, 0.5, 0.0, 0.1, 0.1, 0.503, 5.0, 3, "test")
    assessment, _ = rate([study("a"), study("b")], pooled=pooled)
    assert "I² = 50.3% across the 3 pooled studies (> 50%)" in assessment.reasons[1]
    at_threshold = dataclasses.replace(pooled, i2=0.5)
    assert rate([study("a"), study("b")], pooled=at_threshold)[0].level is Certainty.HIGH


def test_high_heterogeneity_goes_down_one() -> None:
    pooled = pool_proportions(HETEROGENEOUS)
    assert pooled.i2 > 0.5
    studies = [study(k, n=n, events=e) for k, (e, n) in zip("abc", HETEROGENEOUS, strict=True)]
    assessment, _ = rate(studies, pooled=pooled)
    assert "rule_inconsistency" in assessment.rules
    reason = next(r for r in assessment.reasons if "inconsistency" in r)
    assert f"I² = {pooled.i2_percent:.0f}% across the 3 pooled studies (> 50%)" in reason


def test_low_heterogeneity_does_not_fire() -> None:
    counts = [(200, 500), (210, 500)]
    pooled = pool_proportions(counts)
    assert pooled.i2 <= 0.5
    studies = [study(k, n=n, events=e) for k, (e, n) in zip("ab", counts, strict=True)]
    assessment, _ = rate(studies, pooled=pooled)
    assert assessment.level is Certainty.HIGH
    assert assessment.rules == ("rule_start_from_design",)


def test_disagreement_and_heterogeneity_count_once() -> None:
    pooled = pool_proportions(HETEROGENEOUS)
    studies = [
        study("a", n=200, events=10),
        study("b", S.CONTRADICTS, n=200, events=100),
        study("c", n=200, events=180),
    ]
    assessment, _ = rate(studies, pooled=pooled)
    reason = next(r for r in assessment.reasons if "inconsistency" in r)
    assert "both ways" in reason
    assert "I²" in reason
    assert reason.endswith("(counted as one step)")
    assert assessment.rules.count("rule_inconsistency") == 1


# --- imprecision ----------------------------------------------------------------------


def test_fewer_than_400_participants_goes_down_one() -> None:
    assessment, _ = rate([study("a", n=200), study("b", n=199)])
    assert assessment.level is Certainty.MODERATE
    assert assessment.reasons[1] == "down one for imprecision: 399 participants in all (< 400)"
    enough, _ = rate([study("a", n=200), study("b", n=200)])
    assert enough.level is Certainty.HIGH


def test_a_study_cited_twice_counts_its_participants_once() -> None:
    assessment, _ = rate([study("a", n=300), study("a", n=300)])
    assert "300 participants in all" in assessment.reasons[1]


def test_participants_from_studies_that_give_a_number() -> None:
    assessment, _ = rate([study("a", n=86), study("b", n=None)])
    assert assessment.reasons[1] == (
        "down one for imprecision: 86 participants in the 1 study that gives a number "
        "(< 400; 1 gives none)"
    )


def test_wide_pooled_interval_goes_down_one_even_with_many_participants() -> None:
    pooled = pool_proportions(HETEROGENEOUS)
    assert pooled.high - pooled.low > 0.3
    studies = [study(k, n=n, events=e) for k, (e, n) in zip("abc", HETEROGENEOUS, strict=True)]
    assessment, _ = rate(studies, pooled=pooled)
    reason = next(r for r in assessment.reasons if "imprecision" in r)
    width = round(100 * (pooled.high - pooled.low))
    assert f"the pooled 95% CI runs from {100 * pooled.low:.0f}% to {100 * pooled.high:.0f}%" in (
        reason
    )
    assert f"{width} percentage points wide (> 30)" in reason
    assert "participants" not in reason  # 600 participants are enough
    # Heterogeneity and the wide interval: two domains, two steps.
    assert assessment.level is Certainty.LOW


def test_a_single_study_interval_is_used_without_a_pooled_estimate() -> None:
    assessment, _ = rate([study("a", n=20, events=10, label="Small 2020")])
    reason = assessment.reasons[1]
    assert reason.startswith("down one for imprecision: 20 participants in all (< 400), and ")
    assert "Small 2020's 95% CI runs from" in reason
    assert reason.endswith("(counted as one step)")
    assert assessment.level is Certainty.MODERATE  # one step, not two


def test_narrow_interval_and_enough_participants_do_not_fire() -> None:
    assessment, _ = rate([study("a", n=1000, events=500)])
    assert assessment.rules == ("rule_start_from_design",)


def test_interval_width_just_over_the_threshold_shows_a_decimal() -> None:
    low, high = 0.30, 0.604
    pooled = PooledEstimate(0.45, low, high, 0.0, 0.1, 0.0, 0.0, 0.0, 2, "test")
    assessment, _ = rate([study("a", n=300), study("b", n=300)], pooled=pooled)
    assert "30.4 percentage points wide (> 30)" in assessment.reasons[1]


def test_imprecision_without_numbers_is_a_note_not_a_step() -> None:
    assessment, _ = rate([study("a", n=None)])
    assert assessment.level is Certainty.HIGH
    assert assessment.rules == ("rule_start_from_design",)
    assert assessment.reasons[1].startswith("imprecision not checked: ")


# --- combination and floor ------------------------------------------------------------


def test_three_domains_take_high_to_very_low() -> None:
    studies = [
        study("a", n=50, rob=RiskOfBias.HIGH),
        study("b", S.CONTRADICTS, D.PROSPECTIVE_COHORT, n=50),
    ]
    assessment, _ = rate(studies)
    assert assessment.level is Certainty.VERY_LOW
    assert assessment.rules == (
        "rule_start_from_design",
        "rule_risk_of_bias",
        "rule_inconsistency",
        "rule_imprecision",
    )


def test_floor_at_very_low() -> None:
    assessment, _ = rate([study("a", design=D.CASE_SERIES, n=12)])
    assert assessment.level is Certainty.VERY_LOW
    assert assessment.rules[-1] == "rule_floor"
    assert assessment.reasons[-1] == (
        "stays at very low, the lowest level (1 step down had nowhere to go)"
    )
    lower, _ = rate(
        [
            study("a", design=D.PROSPECTIVE_COHORT, n=10, rob=RiskOfBias.HIGH),
            study("b", S.CONTRADICTS, D.CASE_SERIES, n=10),
        ]
    )
    assert lower.level is Certainty.VERY_LOW
    assert "(2 steps down had nowhere to go)" in lower.reasons[-1]


def test_no_floor_when_the_steps_end_exactly_at_very_low() -> None:
    assessment, _ = rate([study("a", design=D.PROSPECTIVE_COHORT, n=10)])
    assert assessment.level is Certainty.VERY_LOW
    assert "rule_floor" not in assessment.rules


# --- the reviewer's judgement ---------------------------------------------------------


def test_user_judgement_wins_and_keeps_the_computed_rating() -> None:
    judgement = CertaintyJudgement(Certainty.MODERATE, "Large, consistent effect.")
    assessment, _ = rate([study("a", design=D.PROSPECTIVE_COHORT, n=86)], certainty=judgement)
    assert assessment.level is Certainty.MODERATE
    assert assessment.source == "user"
    assert assessment.reasons[0] == "Large, consistent effect."
    assert assessment.reasons[1] == (
        "computed would have been very low because started low: the best supporting "
        "evidence is observational (prospective cohort); down one for imprecision: "
        "86 participants in all (< 400)"
    )
    assert assessment.rules == ("rule_start_from_design", "rule_imprecision", "rule_user_judgement")


def test_user_judgement_on_an_unrated_claim_and_without_a_reason() -> None:
    assessment, _ = rate([], certainty=CertaintyJudgement(Certainty.HIGH, "  "))
    assert assessment.level is Certainty.HIGH
    assert assessment.source == "user"
    assert assessment.reasons == (
        "set by the reviewer (no reason given)",
        "computed would have given no rating (not rated: the claim cites no study)",
    )


def test_judgement_for_another_claim_is_refused() -> None:
    claim = Claim("c1", "A claim.", (Citation("a"),))
    other = judge_claim(dataclasses.replace(claim, id="c2"), {"a"})
    with pytest.raises(ValueError, match="'c2', not 'c1'"):
        assess_certainty(claim, other, [study("a")])


# --- rules as documented ------------------------------------------------------------------


def test_every_rule_has_a_reader_facing_description_and_is_documented() -> None:
    docs = (ROOT / "docs" / "certainty.md").read_text(encoding="utf-8")
    names = [rule.__name__ for rule in CERTAINTY_RULES]
    assert names == [
        "rule_not_rated",
        "rule_start_from_design",
        "rule_risk_of_bias",
        "rule_inconsistency",
        "rule_imprecision",
        "rule_floor",
        "rule_user_judgement",
    ]
    for name in names:
        description = rule_description(name)
        assert len(description) > 40
        assert "\n" not in description
        assert f"`{name}`" in docs
    with pytest.raises(KeyError):
        rule_description("rule_nope")


def test_body_of_evidence_merges_a_key_cited_twice() -> None:
    claim = Claim("c1", "A claim.", (Citation("a"), Citation("a")))
    studies = [
        study("a", design=D.CASE_SERIES, n=40, rob=RiskOfBias.LOW),
        study("a", design=D.PROSPECTIVE_COHORT, n=60, rob=RiskOfBias.HIGH, label="A 2001"),
    ]
    body = body_of_evidence(judge_claim(claim, {"a"}), studies)
    assert len(body.studies) == 1
    merged = body.studies[0]
    assert merged.design is D.PROSPECTIVE_COHORT
    assert merged.n == 60
    assert merged.risk_of_bias is RiskOfBias.HIGH
    assert merged.name == "A 2001"


# --- plain language -------------------------------------------------------------------

LEVELS: list[Certainty | None] = [*Certainty, None]

RATED_SENTENCES = {
    (Verdict.SUPPORTED, Certainty.HIGH): "Good evidence shows that this is true.",
    (Verdict.SUPPORTED, Certainty.MODERATE): "This is probably true.",
    (Verdict.SUPPORTED, Certainty.LOW): "This may be true.",
    (Verdict.SUPPORTED, Certainty.VERY_LOW): "We are very uncertain whether this is true.",
    (Verdict.SUPPORTED, None): "Studies support this, but the evidence has not been rated.",
    (Verdict.CONTRADICTED, Certainty.HIGH): "Good evidence shows that this is not true.",
    (Verdict.CONTRADICTED, Certainty.MODERATE): "This is probably not true.",
    (Verdict.CONTRADICTED, Certainty.LOW): "This may not be true.",
    (Verdict.CONTRADICTED, Certainty.VERY_LOW): "We are very uncertain whether this is true.",
    (Verdict.CONTRADICTED, None): "Studies contradict this, but the evidence has not been rated.",
}
VERDICT_SENTENCES = {
    Verdict.MIXED: "Studies disagree about whether this is true.",
    Verdict.UNCITED: "No study is cited for this statement.",
    Verdict.UNRESOLVED: "This statement cites a source we could not find.",
    Verdict.UNREVIEWED: "The studies cited for this statement have not been checked yet.",
    Verdict.INSUFFICIENT: "The studies cited do not show whether this is true.",
}


def assessed(level: Certainty | None) -> CertaintyAssessment:
    return CertaintyAssessment(level, (), "computed", ())


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("verdict", list(Verdict))
def test_plain_language_for_each_verdict_and_level(
    verdict: Verdict, level: Certainty | None
) -> None:
    expected = RATED_SENTENCES.get((verdict, level)) or VERDICT_SENTENCES[verdict]
    assert plain_language(verdict, assessed(level)) == expected


def test_plain_language_follows_grade_wording() -> None:
    for verdict in (Verdict.SUPPORTED, Verdict.CONTRADICTED):
        assert "probably" in plain_language(verdict, assessed(Certainty.MODERATE))
        assert " may " in plain_language(verdict, assessed(Certainty.LOW))
        very_low = plain_language(verdict, assessed(Certainty.VERY_LOW))
        assert very_low.startswith("We are very uncertain whether")
    for level in (Certainty.HIGH, Certainty.MODERATE, Certainty.LOW):
        assert " not " in plain_language(Verdict.CONTRADICTED, assessed(level))
        assert " not " not in plain_language(Verdict.SUPPORTED, assessed(level))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fusion can cause SI joint pain.", "Fusion can cause SI joint pain. This may be true."),
        ("Fusion can cause SI joint pain", "Fusion can cause SI joint pain. This may be true."),
        ("  Fusion can\n  cause pain  ", "Fusion can cause pain. This may be true."),
        ("Does fusion cause pain?", "Does fusion cause pain? This may be true."),
        ('It is "rare."', 'It is "rare." This may be true.'),
        ("", "This may be true."),
    ],
)
def test_plain_language_with_the_claim_text(text: str, expected: str) -> None:
    assert plain_language(Verdict.SUPPORTED, assessed(Certainty.LOW), text=text) == expected


# --- the seed claims ------------------------------------------------------------------

SEED_DESIGNS = {"liliang2011": D.PROSPECTIVE_COHORT, "katz2003": D.RETROSPECTIVE_COHORT}
SEED_LABELS = {"liliang2011": "Liliang 2011", "katz2003": "Katz 2003"}


def seed_assessments() -> dict[str, tuple[Claim, Judgement, CertaintyAssessment]]:
    """The bundled example claims, rated with the designs their abstracts state."""
    out = {}
    for claim in load_claims(ROOT / "docs" / "examples" / "sacroiliac.yaml"):
        judgement = judge_claim(claim, set(SEED_DESIGNS))
        studies = [
            study(c.key, c.stance, SEED_DESIGNS[c.key], c.n, c.events, label=SEED_LABELS[c.key])
            for c in claim.citations
        ]
        counts = [(s.events, s.n) for s in studies if s.events is not None and s.n is not None]
        pooled = pool_proportions(counts) if counts else None
        out[claim.id] = (
            claim,
            judgement,
            assess_certainty(claim, judgement, studies, pooled=pooled),
        )
    return out


def test_seed_claim_two_cohorts_86_participants_is_very_low() -> None:
    claim, judgement, assessment = seed_assessments()["not-every-patient"]
    assert judgement.verdict is Verdict.SUPPORTED
    assert assessment.level is Certainty.VERY_LOW
    assert assessment.rules == ("rule_start_from_design", "rule_imprecision")
    assert assessment.reasons == (
        "started low: the best supporting evidence is observational (prospective cohort)",
        "down one for imprecision: 86 participants in all (< 400)",
    )
    assert plain_language(judgement.verdict, assessment, text=claim.text) == (
        "Sacroiliac joint pain is not inevitable after lumbar or lumbosacral fusion: "
        "only some patients develop it. We are very uncertain whether this is true."
    )
    # The worked example in the docs shows these very sentences.
    docs = (ROOT / "docs" / "certainty.md").read_text(encoding="utf-8")
    for reason in assessment.reasons:
        assert reason in docs


def test_seed_claims_all_read_as_sentences() -> None:
    for claim, judgement, assessment in seed_assessments().values():
        sentence = plain_language(judgement.verdict, assessment, text=claim.text)
        assert sentence.startswith(" ".join(claim.text.split()))
        assert sentence.endswith(".")
        assert ".." not in sentence
        assert "  " not in sentence
