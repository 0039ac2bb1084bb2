"""Mutation fuzzing of the real fixtures, for every reader (issue 12).

Each real file from ``../shared/fixtures`` (BibTeX, CSL-JSON, RIS, MEDLINE, EndNote XML,
Word, JATS, manuscripts, PubMed EFetch XML), the claims files (YAML, JSON, CSV) and a
snapshot written from the PubMed fixtures is mutated in the ways real files go wrong:
bytes flipped, the file cut short, lines duplicated, lines deleted, and the text saved
as UTF-16 (with and without a byte-order mark) or Latin-1. Every mutant is read by the
library's own loader for that kind of file.

What is asserted, for every mutant:

- the loader returns, or raises an :class:`~evidence.errors.EvidenceError` subclass;
  any other exception fails the test, naming the fixture, the mutation and its seed;
- a raised error points at the mutated file (its location's path is that file);
- for the line-based bibliography formats (BibTeX, RIS, MEDLINE): every record start the
  test finds on its own in the mutated text (``@article{`` ..., ``TY  -``, ``PMID-``) is
  either the line of a loaded reference or lies between a reported problem's line and
  the next record start after it (the entry was loaded, or a problem was reported at or
  before it, within the record it belongs to) -- no entry disappears without a problem;
- for EndNote XML (one record need not be one line): the ``<record>`` tags counted in the
  mutated text are at most the references loaded plus the problems reported; for
  CSL-JSON, when the mutant still parses as a JSON array, its items are at most the
  references loaded plus the problems reported.

The mutations are drawn from a fixed seed, so a failure reproduces. CI runs a few
mutants per file (a few seconds per reader); ``EVIDENCE_FUZZ=thorough`` runs many more.
"""

from __future__ import annotations

import json
import os
import random
import re
import zipfile
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path

import pytest
from conftest import ROOT, shared_path

from evidence.bibliography import Bibliography, load_bibliography, load_references
from evidence.claims import load_claims
from evidence.errors import EvidenceError
from evidence.extract import extract_claims
from evidence.pubmed import parse_efetch
from evidence.snapshot import load_snapshot, write_snapshot

SEED = 12
THOROUGH = os.environ.get("EVIDENCE_FUZZ") == "thorough"
ROUNDS = 20 if THOROUGH else 3  # rounds of every mutation per fixture file


# --- mutations -------------------------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [data]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    """A few bytes anywhere replaced by others."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            at = rng.randrange(len(out))
            out[at] ^= rng.randint(1, 255)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    """The file cut short anywhere (a download or a copy that stopped)."""
    return data[: rng.randrange(len(data))] if data else data


def duplicate_lines(data: bytes, rng: random.Random) -> bytes:
    """A run of up to five lines repeated (a merge or a paste gone wrong)."""
    lines = _lines(data)
    start = rng.randrange(len(lines))
    run = lines[start : start + rng.randint(1, 5)]
    return b"".join(lines[: start + len(run)] + run + lines[start + len(run) :])


def delete_lines(data: bytes, rng: random.Random) -> bytes:
    """A run of up to five lines removed."""
    lines = _lines(data)
    start = rng.randrange(len(lines))
    return b"".join(lines[:start] + lines[start + rng.randint(1, 5) :])


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def utf16_bom(data: bytes, rng: random.Random) -> bytes:
    """The text saved as UTF-16 with a byte-order mark."""
    return _text(data).encode("utf-16")


def utf16le_no_bom(data: bytes, rng: random.Random) -> bytes:
    """The text saved as UTF-16 little-endian without a byte-order mark."""
    return _text(data).encode("utf-16-le")


def latin1(data: bytes, rng: random.Random) -> bytes:
    """The text saved as Latin-1 (what it cannot hold becomes ``?``)."""
    return _text(data).encode("latin-1", errors="replace")


Mutation = Callable[[bytes, random.Random], bytes]
MUTATIONS: tuple[Mutation, ...] = (
    flip_bytes, truncate, duplicate_lines, delete_lines, utf16_bom, utf16le_no_bom, latin1,
)  # fmt: skip


def mutants(data: bytes, name: str) -> Iterator[tuple[str, bytes]]:
    """Every mutation of ``data``, ROUNDS times each (twice for a file over 1 MB, which
    takes seconds to read), from a seed fixed per file."""
    rng = random.Random(f"{SEED}:{name}")
    for round_ in range(ROUNDS if len(data) < 1_000_000 else min(ROUNDS, 2)):
        for mutate in MUTATIONS:
            yield f"{mutate.__name__} round {round_} (seed {SEED}:{name})", mutate(data, rng)


def survives(read: Callable[[Path], object], path: Path, what: str) -> object | None:
    """``read(path)``'s result, or None when it raised a located EvidenceError; anything
    else fails, naming the mutant."""
    try:
        return read(path)
    except EvidenceError as error:
        refused = error
    except Exception as error:  # the property: nothing but EvidenceError escapes
        pytest.fail(f"{what}: {type(error).__name__}: {error}")
    located = refused.location is not None or refused.problems
    assert located, f"{what}: {type(refused).__name__} without a location: {refused}"
    paths = {p.location.path for p in refused.problems if p.location is not None}
    if refused.location is not None and refused.location.path:
        paths.add(refused.location.path)
    # A member of a zip is named ``file.docx!word/document.xml``.
    ours = [p for p in paths if p == str(path) or p.startswith(f"{path}!")]
    assert ours or not paths, f"{what}: error points elsewhere: {paths}"
    return None


def fuzz_files(
    files: list[Path], tmp_path: Path, read: Callable[[Path], object], check: Callable[..., None]
) -> int:
    """Mutate every file, read every mutant; return how many mutants were read."""
    count = 0
    for source in files:
        data = source.read_bytes()
        for what, mutant in mutants(data, source.name):
            path = tmp_path / source.name
            path.write_bytes(mutant)
            result = survives(read, path, f"{source.name}: {what}")
            if result is not None:
                check(result, mutant, f"{source.name}: {what}")
            count += 1
    return count


def nothing(*_: object) -> None:
    """No check beyond ``survives`` (the loader's result has no records to count)."""


# --- bibliographies --------------------------------------------------------------------

_BIBTEX_START = re.compile(
    rb"^[ \t]*@[ \t]*(?!string|comment|preamble)[A-Za-z]+[ \t]*[{(]", re.I | re.M
)
_RIS_START = re.compile(rb"^TY  - ", re.M)
_MEDLINE_START = re.compile(rb"^PMID- ", re.M)


def _line_of(data: bytes, offset: int, lone_cr_breaks: bool) -> int:
    """The line ``offset`` is on, as the reader numbers lines: the BibTeX reader ends a
    line at ``\\r\\n``, ``\\r`` and ``\\n``; RIS and MEDLINE keep a lone ``\\r`` inside a
    line of a file that has ``\\n`` (Web of Science puts them between ``AD`` values)."""
    before = data[:offset]
    breaks = before.count(b"\n")
    if lone_cr_breaks or b"\n" not in data:
        breaks += before.count(b"\r") - before.count(b"\r\n")
    return breaks + 1


def every_entry_loaded_or_reported(
    start: re.Pattern[bytes], *, lone_cr_breaks: bool = False
) -> Callable[..., None]:
    """The check for a line-based format whose records begin where ``start`` matches."""

    def check(bib: Bibliography, data: bytes, what: str) -> None:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:200]:
            return  # UTF-16: the test cannot find record starts in the bytes themselves
        starts = [_line_of(data, m.start(), lone_cr_breaks) for m in start.finditer(data)]
        loaded = {ref.location.line for ref in bib.values() if ref.location is not None}
        reported = sorted({p.location.line or 1 for p in bib.problems})
        for i, line in enumerate(starts):
            if line in loaded:
                continue
            end = starts[i + 1] if i + 1 < len(starts) else float("inf")
            # A problem at or before the entry, and after the previous loaded one.
            before = max((ln for ln in loaded if ln < line), default=0)
            if not any(before <= p < end for p in reported):
                pytest.fail(
                    f"{what}: the entry at line {line} was neither loaded nor reported "
                    f"(loaded lines {sorted(loaded)[:20]}, problems at {reported[:20]})"
                )

    return check


def counted(pattern: bytes) -> Callable[..., None]:
    """The check for a format whose records are counted by ``pattern``."""

    def check(bib: Bibliography, data: bytes, what: str) -> None:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:200]:
            return
        records = data.count(pattern)
        assert records <= len(bib) + len(bib.problems), (
            f"{what}: {records} records in the file, {len(bib)} loaded and "
            f"{len(bib.problems)} problems reported"
        )

    return check


def csl_records_loaded_or_reported(bib: Bibliography, data: bytes, what: str) -> None:
    """CSL-JSON: when the mutant is still a JSON array, each of its items is loaded or
    reported (a mutant that is not JSON must be refused, which ``survives`` checks)."""
    try:
        items = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return
    if isinstance(items, list):
        assert len(items) <= len(bib) + len(bib.problems), (
            f"{what}: {len(items)} items in the array, {len(bib)} loaded and "
            f"{len(bib.problems)} problems reported"
        )


def _bib(path: Path) -> Bibliography:
    return load_references(path, cache=False)


def _library(path: Path) -> Bibliography:
    return load_bibliography(path, cache=False)


def _refs(prefix: str) -> list[Path]:
    folder = shared_path("fixtures", "refs")
    return sorted(folder.glob(f"{prefix}__*"))


def test_bibtex_files_survive_mutation(tmp_path: Path) -> None:
    files = sorted(shared_path("fixtures", "bib").glob("*.bib"))
    if not THOROUGH:  # CI: the small files only (the big ones take seconds to read)
        files = [f for f in files if f.stat().st_size < 120_000]
    check = every_entry_loaded_or_reported(_BIBTEX_START, lone_cr_breaks=True)
    assert fuzz_files(files, tmp_path, _bib, check) >= len(files) * len(MUTATIONS)


@pytest.mark.parametrize(
    ("prefix", "check"),
    [
        ("ris", every_entry_loaded_or_reported(_RIS_START)),
        ("nbib", every_entry_loaded_or_reported(_MEDLINE_START)),
        ("enxml", counted(b"<record>")),
        ("cslj", csl_records_loaded_or_reported),
    ],
)
def test_reference_libraries_survive_mutation(
    prefix: str, check: Callable[..., None], tmp_path: Path
) -> None:
    files = _refs(prefix)
    assert files, f"no {prefix} fixtures"
    assert fuzz_files(files, tmp_path, _library, check) >= len(files) * len(MUTATIONS)


# --- claims ----------------------------------------------------------------------------


def test_claims_files_survive_mutation(tmp_path: Path) -> None:
    files = sorted((ROOT / "tests" / "data" / "claims").glob("example.*"))
    files += sorted((ROOT / "docs" / "examples").glob("*.yaml"))
    assert {f.suffix for f in files} == {".yaml", ".json", ".csv"}
    assert fuzz_files(files, tmp_path, load_claims, nothing) >= len(files) * len(MUTATIONS)


# --- articles (extraction) -------------------------------------------------------------


def _extract(path: Path) -> object:
    return extract_claims(path)


def test_jats_articles_survive_mutation(tmp_path: Path) -> None:
    files = sorted(shared_path("fixtures", "jats").glob("*.*xml"))
    assert fuzz_files(files, tmp_path, _extract, nothing) >= len(files) * len(MUTATIONS)


def test_manuscripts_survive_mutation(tmp_path: Path) -> None:
    folder = shared_path("fixtures", "manuscripts")
    files = sorted(folder.glob("*/*.Rmd")) + sorted(folder.glob("*/content/0[0-2]*.md"))
    files += sorted(folder.glob("hellp_manuscript/*.md"))
    assert files
    assert fuzz_files(files, tmp_path, _extract, nothing) >= len(files) * len(MUTATIONS)


def mutate_docx(data: bytes, rng: random.Random) -> bytes:
    """A Word file whose ``word/document.xml`` is mutated inside an intact zip."""
    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    mutate = rng.choice(MUTATIONS)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "word/document.xml":
                body = mutate(body, rng)
            target.writestr(item, body)
    return out.getvalue()


def test_word_files_survive_mutation(tmp_path: Path) -> None:
    files = sorted(shared_path("fixtures", "docx").glob("*.docx"))
    if not THOROUGH:
        files = [f for f in files if f.stat().st_size < 200_000][:4]
    count = 0
    for source in files:
        rng = random.Random(f"{SEED}:{source.name}")
        data = source.read_bytes()
        # The zip itself damaged (flipped, cut short), and its document damaged inside.
        for what, mutate in [("flip", flip_bytes), ("truncate", truncate)] + [
            ("inside", mutate_docx)
        ] * (2 * ROUNDS):
            path = tmp_path / source.name
            path.write_bytes(mutate(data, rng))
            survives(_extract, path, f"{source.name}: {what} (seed {SEED}:{source.name})")
            count += 1
    assert count >= 3 * len(files)


# --- PubMed answers and snapshots ------------------------------------------------------


def test_efetch_answers_survive_mutation(tmp_path: Path) -> None:
    files = sorted(shared_path("fixtures", "pubmed").glob("efetch_*.xml"))
    assert files

    def read(path: Path) -> object:
        return parse_efetch(path.read_bytes(), source=str(path))

    assert fuzz_files(files, tmp_path, read, nothing) >= len(files) * len(MUTATIONS)


def test_snapshots_survive_mutation(tmp_path: Path) -> None:
    records = {}
    for xml in sorted(shared_path("fixtures", "pubmed").glob("efetch_*.xml")):
        if "empty_set" not in xml.name:
            records.update({r.pmid: r for r in parse_efetch(xml.read_bytes())})
    snapshot = tmp_path / "source" / "pubmed.json"
    snapshot.parent.mkdir()
    write_snapshot(snapshot, records, missing={"99999999": "not answered"})
    assert len(load_snapshot(snapshot)) == len(records)
    count = fuzz_files([snapshot], tmp_path, load_snapshot, nothing)
    assert count >= len(MUTATIONS)
