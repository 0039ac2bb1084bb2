"""The support check: an abstract's sentences ranked against a claim, and the mention flag."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import shared_path

from evidence.assess.support import (
    K1,
    THRESHOLD,
    B,
    RankedSentence,
    SupportCheck,
    check_support,
    support_for_record,
    terms,
)
from evidence.model import AbstractSection, PubMedRecord
from evidence.pubmed import parse_efetch

ABSTRACT = [
    "Low back pain is a leading cause of disability.",
    "We randomised 120 adults with chronic low back pain to walking or usual care.",
    "Walking reduced pain scores by 2 points at 12 weeks compared with usual care.",
    "No serious adverse events occurred.",
]


def test_terms_stem_lightly_keep_numbers_and_spell_out_greek() -> None:
    assert terms("The studies treated patients with 5 mg") == [
        "study",
        "treat",
        "patient",
        "5",
        "mg",
    ]
    assert terms("TNF-\u03b1 and TNF-alpha") == ["tnf", "alpha", "tnf", "alpha"]
    assert terms("IL-6 and IL6") == ["il", "6", "il6", "il6"]
    assert terms("Pain is not of the essence") == ["pain", "essenc"]
    assert terms("") == []


def test_the_sentence_holding_the_claim_ranks_first() -> None:
    check = check_support("Walking reduces chronic low back pain in adults.", ABSTRACT)
    assert check.best is not None
    assert check.best.index in (1, 2)
    assert [s.index for s in check.in_order()] == [0, 1, 2, 3]
    assert sorted(s.score for s in check.sentences) == sorted(
        (s.score for s in check.sentences), reverse=False
    )
    assert [s.score for s in check.sentences] == sorted(
        (s.score for s in check.sentences), reverse=True
    )
    assert check.sentences[-1].index == 3  # shares nothing with the claim
    assert check.sentences[-1].score == 0.0
    assert check.mentions
    assert "walk" in check.best.terms
    assert 0.0 < check.score <= 1.0


def test_a_result_sentence_beats_background_that_shares_one_word() -> None:
    check = check_support("Walking reduced pain scores at 12 weeks.", ABSTRACT)
    assert check.best is not None
    assert check.best.index == 2
    assert check.best.terms == ("walk", "reduc", "pain", "scor", "12", "week")


def test_an_unrelated_abstract_is_flagged() -> None:
    check = check_support("Statins prevent dementia in older women.", ABSTRACT)
    assert not check.mentions
    assert check.score < THRESHOLD
    assert "does not appear to mention" in str(check)


def test_threshold_decides_the_flag() -> None:
    claim = "Walking reduces pain."
    score = check_support(claim, ABSTRACT).score
    assert check_support(claim, ABSTRACT, threshold=score).mentions
    assert not check_support(claim, ABSTRACT, threshold=score + 0.01).mentions


def test_text_abstracts_are_split_into_sentences() -> None:
    check = check_support(
        "Heat wraps ease acute back pain.",
        "Heat wraps were compared with pills (Fig. 1) in 80 adults. Heat wraps eased acute "
        "back pain more than pills, e.g. at day 2. Costs were similar.",
    )
    assert len(check.sentences) == 3
    assert check.best is not None
    assert check.best.text.startswith("Heat wraps eased acute back pain")


def test_ties_keep_the_abstract_order() -> None:
    check = check_support("pain", ["Pain here.", "Pain there.", "Nothing."])
    assert [s.index for s in check.sentences] == [0, 1, 2]


def test_empty_abstract_and_empty_claim() -> None:
    empty = check_support("Walking helps.", [])
    assert empty.best is None
    assert empty.score == 0.0
    assert not empty.mentions
    assert str(empty) == "no abstract"
    stopwords_only = check_support("It is what it is.", ABSTRACT)
    assert stopwords_only.score == 0.0
    assert not stopwords_only.mentions


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="k1"):
        check_support("x", ABSTRACT, k1=-1)
    with pytest.raises(ValueError, match="b within"):
        check_support("x", ABSTRACT, b=1.5)
    with pytest.raises(ValueError, match="one label per sentence"):
        check_support("x", ABSTRACT, sections=["A"])


def test_length_normalisation_changes_scores_only_when_b_is_set() -> None:
    long = "Walking " + "and other things such as cycling swimming rowing " * 4 + "helps."
    sentences = ["Walking helps.", long]
    flat = check_support("walking helps", sentences, b=0.0)
    assert flat.sentences[0].score == pytest.approx(flat.sentences[1].score)
    normalised = check_support("walking helps", sentences, b=1.0)
    assert normalised.best is not None
    assert normalised.best.index == 0
    assert normalised.sentences[0].score > normalised.sentences[1].score


def test_tuned_constants_are_the_defaults() -> None:
    assert (K1, B) == (1.2, 0.0)
    check = check_support("Walking helps.", ABSTRACT)
    assert check.threshold == THRESHOLD
    assert check == check_support("Walking helps.", ABSTRACT, k1=K1, b=B, threshold=THRESHOLD)


def test_support_for_record_uses_each_section_and_its_label() -> None:
    record = PubMedRecord(
        pmid="1",
        title="Walking for back pain",
        abstract=(
            AbstractSection("Back pain is common. Walking is cheap.", label="BACKGROUND"),
            AbstractSection("Walking reduced back pain at 12 weeks.", label="RESULTS"),
        ),
    )
    check = support_for_record("Walking reduces back pain.", record)
    assert isinstance(check, SupportCheck)
    assert [s.section for s in check.in_order()] == ["BACKGROUND", "BACKGROUND", "RESULTS"]
    assert check.best == RankedSentence(
        2,
        "Walking reduced back pain at 12 weeks.",
        check.best.score if check.best else 0.0,
        ("walk", "reduc", "back", "pain"),
        "RESULTS",
    )
    assert support_for_record("Walking helps.", PubMedRecord(pmid="2", title="x")) is None


def test_support_for_a_real_structured_abstract() -> None:
    path = shared_path("fixtures", "pubmed", "efetch_pubmed_rct_structured_abstract.xml")
    (record,) = parse_efetch(path.read_bytes())
    assert record.abstract
    own = support_for_record(record.title, record)
    assert own is not None
    assert own.mentions
    assert {s.section for s in own.sentences} == {s.label for s in record.abstract}
    unrelated = support_for_record("Sacroiliac joint pain follows lumbar fusion.", record)
    assert unrelated is not None
    assert unrelated.score < own.score


def _scifact_sample(size: int) -> tuple[list[tuple[str, list[str], set[int]]], list[list[str]]]:
    data = shared_path("fixtures", "claims", "scifact")
    corpus: dict[int, list[str]] = {}
    with open(data / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            corpus[int(doc["doc_id"])] = doc["abstract"]
    pairs = []
    with open(data / "claims_train.jsonl", encoding="utf-8") as handle:
        for line in handle:
            claim = json.loads(line)
            for doc_id, sets in claim["evidence"].items():
                gold = {i for s in sets for i in s["sentences"]}
                pairs.append((claim["claim"], corpus[int(doc_id)], gold))
    rng = random.Random(7)
    sample = rng.sample(pairs, size)
    others = [corpus[rng.choice(sorted(corpus))] for _ in range(size)]
    return sample, others


def test_scifact_sample_ranks_rationales_and_flags_unrelated_abstracts() -> None:
    """A small sample of the train split; benchmarks/scifact_ranker.py runs all of it."""
    sample, others = _scifact_sample(60)
    top1 = sum(check_support(c, abstract).best.index in gold for c, abstract, gold in sample)  # type: ignore[union-attr]
    chance = sum(len(gold) / len(abstract) for _, abstract, gold in sample)
    # Far better than picking a sentence at random (about 0.2 of the pairs).
    assert top1 / len(sample) >= 0.4
    assert top1 >= 2 * chance
    gold_flags = sum(check_support(c, abstract).mentions for c, abstract, _ in sample)
    other_flags = sum(
        check_support(c, other).mentions for (c, _, _), other in zip(sample, others, strict=True)
    )
    assert gold_flags / len(sample) >= 0.85
    assert other_flags / len(sample) <= 0.2


def test_module_has_no_data_file() -> None:
    import evidence.assess.support as module

    folder = Path(module.__file__).parent
    assert not any(p.suffix in (".json", ".tsv", ".pkl") for p in folder.iterdir())
