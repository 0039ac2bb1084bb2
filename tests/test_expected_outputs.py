"""Output guard: every format of two tables, byte for byte, against committed outputs.

Performance work (caches, bulk reads, faster renderers) must never change what a user
gets. These tests run the command line, offline, on

* the bundled example (``docs/examples/sacroiliac.yaml`` with ``references.bib``), and
* claims citing every record of the shared PubMed fixtures (``tests/data/expected/
  fixtures.yaml`` and ``fixtures.bib``), their records frozen in a snapshot made from
  ``../shared/fixtures/pubmed``: designs, retractions, mismatches, support checks,
  intervals, pooled estimates and certainty all show in these outputs,

in every output format and for both audiences, and compare the bytes with
``tests/data/expected/``. When an output is meant to change, regenerate them with
``EVIDENCE_UPDATE_EXPECTED=1 pytest tests/test_expected_outputs.py`` and review the diff.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT, shared_path

from evidence.cli import main
from evidence.pubmed import parse_efetch
from evidence.snapshot import write_snapshot

EXPECTED = ROOT / "tests" / "data" / "expected"
FORMATS = {
    "markdown": "md",
    "html": "html",
    "html-page": "page.html",
    "csv": "csv",
    "json": "json",
    "latex": "tex",
}
AUDIENCES = ("reviewers", "patients")
UPDATE = os.environ.get("EVIDENCE_UPDATE_EXPECTED") == "1"


def _compare(name: str, produced: bytes) -> None:
    expected = EXPECTED / name
    if UPDATE:
        expected.write_bytes(produced)
    assert expected.exists(), f"{expected} is missing: run with EVIDENCE_UPDATE_EXPECTED=1"
    wanted = expected.read_bytes()
    if produced != wanted:
        # Show the first line that differs, not two whole documents.
        for number, (got, want) in enumerate(
            zip(produced.splitlines(), wanted.splitlines(), strict=False), start=1
        ):
            assert got == want, f"{name}:{number} differs"
        assert produced == wanted, f"{name}: same lines, different length or line ends"


def _table(argv: list[str], out: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    # Relative paths from the repository root, as the README runs it: messages that name
    # an input name it the same way on every machine.
    monkeypatch.chdir(ROOT)
    code = main(["table", *argv, "--offline", "--no-cache", "-o", str(out)])
    assert code in (0, 1), f"evidence table exited {code}"
    return out.read_bytes()


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_bundled_example_is_unchanged(
    fmt: str, audience: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    produced = _table(
        [
            "docs/examples/sacroiliac.yaml",
            "--bib",
            "references.bib",
            "-f",
            fmt,
            "--audience",
            audience,
        ],
        tmp_path / "out",
        monkeypatch,
    )
    _compare(f"sacroiliac.{audience}.{FORMATS[fmt]}", produced)


@pytest.fixture(scope="module")
def fixture_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every record of the shared EFetch fixtures in a snapshot, with one PMID missing."""
    records = {}
    for path in sorted(shared_path("fixtures", "pubmed").glob("efetch_*.xml")):
        for record in parse_efetch(path.read_bytes()):
            records[record.pmid] = record
    snapshot = tmp_path_factory.mktemp("guard") / "snapshot.json"
    when = datetime(2026, 1, 1, tzinfo=UTC)
    write_snapshot(
        snapshot,
        records,
        dict.fromkeys(records, when),
        missing={"99999999": "not in PubMed"},
    )
    return snapshot


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_fixture_records_table_is_unchanged(
    fmt: str,
    audience: str,
    fixture_snapshot: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    produced = _table(
        [
            "tests/data/expected/fixtures.yaml",
            "--bib",
            "tests/data/expected/fixtures.bib",
            "--snapshot",
            str(fixture_snapshot),
            "-f",
            fmt,
            "--audience",
            audience,
        ],
        tmp_path / "out",
        monkeypatch,
    )
    assert str(fixture_snapshot).encode() not in produced  # nothing machine-specific
    _compare(f"fixtures.{audience}.{FORMATS[fmt]}", produced)
