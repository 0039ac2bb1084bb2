"""Abstracts from the .bib, the support check offline, and suggestions kept apart from decisions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from evidence import load_references
from evidence.assess.abstracts import BIB_SOURCE, abstract_for
from evidence.assess.suggest import suggest
from evidence.model import (
    AbstractSection,
    Citation,
    Claim,
    PubMedRecord,
    PubMedStatus,
    Reference,
    Stance,
)
from evidence.studies import make_study
from evidence.table import build_table

DATA = Path(__file__).parent / "data"
CLAIM = Claim(
    "not-all",
    "Not all patients suffer from sacroiliac joint pain after lumbar fusion.",
    (Citation("liliang2011", Stance.UNKNOWN), Citation("katz2003", Stance.UNKNOWN)),
)


def test_abstract_field_names_and_pubmed_first() -> None:
    ref = Reference("k", "article", fields={"abstractNote": "From Zotero. Two sentences."})
    found = abstract_for(ref, None)
    assert found is not None
    assert found.source == BIB_SOURCE
    assert found.sentences == ("From Zotero.", "Two sentences.")
    record = PubMedRecord("1", "t", abstract=(AbstractSection("From PubMed.", "RESULTS"),))
    pubmed = abstract_for(ref, record, record_source="PubMed (snapshot)")
    assert pubmed is not None
    assert pubmed.source == "PubMed (snapshot)"
    assert pubmed.sections == ("RESULTS",)
    assert abstract_for(Reference("k", "article"), None) is None


def test_offline_table_checks_bib_abstracts_and_suggests_numbers() -> None:
    refs = load_references(DATA / "sacroiliac-abstracts.bib")
    table = build_table([CLAIM], refs)
    rows = {r["key"]: r for r in table.evidence.to_dict("records")}
    assert rows["liliang2011"]["abstract_source"] == BIB_SOURCE
    assert rows["liliang2011"]["mentions"] is True
    assert "sacroiliac joint" in rows["liliang2011"]["best_sentence"]
    assert (rows["liliang2011"]["suggested_events"], rows["liliang2011"]["suggested_n"]) == (21, 52)
    assert (rows["katz2003"]["suggested_events"], rows["katz2003"]["suggested_n"]) == (11, 34)
    assert rows["katz2003"]["suggested_design"] == "retrospective-cohort"
    # A suggestion is not a decision: the claim stays unreviewed, the numbers stay empty.
    claim = table.claims.iloc[0]
    assert claim["verdict"] == "unreviewed"
    assert claim["unreviewed"] == ("liliang2011", "katz2003")
    assert rows["liliang2011"]["events"] is None or str(rows["liliang2011"]["events"]) == "<NA>"


def test_every_format_marks_suggestions() -> None:
    refs = load_references(DATA / "sacroiliac-abstracts.bib")
    table = build_table([CLAIM], refs)
    for fmt in ("markdown", "html", "latex"):
        assert "Suggestion, not reviewed" in table.render(fmt), fmt
    assert "suggested_events" in table.to_json()
    assert "suggested_numbers" in table.to_csv().splitlines()[0]
    markdown = table.to_markdown()
    assert "Not yet reviewed" in markdown
    assert "Liliang 2011" in markdown
    assert "not-all: Not all patients suffer" in markdown  # claim text beside its id


def test_reviewed_citations_get_no_suggestion() -> None:
    refs = load_references(DATA / "sacroiliac-abstracts.bib")
    reviewed = replace(
        CLAIM, citations=tuple(replace(c, stance=Stance.SUPPORTS) for c in CLAIM.citations)
    )
    table = build_table([reviewed], refs)
    assert table.claims.iloc[0]["verdict"] == "supported"
    assert list(table.evidence["suggested_numbers"]) == [(), ()]
    assert "Not yet reviewed" not in table.to_markdown()
    assert "Suggestion, not reviewed" not in table.to_markdown()


def test_snapshot_record_is_named_as_the_source() -> None:
    ref = Reference("k", "article", title="Aspirin")
    record = PubMedRecord(
        "1", "Aspirin", abstract=(AbstractSection("Sacroiliac pain after fusion was rare."),)
    )
    study = make_study(ref, record, status=PubMedStatus.SNAPSHOT)
    table = build_table(
        [Claim("c", "Sacroiliac pain after fusion.", (Citation("k", Stance.UNKNOWN),))],
        {"k": ref},
        studies={"k": study},
    )
    assert table.evidence.iloc[0]["abstract_source"] == "PubMed (snapshot)"


def test_suggest_offers_the_best_sentences_first() -> None:
    refs = load_references(DATA / "sacroiliac-abstracts.bib")
    found = abstract_for(refs["katz2003"], None)
    assert found is not None
    offered = suggest(CLAIM.text, found)
    assert 1 <= len(offered.sentences) <= 3
    assert offered.stance is None
    assert offered.numbers is not None
    assert offered.numbers.sentence in found.sentences
