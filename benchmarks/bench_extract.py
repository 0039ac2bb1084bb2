"""Benchmark: extracting claims from articles of 50 KB to 5 MB, lists of 100 to 5,000 entries.

Articles are generated (seeded) from a handful of sentence shapes written for this
benchmark: cited sentences in every numeric style the extractor reads (``[3]``,
``[2,5]``, ``[4-6]``, ``(7)``, ``(7, 8)``, Unicode superscripts, ``studies 3,4.``) mixed
with uncited sentences full of numbers that must stay text (doses, dates, ranges,
percentages), in paragraphs of four to eight sentences, and a numbered reference list of
Vancouver entries under a ``References`` heading. No .bib and no PubMed: the figure is the
extraction itself (masking, list parsing, markers, sentences, claim texts), which is
what must grow linearly with the text.

Each size runs in a fresh process; the result is CPU seconds (best of three rounds, two
at 5 MB), MB/s of CPU time and the claims found.
Two series:

* ``size``: 50 KB, 500 KB and 5 MB of prose, a 100-entry list;
* ``list``: 500 KB of prose, lists of 100, 1,000 and 5,000 entries.

Linear growth shows as a flat MB/s across a series. Target (issue 16): at least
2 MB/s of prose.

Run this file alone: ``python -m benchmarks.bench_extract [--quick]``; wired into
``python -m benchmarks`` as the group ``extract`` by adding it to ``benchmarks/run.py``
(``GROUPS``, the import, ``measure``/``show`` calls).
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from benchmarks._measure import Result, main_for, peak_rss_mb, spawn, timed

SIZE_SERIES = ((50_000, 100), (500_000, 100), (5_000_000, 100))
LIST_SERIES = ((500_000, 100), (500_000, 1_000), (500_000, 5_000))
QUICK = ((50_000, 100), (200_000, 100), (200_000, 1_000))
TARGET_MB_S = 2.0

_CITED = (
    "Walking programmes reduced chronic back pain in older adults {m}.",
    "Heat wraps eased acute low back pain within five days {m}.",
    "Exercise therapy was more effective than usual care in several trials {m}.",
    "Sacroiliac joint pain is common after lumbar fusion {m}.",
    "Cognitive behavioural therapy improved function at one year {m}.",
)
_PLAIN = (
    "Patients received 40 mg twice daily for 2-3 weeks.",
    "The survey ran from 18 to 29 November 2019 in 12 clinics.",
    "Of 1,250 participants, 37.5% reported relief (95% CI 30-45).",
    "Scores fell from 7 to 4 on a 0-10 scale.",
    "Follow-up lasted 6 months, with visits at weeks 1, 4 and 12.",
)


def _marker(rng: random.Random, listed: int) -> str:
    a = rng.randint(1, listed - 3)
    style = rng.randrange(6)
    if style == 0:
        return f"[{a}]"
    if style == 1:
        return f"[{a},{a + 2}]"
    if style == 2:
        return f"[{a}-{a + 2}]"
    if style == 3:
        return f"({a}, {a + 1})"
    if style == 4:
        return "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in str(a))
    return f"[{a}][{a + 1}]"


def generate_article(size: int, listed: int, seed: int = 13) -> str:
    """About ``size`` characters of prose and a ``listed``-entry numbered reference list."""
    rng = random.Random(seed)
    parts: list[str] = ["# Results\n\n"]
    total = 0
    while total < size:
        sentences = []
        for _ in range(rng.randint(4, 8)):
            if rng.random() < 0.5:
                sentence = rng.choice(_CITED).format(m=_marker(rng, listed))
                if sentence.endswith("}.") or sentence[-2] in "⁰¹²³⁴⁵⁶⁷⁸⁹":
                    sentence = sentence.replace(" ⁰", "⁰")
            else:
                sentence = rng.choice(_PLAIN)
            sentences.append(sentence)
        paragraph = " ".join(sentences) + "\n\n"
        parts.append(paragraph)
        total += len(paragraph)
    parts.append("# References\n\n")
    for n in range(1, listed + 1):
        parts.append(
            f"{n}. Author{n} A, Second B. A study of back pain number {n}. "
            f"J Pain Res. {1990 + n % 30};{n % 40 + 1}({n % 12 + 1}):{n}-{n + 9}.\n"
        )
    return "".join(parts)


# --- in the child process ------------------------------------------------------------


def task_extract(size: str, listed: str) -> Result:
    from evidence import extract_claims

    text = generate_article(int(size), int(listed))
    # CPU seconds, best of a few rounds: the machine is shared, and wall time there
    # measures the other processes as much as this one (the wall time is kept beside).
    rounds = 3 if int(size) < 2_000_000 else 2
    best = wall = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        elapsed, result = timed(lambda: extract_claims(text))
        best = min(best, time.process_time() - start)
        wall = min(wall, elapsed)
    seconds = best
    prose = len(text.encode("utf-8")) / 1e6
    return {
        "size_bytes": len(text.encode("utf-8")),
        "listed": int(listed),
        "seconds": round(seconds, 3),
        "wall_seconds": round(wall, 3),
        "mb_per_s": round(prose / seconds, 2) if seconds else None,
        "claims": len(result.claims),
        "markers": len(result.markers),
        "reference_list": len(result.reference_list),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


TASKS = {"extract": task_extract}


# --- in the parent -------------------------------------------------------------------


def measure(series: tuple[tuple[int, int], ...] | None = None) -> Result:
    """Each (size, list) pair of both series, or of ``series``, in a fresh process."""
    pairs = series or tuple(dict.fromkeys(SIZE_SERIES + LIST_SERIES))
    return {"runs": [spawn("bench_extract", "extract", s, n) for s, n in pairs]}


def show(results: Result) -> str:
    """A Markdown table of the runs."""
    lines = [
        "| prose + list | list entries | CPU seconds | MB/s | claims | markers | peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in results["runs"]:
        lines.append(
            f"| {run['size_bytes'] / 1e6:.2f} MB | {run['listed']:,} | {run['seconds']} | "
            f"{run['mb_per_s']} | {run['claims']:,} | {run['markers']:,} | "
            f"{run['peak_rss_mb']} |"
        )
    return "\n".join(lines)


def summary_rows(results: Result) -> list[tuple[str, str, str, str, str]]:
    """The extraction target as a row of the page's summary table: the slowest run."""
    slowest = min(results["runs"], key=lambda run: run["mb_per_s"] or 0.0)
    rate = slowest["mb_per_s"] or 0.0
    where = f"{slowest['size_bytes'] / 1e6:.2f} MB, {slowest['listed']:,}-entry list"
    return [
        (
            "extraction of prose, 50 KB to 5 MB, lists of 100 to 5,000 entries (slowest run)",
            "library call: `extract_claims` (CPU, best of 3)",
            ">= 2 MB/s",
            f"{rate} MB/s ({where})",
            "met" if rate >= TARGET_MB_S else f"**missed**: {TARGET_MB_S - rate:.2f} MB/s short",
        )
    ]


def standalone() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    args = parser.parse_args()
    results: dict[str, Any] = measure(QUICK if args.quick else None)
    print(show(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main_for(TASKS, standalone))
