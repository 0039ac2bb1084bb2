"""Comparative numbers in claims files: arms, reported effects and measures in YAML, JSON, CSV."""

from __future__ import annotations

import pytest

from evidence.claims import dump_claims, parse_claims
from evidence.comparative import BinaryArms, ContinuousArms, Measure, ReportedEffect
from evidence.errors import ClaimFileError
from evidence.model import Citation, Claim, Stance, StudyDesign

YAML = """\
claims:
  - id: bcg
    text: Vaccination lowers the risk of tuberculosis.
    citations:
      - key: aronson1948
        stance: supports
        design: RCT
        arms:
          treatment: {events: 4, n: 123, label: vaccinated}
          control: {events: 11, n: 139, label: unvaccinated}
      - key: pain
        stance: supports
        measure: smd
        arms:
          treatment: {mean: 3.5, sd: 1.25, n: 20}
          control: {mean: 4.0, sd: 1.5, n: 22}
      - key: reported
        stance: contradicts
        effect: {measure: hazard ratio, estimate: 0.8, lower: 0.6, upper: 1.1, confidence: 90}
"""

CSV = """\
claim_id,text,key,stance,treatment_events,t_n,c_events,control_n,t_label,measure,estimate,lower,upper
bcg,Vaccination lowers the risk of tuberculosis.,aronson1948,supports,4,123,11,139,vaccinated,,,,
,,reported,contradicts,,,,,,HR,0.8,0.6,1.1
"""


def _errors(text: str, fmt: str = "yaml") -> list[tuple[int | None, str, str]]:
    with pytest.raises(ClaimFileError) as caught:
        parse_claims(text, fmt)
    return [(p.location.line, p.code or "", p.message) for p in caught.value.problems]


def test_yaml_arms_means_and_reported_effect_are_read() -> None:
    first, second, third = parse_claims(YAML, "yaml")[0].citations
    assert first.arms == BinaryArms(4, 123, 11, 139)
    assert first.measure is None  # RR by default, chosen where effects are computed
    assert first.arm_labels == ("vaccinated", "unvaccinated")
    assert first.design == StudyDesign.RANDOMISED_TRIAL.value
    assert second.arms == ContinuousArms(3.5, 1.25, 20, 4.0, 1.5, 22)
    assert second.measure is Measure.SMD
    assert third.effect == ReportedEffect(Measure.HR, 0.8, 0.6, 1.1, 0.9)
    assert third.arms is None


def test_csv_flat_columns_and_aliases_give_the_same_records() -> None:
    first, second = parse_claims(CSV, "csv")[0].citations
    assert first.arms == BinaryArms(4, 123, 11, 139)
    assert first.arm_labels == ("vaccinated", "")
    assert second.effect == ReportedEffect(Measure.HR, 0.8, 0.6, 1.1)


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv", "tsv"])
def test_every_new_field_round_trips(fmt: str) -> None:
    claims = parse_claims(YAML, "yaml")
    text = dump_claims(claims, fmt)
    back = parse_claims(text, "csv" if fmt == "tsv" else fmt)
    assert back == claims
    assert back[0].citations[0].arm_labels == ("vaccinated", "unvaccinated")


def test_csv_without_comparative_numbers_keeps_its_columns() -> None:
    text = dump_claims(
        [Claim("c", "A claim.", (Citation("k", Stance.SUPPORTS, n=5, events=2),))], "csv"
    )
    assert "t_events" not in text.splitlines()[0]


@pytest.mark.parametrize(
    ("citation", "code", "words"),
    [
        (
            "arms: {treatment: {events: -1, n: 10}, control: {events: 2, n: 10}}",
            "effect-negative-count",
            "cannot be negative",
        ),
        (
            "arms: {treatment: {events: 12, n: 10}, control: {events: 2, n: 10}}",
            "effect-events-above-total",
            "more than the treatment total",
        ),
        (
            "effect: {measure: RR, estimate: 0.4, lower: 0.5, upper: 0.9}",
            "effect-outside-interval",
            "does not contain the estimate 0.4",
        ),
        (
            "effect: {measure: OR, estimate: 0, lower: -1, upper: 2}",
            "effect-ratio-not-positive",
            "cannot be 0 or below",
        ),
        (
            "arms: {treatment: {events: 1, n: 10}, control: {events: 2, n: 10}}\n"
            "        effect: {measure: RR, estimate: 0.5, lower: 0.1, upper: 2}",
            "effect-mixed",
            "both two-arm numbers and a reported effect",
        ),
        (
            "n: 20\n        events: 3\n"
            "        arms: {treatment: {events: 1, n: 10}, control: {events: 2, n: 10}}",
            "effect-mixed",
            "beside single-arm n and events",
        ),
        (
            "measure: SMD\n"
            "        arms: {treatment: {events: 1, n: 10}, control: {events: 2, n: 10}}",
            "effect-measure-mismatch",
            "cannot be computed from two-arm counts",
        ),
        (
            "arms: {treatment: {events: 1, n: 10}, control: {n: 10}}",
            "effect-incomplete",
            "has no control events",
        ),
        (
            "effect: {measure: ARR, estimate: 0.1, lower: 0.05, upper: 0.2}",
            "effect-unknown-measure",
            "unknown effect measure 'ARR'",
        ),
    ],
)
def test_bad_numbers_are_reported_at_their_line(citation: str, code: str, words: str) -> None:
    text = (
        "claims:\n  - id: c\n    text: A claim.\n    citations:\n"
        "      - key: k\n        stance: supports\n"
        f"        {citation}\n"
    )
    problems = _errors(text)
    assert any(c == code and words in m and (line or 0) >= 5 for line, c, m in problems), problems


def test_csv_errors_name_the_row() -> None:
    text = "claim_id,text,key,stance,t_events,t_n,c_events,c_n\nc,A claim.,k,supports,5,4,1,10\n"
    problems = _errors(text, "csv")
    assert [(line, code) for line, code, _ in problems] == [(2, "effect-events-above-total")]


@pytest.mark.parametrize(
    ("spelled", "design"),
    [
        ("RCT", StudyDesign.RANDOMISED_TRIAL),
        ("randomized controlled trial", StudyDesign.RANDOMISED_TRIAL),
        ("Randomised trial", StudyDesign.RANDOMISED_TRIAL),
        ("meta-analysis", StudyDesign.SYSTEMATIC_REVIEW),
        ("systematic review", StudyDesign.SYSTEMATIC_REVIEW),
        ("case-control study", StudyDesign.CASE_CONTROL),
        ("non-randomized trial", StudyDesign.NON_RANDOMISED_TRIAL),
    ],
)
def test_common_design_spellings_are_normalised(spelled: str, design: StudyDesign) -> None:
    text = (
        "claims:\n  - id: c\n    text: A claim.\n    citations:\n"
        f"      - {{key: k, stance: supports, design: {spelled}}}\n"
    )
    assert parse_claims(text, "yaml")[0].citations[0].design == design.value


def test_the_documented_examples_load() -> None:
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "claims.md").read_text("utf-8")
    section = page[page.index("### Comparative numbers") : page.index("## JSON")]
    yaml_text = re.search(r"```\{code-block\} yaml\n(.*?)```", section, re.S)
    csv_text = re.search(r"```\{code-block\} text\n(.*?)```", section, re.S)
    assert yaml_text
    assert csv_text
    claims = parse_claims(yaml_text.group(1), "yaml")
    assert claims[0].citations[1].arms == BinaryArms(505, 88391, 499, 88391)
    assert claims[1].citations[0].measure is Measure.SMD
    rows = parse_claims(csv_text.group(1), "csv")[0].citations
    assert rows[0].arms == claims[0].citations[0].arms
    assert rows[1].effect == claims[0].citations[2].effect


@pytest.mark.parametrize(
    ("spelled", "design"),
    [
        ("Randomized Controlled Trial", StudyDesign.RANDOMISED_TRIAL),
        ("systematic review and meta-analysis", StudyDesign.SYSTEMATIC_REVIEW),
        ("case series", StudyDesign.CASE_SERIES),
    ],
)
def test_bib_design_spellings_are_normalised(spelled: str, design: StudyDesign) -> None:
    from evidence.assess import assess_design
    from evidence.model import Reference

    found = assess_design(None, reference=Reference("k", "article", design=spelled))
    assert found.design is design
