"""Does a cited abstract speak to its claim? Its best-matching sentence, and a flag.

:func:`check_support` ranks the sentences of an abstract by how well they match a claim
and says whether the abstract appears to mention the claim at all. It never decides the
stance: a sentence that matches well may support, contradict or merely mention the
claim. What it gives a writer is the place to look, and a flag on citations that do not
seem to be about what they are cited for.

>>> check = check_support(
...     "Sacroiliac joint pain is common after lumbar fusion.",
...     ["We enrolled 130 patients.",
...      "Sacroiliac joint pain was found in 40% of patients after lumbar fusion."],
... )
>>> check.best.index, check.mentions
(1, True)
>>> check_support("Statins prevent dementia.", ["We enrolled 130 patients."]).mentions
False

How it scores, and why
======================

The ranker is BM25 (Robertson and Zaragoza, 2009) with each sentence of the abstract as a
document and the claim as the query:

``score(s) = sum over claim terms t found in s of idf(t) * tf * (k1 + 1) / (tf + k1 *
(1 - b + b * len(s) / avglen))``, divided by the sum of ``idf(t)`` over all the claim's
terms,

so a sentence's score is the (saturated, length-weighted) share of the claim's weighted
terms it contains: 0 when it shares nothing, about 1 when it holds every term once at
average length. That normalisation makes one threshold meaningful for every claim and
abstract, which the ``mentions`` flag needs.

* Terms: lower-cased words and numbers (numbers are kept: "32%" and "5 mg" matter in
  claims), Greek letters spelt out (``TNF-α`` matches ``TNF-alpha``), hyphenated words
  split into their parts with letter-digit compounds also kept whole (``IL-6`` matches
  ``IL6``), about 150 English function words dropped, and a light suffix stripper
  (plural ``-s``/``-ies``, ``-ing``, ``-ed``, a final ``-e``) so "studies" meets "study"
  and "reduces" meets "reduced".
* IDF comes from the abstract's own sentences: ``idf(t) = ln(1 + (N - df + 0.5) /
  (df + 0.5))`` with ``N`` sentences, ``df`` of them holding ``t`` (a term absent from
  the abstract gets the highest weight, so missing claim terms cost the most). A
  background document-frequency table (IDF over the 5,183 abstracts of the SciFact
  corpus) was measured as the alternative (``benchmarks/scifact_ranker.py --compare``):
  it picks the rationale sentence slightly less often (top-1 0.539 against 0.544), tells
  evidence from random abstracts slightly better (ROC AUC 0.996 against 0.988) and from
  related abstracts without evidence slightly worse (0.839 against 0.845). Differences
  that small do not pay for shipping a vocabulary file tied to one field, so the module
  has no data file and no dependency.
* ``k1``, ``b`` and the threshold were tuned on the SciFact train split by
  ``benchmarks/scifact_ranker.py``; ``docs/extraction.md`` has the figures and the
  command. The grid barely matters (top-1 from 0.498 to 0.548 over k1 0.3-3.0 and b
  0-1); ``b = 0`` (no penalty for long sentences: rationale sentences are the long,
  result-bearing ones) is best for k1 >= 0.9, and ``k1`` keeps the usual 1.2, two pairs
  out of 564 behind the grid's best (3.0), which cross-validation does not confirm.
* ``mentions`` is ``best.score >= threshold``. The threshold (0.11) keeps 96% of the
  SciFact evidence abstracts flagged as mentioning their claim, while 92% of random other
  abstracts are flagged as not mentioning it: a flag is a reason to read the abstract,
  and a tool that cries wolf on good citations gets switched off. (Also asking for two
  shared terms halves the random abstracts passed, 3.7% against 7.6%, but drops 2% of
  the evidence abstracts; not worth a second rule.)

Speed: a table checks each study's abstract against every claim citing it (30,000 checks
for 10,000 claims). There :class:`Vocabulary` splits and stems each distinct word once and
:class:`Scorer` works out each abstract's per-term contributions once, then gives each
claim its best sentence only; tests/test_support_scorer.py checks both against
:func:`terms` and :func:`check_support` (the same terms and best sentence, scores to the
bit). Measured with CPU time around ``build_table`` of the 10,000-claim table of
``benchmarks/bench_tables.py``: 8.5 s before (claim terms remade per citation, every
sentence ranked, a set of counted studies remade per claim), 3.7 s after.

A sentence-embedding backend was not added: the lexical ranker separates evidence from
unrelated abstracts almost perfectly on SciFact, and an offline model would add a heavy
dependency for the harder case (a related abstract that lacks the claim's evidence),
where the flag is a hint either way.
"""  # noqa: RUF002  (the examples show real Greek letters)

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from evidence.model import PubMedRecord
from evidence.text import split_sentences

__all__ = [
    "K1",
    "THRESHOLD",
    "AbstractTerms",
    "B",
    "RankedSentence",
    "Scorer",
    "SupportCheck",
    "Vocabulary",
    "abstract_terms",
    "check_support",
    "prepare_abstract",
    "support_for_record",
    "terms",
]

#: BM25 term-frequency saturation (tuned on the SciFact train split).
K1 = 1.2
#: BM25 length normalisation; 0 means long sentences are not penalised (tuned).
B = 0.0
#: A best-sentence score below this means "the abstract does not appear to mention this
#: claim" (tuned; see docs/extraction.md).
THRESHOLD = 0.11

_STOPWORDS = frozenset(
    """
    a about above after again against all also am among an and any are as at be because
    been before being below between both but by can could did do does doing down during
    each either few for from further had has have having he her here hers herself him
    himself his how however i if in into is it its itself just may me might more most must
    my myself neither no nor not of off on once only or other ought our ours ourselves out
    over own same shall she should so some such than that the their theirs them themselves
    then there therefore these they this those though through thus to too under until up
    upon very via was we were what when where whereas whether which while who whom whose
    why will with within without would yet you your yours yourself yourselves et al
    """.split()  # noqa: SIM905  (a word list reads best as prose)
)
# Negations ("not", "no") are stop words too: BM25 ranks by topic, and counting them would
# favour any sentence that negates something. Polarity is the reviewer's call.

_GREEK_NAMES = (  # noqa: SIM905  (a word list reads best as prose)
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
    "phi chi psi omega"
).split()
# "TNF-\u03b1" is written "TNF-alpha" as often: spell the letters out.
_GREEK_TABLE = str.maketrans(
    {
        unicodedata.lookup(f"GREEK {case} LETTER {n.upper().replace('LAMBDA', 'LAMDA')}"): n
        for n in _GREEK_NAMES
        for case in ("SMALL", "CAPITAL")
    }
)
_HYPHENS = "-\u2010\u2011"
_TOKEN = re.compile(rf"[^\W_]+(?:[{_HYPHENS}][^\W_]+)*")
_HYPHEN = re.compile(f"[{_HYPHENS}]")


def _stem(word: str) -> str:
    """A light suffix stripper: enough for "studies"/"study", "reduces"/"reduced"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("e"):
        return word[:-1]  # "reduce" meets "reduced" and "reducing" as "reduc"
    return word


def terms(text: str) -> list[str]:
    """The terms the ranker matches on, in order (see the module docstring).

    >>> terms("IL-6 levels were increased in 32% of the studies (TNF-α)")
    ['il', '6', 'il6', 'level', 'increas', '32', 'study', 'tnf', 'alpha']
    """  # noqa: RUF002  (the example shows a real Greek letter)
    out: list[str] = []
    for token in _TOKEN.findall(text.translate(_GREEK_TABLE).lower()):
        out += _token_terms(token)
    return out


def _token_terms(token: str) -> tuple[str, ...]:
    """The terms of one token of :data:`_TOKEN` (lower-cased, Greek spelt out)."""
    # A token is word characters joined by hyphens, so ``isalnum`` is false exactly when
    # it has a hyphen: most tokens have none and need no splitting.
    if token.isalnum():
        return () if token in _STOPWORDS else (_stem(token),)
    parts = _HYPHEN.split(token)
    out = [_stem(part) for part in parts if part not in _STOPWORDS]
    if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
        out.append("".join(parts))
    return tuple(out)


class Vocabulary:
    """:func:`terms` with each distinct token's terms remembered.

    A table ranks thousands of claims and abstracts drawn from one field's words: each
    word is looked up once instead of split and stemmed at every occurrence (same terms,
    in the same order, as :func:`terms`). Keep one for a batch of work, not for ever: it
    grows with the distinct words it has seen.
    """

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[str, tuple[str, ...]] = {}

    def terms(self, text: str) -> list[str]:
        """:func:`terms` of ``text``."""
        known = self._known
        out: list[str] = []
        for token in _TOKEN.findall(text.translate(_GREEK_TABLE).lower()):
            found = known.get(token)
            if found is None:
                found = known[token] = _token_terms(token)
            out += found
        return out


@dataclass(frozen=True, slots=True)
class RankedSentence:
    """One sentence of the abstract with its score (0 = shares nothing with the claim).

    ``index`` is its position in the abstract (from 0), ``terms`` the claim's terms it
    contains, ``section`` the label of its abstract section (``RESULTS``) when known.
    """

    index: int
    text: str
    score: float
    terms: tuple[str, ...] = ()
    section: str = ""


@dataclass(frozen=True, slots=True)
class SupportCheck:
    """An abstract's sentences ranked against a claim, best first, and the mention flag.

    ``mentions`` is False when the best sentence scores below ``threshold``: "the
    abstract does not appear to mention this claim". It says nothing about the stance.
    """

    claim: str
    sentences: tuple[RankedSentence, ...]
    threshold: float = THRESHOLD

    @property
    def best(self) -> RankedSentence | None:
        """The best-matching sentence (``None`` for an empty abstract)."""
        return self.sentences[0] if self.sentences else None

    @property
    def score(self) -> float:
        """The best sentence's score (0.0 for an empty abstract)."""
        return self.sentences[0].score if self.sentences else 0.0

    @property
    def mentions(self) -> bool:
        """Whether the abstract appears to mention the claim (best score >= threshold)."""
        return self.score >= self.threshold

    def in_order(self) -> tuple[RankedSentence, ...]:
        """The sentences in the abstract's own order."""
        return tuple(sorted(self.sentences, key=lambda s: s.index))

    def __str__(self) -> str:
        if self.best is None:
            return "no abstract"
        if not self.mentions:
            return (
                f"the abstract does not appear to mention this claim (best sentence "
                f"{self.best.score:.2f} < {self.threshold:.2f}: {self.best.text!r})"
            )
        return f"best sentence ({self.best.score:.2f}): {self.best.text!r}"


def check_support(
    claim: str,
    abstract: str | Sequence[str],
    *,
    k1: float = K1,
    b: float = B,
    threshold: float = THRESHOLD,
    sections: Sequence[str] | None = None,
    sentence_terms: Sequence[Sequence[str]] | None = None,
    prepared: AbstractTerms | None = None,
) -> SupportCheck:
    """Rank ``abstract``'s sentences by how well they match ``claim`` (BM25, normalised).

    ``abstract`` is the text (split into sentences here) or its sentences already split.
    ``sections`` optionally gives each sentence's section label. Ties keep the
    abstract's order. ``k1``, ``b`` and ``threshold`` default to the tuned module
    constants :data:`K1`, :data:`B` and :data:`THRESHOLD`. ``sentence_terms`` may give
    :func:`terms` of each sentence already made: a table checks one abstract against every
    claim that cites it, and stemming the abstract once is most of the saving;
    ``prepared`` (:func:`prepare_abstract` of the same sentences) saves the rest.
    """
    if k1 < 0 or not 0 <= b <= 1:
        raise ValueError(f"k1 must be >= 0 and b within [0, 1], not k1={k1}, b={b}")
    sentences = split_sentences(abstract) if isinstance(abstract, str) else list(abstract)
    sentences = [" ".join(s.split()) for s in sentences]
    labels = list(sections) if sections is not None else [""] * len(sentences)
    if len(labels) != len(sentences):
        raise ValueError("sections must give one label per sentence")
    if sentence_terms is not None and len(sentence_terms) != len(sentences):
        raise ValueError("sentence_terms must give the terms of each sentence")
    if prepared is None:
        prepared = _prepare(sentences, labels, sentence_terms)
    return _rank(claim, prepared, k1, b, threshold)


def _rank(
    claim: str, prepared: AbstractTerms, k1: float, b: float, threshold: float
) -> SupportCheck:
    scores = _bm25(terms(claim), prepared, k1, b)
    labels = prepared.labels
    ranked = [
        RankedSentence(i, text, score, matched, labels[i])
        for i, (text, (score, matched)) in enumerate(zip(prepared.sentences, scores, strict=True))
    ]
    ranked.sort(key=lambda r: (-r.score, r.index))
    return SupportCheck(claim, tuple(ranked), threshold)


@dataclass(frozen=True, slots=True)
class AbstractTerms:
    """An abstract split into sentences and terms once, to rank it against many claims.

    A table citing one study for 15 claims ranks its abstract 15 times; what does not
    depend on the claim (the sentences, their terms and counts, document frequencies)
    is made here once (:func:`abstract_terms`) and passed to :func:`support_for_record`.
    """

    sentences: tuple[str, ...]
    labels: tuple[str, ...]
    counts: tuple[Mapping[str, int], ...]  # each sentence's terms, counted
    lengths: tuple[int, ...]  # each sentence's number of terms
    df: Mapping[str, int]  # in how many sentences each term occurs


def prepare_abstract(
    sentences: Sequence[str], sections: Sequence[str], *, vocabulary: Vocabulary | None = None
) -> AbstractTerms:
    """An abstract's sentences (with their section labels) made ready to rank against many
    claims with :func:`check_support`'s ``prepared`` (or a :class:`Scorer`).
    ``vocabulary`` remembers words across the abstracts of a batch (the same terms)."""
    cleaned = [" ".join(s.split()) for s in sentences]
    documents = None if vocabulary is None else [vocabulary.terms(s) for s in cleaned]
    return _prepare(cleaned, sections, documents)


def _prepare(
    sentences: Sequence[str],
    labels: Sequence[str],
    documents: Sequence[Sequence[str]] | None = None,
) -> AbstractTerms:
    if documents is None:
        documents = [terms(sentence) for sentence in sentences]
    df: Counter[str] = Counter()
    for document in documents:
        df.update(set(document))
    return AbstractTerms(
        tuple(sentences),
        tuple(labels),
        tuple(Counter(d) for d in documents),
        tuple(len(d) for d in documents),
        df,
    )


def abstract_terms(record: PubMedRecord) -> AbstractTerms | None:
    """The sentences and terms of ``record``'s abstract, each section split on its own
    (as :func:`support_for_record` splits them); ``None`` without an abstract."""
    sentences: list[str] = []
    labels: list[str] = []
    for section in record.abstract:
        for sentence in split_sentences(section.text):
            sentences.append(" ".join(sentence.split()))
            labels.append(section.label)
    return _prepare(sentences, labels) if sentences else None


def _bm25(
    query: Iterable[str], prepared: AbstractTerms, k1: float, b: float
) -> list[tuple[float, tuple[str, ...]]]:
    wanted = list(dict.fromkeys(query))  # each claim term counts once
    n = len(prepared.counts)
    if not n:
        return []
    df = prepared.df
    average = sum(prepared.lengths) / n or 1.0
    idf = {t: math.log(1.0 + (n - df.get(t, 0) + 0.5) / (df.get(t, 0) + 0.5)) for t in wanted}
    total = sum(idf.values())
    results: list[tuple[float, tuple[str, ...]]] = []
    for counts, length in zip(prepared.counts, prepared.lengths, strict=True):
        norm = k1 * (1.0 - b + b * length / average)
        score = 0.0
        matched: list[str] = []
        for term in wanted:
            tf = counts.get(term, 0)
            if tf:
                score += idf[term] * tf * (k1 + 1.0) / (tf + norm)
                matched.append(term)
        results.append((score / total if total else 0.0, tuple(matched)))
    return results


class Scorer:
    """One abstract ready to give its best sentence for claim after claim.

    ``best(terms(claim))`` is the sentence :func:`check_support` ranks first, with the
    same score (to the bit) and matched terms, without ranking the other sentences. A
    term's IDF depends on the abstract alone, so each term's contribution to each
    sentence holding it (BM25's ``idf * tf * (k1 + 1) / (tf + norm)``) is worked out here
    once; a claim then adds up, sentence by sentence and in its own term order, the
    contributions of the terms it shares, as :func:`check_support` adds them. A table
    checks each of its studies against every claim citing it (30,000 checks for 10,000
    claims): ranking every sentence of each was most of the table's build.
    """

    __slots__ = ("_absent", "_idf", "_postings", "prepared")

    def __init__(self, prepared: AbstractTerms, *, k1: float = K1, b: float = B) -> None:
        self.prepared = prepared
        n = len(prepared.counts)
        lengths = prepared.lengths
        average = (sum(lengths) / n or 1.0) if n else 1.0
        norms = [k1 * (1.0 - b + b * length / average) for length in lengths]
        self._idf = {t: _idf(n, df) for t, df in prepared.df.items()}
        self._absent = _idf(n, 0)  # a claim term no sentence holds
        postings: dict[str, list[tuple[int, float]]] = {}
        for index, counts in enumerate(prepared.counts):
            norm = norms[index]
            for term, tf in counts.items():
                gain = self._idf[term] * tf * (k1 + 1.0) / (tf + norm)
                postings.setdefault(term, []).append((index, gain))
        self._postings = postings

    def best(self, claim_terms: Sequence[str]) -> RankedSentence | None:
        """The best-matching sentence for a claim of these :func:`terms` (``None`` when
        the abstract has no sentence)."""
        prepared = self.prepared
        n = len(prepared.counts)
        if not n:
            return None
        wanted = list(dict.fromkeys(claim_terms))  # each claim term counts once
        idf = self._idf
        absent = self._absent
        total = sum([idf.get(t, absent) for t in wanted])
        scores = [0.0] * n
        postings = self._postings
        for term in wanted:
            for index, gain in postings.get(term, ()):
                scores[index] += gain
        # Compared once normalised, as the ranking compares them (two sums can differ and
        # still divide to the same float); the first of equal scores, as the sort keeps.
        normalised = [score / total for score in scores] if total else [0.0] * n
        top = max(normalised)
        best = normalised.index(top)
        # The terms it shares, in the claim's order (as the ranking lists them).
        counts = prepared.counts[best]
        matched = tuple(term for term in wanted if term in counts)
        return RankedSentence(best, prepared.sentences[best], top, matched, prepared.labels[best])


def _idf(n: int, df: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def support_for_record(
    claim_text: str,
    record: PubMedRecord,
    *,
    threshold: float = THRESHOLD,
    prepared: AbstractTerms | None = None,
) -> SupportCheck | None:
    """:func:`check_support` against a PubMed record's abstract; ``None`` without one.

    Each abstract section is split into sentences on its own, so a sentence never runs
    across ``RESULTS:`` and ``CONCLUSIONS:``; each ranked sentence carries its section.
    ``prepared`` is :func:`abstract_terms` of the same record, made once by a caller that
    ranks it against many claims (the same result, without splitting it again).
    """
    if prepared is None:
        prepared = abstract_terms(record)
        if prepared is None:
            return None
    return _rank(claim_text, prepared, K1, B, threshold)
