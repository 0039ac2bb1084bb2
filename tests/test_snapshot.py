"""Snapshots and cached records read back strictly; partial and old data say so (issue 12).

A record read back from a snapshot or the cache is checked field by field; a snapshot
records whether it is complete and when each record was fetched; ``evidence check``
reports a partial snapshot and records older than ``--max-age`` days.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import shared_path

from evidence.cli import main
from evidence.model import PubMedRecord
from evidence.pubmed import parse_efetch
from evidence.pubmed.cache import PubMedCache
from evidence.snapshot import SnapshotError, load_snapshot, write_snapshot

ROOT = Path(__file__).resolve().parent.parent


def real_record() -> PubMedRecord:
    xml = shared_path("fixtures", "pubmed", "efetch_pubmed_retracted_publication.xml")
    (record,) = parse_efetch(xml.read_bytes())
    return record


def test_a_wrong_typed_field_is_a_located_error_not_a_later_crash(tmp_path: Path) -> None:
    record = real_record()
    path = tmp_path / "pubmed.json"
    write_snapshot(path, {record.pmid: record})
    data = json.loads(path.read_text())
    data["records"][record.pmid]["record"]["publication_types"] = [{"ui": "D016428", "name": True}]
    path.write_text(json.dumps(data, indent=2))
    with pytest.raises(SnapshotError) as caught:
        load_snapshot(path)
    message = str(caught.value)
    line = path.read_text().splitlines().index(f'    "{record.pmid}": {{') + 1
    assert message.startswith(f"{path}:{line}: record for PMID {record.pmid} is damaged")
    assert "publication_types[0].name: expected text, found true" in message


def test_the_cache_refetches_a_wrong_typed_entry(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    record = real_record()
    cache = PubMedCache(tmp_path)
    cache.put(record)
    path = cache.path_for(record.pmid)
    payload = json.loads(path.read_text())
    payload["record"]["authors"] = [{"last": 7}]
    path.write_text(json.dumps(payload))
    with caplog.at_level(logging.WARNING, logger="evidence.pubmed"):
        assert cache.get(record.pmid) is None  # damaged: fetched again, never used
    assert any("authors[0].last" in r.getMessage() for r in caplog.records)


def test_a_pmid_filed_twice_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    record = real_record()
    path = tmp_path / "pubmed.json"
    write_snapshot(path, {record.pmid: record})
    text = path.read_text()
    start = text.index(f'    "{record.pmid}": {{')
    end = text.index("\n    }", start) + len("\n    }")
    entry = text[start:end]
    doubled = text[:end] + ",\n" + entry.replace(record.title, "Edited title") + text[end:]
    path.write_text(doubled)
    json.loads(doubled)  # valid JSON, which would silently keep the edited copy
    with pytest.raises(SnapshotError, match="filed twice") as caught:
        load_snapshot(path)
    lines = [n for n, line in enumerate(doubled.splitlines(), 1) if line == entry.split("\n")[0]]
    assert len(lines) == 2
    assert f"(lines {lines[0]}, {lines[1]})" in str(caught.value)


def test_a_snapshot_knows_whether_it_is_complete_and_when_each_record_was_fetched(
    tmp_path: Path,
) -> None:
    record = real_record()
    old = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    path = tmp_path / "pubmed.json"
    write_snapshot(path, {record.pmid: record}, {record.pmid: old}, missing={"31978945": "down"})
    snapshot = load_snapshot(path)
    assert not snapshot.complete
    assert snapshot.missing == {"31978945": "down"}
    assert snapshot.fetched_at[record.pmid] == old
    assert snapshot.written_at is not None
    assert snapshot[record.pmid] == record  # the snapshot is the mapping of its records
    assert snapshot.older_than(timedelta(days=30)) == {record.pmid: old}
    write_snapshot(path, {record.pmid: record})
    assert load_snapshot(path).complete


def test_fetch_with_pubmed_down_writes_a_snapshot_marked_partial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pubmed.json"
    bib = ROOT / "references.bib"
    code = main(["fetch", "--bib", str(bib), "--snapshot", str(path), "--no-cache",
                 "--eutils-url", "http://127.0.0.1:9/"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0
    assert "PARTIAL" in err
    snapshot = load_snapshot(path)
    assert not snapshot.complete
    assert set(snapshot.missing) == {"21220997", "12920433"} or snapshot.missing
    data = json.loads(path.read_text())
    assert data["complete"] is False


def _claims(tmp_path: Path) -> Path:
    claims = tmp_path / "claims.yaml"
    shutil.copy(ROOT / "docs" / "examples" / "sacroiliac.yaml", claims)
    return claims


def test_check_reports_a_partial_snapshot_and_old_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = real_record()
    bib = tmp_path / "r.bib"
    bib.write_text(
        f"@article{{wei2016,\n  title = {{{record.title}}},\n  year = {{2016}},\n"
        f"  pmid = {{{record.pmid}}},\n}}\n",
        encoding="utf-8",
    )
    claims = tmp_path / "c.yaml"
    claims.write_text(
        "claims:\n  - id: a\n    text: A claim.\n    citations:\n"
        "      - {key: wei2016, stance: supports}\n",
        encoding="utf-8",
    )
    path = tmp_path / "pubmed.json"
    fetched = datetime.now(UTC) - timedelta(days=400)
    write_snapshot(path, {record.pmid: record}, {record.pmid: fetched}, missing={"1": "down"})
    common = ["check", str(claims), "--bib", str(bib), "--snapshot", str(path), "--offline"]
    assert main([*common, "--ignore", "retracted"]) == 1
    out = capsys.readouterr().out
    assert f"{path}: warning: the snapshot is partial: 1 PMID could not be fetched" in out
    assert f"{bib}:1: warning: the PubMed record of 'wei2016' (PMID {record.pmid})" in out
    assert "fetched 400 days ago, more than --max-age 365" in out
    assert main([*common, "--ignore", "retracted", "--max-age", "500"]) == 1
    out = capsys.readouterr().out
    assert "stale" not in out
    assert "days ago" not in out
    write_snapshot(path, {record.pmid: replace(record)}, {record.pmid: fetched})
    code = main(
        [*common, "--ignore", "retracted", "--ignore", "stale-record", "--ignore", "no-mention"]
    )
    assert code == 0, capsys.readouterr().out
