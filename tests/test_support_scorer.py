"""The table's fast support path against check_support: same terms, same best sentence.

:class:`~evidence.assess.support.Vocabulary` and :class:`~evidence.assess.support.Scorer`
replace, inside :func:`evidence.build_table`, the plain :func:`terms` and the full ranking
of :func:`check_support`. These tests compare them on real claims and abstracts (SciFact,
the PubMed fixtures) and on random texts made to hit the corners (hyphens, Greek letters,
digits, stop words, repeated sentences that tie): every result must be equal, floats to
the bit.
"""

from __future__ import annotations

import json
import random

from conftest import shared_path

from evidence.assess.support import (
    Scorer,
    Vocabulary,
    check_support,
    prepare_abstract,
    terms,
)
from evidence.pubmed import parse_efetch
from evidence.text import split_sentences

_WORDS = (  # noqa: SIM905  (a word list reads best as prose)
    "pain walking reduced reduces reducing study studies IL-6 IL6 TNF-\u03b1 TNF-alpha "
    "32% 5 mg the of not no and patients patient's back-pain low-dose x-ray COVID-19 "
    "\u03b2-blocker beta-blocker e\u0301clair caf\u00e9 na\u00efve snake_case 1.5 "
    "\u2010 \u2011 - -- fusion sacroiliac joint after before et al. mortality risk"
).split()


def _random_text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _same_best(claim: str, sentences: list[str], sections: list[str], **bm25: float) -> None:
    expected = check_support(claim, sentences, sections=sections, **bm25).best  # type: ignore[arg-type]
    prepared = prepare_abstract(sentences, sections, vocabulary=Vocabulary())
    got = Scorer(prepared, **bm25).best(terms(claim))
    assert got == expected, (claim, sentences)
    if got is not None and expected is not None:
        assert got.score.hex() == expected.score.hex()


def test_vocabulary_gives_the_terms_of_terms_on_random_texts() -> None:
    rng = random.Random(16)
    vocabulary = Vocabulary()
    alphabet = "aZ9-\u2010\u2011_ .\u03b1\u0391\u00e9\u0663%"  # incl. an Arabic-Indic digit
    for _ in range(3000):
        text = _random_text(rng, rng.randint(0, 25))
        assert vocabulary.terms(text) == terms(text)
        noise = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert vocabulary.terms(noise) == terms(noise)


def test_scorer_picks_check_supports_best_sentence_on_random_abstracts() -> None:
    rng = random.Random(4)
    for round_ in range(1500):
        sentences = [_random_text(rng, rng.randint(0, 12)) for _ in range(rng.randint(0, 8))]
        if sentences and round_ % 3 == 0:
            sentences.append(rng.choice(sentences))  # an exact tie
        sections = [rng.choice(["", "RESULTS", "METHODS"]) for _ in sentences]
        claim = _random_text(rng, rng.randint(0, 10))
        _same_best(claim, sentences, sections)
        _same_best(claim, sentences, sections, k1=rng.uniform(0, 3), b=rng.uniform(0, 1))


def test_scorer_picks_check_supports_best_sentence_on_scifact() -> None:
    data = shared_path("fixtures", "claims", "scifact")
    corpus = {}
    with open(data / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            corpus[int(doc["doc_id"])] = doc["abstract"]
    with open(data / "claims_train.jsonl", encoding="utf-8") as handle:
        claims = [json.loads(line)["claim"] for line in handle]
    rng = random.Random(11)
    ids = sorted(corpus)
    vocabulary = Vocabulary()
    for _ in range(150):
        sentences = corpus[rng.choice(ids)]
        scorer = Scorer(prepare_abstract(sentences, [""] * len(sentences), vocabulary=vocabulary))
        for claim in rng.sample(claims, 8):
            expected = check_support(claim, sentences).best
            assert scorer.best(vocabulary.terms(claim)) == expected


def test_scorer_on_every_pubmed_fixture_abstract() -> None:
    folder = shared_path("fixtures", "pubmed")
    checked = 0
    for path in sorted(folder.glob("efetch_*.xml")):
        try:
            records = parse_efetch(path.read_bytes())
        except Exception:  # some fixtures are deliberately broken
            continue
        for record in records:
            sentences: list[str] = []
            sections: list[str] = []
            for section in record.abstract:
                for sentence in split_sentences(section.text):
                    sentences.append(sentence)
                    sections.append(section.label)
            claims = [record.title, *sentences[:6], "Sacroiliac joint pain follows fusion.", ""]
            for claim in claims:
                _same_best(claim, sentences, sections)
            checked += bool(sentences)
    assert checked >= 5
