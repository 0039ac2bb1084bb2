"""Numbered citations in every printed and web style, measured on a labelled sample.

The sample (``tests/data/extract_styles``; its README says how it was made and labelled)
is paragraphs in each style with every marker labelled; every other number in them is a
plain number (doses, dates, ranges, counts) that must stay text.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from evidence import extract_claims

DATA = Path(__file__).resolve().parent / "data" / "extract_styles" / "paragraphs.json"
_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
LIST_STYLES = ("{n}. ", "[{n}] ", "{n} ", "({n}) ", "{n}) ", "{n}. {n}.")


def _entry(n: int) -> str:
    return (
        f"Author{n} A, Second B. A trial of back pain treatment number {n} in adults. "
        f"J Pain Res. {1990 + n % 30};{n % 40 + 1}(2):{100 + n}-{110 + n}."
    )


def _document(text: str, index: int) -> str:
    style = LIST_STYLES[index % len(LIST_STYLES)]
    entries = "\n".join(style.format(n=n) + _entry(n) for n in range(1, 61))
    return f"{text}\n\nReferences\n\n{entries}\n"


def _numbers(label: str) -> set[int]:
    numbers: set[int] = set()
    text = re.sub(r"<[^>]+>|\^", " ", label.translate(_SUPER))
    for low, high in re.findall(r"(\d+)(?:\s*[-\u2013]\s*(\d+))?", text):
        numbers.update(range(int(low), int(high or low) + 1))
    return numbers


def measure() -> tuple[dict[str, list[int]], list[int]]:
    """Per style [markers, found]; overall [plain numbers, taken]."""
    per_style: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    plain = [0, 0]
    for index, item in enumerate(json.loads(DATA.read_text(encoding="utf-8"))):
        text = item["text"]
        result = extract_claims(_document(text, index))
        spans = []
        for marker in result.markers:
            line, column = marker.location.line, marker.location.column
            if line != 1:
                plain[1] += 1  # a marker taken in the reference list: a wrong take
                continue

            start = (column or 1) - 1
            spans.append((start, start + len(marker.text), marker))
        labelled = []
        for label in item["markers"]:
            start = text.index(label)
            labelled.append((start, start + len(label)))
            counts = per_style[item["style"]]
            counts[0] += 1
            wanted = _numbers(label) if item["style"] != "author-year" else None
            for a, b, marker in spans:
                overlaps = a < start + len(label) and start < b
                if overlaps and (wanted is None or {int(c) for c in marker.cited} == wanted):
                    counts[1] += 1
                    break
        for number in re.finditer(r"\d+(?:[.,:]\d+)*", text.translate(_SUPER)):
            if any(a <= number.start() < b for a, b in labelled):
                continue
            plain[0] += 1
            if any(a <= number.start() < b for a, b, _ in spans):
                plain[1] += 1
    return dict(per_style), plain


def test_markers_found_in_every_style_and_plain_numbers_left_alone() -> None:
    per_style, plain = measure()
    report = {style: f"{found}/{total}" for style, (total, found) in per_style.items()}
    print(f"markers found per style: {report}; plain numbers taken: {plain[1]}/{plain[0]}")
    assert len(per_style) == 8
    for style, (total, found) in per_style.items():
        assert found >= 0.95 * total, (style, report)
    assert plain[0] > 100
    assert plain[1] < 0.01 * plain[0], plain
