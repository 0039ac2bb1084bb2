"""Front matter, captions and headings are not statements; the article's own sentences are."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import shared_path

from evidence.assess.statements import drop_non_statements, non_statement
from evidence.extract import extract_claims
from evidence.model import Citation, Claim


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Asmaa F Kasem, Hamdy B Alqenawy ^\\*^, Marwa A Elgendi, Radwa R Ali", "an author list"),
        ("Smith J, Jones AB and Lee C.", "an author list"),
        ("1 Department of Neurosurgery, I-Shou University, Kaohsiung, Taiwan", "an affiliation"),
        ("ORCID: 0000-0002-1825-0097", "an ORCID line"),
        ("\u00a9 2023 The Authors.", "a licence or copyright line"),
        ("This article is distributed under a Creative Commons licence that permits reuse.",
         "a licence or copyright line"),
        ("Correspondence: someone@example.org", "a correspondence line"),
        ("Figure 1. Flow of studies through the review.", "a caption"),
        ("Table 2: Characteristics of included trials", "a caption"),
        ("Keywords: HELLP; corticosteroids", "a front- or back-matter label"),
        ("Risk of bias assessment", "a heading"),
        ("## Methods", "a heading"),
    ],
)  # fmt: skip
def test_non_statements_are_named(text: str, reason: str) -> None:
    assert non_statement(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "The diagnosis depends on laboratory findings of hemolysis, low platelets, and enzymes.",
        "The joints have only limited mobility.",
        "Results: Fifteen trials (821 women) compared corticosteroids with placebo.",
        "Spinal fusion and sacroiliac pain do not go hand in hand.",
    ],
)
def test_statements_are_kept(text: str) -> None:
    assert non_statement(text) == ""


def test_cited_claims_are_never_dropped() -> None:
    cited = Claim("a", "Smith J, Jones AB, Lee C", (Citation("smith2020"),))
    kept, dropped = drop_non_statements([cited, Claim("b", "Figure 2. A plot.")])
    assert kept == [cited]
    assert [(c.id, why) for c, why in dropped] == [("b", "a caption")]


def test_sacroiliac_article_keeps_its_own_uncited_sentences() -> None:
    article = shared_path("examples", "sacroiliac-article.txt")
    result = extract_claims(Path(article), include_uncited=True)
    kept, dropped = drop_non_statements(result.claims)
    assert dropped == []
    assert len([c for c in kept if not c.citations]) >= 10


def test_hellp_manuscript_drops_its_author_list_and_caption_only() -> None:
    folder = shared_path("fixtures", "manuscripts", "hellp_manuscript")
    result = extract_claims(
        folder / "manuscript.qmd", references=folder / "hellp.bib", include_uncited=True
    )
    kept, dropped = drop_non_statements(result.claims)
    # The extractor itself now leaves the front matter's author list out (superscript
    # author marks are not claims); the filter drops the caption, and nothing else.
    assert sorted(why for _, why in dropped) == ["a caption"]
    assert [c.text for c in kept if not c.citations and non_statement(c.text)] == []
