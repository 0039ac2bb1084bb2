"""Tune and evaluate :func:`evidence.check_support` on the SciFact train split.

SciFact (Wadden et al., EMNLP 2020) pairs scientific claims with the abstracts cited for
them, and marks the rationale sentences that support or contradict each claim. Only the
train split is used here (../shared/fixtures/claims/scifact; see SOURCES.md there).

What it measures:

* ranking: over claim/abstract pairs with evidence, how often the top-ranked sentence is
  a gold rationale sentence (top-1), and how often one is among the top three; with the
  baselines of the first sentence, the last sentence, and a sentence picked at random;
* the ``mentions`` flag: the share of pairs flagged as mentioning the claim for gold
  evidence abstracts, for random other abstracts of the corpus, and for abstracts cited
  for the claim without evidence for it; and the ROC AUC of the best-sentence score
  between gold evidence and each kind of other abstract;
* speed: claim/abstract checks per second.

``--compare`` measures the choices not taken: IDF from a background table of the corpus
instead of the abstract's own sentences, and a mention rule that also asks for two shared
terms.

``--tune`` searches k1 and b on a grid (by top-1), checks that choice by two-fold
cross-validation over claims (tune on one half, measure on the other), and gives the
threshold that keeps ``--keep`` of the gold evidence abstracts flagged as mentioning, for
``--k1`` and ``--b`` (default: the module's constants).

Run from the repository root::

    python benchmarks/scifact_ranker.py            # evaluate the module's constants
    python benchmarks/scifact_ranker.py --tune     # search k1, b and the threshold
    python benchmarks/scifact_ranker.py --compare  # the alternatives that were not taken
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from evidence import support

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "fixtures" / "claims" / "scifact"

K1_GRID = (0.3, 0.6, 0.9, 1.2, 1.5, 2.0, 3.0)
B_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Pair:
    """A claim and one abstract, with the gold rationale sentences (empty = none)."""

    claim_id: int
    claim: str
    doc_id: int
    gold: frozenset[int]


def load(data: Path) -> tuple[dict[int, list[str]], list[Pair], list[Pair]]:
    """Abstracts by doc id; pairs with evidence; cited pairs without evidence."""
    corpus: dict[int, list[str]] = {}
    with open(data / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            corpus[int(doc["doc_id"])] = list(doc["abstract"])
    evidence: list[Pair] = []
    unrelated_cited: list[Pair] = []
    with open(data / "claims_train.jsonl", encoding="utf-8") as handle:
        for line in handle:
            claim = json.loads(line)
            with_evidence = {int(d) for d in claim["evidence"]}
            for doc_id, sets in claim["evidence"].items():
                gold = frozenset(i for s in sets for i in s["sentences"])
                evidence.append(Pair(claim["id"], claim["claim"], int(doc_id), gold))
            for doc_id in claim["cited_doc_ids"]:
                if int(doc_id) not in with_evidence and int(doc_id) in corpus:
                    unrelated_cited.append(
                        Pair(claim["id"], claim["claim"], int(doc_id), frozenset())
                    )
    return corpus, evidence, unrelated_cited


def random_pairs(
    pairs: Sequence[Pair], corpus: dict[int, list[str]], per_pair: int, seed: int
) -> list[Pair]:
    """Each evidence pair's claim with ``per_pair`` random other abstracts."""
    rng = random.Random(seed)
    ids = sorted(corpus)
    out = []
    for pair in pairs:
        for _ in range(per_pair):
            other = rng.choice(ids)
            while other == pair.doc_id:
                other = rng.choice(ids)
            out.append(Pair(pair.claim_id, pair.claim, other, frozenset()))
    return out


def ranks(pair: Pair, corpus: dict[int, list[str]], k1: float, b: float) -> support.SupportCheck:
    return support.check_support(pair.claim, corpus[pair.doc_id], k1=k1, b=b)


def top_k(
    pairs: Iterable[Pair], corpus: dict[int, list[str]], k1: float, b: float, k: int = 1
) -> float:
    hits = total = 0
    for pair in pairs:
        check = ranks(pair, corpus, k1, b)
        hits += any(s.index in pair.gold for s in check.sentences[:k])
        total += 1
    return hits / total if total else 0.0


def best_scores(
    pairs: Iterable[Pair], corpus: dict[int, list[str]], k1: float, b: float
) -> list[float]:
    return [ranks(p, corpus, k1, b).score for p in pairs]


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """ROC AUC: the chance a positive scores above a negative (ties count half)."""
    labelled = sorted([(v, 1) for v in positives] + [(v, 0) for v in negatives])
    rank_sum = 0.0
    i = 0
    while i < len(labelled):
        j = i
        while j < len(labelled) and labelled[j][0] == labelled[i][0]:
            j += 1
        mid = (i + j + 1) / 2  # average 1-based rank of the tied run
        rank_sum += mid * sum(label for _, label in labelled[i:j])
        i = j
    p, n = len(positives), len(negatives)
    return (rank_sum - p * (p + 1) / 2) / (p * n)


def rate(scores: Sequence[float], threshold: float) -> float:
    return sum(s >= threshold for s in scores) / len(scores)


def baselines(pairs: Sequence[Pair], corpus: dict[int, list[str]]) -> dict[str, float]:
    first = sum(0 in p.gold for p in pairs) / len(pairs)
    last = sum(len(corpus[p.doc_id]) - 1 in p.gold for p in pairs) / len(pairs)
    chance = statistics.mean(len(p.gold) / len(corpus[p.doc_id]) for p in pairs)
    return {"first sentence": first, "last sentence": last, "random sentence": chance}


def grid(pairs: Sequence[Pair], corpus: dict[int, list[str]]) -> list[tuple[float, float, float]]:
    return sorted(
        ((top_k(pairs, corpus, k1, b), k1, b) for k1 in K1_GRID for b in B_GRID),
        key=lambda t: (-t[0], t[1], t[2]),
    )


def tune(
    pairs: Sequence[Pair], corpus: dict[int, list[str]], keep: float, k1: float, b: float
) -> None:
    print(f"## Grid search: top-1 on all {len(pairs)} evidence pairs\n")
    results = grid(pairs, corpus)
    table = {(k1_, b_): accuracy for accuracy, k1_, b_ in results}
    print("| k1 \\ b | " + " | ".join(str(b_) for b_ in B_GRID) + " |")
    print("|---" * (len(B_GRID) + 1) + "|")
    for k1_ in K1_GRID:
        print(f"| {k1_} | " + " | ".join(f"{table[k1_, b_]:.3f}" for b_ in B_GRID) + " |")
    best = results[0]
    print(f"\nbest: k1={best[1]}, b={best[2]} ({best[0]:.3f}); one pair is {1 / len(pairs):.4f}")
    print("\n## Two-fold cross-validation over claims\n")
    claim_ids = sorted({p.claim_id for p in pairs})
    random.Random(0).shuffle(claim_ids)
    half = set(claim_ids[: len(claim_ids) // 2])
    folds = ([p for p in pairs if p.claim_id in half], [p for p in pairs if p.claim_id not in half])
    for i, (train, held) in enumerate((folds, folds[::-1]), start=1):
        best = grid(train, corpus)[0]
        print(
            f"fold {i}: tuned k1={best[1]}, b={best[2]} on {len(train)} pairs "
            f"(top-1 {best[0]:.3f}); on the other {len(held)} pairs: "
            f"top-1 {top_k(held, corpus, best[1], best[2]):.3f}"
        )
    scores = sorted(best_scores(pairs, corpus, k1, b))
    cut = scores[int((1 - keep) * len(scores))]
    print(
        f"\nthreshold keeping {keep:.0%} of gold evidence abstracts as mentioning "
        f"(k1={k1}, b={b}): {cut:.3f}"
    )


def background_idf(corpus: dict[int, list[str]]) -> dict[str, float]:
    """BM25 IDF of every term over the corpus's abstracts (the alternative not taken)."""
    df: Counter[str] = Counter()
    for sentences in corpus.values():
        df.update({t for s in sentences for t in support.terms(s)})
    n = len(corpus)
    return {t: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}


def background_scores(
    claim: str, sentences: Sequence[str], idf: dict[str, float], k1: float, b: float
) -> list[float]:
    """The module's normalised BM25, but with IDF from the background table."""
    wanted = list(dict.fromkeys(support.terms(claim)))
    rare = max(idf.values())
    weight = {t: idf.get(t, rare) for t in wanted}
    total = sum(weight.values()) or 1.0
    documents = [support.terms(s) for s in sentences]
    average = sum(len(d) for d in documents) / max(len(documents), 1) or 1.0
    out = []
    for document in documents:
        counts = Counter(document)
        norm = k1 * (1.0 - b + b * len(document) / average)
        score = sum(
            weight[t] * counts[t] * (k1 + 1.0) / (counts[t] + norm) for t in wanted if counts[t]
        )
        out.append(score / total)
    return out


def compare(
    pairs: Sequence[Pair],
    unrelated_cited: Sequence[Pair],
    corpus: dict[int, list[str]],
    k1: float,
    b: float,
    threshold: float,
    per_pair: int,
    seed: int,
) -> None:
    """The choices not taken: background IDF, and asking two shared terms for a mention."""
    others = random_pairs(pairs, corpus, per_pair, seed)
    idf = background_idf(corpus)
    print(f"k1={k1}, b={b}\n")
    print("| IDF from | top-1 | AUC gold vs random | AUC gold vs cited without evidence |")
    print("|---|---|---|---|")
    for name in ("the abstract's sentences (module)", "a background table of the corpus"):

        def best(pair: Pair, name: str = name) -> tuple[float, int]:
            sentences = corpus[pair.doc_id]
            if name.startswith("the abstract"):
                check = support.check_support(pair.claim, sentences, k1=k1, b=b)
                top = check.best.index if check.best else -1
                return check.score, top
            scores = background_scores(pair.claim, sentences, idf, k1, b)
            top = max(range(len(scores)), key=lambda i: (scores[i], -i))
            return scores[top], top

        gold = [best(p) for p in pairs]
        top1 = sum(t in p.gold for p, (_, t) in zip(pairs, gold, strict=True)) / len(pairs)
        g = [s for s, _ in gold]
        print(
            f"| {name} | {top1:.3f} | {auc(g, [best(p)[0] for p in others]):.3f} "
            f"| {auc(g, [best(p)[0] for p in unrelated_cited]):.3f} |"
        )
    print("\n| mention rule | gold evidence | random others | cited without evidence |")
    print("|---|---|---|---|")
    checks = {
        name: [support.check_support(p.claim, corpus[p.doc_id], k1=k1, b=b) for p in group]
        for name, group in (("gold", pairs), ("random", others), ("cited", unrelated_cited))
    }
    for cut in (threshold, round(threshold - 0.02, 3), round(threshold + 0.04, 3)):
        for need in (1, 2):

            def flagged(c: support.SupportCheck, cut: float = cut, need: int = need) -> bool:
                n_terms = len(set(support.terms(c.claim)))
                shared = len(c.best.terms) if c.best else 0
                return c.score >= cut and (shared >= need or n_terms < need)

            rates = [sum(map(flagged, group)) / len(group) for group in checks.values()]
            rule = f"score >= {cut}" + (" and 2 shared terms" if need == 2 else "")
            print(f"| {rule} | {rates[0]:.3f} | {rates[1]:.3f} | {rates[2]:.3f} |")


def evaluate(
    pairs: Sequence[Pair],
    unrelated_cited: Sequence[Pair],
    corpus: dict[int, list[str]],
    k1: float,
    b: float,
    threshold: float,
    per_pair: int,
    seed: int,
) -> None:
    others = random_pairs(pairs, corpus, per_pair, seed)
    started = time.perf_counter()
    gold_scores = best_scores(pairs, corpus, k1, b)
    elapsed = time.perf_counter() - started
    other_scores = best_scores(others, corpus, k1, b)
    cited_scores = best_scores(unrelated_cited, corpus, k1, b)
    print(f"k1={k1}, b={b}, threshold={threshold}\n")
    print(f"## Ranking ({len(pairs)} claim/abstract pairs with gold rationale sentences)\n")
    print("| ranker | top-1 is a rationale sentence | top-3 holds one |\n|---|---|---|")
    print(
        f"| BM25 (evidence.check_support) | {top_k(pairs, corpus, k1, b):.3f} "
        f"| {top_k(pairs, corpus, k1, b, 3):.3f} |"
    )
    for name, value in baselines(pairs, corpus).items():
        print(f"| baseline: {name} | {value:.3f} | |")
    print("\n## The mentions flag\n")
    print("| abstracts | pairs | flagged as mentioning | median best score | AUC vs gold |")
    print("|---|---|---|---|---|")
    print(
        f"| gold evidence for the claim | {len(pairs)} | {rate(gold_scores, threshold):.3f} "
        f"| {statistics.median(gold_scores):.3f} | |"
    )
    print(
        f"| random other abstracts ({per_pair} per pair, seed {seed}) | {len(others)} "
        f"| {rate(other_scores, threshold):.3f} | {statistics.median(other_scores):.3f} "
        f"| {auc(gold_scores, other_scores):.3f} |"
    )
    print(
        f"| cited for the claim but without evidence | {len(unrelated_cited)} "
        f"| {rate(cited_scores, threshold):.3f} | {statistics.median(cited_scores):.3f} "
        f"| {auc(gold_scores, cited_scores):.3f} |"
    )
    print(
        f"\nspeed: {len(pairs) / elapsed:,.0f} claim/abstract checks per second "
        f"({elapsed * 1000 / len(pairs):.2f} ms each, abstracts of "
        f"{statistics.mean(len(corpus[p.doc_id]) for p in pairs):.1f} sentences on average)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the scifact folder")
    parser.add_argument("--tune", action="store_true", help="search k1, b and the threshold")
    parser.add_argument("--compare", action="store_true", help="measure the choices not taken")
    parser.add_argument("--k1", type=float, default=support.K1)
    parser.add_argument("--b", type=float, default=support.B)
    parser.add_argument("--threshold", type=float, default=support.THRESHOLD)
    parser.add_argument("--keep", type=float, default=0.95, help="share of gold kept (tuning)")
    parser.add_argument("--per-pair", type=int, default=3, help="random abstracts per pair")
    parser.add_argument("--seed", type=int, default=20200101)
    args = parser.parse_args(argv)
    if not (args.data / "claims_train.jsonl").exists():
        print(f"no SciFact train split at {args.data}", file=sys.stderr)
        return 2
    corpus, pairs, unrelated_cited = load(args.data)
    if args.tune:
        tune(pairs, corpus, args.keep, args.k1, args.b)
        return 0
    run = compare if args.compare else evaluate
    run(
        pairs,
        unrelated_cited,
        corpus,
        args.k1,
        args.b,
        args.threshold,
        args.per_pair,
        args.seed,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
