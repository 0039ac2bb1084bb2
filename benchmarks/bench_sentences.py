"""Sentence splitting and extraction on the inputs that were quadratic (issue 12, case 4).

``python -m benchmarks.bench_sentences`` splits, at 1,000, 4,000 and 16,000 repeats, the
three paragraphs an outside probe found quadratic (``"x" + "." * n + "y"``, ``"A. " * n``
and ``"1. [1] " * n``), and extracts claims from ``n`` cited sentences, and prints the CPU
seconds of each (``time.process_time``, best of three). Linear growth is the target: 16
times the input should cost about 16 times the time, where the quadratic splitter cost
about 256 times (8-22 s at 16,000).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from evidence.extract import extract_claims
from evidence.text import sentence_spans

SIZES = (1_000, 4_000, 16_000)

INPUTS: dict[str, Callable[[int], str]] = {
    "dots": lambda n: "x" + "." * n + "y",
    "initials": lambda n: "A. " * n,
    "numbered": lambda n: "1. [1] " * n,
}


def _best(work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def measure() -> dict[str, dict[int, float]]:
    results: dict[str, dict[int, float]] = {}
    for name, make in INPUTS.items():
        row = {}
        for n in SIZES:
            text = make(n)
            row[n] = _best(lambda text=text: sentence_spans(text))
        results[f"split {name}"] = row
    article = "Pain after fusion is common in some patients [1]. " * max(SIZES)
    results["extract cited sentences"] = {
        n: _best(
            lambda t=article[: n * 51] + "\n\n## References\n\n1. Katz V. Pain. 2003.\n": (
                extract_claims(t, format="markdown")
            )
        )
        for n in SIZES
    }
    return results


def show(results: dict[str, dict[int, float]]) -> str:
    lines = [
        "| input | " + " | ".join(f"{n:,}" for n in SIZES) + " | 16x / 1x |",
        "|---|" + "---:|" * (len(SIZES) + 1),
    ]
    for name, saved in results.items():
        row = {int(n): seconds for n, seconds in saved.items()}  # JSON made the keys text
        ratio = row[SIZES[-1]] / max(row[SIZES[0]], 1e-6)
        cells = " | ".join(f"{row[n] * 1000:.1f} ms" for n in SIZES)
        lines.append(f"| {name} | {cells} | {ratio:.0f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(show(measure()))
