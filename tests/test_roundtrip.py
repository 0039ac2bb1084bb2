"""Decisions written back into claims files: only the citation changes, or nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidence.claims import load_claims
from evidence.claims.roundtrip import set_citation_fields
from evidence.errors import ClaimFileError
from evidence.model import Stance

YAML_TEXT = """\
# Reviewed by hand; keep this comment.
version: 1
claims:
  - id: first
    text: A long claim written on two lines by someone who wraps text at an odd width
      like this one.
    citations:
      - katz2003          # a bare key
      - key: liliang2011
        stance: unknown
  # a comment between claims
  - id: second
    text: >-
      Folded text
      kept as folded.
    citations: []
    tags: [a, b]
"""


def test_only_the_citation_lines_change(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(YAML_TEXT, encoding="utf-8")
    set_citation_fields(path, "first", 1, {"stance": "supports", "events": 21, "n": 52})
    new = path.read_text(encoding="utf-8")
    assert new.replace(
        "stance: supports\n        events: 21\n        n: 52", "stance: unknown"
    ) == (YAML_TEXT)
    claims = load_claims(path)
    cited = claims[0].citations[1]
    assert (cited.stance, cited.events, cited.n) == (Stance.SUPPORTS, 21, 52)


def test_a_bare_key_becomes_a_mapping_and_comments_stay(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(YAML_TEXT, encoding="utf-8")
    set_citation_fields(path, "first", 0, {"stance": "contradicts", "note": "says # no"})
    new = path.read_text(encoding="utf-8")
    assert "# Reviewed by hand; keep this comment." in new
    assert "# a comment between claims" in new
    assert "Folded text\n      kept as folded." in new
    cited = load_claims(path)[0].citations[0]
    assert (cited.key, cited.stance, cited.note) == ("katz2003", Stance.CONTRADICTS, "says # no")


def test_undoing_a_decision_restores_the_file(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(YAML_TEXT, encoding="utf-8")
    set_citation_fields(path, "first", 1, {"stance": "supports", "quote": "x " * 80})
    set_citation_fields(path, "first", 1, {"stance": "unknown", "quote": None})
    assert path.read_text(encoding="utf-8") == YAML_TEXT


def test_unknown_claim_or_citation_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text(YAML_TEXT, encoding="utf-8")
    with pytest.raises(ClaimFileError, match="no claim with id 'third'"):
        set_citation_fields(path, "third", 0, {"stance": "supports"})
    with pytest.raises(ClaimFileError, match="no citation number 3"):
        set_citation_fields(path, "first", 2, {"stance": "supports"})
    with pytest.raises(ClaimFileError, match="would not load"):
        set_citation_fields(path, "first", 1, {"stance": "maybe"})
    assert path.read_text(encoding="utf-8") == YAML_TEXT


def test_json_claims_are_rewritten_whole(tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    document = {"claims": [{"id": "c", "text": "T.", "citations": ["katz2003"]}]}
    path.write_text(json.dumps(document), encoding="utf-8")
    set_citation_fields(path, "c", 0, {"stance": "supports", "n": 34})
    assert json.loads(path.read_text(encoding="utf-8"))["claims"][0]["citations"] == [
        {"key": "katz2003", "stance": "supports", "n": 34}
    ]


def test_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text("claim_id,text,key\nc,T.,katz2003\n", encoding="utf-8")
    with pytest.raises(ClaimFileError, match="YAML or JSON"):
        set_citation_fields(path, "c", 0, {"stance": "supports"})


def test_a_flow_list_of_citations_becomes_a_block_list(tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    text = (
        "claims:\n  - id: c   # first\n    text: Pain.\n    citations: [katz2003, liliang2011]\n"
        "    tags: [x]\n  - id: d\n    text: Other.\n"
    )
    path.write_text(text, encoding="utf-8")
    set_citation_fields(path, "c", 1, {"stance": "supports"})
    assert path.read_text(encoding="utf-8") == (
        "claims:\n  - id: c   # first\n    text: Pain.\n    citations:\n      - katz2003\n"
        "      - key: liliang2011\n        stance: supports\n"
        "    tags: [x]\n  - id: d\n    text: Other.\n"
    )
