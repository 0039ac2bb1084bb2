"""Benchmark: the RIS, CSL-JSON, MEDLINE and EndNote XML readers beside the BibTeX reader.

One library of 10,000 PubMed-like references (the seeded ``generate_bib`` of
``benchmarks/generate.py``, read once by the BibTeX reader) is written in every format to a
temporary folder, never committed: BibTeX as generated; CSL-JSON as Zotero and Manubot
write it (indented, ``date-parts``, ``PMID``/``DOI``); RIS as EndNote writes it (CRLF,
``AU``/``TI``/``T2``/``PY``/``DA``/``SP``/``EP``/``DO``/``AN`` with ``DB  - PubMed``);
MEDLINE as PubMed's "Save → PubMed format" (``FAU``/``AU`` pairs, values wrapped at 80
characters); EndNote XML as EndNote X9 (one line, every value in a ``<style>`` run).

Each round loads each file with :func:`evidence.load_bibliography` (format detection
included; BibTeX with ``cache=False``, a cold parse) and checks that 10,000 references came
back; rounds interleave the formats so a busy machine slows each alike, and medians are
printed with the file sizes. No target is set for the new readers beyond "no slower than
the BibTeX reader's cold parse" (a docs build reads the bibliography on every run).

Run ``python -m benchmarks.bench_formats [--count N] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any
from xml.sax.saxutils import escape

from benchmarks.generate import generate_bib
from evidence.bibliography import load_bibliography, parse_references
from evidence.model import Name, Reference

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _family(name: Name) -> str:
    return f"{name.von} {name.last}".strip()


def _csl(refs: list[Reference]) -> str:
    items = []
    for ref in refs:
        item: dict[str, object] = {
            "id": ref.key,
            "type": "article-journal",
            "title": ref.title,
            "author": [
                {"literal": n.last} if n.collective else {"family": _family(n), "given": n.first}
                for n in ref.authors
            ],
            "container-title": ref.journal,
            "issued": {"date-parts": [[ref.year, ref.month] if ref.month else [ref.year]]},
            "volume": ref.volume,
            "issue": ref.number,
            "page": ref.pages.replace("\u2013", "-"),
            "DOI": ref.doi,
            "PMID": ref.pmid,
        }
        if ref.fields.get("abstract"):
            item["abstract"] = ref.fields["abstract"]
        items.append(item)
    return json.dumps(items, indent=2, ensure_ascii=False)


def _ris(refs: list[Reference]) -> str:
    lines: list[str] = []
    for ref in refs:
        lines.append("TY  - JOUR")
        lines += [
            f"AU  - {n.last if n.collective else f'{_family(n)}, {n.first}'}" for n in ref.authors
        ]
        lines += [f"TI  - {ref.title}", f"T2  - {ref.journal}", f"PY  - {ref.year}"]
        lines.append(f"DA  - {ref.year}/{ref.month or ''}//")
        first, _, last = ref.pages.partition("\u2013")
        lines += [f"VL  - {ref.volume}", f"IS  - {ref.number}", f"SP  - {first}", f"EP  - {last}"]
        lines += [f"DO  - {ref.doi}", f"AN  - {ref.pmid}", "DB  - PubMed"]
        if ref.fields.get("abstract"):
            lines.append(f"AB  - {ref.fields['abstract']}")
        lines += ["ER  - ", ""]
    return "\r\n".join(lines)


def _wrapped(tag: str, value: str) -> list[str]:
    head = f"{tag:<4}- "
    return textwrap.wrap(value, 80, initial_indent=head, subsequent_indent=" " * 6) or [head]


def _medline(refs: list[Reference]) -> str:
    lines: list[str] = []
    for ref in refs:
        lines.append(f"PMID- {ref.pmid}")
        lines += _wrapped("TI", ref.title)
        if ref.fields.get("abstract"):
            lines += _wrapped("AB", ref.fields["abstract"])
        for n in ref.authors:
            if n.collective:
                lines.append(f"CN  - {n.last}")
            else:
                lines += [f"FAU - {_family(n)}, {n.first}", f"AU  - {_family(n)} {n.initials}"]
        month = f" {_MONTHS[ref.month - 1]}" if ref.month else ""
        lines += [f"DP  - {ref.year}{month}", f"JT  - {ref.journal}", f"TA  - {ref.journal}"]
        lines += [f"VI  - {ref.volume}", f"IP  - {ref.number}", f"PG  - {ref.pages}"]
        lines += [f"LID - {ref.doi} [doi]", ""]
    return "\n".join(lines)


def _styled(tag: str, value: str) -> str:
    run = '<style face="normal" font="default" size="100%">'
    return f"<{tag}>{run}{escape(value)}</style></{tag}>"


def _endnote(refs: list[Reference]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8" ?><xml><records>']
    for number, ref in enumerate(refs, start=1):
        authors = "".join(
            _styled("author", f"{n.last}," if n.collective else f"{_family(n)}, {n.first}")
            for n in ref.authors
        )
        month = (
            f"<pub-dates>{_styled('date', _MONTHS[ref.month - 1])}</pub-dates>" if ref.month else ""
        )
        out.append(
            f'<record><rec-number>{number}</rec-number><ref-type name="Journal Article">17'
            f"</ref-type><contributors><authors>{authors}</authors></contributors>"
            f"<titles>{_styled('title', ref.title)}{_styled('secondary-title', ref.journal)}"
            f"</titles><periodical>{_styled('full-title', ref.journal)}</periodical>"
            f"{_styled('pages', ref.pages)}{_styled('volume', ref.volume)}"
            f"{_styled('number', ref.number)}<dates>{_styled('year', str(ref.year))}{month}"
            f"</dates>{_styled('accession-num', ref.pmid or '')}"
            f"{_styled('electronic-resource-num', ref.doi or '')}"
            + (_styled("abstract", ref.fields["abstract"]) if ref.fields.get("abstract") else "")
            + "</record>"
        )
    out.append("</records></xml>")
    return "".join(out)


def write_library(folder: Path, count: int) -> dict[str, Path]:
    """The same ``count`` references in every format read, as files in ``folder``."""
    bibtex = generate_bib(count)
    refs = list(parse_references(bibtex).values())
    writers: dict[str, tuple[str, Callable[[list[Reference]], str]]] = {
        "csl-json": ("library.json", _csl),
        "ris": ("library.ris", _ris),
        "medline": ("library.nbib", _medline),
        "endnote-xml": ("library.xml", _endnote),
    }
    paths = {"bibtex": folder / "library.bib"}
    paths["bibtex"].write_text(bibtex, encoding="utf-8")
    for fmt, (name, write) in writers.items():
        paths[fmt] = folder / name
        paths[fmt].write_text(write(refs), encoding="utf-8")
    return paths


def measure(count: int = 10_000, rounds: int = 3) -> dict[str, Any]:
    """Each reader's load time (median of ``rounds``) on the same ``count`` references."""
    with tempfile.TemporaryDirectory() as folder:
        paths = write_library(Path(folder), count)
        times: dict[str, list[float]] = {fmt: [] for fmt in paths}
        for _ in range(rounds):
            for fmt, path in paths.items():
                start = time.perf_counter()
                bib = load_bibliography(path, cache=False)
                times[fmt].append(time.perf_counter() - start)
                if len(bib) != count:
                    raise SystemExit(f"{fmt}: {len(bib)} references, not {count}")
        sizes = {fmt: path.stat().st_size for fmt, path in paths.items()}
    return {
        "count": count,
        "rounds": rounds,
        "formats": {
            fmt: {"seconds": median(values), "bytes": sizes[fmt]} for fmt, values in times.items()
        },
    }


def show(result: dict[str, Any]) -> str:
    """A Markdown table: each format's load time, beside the BibTeX reader's (cold)."""
    count = result["count"]
    base = result["formats"]["bibtex"]["seconds"]
    lines = [
        f"{count:,} references, median of {result['rounds']} rounds (library call: "
        "`load_bibliography`, cold, no parse cache)",
        "",
        "| format | size MB | load s | refs/s | vs BibTeX |",
        "|---|---:|---:|---:|---:|",
    ]
    for fmt, row in result["formats"].items():
        seconds = row["seconds"]
        lines.append(
            f"| {fmt} | {row['bytes'] / 1e6:.1f} | {seconds:.2f} | {count / seconds:,.0f} | "
            f"{seconds / base:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(show(measure(args.count, args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
