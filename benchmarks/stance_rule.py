"""Could a simple rule suggest a citation's stance? Measured on the SciFact train split.

For every claim/abstract pair of ../shared/fixtures/claims/scifact/claims_train.jsonl with
a SUPPORT or CONTRADICT label, the abstract's best sentence for the claim is found with
:func:`evidence.check_support`, then each rule names a stance:

* ``always-supports``: the baseline every rule must beat by a clear margin;
* ``negated-sentence``: "contradicts" when the best sentence negates (not, no, never,
  neither, nor, failed, without, lack, absence, did not ...), else "supports";
* ``polarity``: "contradicts" when exactly one of the claim and the best sentence negates.

It prints each rule's accuracy and, for "contradicts", its precision and recall. The
suggestions in :mod:`evidence.assess.suggest` offer a stance only if a rule is right far
more often than the baseline (docs/review.md has the figures). Run from the repository
root: ``python benchmarks/stance_rule.py``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from evidence.assess.support import check_support

ROOT = Path(__file__).resolve().parent.parent
SCIFACT = ROOT.parent / "shared" / "fixtures" / "claims" / "scifact"
NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|none|failed|fails|fail|without|lack|lacks|lacking|"
    r"absence|absent|unable|cannot|n't|did not|does not|do not|was not|were not)\b",
    re.IGNORECASE,
)


def main() -> int:
    if not SCIFACT.exists():
        print(f"needs {SCIFACT}", file=sys.stderr)
        return 2
    corpus = {}
    with (SCIFACT / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            corpus[str(doc["doc_id"])] = doc["abstract"]
    pairs: list[tuple[str, list[str], str]] = []
    with (SCIFACT / "claims_train.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            claim = json.loads(line)
            for doc_id, sets in claim["evidence"].items():
                if doc_id in corpus and sets:
                    pairs.append((claim["claim"], corpus[doc_id], sets[0]["label"]))
    rules = {
        "always-supports": lambda claim, best: "SUPPORT",
        "negated-sentence": lambda claim, best: (
            "CONTRADICT" if NEGATION.search(best) else "SUPPORT"
        ),
        "polarity": lambda claim, best: (
            "CONTRADICT"
            if bool(NEGATION.search(claim)) != bool(NEGATION.search(best))
            else "SUPPORT"
        ),
    }
    best_sentences = []
    for claim, sentences, _ in pairs:
        check = check_support(claim, sentences)
        best_sentences.append(check.best.text if check.best else "")
    gold = [label for _, _, label in pairs]
    print(
        f"{len(pairs)} claim/abstract pairs; {gold.count('SUPPORT')} SUPPORT, "
        f"{gold.count('CONTRADICT')} CONTRADICT"
    )
    for name, rule in rules.items():
        guesses = [
            rule(claim, best) for (claim, _, _), best in zip(pairs, best_sentences, strict=True)
        ]
        right = sum(g == t for g, t in zip(guesses, gold, strict=True))
        said = sum(g == "CONTRADICT" for g in guesses)
        hit = sum(g == t == "CONTRADICT" for g, t in zip(guesses, gold, strict=True))
        precision = hit / said if said else float("nan")
        recall = hit / gold.count("CONTRADICT")
        print(
            f"{name:18} accuracy {right / len(pairs):.3f}  "
            f"contradicts: precision {precision:.3f} recall {recall:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
