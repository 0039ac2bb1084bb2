"""Provenance in the claims file, and extracting again onto a reviewed claims file."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence import extract_claims
from evidence.claims import dump_claims, load_claims, parse_claims
from evidence.cli import main
from evidence.extract import merge_claims
from evidence.model import Citation, Claim, Stance

ARTICLE = """# Back pain

Walking helps chronic back pain in adults [@adams2019].
Heat wraps ease acute pain for a few days [@baker2020; @chen2018].
"""


def test_claims_record_their_source_and_it_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "review.md"
    path.write_text(ARTICLE, encoding="utf-8")
    result = extract_claims(path)
    assert [c.source for c in result.claims] == [f"{path}:3", f"{path}:4"]
    for fmt in ("yaml", "json"):
        back = parse_claims(dump_claims(result.claims, fmt), fmt)
        assert [c.source for c in back] == [c.source for c in result.claims]
    assert f"source: {path}:3" in dump_claims(result.claims, "yaml")


def _review(path: Path) -> None:
    """What a reviewer does by hand: a stance, a finding and counts on one citation."""
    text = path.read_text(encoding="utf-8")
    edited = text.replace(
        "      - key: adams2019\n        stance: unknown\n",
        "      - key: adams2019\n        stance: supports\n        finding: less pain at 12 weeks\n"
        "        n: 120\n        events: 40\n",
        1,
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")


def test_extracting_twice_keeps_an_edited_stance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "review.md"
    article.write_text(ARTICLE, encoding="utf-8")
    claims = tmp_path / "claims.yaml"
    assert main(["extract", str(article), "--offline", "-o", str(claims)]) == 0
    _review(claims)
    # The document changes: a word in the reviewed sentence, a new sentence, one gone.
    article.write_text(
        ARTICLE.replace("in adults", "in older adults").replace(
            "Heat wraps ease acute pain for a few days [@baker2020; @chen2018].",
            "Yoga eases pain as much as stretching [@dupont2015].",
        ),
        encoding="utf-8",
    )
    assert main(["extract", str(article), "--offline", "-o", str(claims)]) == 0
    merged = load_claims(claims)
    walking = merged[0]
    assert walking.text == "Walking helps chronic back pain in older adults."
    (adams,) = walking.citations
    assert (adams.stance, adams.finding, adams.n, adams.events) == (
        Stance.SUPPORTS,
        "less pain at 12 weeks",
        120,
        40,
    )
    assert [c.id for c in merged] == [walking.id, "yoga-eases-pain-much"]
    err = capsys.readouterr().err
    assert "no longer in the document and was never reviewed; dropped" in err
    assert "1 kept with their review, 1 added, 1 no longer in the document" in err
    # --overwrite replaces the reviewed file: the stance is back to unknown.
    assert main(["extract", str(article), "--offline", "-o", str(claims), "--overwrite"]) == 0
    assert load_claims(claims)[0].citations[0].stance is Stance.UNKNOWN


def test_a_reviewed_claim_that_vanished_is_kept_and_reported() -> None:
    old = [
        Claim("gone", "Cold baths cure pain.", (Citation("x", Stance.CONTRADICTS),)),
        Claim("walk", "Walking helps.", (Citation("a", Stance.SUPPORTS, note="RCT"),)),
    ]
    new = [Claim("walking-helps", "Walking helps!", (Citation("a"), Citation("b", Stance.UNKNOWN)))]
    result = merge_claims(old, new, path="claims.yaml")
    assert [c.id for c in result.claims] == ["walk", "gone"]
    walk = result.claims[0]
    assert [(c.key, c.stance, c.note) for c in walk.citations] == [
        ("a", Stance.SUPPORTS, "RCT"),
        ("b", Stance.UNKNOWN, ""),
    ]
    (problem,) = result.problems
    assert problem.code == "vanished-claim"
    assert "kept with its review" in problem.message


def test_an_unreadable_output_is_not_overwritten(tmp_path: Path) -> None:
    article = tmp_path / "review.md"
    article.write_text(ARTICLE, encoding="utf-8")
    claims = tmp_path / "claims.yaml"
    claims.write_text("claims:\n  - id: a\n", encoding="utf-8")
    assert main(["extract", str(article), "--offline", "-o", str(claims)]) != 0
    assert claims.read_text(encoding="utf-8") == "claims:\n  - id: a\n"
