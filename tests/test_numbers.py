"""Counts found in abstracts: the shapes one by one, and precision/recall on labelled abstracts.

The labels (tests/data/abstract_counts.json, which says how they were made) were written
by hand from 63 real abstracts: the PubMed fixtures with an abstract and SciFact corpus
documents. The figures are computed here, not copied.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import shared_path

from evidence.assess.numbers import count_key, find_counts, find_counts_in
from evidence.pubmed import parse_efetch
from evidence.text import split_sentences

LABELS = Path(__file__).parent / "data" / "abstract_counts.json"


@pytest.mark.parametrize(
    ("sentence", "labels"),
    [
        ("SIJ pain was confirmed in 21 of 52 patients (40%).", ["21/52 (40%) patients"]),
        ("Relief came in 21/52 (40%).", ["21/52 (40%)"]),
        ("The joint was the cause in 32% of 34 patients.", ["32% of 34 patients"]),
        (
            "We enrolled 130 consecutive patients (n = 130).",
            ["130 consecutive patients", "n = 130"],
        ),
        ("Eleven of 34 had prolonged relief.", ["11/34"]),
        ("In all, 245 (94%) of 262 patients did well.", ["245/262 (94%) patients"]),
        ("Of 249 patients, 238 (96%) did well.", ["238/249 (96%) patients"]),
        ("Ten of twelve cases evolved.", ["10/12 cases"]),
    ],
)
def test_shapes(sentence: str, labels: list[str]) -> None:
    assert [c.label for c in find_counts(sentence)] == labels


@pytest.mark.parametrize(
    "sentence",
    [
        "Data were collected from 2007/2009 onwards.",  # years, not a ratio
        "Two low-spin (S = 1/2) heme irons.",  # a spin, not a count
        "The odds ratio was 1.5/2.0 (p = 0.02).",
        "Mean age was 45 years; 40% had diabetes.",  # bare percentage
        "Fewer than 1 in 5 physicians knew it.",  # a rate, not a sample
        "Curves from birth to 20 years for children.",  # an age
    ],
)
def test_not_counts(sentence: str) -> None:
    assert find_counts(sentence) == []


def test_count_keeps_its_sentence_and_derived_events() -> None:
    (count,) = find_counts("The joint was the cause in 32% of 34 patients.")
    assert count.sentence.startswith("The joint")
    assert count.sentence[count.start : count.end] == count.text
    assert (count.events, count.n, count.derived) == (11, 34, True)


def _scifact(wanted: set[str]) -> dict[str, list[str]]:
    corpus = shared_path("fixtures", "claims", "scifact", "corpus.jsonl")
    found: dict[str, list[str]] = {}
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            if str(doc["doc_id"]) in wanted:
                found[str(doc["doc_id"])] = [str(s) for s in doc["abstract"]]
    return found


def _abstract_sentences(source: str, scifact: dict[str, list[str]]) -> list[str]:
    kind, _, ident = source.partition(":")
    if kind == "scifact":
        if ident not in scifact:
            raise AssertionError(f"{source} is not in the SciFact corpus")
        return scifact[ident]
    folder = shared_path("fixtures", "pubmed")
    for path in sorted(folder.glob("efetch_*.xml")):
        for record in parse_efetch(path.read_bytes()):
            if record.pmid == ident:
                return [s for section in record.abstract for s in split_sentences(section.text)]
    raise AssertionError(f"{source} is in no PubMed fixture")


def test_precision_and_recall_on_labelled_abstracts() -> None:
    data = json.loads(LABELS.read_text(encoding="utf-8"))
    abstracts = data["abstracts"]
    assert len(abstracts) >= 60
    scifact = _scifact({a["source"].partition(":")[2] for a in abstracts})
    right = found = wanted = 0
    misses: list[str] = []
    for item in abstracts:
        got = Counter(
            count_key(c) for c in find_counts_in(_abstract_sentences(item["source"], scifact))
        )
        expected = Counter(item["counts"])
        overlap = sum((got & expected).values())
        right += overlap
        found += sum(got.values())
        wanted += sum(expected.values())
        if got != expected:
            misses.append(
                f"{item['source']}: extra {dict(got - expected)} missed {dict(expected - got)}"
            )
    precision, recall = right / found, right / wanted
    report = f"precision {precision:.3f} ({right}/{found}), recall {recall:.3f} ({right}/{wanted})"
    print(report, *misses, sep="\n")
    assert precision >= 0.9, report + "\n" + "\n".join(misses)
    assert recall >= 0.8, report + "\n" + "\n".join(misses)
