"""The PubMed cache's packs (one file per fetched batch) and the rows records are kept in.

The per-PMID rules of the cache carry over to packs (tests/test_pubmed_cache.py holds the
single-entry side): records read back equal, stale by age, damage logged and refetched,
newer entries win, concurrent writers never leave a broken pack; and the rows are checked
field by field as strictly as ``PubMedRecord.from_dict`` checks its dicts.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, shared_path
from test_pubmed_cache import NOW, full_record

from evidence.model import (
    AbstractSection,
    CommentCorrection,
    MeshHeading,
    Name,
    PublicationType,
    PubMedRecord,
)
from evidence.pubmed import parse_efetch
from evidence.pubmed.cache import PubMedCache
from evidence.pubmed.rows import FIELDS, BadRow, RowReader, to_row

EFETCH_FIXTURES = sorted(p.name for p in (FIXTURES / "pubmed").glob("efetch_*.xml"))


def packed(folder: Path, **ages: timedelta) -> PubMedCache:
    """A cache that packs every batch, however small (the default packs from 10 PMIDs)."""
    cache = PubMedCache(folder, **ages)
    cache.pack_from = 1
    return cache


def packs(cache: PubMedCache) -> list[Path]:
    return sorted((cache.directory / "packs").glob("*.pack"))


def records(count: int, start: int = 1000) -> dict[str, PubMedRecord | None]:
    return {str(start + n): full_record(pmid=str(start + n), title=f"T{n}") for n in range(count)}


# --- rows ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EFETCH_FIXTURES)
def test_every_real_record_comes_back_equal_from_a_row(name: str) -> None:
    body = shared_path("fixtures", "pubmed", name).read_bytes()
    reader = RowReader()
    for record in parse_efetch(body):
        row = json.loads(json.dumps(to_row(record)))
        assert reader.record(row) == record
        # ... and equal to what the dict form (cache format 1, snapshots) gives back.
        assert reader.record(row) == PubMedRecord.from_dict(record.to_dict())


def _random_record(rng: random.Random, pmid: str) -> PubMedRecord:
    def text() -> str:
        return "".join(rng.choice(["a", "B", " ", "\u00e9", "\n", '"', "\\", ""]) for _ in range(3))

    def names() -> tuple[Name, ...]:
        return tuple(
            Name(text(), text(), text(), text(), rng.random() < 0.2)
            for _ in range(rng.randint(0, 3))
        )

    vocabulary = ["Humans", "Female", text()]
    return PubMedRecord(
        pmid=pmid,
        title=text(),
        kind=rng.choice(["article", "book"]),
        abstract=tuple(AbstractSection(text(), text(), text()) for _ in range(rng.randint(0, 2))),
        authors=names(),
        authors_complete=rng.random() < 0.5,
        journal=text(),
        year=rng.choice([None, 1999, 2024, 0]),
        doi=rng.choice([None, text()]),
        pmcid=rng.choice([None, "PMC1"]),
        publication_types=tuple(
            PublicationType(text(), rng.choice(vocabulary)) for _ in range(rng.randint(0, 2))
        ),
        mesh=tuple(
            MeshHeading(
                "D1",
                rng.choice(vocabulary),
                rng.random() < 0.5,
                tuple(text() for _ in range(rng.randint(0, 2))),
            )
            for _ in range(rng.randint(0, 4))
        ),
        keywords=tuple(text() for _ in range(rng.randint(0, 2))),
        comments_corrections=tuple(
            CommentCorrection(text(), text(), rng.choice([None, "12"]))
            for _ in range(rng.randint(0, 2))
        ),
        languages=rng.choice([(), ("eng",), ("eng", "fre")]),
        editors=names(),
        publisher=text(),
    )


def test_random_records_read_back_from_rows_as_from_dicts() -> None:
    rng = random.Random(12)
    reader = RowReader()  # one reader throughout, so shared vocabulary is reused
    for n in range(600):
        record = _random_record(rng, str(n + 1))
        via_row = reader.record(json.loads(json.dumps(to_row(record), ensure_ascii=False)))
        via_dict = PubMedRecord.from_dict(json.loads(json.dumps(record.to_dict())))
        assert via_row == via_dict == record


def test_shared_vocabulary_is_built_once_and_records_stay_equal() -> None:
    reader = RowReader()
    first = reader.record(json.loads(json.dumps(to_row(full_record("1")))))
    second = reader.record(json.loads(json.dumps(to_row(full_record("2")))))
    assert first.mesh[0] is second.mesh[0]
    assert first.publication_types[0] is second.publication_types[0]
    assert first.mesh == full_record("1").mesh


def _replace(row: list[Any], field: str, value: Any) -> list[Any]:
    changed = list(row)
    changed[FIELDS.index(field)] = value
    return changed


GOOD = json.loads(json.dumps(to_row(full_record())))
BAD_ROWS = {
    "not-a-list": {"pmid": "1"},
    "too-short": GOOD[:-1],
    "pmid-number": _replace(GOOD, "pmid", 27685632),
    "title-null": _replace(GOOD, "title", None),
    "year-text": _replace(GOOD, "year", "2016"),
    "year-flag": _replace(GOOD, "year", True),
    "doi-number": _replace(GOOD, "doi", 10),
    "complete-number": _replace(GOOD, "authors_complete", 1),
    "author-dict": _replace(GOOD, "authors", [{"last": "Wei"}]),
    "author-last-number": _replace(GOOD, "authors", [[7, "", "", "", False]]),
    "author-collective-number": _replace(GOOD, "authors", [["Wei", "", "", "", 0]]),
    "abstract-short": _replace(GOOD, "abstract", [["text", "LABEL"]]),
    "type-name-flag": _replace(GOOD, "publication_types", [["D016428", True]]),
    "mesh-major-number": _replace(GOOD, "mesh", [["D006801", "Humans", 1, []]]),
    "mesh-name-list": _replace(GOOD, "mesh", [["D006801", ["Humans"], True, []]]),
    "mesh-qualifier-number": _replace(GOOD, "mesh", [["D006801", "Humans", True, [3]]]),
    "mesh-qualifiers-text": _replace(GOOD, "mesh", [["D006801", "Humans", True, "x"]]),
    "keywords-dict": _replace(GOOD, "keywords", {"a": 1}),
    "keyword-null": _replace(GOOD, "keywords", [None]),
    "link-pmid-number": _replace(GOOD, "comments_corrections", [["RetractionIn", "x", 3]]),
    "editors-null": _replace(GOOD, "editors", None),
}


@pytest.mark.parametrize("row", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_row_with_a_wrong_type_anywhere_is_refused(row: Any) -> None:
    reader = RowReader()
    # The good row first, so that shared vocabulary is known when the bad one comes.
    assert reader.record(GOOD) == full_record()
    with pytest.raises(BadRow):
        reader.record(row)


# --- packs through the cache -----------------------------------------------------------------


def test_a_batch_is_one_pack_and_reads_back_entry_by_entry(tmp_path: Path) -> None:
    cache = packed(tmp_path)
    batch = records(3) | {"9999": None}
    cache.put_many(batch, fetched_at=NOW)
    assert len(packs(cache)) == 1
    assert not list(tmp_path.glob("[0-9][0-9]"))  # no single entries
    again = packed(tmp_path)  # another process, as it were
    for pmid, record in batch.items():
        entry = again.get(pmid, now=NOW + timedelta(hours=1))
        assert entry is not None
        assert entry.record == record
        assert entry.fetched_at == NOW
        assert not entry.stale
    many = again.get_many(["1001", "5", "9999", "1000"], now=NOW)
    assert list(many) == ["1001", "9999", "1000"]  # in the order asked, the absent left out


def test_packed_entries_go_stale_like_single_ones(tmp_path: Path) -> None:
    cache = packed(tmp_path, max_age=timedelta(days=30), not_found_max_age=timedelta(days=1))
    cache.put_many({"1": full_record("1"), "2": None}, fetched_at=NOW)
    entries = cache.get_many(["1", "2"], now=NOW + timedelta(days=2))
    assert not entries["1"].stale
    assert entries["2"].stale
    assert not entries["2"].found
    assert cache.get("1", now=NOW + timedelta(days=31)).stale  # type: ignore[union-attr]
    assert cache.get("1", now=NOW - timedelta(days=3)).stale  # type: ignore[union-attr]


def test_the_newest_write_wins_single_entries_and_packs_alike(tmp_path: Path) -> None:
    cache = packed(tmp_path)
    cache.put(full_record("1", "single, first"))
    cache.put_many({"1": full_record("1", "packed, second")})
    assert not cache.path_for("1").exists()  # the pack replaced the single entry
    assert cache.get("1").record.title == "packed, second"  # type: ignore[union-attr]
    # A put after the fetch wins even with an older fetch time (the client relies on it
    # to refetch a record a user marked old).
    cache.put(full_record("1", "single, third"), fetched_at=NOW - timedelta(days=400))
    assert cache.get("1").record.title == "single, third"  # type: ignore[union-attr]
    cache.put_many({"1": full_record("1", "packed, fourth")})
    cache.put_many({"1": full_record("1", "packed, fifth")})
    assert cache.get("1").record.title == "packed, fifth"  # type: ignore[union-attr]


def test_superseded_packs_are_deleted_and_partly_superseded_ones_kept(tmp_path: Path) -> None:
    cache = packed(tmp_path)
    cache.put_many(records(3, start=100))
    cache.put_many(records(3, start=200))
    first, second = packs(cache)
    cache.put_many(records(2, start=100))  # 100, 101: the first pack still holds 102
    assert packs(cache)[:2] == [first, second]
    cache.put_many({"102": None})
    assert first not in packs(cache)
    assert second in packs(cache)
    assert cache.get("102").record is None  # type: ignore[union-attr]
    assert cache.get("101").record == full_record("101", "T1")  # type: ignore[union-attr]


def test_discard_forgets_a_packed_entry(tmp_path: Path) -> None:
    cache = packed(tmp_path)
    cache.put_many(records(2))
    cache.discard("1000")
    cache.discard("1000")
    assert cache.get("1000") is None
    assert packed(tmp_path).get("1000") is None
    assert cache.get("1001") is not None
    cache.put_many({"1000": full_record("1000")})
    assert cache.get("1000") is not None


DAMAGE = {
    "header-not-json": lambda text: "{oops\n" + text.split("\n", 1)[1],
    "rows-cut-short": lambda text: text[: len(text) - 40],
    "rows-missing": lambda text: text.split("\n", 1)[0] + "\n",
    "header-without-pmids": lambda text: (
        '{"format":1,"fetched_at":"2025-03-01T12:00:00+00:00"}\n' + text.split("\n", 1)[1]
    ),
    "empty": lambda text: "",
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_pack_is_logged_its_entries_absent_and_a_new_fetch_wins(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: Any
) -> None:
    cache = packed(tmp_path)
    cache.put_many(records(3), fetched_at=NOW)
    (path,) = packs(cache)
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    fresh = packed(tmp_path)
    with caplog.at_level(logging.WARNING, logger="evidence.pubmed"):
        assert fresh.get_many(["1000", "1001", "1002"], now=NOW) == {}
    assert any(str(path) in r.getMessage() for r in caplog.records)
    fresh.put_many(records(3), fetched_at=NOW)
    assert fresh.get("1001", now=NOW).record == full_record("1001", "T1")  # type: ignore[union-attr]
    assert not path.exists()  # the damaged pack is cleaned up with the next write


def test_a_damaged_entry_costs_that_entry_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = packed(tmp_path)
    cache.put_many(records(3), fetched_at=NOW)
    (path,) = packs(cache)
    header, rows, _ = path.read_text(encoding="utf-8").split("\n")
    entries = json.loads(rows)
    entries[1][FIELDS.index("authors")] = [[7, "", "", "", False]]
    entries[2][0] = "1000"  # the entry for 1002 holds another PMID
    path.write_text(f"{header}\n{json.dumps(entries)}\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="evidence.pubmed"):
        found = packed(tmp_path).get_many(["1000", "1001", "1002"], now=NOW)
    assert list(found) == ["1000"]
    messages = [r.getMessage() for r in caplog.records]
    assert any("1001" in m and "authors" in m for m in messages)
    assert any("1002" in m and "holds PMID 1000" in m for m in messages)


def test_an_unreadable_pack_is_logged_and_its_entries_absent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = packed(tmp_path)
    cache.put_many(records(2), fetched_at=NOW)
    (path,) = packs(cache)
    real = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with caplog.at_level(logging.WARNING, logger="evidence.pubmed"):
        assert PubMedCache(tmp_path).get_many(["1000", "1001"], now=NOW) == {}
    assert any("cannot read" in r.getMessage() for r in caplog.records)


def test_a_pack_of_another_format_is_ignored_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = packed(tmp_path)
    cache.put_many(records(1), fetched_at=NOW)
    (path,) = packs(cache)
    path.write_text(path.read_text().replace('"format":1', '"format":99', 1))
    with caplog.at_level(logging.WARNING, logger="evidence.pubmed"):
        assert packed(tmp_path).get("1000") is None
    assert caplog.records == []


def test_a_reader_sees_packs_written_after_it_first_looked(tmp_path: Path) -> None:
    reader, writer = packed(tmp_path), packed(tmp_path)
    writer.put_many(records(2), fetched_at=NOW)
    assert reader.get("1000", now=NOW) is not None
    writer.put_many({"1000": full_record("1000", "newer")}, fetched_at=NOW)
    writer.put_many({"1001": full_record("1001", "newer")}, fetched_at=NOW)  # first pack gone
    found = reader.get_many(["1000", "1001"], now=NOW)
    assert [e.record.title for e in found.values()] == ["newer", "newer"]  # type: ignore[union-attr]


def test_a_pack_cleaned_up_under_a_reader_is_found_in_its_newer_place(tmp_path: Path) -> None:
    reader, writer = packed(tmp_path), packed(tmp_path)
    writer.put_many(records(2), fetched_at=NOW)
    assert reader.get("1000", now=NOW) is not None  # the reader knows the first pack
    # The writer replaces it; the reader has not listed the folder since.
    writer.put_many(records(2) | {"1000": full_record("1000", "moved")}, fetched_at=NOW)
    assert len(packs(writer)) == 1  # the first pack is gone
    assert reader.get("1000", now=NOW).record.title == "moved"  # type: ignore[union-attr]
    assert reader.get("1001", now=NOW).record.title == "T1"  # type: ignore[union-attr]


def test_threads_writing_packs_at_once_leave_every_entry_readable(tmp_path: Path) -> None:
    cache = packed(tmp_path)
    errors: list[BaseException] = []

    def write(start: int) -> None:
        try:
            for round_ in range(5):
                cache.put_many(records(20, start=start + round_ * 5), fetched_at=NOW)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n * 1000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    wanted = [str(n * 1000 + k) for n in range(4) for k in range(40)]
    found = packed(tmp_path).get_many(wanted, now=NOW)
    assert set(found) == set(wanted)
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".")]  # no temporaries


def test_a_small_batch_is_stored_as_single_entries(tmp_path: Path) -> None:
    cache = PubMedCache(tmp_path)  # the default: packs from 10 PMIDs
    cache.put_many(records(8) | {"77": None}, fetched_at=NOW)
    assert packs(cache) == []
    assert cache.path_for("1000").is_file()
    assert cache.get("77", now=NOW).record is None  # type: ignore[union-attr]
    cache.put_many(records(10), fetched_at=NOW)
    assert len(packs(cache)) == 1
    assert not cache.path_for("1000").exists()  # the pack replaced it
    assert cache.get("1000", now=NOW).record == full_record("1000", "T0")  # type: ignore[union-attr]


def test_single_entries_of_an_old_cache_are_still_read_in_bulk(tmp_path: Path) -> None:
    cache = packed(tmp_path)
    for n in range(100):  # more than the bulk read looks up one by one
        cache.put(full_record(str(5000 + n)), fetched_at=NOW)
    cache.put_many(records(50, start=6000), fetched_at=NOW)
    wanted = [str(5000 + n) for n in range(100)] + [str(6000 + n) for n in range(50)]
    found = packed(tmp_path).get_many(wanted, now=NOW + timedelta(days=1))
    assert list(found) == wanted
    assert found["5042"].record == full_record("5042")
    assert found["5042"].fetched_at == NOW
    assert datetime.now(UTC) > NOW
