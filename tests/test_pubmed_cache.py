"""The on-disk PubMed cache: round trips, staleness, corruption, atomic and shared writes."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import platformdirs
import pytest

from evidence.errors import CacheError
from evidence.model import (
    AbstractSection,
    CommentCorrection,
    MeshHeading,
    Name,
    PublicationType,
    PubMedRecord,
)
from evidence.pubmed.cache import FORMAT_VERSION, PubMedCache

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def full_record(
    pmid: str = "27685632", title: str = "Hsa-miR-623 suppresses tumour"
) -> PubMedRecord:
    return PubMedRecord(
        pmid=pmid,
        title=title,
        abstract=(AbstractSection("Background text.", "BACKGROUND", "BACKGROUND"),),
        authors=(Name("Wei", "Wang"), Name("ASPIRE Investigators", collective=True)),
        authors_complete=False,
        journal="Cell death & disease",
        journal_abbrev="Cell Death Dis",
        year=2016,
        pub_date="2016 Sep 29",
        volume="7",
        issue="9",
        pages="e2388",
        doi="10.1038/cddis.2016.260",
        publication_types=(PublicationType("D016441", "Retracted Publication"),),
        mesh=(MeshHeading("D006801", "Humans", True, ("metabolism",)),),
        keywords=("miR-623",),
        comments_corrections=(
            CommentCorrection("RetractionIn", "Cell Death Dis. 2019", "30683838"),
        ),
        languages=("eng",),
        status="MEDLINE",
    )


def leftovers(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file() and not p.name.endswith(".json")]


# --- location -----------------------------------------------------------------------------


def test_default_directory_is_the_user_cache_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVIDENCE_CACHE_DIR", raising=False)
    expected = Path(platformdirs.user_cache_dir("evidence")) / "pubmed"
    assert PubMedCache().directory == expected


def test_environment_overrides_the_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(tmp_path))
    cache = PubMedCache()
    assert cache.directory == tmp_path / "pubmed"
    cache.put(full_record())
    assert (tmp_path / "pubmed" / "32" / "27685632.json").is_file()
    assert PubMedCache(tmp_path / "explicit").directory == tmp_path / "explicit"


def test_path_for_refuses_anything_but_digits(tmp_path: Path) -> None:
    cache = PubMedCache(tmp_path)
    for bad in ("../etc", "12a", "", "1/2"):
        with pytest.raises(ValueError, match="not a PMID"):
            cache.path_for(bad)
    assert cache.path_for("7") == tmp_path / "07" / "7.json"


# --- round trip and staleness --------------------------------------------------------------


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    cache = PubMedCache(tmp_path)
    record = full_record()
    cache.put(record, fetched_at=NOW)
    entry = cache.get(record.pmid, now=NOW + timedelta(days=1))

    assert entry is not None
    assert entry.record == record
    assert entry.fetched_at == NOW
    assert entry.found
    assert not entry.stale
    stored = json.loads(cache.path_for(record.pmid).read_text(encoding="utf-8"))
    assert stored["format"] == FORMAT_VERSION
    assert set(stored) == {"format", "pmid", "fetched_at", "found", "record"}


def test_absent_entry_is_none(tmp_path: Path) -> None:
    assert PubMedCache(tmp_path).get("123") is None


@pytest.mark.parametrize(
    ("age", "stale"),
    [(timedelta(days=29), False), (timedelta(days=31), True), (timedelta(days=-3), True)],
    ids=["fresh", "old", "from-the-future"],
)
def test_records_older_than_max_age_are_stale(tmp_path: Path, age: timedelta, stale: bool) -> None:
    cache = PubMedCache(tmp_path, max_age=timedelta(days=30))
    cache.put(full_record(), fetched_at=NOW - age)
    entry = cache.get("27685632", now=NOW)
    assert entry is not None
    assert entry.stale is stale
    assert entry.record is not None  # a stale entry still carries its record for fallback


def test_not_found_answers_are_kept_for_a_shorter_time(tmp_path: Path) -> None:
    cache = PubMedCache(tmp_path, not_found_max_age=timedelta(days=1))
    cache.put_not_found("99999999", fetched_at=NOW - timedelta(hours=12))
    entry = cache.get("99999999", now=NOW)
    assert entry is not None
    assert not entry.found
    assert not entry.stale
    later = cache.get("99999999", now=NOW + timedelta(days=1))
    assert later is not None
    assert later.stale


def test_max_age_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="positive"):
        PubMedCache(tmp_path, max_age=timedelta(0))


def test_discard_forgets_an_entry(tmp_path: Path) -> None:
    cache = PubMedCache(tmp_path)
    cache.put(full_record())
    cache.discard("27685632")
    cache.discard("27685632")  # twice is fine
    assert cache.get("27685632") is None


# --- corruption ---------------------------------------------------------------------------


def _good_payload() -> dict[str, object]:
    return {
        "format": FORMAT_VERSION,
        "pmid": "27685632",
        "fetched_at": NOW.isoformat(),
        "found": True,
        "record": full_record().to_dict(),
    }


def _without(key: str) -> str:
    payload = _good_payload()
    del payload[key]
    return json.dumps(payload)


def _with(key: str, value: object) -> str:
    payload = _good_payload()
    payload[key] = value
    return json.dumps(payload)


CORRUPT = {
    "empty": "",
    "truncated": json.dumps(_good_payload())[:200],
    "not-an-object": "[1, 2, 3]",
    "no-format": _without("format"),
    "no-record": _without("record"),
    "no-time": _without("fetched_at"),
    "bad-time": _with("fetched_at", "yesterday"),
    "other-pmid": _with("pmid", "1"),
    "record-for-other-pmid": _with("record", full_record(pmid="1").to_dict()),
    "record-missing-title": _with("record", {"pmid": "27685632"}),
    "found-without-record": _with("record", None),
    "binary": "\udcff",
}


@pytest.mark.parametrize("text", CORRUPT.values(), ids=CORRUPT.keys())
def test_corrupt_entries_are_logged_treated_as_absent_and_overwritten(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    cache = PubMedCache(tmp_path)
    path = cache.path_for("27685632")
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("utf-8", "surrogateescape"))

    with caplog.at_level(logging.WARNING, logger="evidence.pubmed"):
        assert cache.get("27685632") is None
    assert any(str(path) in r.getMessage() for r in caplog.records)

    cache.put(full_record(), fetched_at=NOW)
    entry = cache.get("27685632", now=NOW)
    assert entry is not None
    assert entry.record == full_record()


def test_an_entry_of_another_format_version_is_ignored_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = PubMedCache(tmp_path)
    path = cache.path_for("27685632")
    path.parent.mkdir(parents=True)
    path.write_text(_with("format", FORMAT_VERSION + 1), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="evidence.pubmed"):
        assert cache.get("27685632") is None
    assert caplog.records == []


# --- writing ------------------------------------------------------------------------------


def test_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    cache = PubMedCache(tmp_path)
    for n in range(50):
        cache.put(full_record(pmid=str(1000 + n)))
        cache.put_not_found(str(5000 + n))
    assert leftovers(tmp_path) == []
    assert len(list(tmp_path.rglob("*.json"))) == 100


def test_a_failed_write_keeps_the_old_entry_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = PubMedCache(tmp_path)
    cache.put(full_record(title="Old title"), fetched_at=NOW)

    def refuse(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(CacheError, match="No space left on device") as raised:
        cache.put(full_record(title="New title"))
    monkeypatch.undo()

    assert str(cache.path_for("27685632")) in str(raised.value)
    assert "EVIDENCE_CACHE_DIR" in str(raised.value)
    assert leftovers(tmp_path) == []
    entry = cache.get("27685632", now=NOW)
    assert entry is not None
    assert entry.record is not None
    assert entry.record.title == "Old title"


def test_an_unwritable_directory_raises_cache_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(CacheError, match="cannot write the PubMed cache"):
        PubMedCache(blocker).put(full_record())


_WRITER = """
import sys
from evidence.model import PubMedRecord
from evidence.pubmed.cache import PubMedCache
cache = PubMedCache(sys.argv[1])
for n in range(int(sys.argv[3])):
    cache.put(PubMedRecord(pmid="27685632", title=f"{sys.argv[2]} {n}", abstract=()))
"""


def test_two_processes_writing_the_same_entry_never_leave_it_broken(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = PubMedCache(tmp_path)
    cache.put(full_record(title="writer-0 start"))
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), f"writer-{i}", "300"])
        for i in (1, 2)
    ]
    seen: set[str] = set()
    reads = 0
    with caplog.at_level(logging.WARNING, logger="evidence.pubmed"):
        while any(w.poll() is None for w in writers):
            entry = cache.get("27685632")
            assert entry is not None  # readers see the old entry or a new one, never half
            assert entry.record is not None
            seen.add(entry.record.title.split()[0])
            reads += 1
            time.sleep(0.001)
    assert [w.wait() for w in writers] == [0, 0]
    assert caplog.records == []  # no read ever found a corrupt entry
    assert reads > 0
    final = cache.get("27685632")
    assert final is not None
    assert final.record is not None
    assert final.record.title in {"writer-1 299", "writer-2 299"}
    assert leftovers(tmp_path) == []
    assert seen <= {"writer-0", "writer-1", "writer-2"}
