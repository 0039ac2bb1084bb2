"""The .bib parse cache: on by default, keyed on content and code, never failing a load.

A cache hit is proven by making a parse impossible (``_parse`` replaced by a function that
fails the test): whatever the load then returns came from the cache.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import shutil
from pathlib import Path

import pybtex
import pytest
from conftest import shared_path
from hypothesis import given
from hypothesis import strategies as st

import evidence._version
from evidence.bibliography import Bibliography, load_references
from evidence.bibliography import bibtex as references
from evidence.bibliography import cache as parse_cache
from evidence.errors import BibliographyError
from evidence.pubmed.cache import PubMedCache

BIB = """\
@string{jn = {Journal of Nothing}}

@article{Liliang2011,
  author = {Liliang, Po-Chou and M{\\"u}ller, Hans and others},
  title  = {Sacroiliac joint pain after {L}umbar fusion},
  journal = jn,
  year   = {2011}, month = jan,
  note   = {PMID: 21220997},
  doi    = {10.1000/a_b},
}

@article{katz2003,
  author = {Katz, V. and Reynolds, J.}
  title = {Missing comma before me},
  year = 2003,
  journal = nomacro,
}

@article{KATZ2003, title = {A duplicate in another case}}
@article{,
  title = {No key},
}
@book{who, author = {{World Health Organization}}, editor = {Doe, J.}, title = {Guide}}
"""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache root, as a user's EVIDENCE_CACHE_DIR."""
    root = tmp_path / "cache-root"
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(root))
    return root / "bib"


@pytest.fixture
def bib_file(tmp_path: Path) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    return path


def refuse_to_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on a load can only succeed from the cache."""

    def refuse(text: str, source: str) -> Bibliography:
        pytest.fail(f"{source} was parsed, but the cache should have answered")

    monkeypatch.setattr(references, "_parse", refuse)


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.pickle")) if directory.exists() else []


def same(a: Bibliography, b: Bibliography) -> None:
    """Every attribute of every reference equal, those left out of ``==`` included."""
    assert list(a) == list(b)
    for key in a:
        for field in dataclasses.fields(a[key]):
            assert getattr(a[key], field.name) == getattr(b[key], field.name), (key, field.name)
        assert list(a[key].fields) == list(b[key].fields)  # field order kept too
    assert a.problems == b.problems
    assert [p.location for p in a.problems] == [p.location for p in b.problems]
    assert a.path == b.path


# --- hits and keys ---------------------------------------------------------------------


def test_on_by_default_in_the_users_cache_folder_beside_pubmed(
    cache_dir: Path, bib_file: Path
) -> None:
    load_references(bib_file)
    assert len(entries(cache_dir)) == 1
    assert PubMedCache().directory.parent == cache_dir.parent


def test_a_warm_load_equals_the_cold_one_problems_and_locations_included(
    cache_dir: Path, bib_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = load_references(bib_file)
    assert {p.code for p in cold.problems} >= {"missing-comma", "duplicate-key", "empty-key"}
    refuse_to_parse(monkeypatch)
    warm = load_references(bib_file)
    same(cold, warm)
    assert warm.find("KATZ2003") is warm["katz2003"]
    assert "Liliang2011" in warm
    assert warm.not_loaded == cold.not_loaded
    assert str(warm["Liliang2011"].location) == f"{bib_file}:3"


def test_moved_file_hits_the_cache_and_reports_its_new_name(
    cache_dir: Path, bib_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = load_references(bib_file)
    moved = tmp_path / "elsewhere" / "moved.bib"
    moved.parent.mkdir()
    shutil.copy(bib_file, moved)
    refuse_to_parse(monkeypatch)
    warm = load_references(moved)
    assert len(entries(cache_dir)) == 1
    assert warm.path == str(moved)
    assert [p.location.line for p in warm.problems] == [p.location.line for p in cold.problems]
    assert {p.location.path for p in warm.problems} == {str(moved)}
    lines = [f"{moved}:{n}" for n in (3, 12, 23)]
    assert [str(ref.location) for ref in warm.values()] == lines


def test_changed_content_is_parsed_again(cache_dir: Path, bib_file: Path) -> None:
    load_references(bib_file)
    bib_file.write_text(BIB.replace("Guide", "Another guide"), encoding="utf-8")
    assert load_references(bib_file)["who"].title == "Another guide"
    assert len(entries(cache_dir)) == 2


@pytest.mark.parametrize("what", ["pybtex", "evidence"])
def test_another_library_version_misses(
    cache_dir: Path, bib_file: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    load_references(bib_file)
    module = pybtex if what == "pybtex" else evidence._version
    monkeypatch.setattr(module, "__version__", "999.0")
    load_references(bib_file)
    assert len(entries(cache_dir)) == 2


def copy_of_the_reader(folder: Path) -> list[Path]:
    """The reader's source files copied to ``folder`` as they sit in the package."""
    real = parse_cache.reader_sources()
    top = Path(parse_cache.__file__).resolve().parent.parent
    for source in real:
        target = folder / source.relative_to(top)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    copied = parse_cache.reader_sources(folder / "bibliography")
    assert [p.relative_to(folder) for p in copied] == [p.relative_to(top) for p in real]
    return copied


def test_the_key_covers_every_source_file_of_the_reader_however_split(tmp_path: Path) -> None:
    package = Path(parse_cache.__file__).resolve().parent
    assert set(package.glob("*.py")) <= set(parse_cache.reader_sources())
    sources = copy_of_the_reader(tmp_path / "evidence")
    base = parse_cache.source_digest(sources)
    assert base == parse_cache.source_digest(parse_cache.reader_sources())
    digests = {base}
    for source in sources:
        original = source.read_bytes()
        source.write_bytes(original + b"\n# edited\n")
        digests.add(parse_cache.source_digest(sources))
        source.write_bytes(original)
    assert len(digests) == len(sources) + 1  # each edit gave a key of its own
    (tmp_path / "evidence" / "bibliography" / "ris.py").write_text("# a new reader\n")
    grown = parse_cache.reader_sources(tmp_path / "evidence" / "bibliography")
    assert parse_cache.source_digest(grown) != base


def test_edited_reader_code_misses(
    cache_dir: Path, bib_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_references(bib_file)
    sources = copy_of_the_reader(tmp_path / "evidence")
    edited = next(p for p in sources if p.name == "names.py")
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    monkeypatch.setattr(parse_cache, "_SOURCE_DIGEST", parse_cache.source_digest(sources))
    load_references(bib_file)
    assert len(entries(cache_dir)) == 2


def test_the_encoding_is_part_of_the_key_and_decoding_errors_still_show(
    cache_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "latin.bib"
    path.write_bytes("@article{m, author = {Müller, H.}, title = {T}}\n".encode("latin-1"))
    assert load_references(path, encoding="latin-1")["m"].authors[0].last == "Müller"
    with pytest.raises(BibliographyError, match="not valid utf-8") as raised:
        load_references(path)
    assert raised.value.problems[0].location.line == 1
    assert load_references(path, encoding="LATIN1")["m"].authors[0].last == "Müller"
    assert len(entries(cache_dir)) == 1  # "LATIN1" is the same codec as "latin-1"


def test_strict_raises_the_same_error_from_the_cache(
    cache_dir: Path, bib_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(BibliographyError) as cold:
        load_references(bib_file, strict=True)
    refuse_to_parse(monkeypatch)
    with pytest.raises(BibliographyError) as warm:
        load_references(bib_file, strict=True)
    assert str(warm.value) == str(cold.value)
    assert warm.value.location == cold.value.location


def test_cache_false_neither_reads_nor_writes(
    cache_dir: Path, bib_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_references(bib_file, cache=False)
    assert entries(cache_dir) == []
    load_references(bib_file)  # now there is an entry...
    calls: list[str] = []
    real = references._parse
    monkeypatch.setattr(
        references, "_parse", lambda text, source: calls.append(source) or real(text, source)
    )
    load_references(bib_file, cache=False)  # ...which cache=False does not use
    assert calls == [str(bib_file)]


def test_a_folder_can_be_given(tmp_path: Path, bib_file: Path, cache_dir: Path) -> None:
    mine = tmp_path / "mine"
    load_references(bib_file, cache=mine)
    assert len(entries(mine)) == 1
    assert entries(cache_dir) == []


# --- damage and failures ---------------------------------------------------------------


def _cut(blob: bytes) -> bytes:
    return blob[: len(blob) // 2]


def _flip(blob: bytes) -> bytes:
    middle = len(blob) // 2
    return blob[:middle] + bytes([blob[middle] ^ 0xFF]) + blob[middle + 1 :]


def _planted(blob: bytes) -> bytes:
    """A payload with a valid checksum that would call a function if it were unpickled."""
    payload = pickle.dumps(_Trap())
    magic = parse_cache.CACHE_MAGIC
    return magic + parse_cache._checksum(payload) + payload


TRIPPED: list[str] = []


def _trip() -> None:
    TRIPPED.append("code from the cache ran")


class _Trap:
    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (_trip, ())


@pytest.mark.parametrize(
    "damage",
    [_cut, _flip, lambda b: b"", lambda b: b"garbage" * 10, _planted],
    ids=["truncated", "flipped-byte", "empty", "garbage", "planted-code"],
)
def test_a_damaged_entry_is_ignored_logged_and_rewritten(
    cache_dir: Path, bib_file: Path, caplog: pytest.LogCaptureFixture, damage: object
) -> None:
    cold = load_references(bib_file)
    (entry,) = entries(cache_dir)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))  # type: ignore[operator]
    with caplog.at_level(logging.WARNING, logger="evidence.bibliography.cache"):
        again = load_references(bib_file)
    same(cold, again)
    assert TRIPPED == []
    assert any("corrupt parse cache entry" in r.getMessage() for r in caplog.records)
    assert entry.read_bytes() == good  # rewritten whole


def test_an_entry_for_another_key_is_not_used(
    cache_dir: Path, bib_file: Path, tmp_path: Path
) -> None:
    load_references(bib_file)
    other = tmp_path / "other.bib"
    other.write_text("@misc{other, title = {Other}}\n", encoding="utf-8")
    load_references(other)
    store = parse_cache.ParseCache(cache_dir)
    mine = store.path_for(str(store.key(bib_file.read_bytes(), "utf-8")))
    theirs = store.path_for(str(store.key(other.read_bytes(), "utf-8")))
    good = mine.read_bytes()
    shutil.copy(theirs, mine)  # a sound entry, filed under the wrong name
    assert list(load_references(bib_file)) == ["Liliang2011", "katz2003", "who"]
    assert mine.read_bytes() == good


def test_an_unwritable_cache_never_fails_the_load(
    tmp_path: Path, bib_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="evidence.bibliography.cache"):
        bib = load_references(bib_file, cache=blocker / "bib")
    assert len(bib) == 3
    assert any("cannot write the parse cache" in r.getMessage() for r in caplog.records)


def test_an_unreadable_entry_is_parsed_again(
    cache_dir: Path, bib_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load_references(bib_file)
    (entry,) = entries(cache_dir)
    entry.unlink()
    entry.mkdir()  # reading it fails with IsADirectoryError
    with caplog.at_level(logging.WARNING, logger="evidence.bibliography.cache"):
        assert len(load_references(bib_file)) == 3
    assert any("cannot read this parse cache entry" in r.getMessage() for r in caplog.records)


def test_writes_are_whole_and_the_cache_stays_small(cache_dir: Path, tmp_path: Path) -> None:
    keep = parse_cache.CACHE_KEEP
    for number in range(keep + 3):
        path = tmp_path / f"f{number}.bib"
        path.write_text(f"@misc{{k{number}, title = {{T}}}}\n", encoding="utf-8")
        load_references(path)
        os.utime(entries(cache_dir)[0], (number, number))  # ages differ for sure
    stale = cache_dir / ".x.pickle.123.tmp"
    stale.write_bytes(b"half an entry")
    os.utime(stale, (0, 0))
    (tmp_path / "last.bib").write_text("@misc{last, title = {T}}\n", encoding="utf-8")
    load_references(tmp_path / "last.bib")
    assert len(entries(cache_dir)) == keep
    assert not stale.exists()
    assert [p for p in cache_dir.iterdir() if p.suffix != ".pickle"] == []


# --- every real export, and any text ------------------------------------------------------

REAL = [
    "zotero_pediatric_concussion_pmid.bib",
    "mendeley_desktop_2663_toomanycommas.bib",
    "scopus_export_sysreview.bib",
    "cryptobib_abbrev3_strings.bib",
    "biblatex-examples.bib",
    "endnote_trauma_medical.bib",
]


@pytest.mark.parametrize("name", REAL)
def test_real_exports_come_back_equal(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = shared_path("fixtures", "bib", name)
    cold = load_references(path, cache=tmp_path)
    refuse_to_parse(monkeypatch)
    warm = load_references(path, cache=tmp_path)
    same(cold, warm)
    assert dict(warm.items()) == dict(cold.items())


@given(st.text(alphabet='@{}()",=#%\\ \n\tabkAK19_-.éß', max_size=300))
def test_any_text_round_trips_through_the_cache(text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.bib"
        path.write_text(text, encoding="utf-8")
        cold = load_references(path, cache=Path(folder) / "cache")
        warm = load_references(path, cache=Path(folder) / "cache")
        same(cold, warm)


# --- one at a time, all at once, and planted values --------------------------------------


def test_one_at_a_time_all_at_once_or_mixed_give_the_cold_references(tmp_path: Path) -> None:
    """A warm load builds a reference when it is first asked for, or every one at once
    (``values()``, ``items()``) through another path: both give what a parse gives, and
    a reference handed out once is the one handed out again."""
    path = shared_path("fixtures", "bib", "zotero_pediatric_concussion_pmid.bib")
    cold = load_references(path, cache=tmp_path)
    keys = list(cold)
    assert len(keys) > parse_cache._CHUNK  # several chunks...
    assert len(keys) % parse_cache._CHUNK  # ...the last one partial
    all_at_once = load_references(path, cache=tmp_path)
    assert list(all_at_once.values()) == list(cold.values())
    same(cold, all_at_once)
    one_at_a_time = load_references(path, cache=tmp_path)
    same(cold, one_at_a_time)  # reads each reference by its key
    mixed = load_references(path, cache=tmp_path)
    early = {key: mixed[key] for key in keys[:: parse_cache._CHUNK // 3]}
    assert mixed.find(keys[-1].upper()) is mixed[keys[-1]]
    assert dict(mixed.items()) == dict(cold.items())
    assert all(mixed[key] is ref for key, ref in early.items())
    same(cold, mixed)


def _replant(entry: Path, change: object) -> None:
    """Rewrite the cache entry with ``change(columns, names)`` applied to its first chunk
    and its name table, under a valid checksum: what only a planted file can hold."""
    blob = entry.read_bytes()
    start = len(parse_cache.CACHE_MAGIC) + parse_cache._CHECKSUM_SIZE
    body = start + 8 + int.from_bytes(blob[start : start + 8], "big")
    version, key, keys, size, starts, problems = pickle.loads(blob[start + 8 : body])
    ends = [*starts[1:], len(blob) - body]
    parts = [blob[body + a : body + b] for a, b in zip(starts, ends, strict=True)]
    table, columns = list(pickle.loads(parts[0])), pickle.loads(parts[1])
    change(columns, table)  # type: ignore[operator]
    parts[:2] = [pickle.dumps(tuple(table)), pickle.dumps(columns)]
    starts = [sum(len(p) for p in parts[:n]) for n in range(len(parts))]
    index = pickle.dumps((version, key, keys, size, starts, problems))
    payload = b"".join([len(index).to_bytes(8, "big"), index, *parts])
    entry.write_bytes(parse_cache.CACHE_MAGIC + parse_cache._checksum(payload) + payload)


def _title(columns: list[list[object]], table: list[object]) -> None:
    columns[1][0] = 2011  # a title that is a number


def _raw_value(columns: list[list[object]], table: list[object]) -> None:
    columns[16][0]["title"] = None  # type: ignore[index]


def _field_name(columns: list[list[object]], table: list[object]) -> None:
    columns[15][0][3] = "x"  # type: ignore[index]


def _author_number(columns: list[list[object]], table: list[object]) -> None:
    columns[2][0] = (10**6,)  # no such name


def _author_text(columns: list[list[object]], table: list[object]) -> None:
    columns[2][0] = ("Liliang",)


def _name_parts(columns: list[list[object]], table: list[object]) -> None:
    table[2] = str(table[2]).encode()  # the names' parts as bytes, not text


def _name_count(columns: list[list[object]], table: list[object]) -> None:
    table[0] = int(table[0]) + 1  # more names than the parts hold


def _collective_name(columns: list[list[object]], table: list[object]) -> None:
    table[3] = ["0"]  # not a name's number


def _location_path(columns: list[list[object]], table: list[object]) -> None:
    columns[17][0] = (3, 1, None)  # a path that is a number


def _short_column(columns: list[list[object]], table: list[object]) -> None:
    del columns[5][0]


@pytest.mark.parametrize(
    "change",
    [
        _title,
        _raw_value,
        _field_name,
        _author_number,
        _author_text,
        _name_parts,
        _name_count,
        _collective_name,
        _location_path,
        _short_column,
    ],
)
@pytest.mark.parametrize("read", ["one", "all"])
def test_a_planted_value_of_the_wrong_type_is_a_located_error_not_a_crash_later(
    cache_dir: Path, bib_file: Path, monkeypatch: pytest.MonkeyPatch, change: object, read: str
) -> None:
    load_references(bib_file)
    (entry,) = entries(cache_dir)
    _replant(entry, change)
    refuse_to_parse(monkeypatch)
    warm = load_references(bib_file)  # the checksum holds: the entry is used...

    def first() -> object:
        return warm["Liliang2011"]

    def every() -> object:
        return list(warm.values())

    with pytest.raises(BibliographyError, match="cache entry for this file is damaged") as raised:
        (first if read == "one" else every)()
    assert raised.value.location.path == str(bib_file)  # ...and says where it came from


def test_the_same_person_is_one_name_object_in_a_warm_load(cache_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "two.bib"
    path.write_text(
        "@article{a, author = {Liliang, Po-Chou and Katz, V.}, title = {A}}\n"
        "@article{b, author = {Katz, V.}, editor = {Liliang, Po-Chou}, title = {B}}\n",
        encoding="utf-8",
    )
    cold = load_references(path)
    for read in ("one", "all"):
        warm = load_references(path)
        a, b = (warm["a"], warm["b"]) if read == "one" else list(warm.values())
        assert (a, b) == (cold["a"], cold["b"])
        assert a.authors[1] is b.authors[0]
        assert a.authors[0] is b.editors[0]
