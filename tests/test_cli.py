"""The command line, run in-process (``main(argv)``) and, for the no-network case, as a
subprocess in a network namespace with no network at all."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, shared_path
from ncbi_server import NCBIServer

from evidence.cli import main
from evidence.pubmed import parse_efetch
from evidence.snapshot import load_snapshot, write_snapshot

EXAMPLE = str(ROOT / "docs" / "examples" / "sacroiliac.yaml")
BIB = str(ROOT / "references.bib")
MIX = str(ROOT / "tests" / "data" / "pubmed_mix.bib")


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own cache and no NCBI settings from the developer's shell."""
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("NCBI_API_KEY", "NCBI_EMAIL", "NCBI_EUTILS_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[NCBIServer]:
    with NCBIServer(shared_path("fixtures", "pubmed")) as running:
        running.missing.add("99999999")
        yield running


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_bundled_example_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "table", EXAMPLE, "--bib", BIB, "--format", "json", "--offline")
    assert code == 0, err
    data = json.loads(out)
    claims = {c["id"]: c for c in data["claims"]}
    first = claims["not-every-patient"]
    assert first["verdict"] == "supported"
    assert first["supported_by"] == ["liliang2011", "katz2003"]
    assert claims["dysfunction-is-not-pain"]["verdict"] == "uncited"
    assert claims["other-risk-factors"]["verdict"] == "uncited"
    rows = [e for e in data["evidence"] if e["claim_id"] == "not-every-patient"]
    assert [(e["study"], e["design"], e["events"], e["n"]) for e in rows] == [
        ("Liliang 2011", "prospective-cohort", 21, 52),
        ("Katz 2003", "retrospective-cohort", 11, 34),
    ]
    assert first["certainty"] in ("low", "very-low")
    assert first["pooled_estimate"] is not None


def test_check_exits_1_and_names_uncited_claims(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", EXAMPLE, "--bib", BIB, "--offline")
    assert code == 1
    lines = out.splitlines()
    assert any("'dysfunction-is-not-pain' cites no study" in line for line in lines)
    assert any("'other-risk-factors' cites no study" in line for line in lines)
    # Compiler-style: path:line: severity: message.
    assert all(line.split(":")[1].isdigit() for line in lines if "sacroiliac.yaml" in line)
    assert "2 problems" in err


def test_check_clean_input_exits_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "claims:\n  - id: a\n    text: T.\n    citations:\n"
        "      - {key: liliang2011, stance: supports}\n"
        "      - {key: katz2003, stance: supports}\n"
    )
    code, _, err = run(capsys, "check", str(claims), "--bib", BIB, "--offline")
    assert code == 0, err
    assert "no problems" in err


def test_unusable_claims_exit_2_and_leave_no_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    claims = tmp_path / "bad.yaml"
    claims.write_text("claims:\n  - id: a\n    text: T.\n    citations:\n      - key: x\n"
                      "        stance: supportz\n")  # fmt: skip
    out_file = tmp_path / "table.md"
    code, _, err = run(capsys, "table", str(claims), "--bib", BIB, "-o", str(out_file),
                       "--offline")  # fmt: skip
    assert code == 2
    assert f"{claims}:6:" in err
    assert "supportz" in err
    assert not out_file.exists()
    assert list(tmp_path.iterdir()) == [claims]  # no temporary file left either


def test_failed_run_keeps_the_previous_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "table.md"
    out_file.write_text("previous table\n")
    code, _, _ = run(capsys, "table", str(tmp_path / "missing.yaml"), "--bib", BIB,
                     "-o", str(out_file), "--offline")  # fmt: skip
    assert code == 2
    assert out_file.read_text() == "previous table\n"


def test_bib_with_problems_still_gives_the_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(Path(BIB).read_text() + "\n@article{,\n  title = {No key},\n}\n")
    code, out, err = run(capsys, "table", EXAMPLE, "--bib", str(bib), "--offline")
    assert code == 0
    assert "Liliang 2011" in out
    line = len(Path(BIB).read_text().splitlines()) + 2
    assert f"{bib}:{line}:" in err


def test_output_format_from_suffix_written_whole(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "report.html"
    code, out, _ = run(capsys, "table", EXAMPLE, "--bib", BIB, "-o", str(target), "--offline")
    assert code == 0
    assert out == ""
    text = target.read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert text.rstrip().endswith("</html>")


def test_patient_audience_speaks_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "table", EXAMPLE, "--bib", BIB, "--audience", "patients",
                       "--offline")  # fmt: skip
    assert code == 0
    assert "What the research says" in out
    assert "No study is cited for this statement." in out
    assert "| prospective cohort |" in out
    assert "ID |" not in out  # no reviewer columns


def test_help_is_for_newcomers(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    for word in ("table", "check", "fetch", "plot", "exit status", "NCBI_EMAIL"):
        assert word in out


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["table", EXAMPLE])  # no --bib
    assert stop.value.code == 2
    assert "--bib" in capsys.readouterr().err


def test_fetch_snapshot_then_offline_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: NCBIServer
) -> None:
    snapshot = tmp_path / "pubmed.json"
    code, _, err = run(capsys, "fetch", "--bib", MIX, "--snapshot", str(snapshot),
                       "--eutils-url", server.url, "--email", "dev@example.org")  # fmt: skip
    assert code == 0, err
    records = load_snapshot(snapshot).records
    assert {"23121403", "27685632", "29915538"} <= set(records)
    assert "99999999" not in records
    assert "not found in PubMed" in err  # the ghost PMID is said, with its line
    # The snapshot is reviewable: sorted and stable.
    text = snapshot.read_text()
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert "dev@example.org" not in text
    server.requests.clear()
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "claims:\n  - id: a\n    text: Aspirin prevents recurrence.\n"
        "    citations:\n      - {key: brighton2012, stance: supports}\n"
    )
    code, out, err = run(capsys, "table", str(claims), "--bib", MIX, "--snapshot",
                         str(snapshot), "--offline", "--format", "json")  # fmt: skip
    assert code == 0, err
    assert server.requests == []
    row = json.loads(out)["evidence"][0]
    assert row["pubmed_status"] == "snapshot"
    assert row["design"] == "randomised-trial"


def test_fetch_refresh_reports_a_new_retraction(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: NCBIServer
) -> None:
    fixture = shared_path("fixtures", "pubmed", "efetch_pubmed_retracted_publication.xml")
    (record,) = parse_efetch(fixture.read_bytes())
    # The snapshot was taken before the retraction was added to the record.
    from dataclasses import replace

    before = replace(
        record,
        publication_types=tuple(p for p in record.publication_types if "Retract" not in p.name),
        comments_corrections=(),
    )
    snapshot = tmp_path / "pubmed.json"
    write_snapshot(snapshot, {before.pmid: before})
    code, out, err = run(capsys, "fetch", "--bib", MIX, "--snapshot", str(snapshot),
                         "--refresh", "--eutils-url", server.url)  # fmt: skip
    assert code == 0, err
    assert "PMID 27685632: retraction status changed from 'none' to 'retracted'" in out
    assert load_snapshot(snapshot).records["27685632"] == record


def test_no_network_at_all_says_so_once(tmp_path: Path) -> None:
    """The README's main command in a network namespace with no network (as root)."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed to cut the network for this test")
    env = {**os.environ, "EVIDENCE_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("NCBI_EUTILS_URL", None)
    result = subprocess.run(
        ["unshare", "--net", sys.executable, "-m", "evidence", "table", EXAMPLE, "--bib", BIB],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Liliang 2011" in result.stdout
    assert result.stderr.count("could not be reached") == 1, result.stderr
    assert "PubMed: unavailable" in result.stdout


def test_fetch_writes_ids_into_a_copy_of_the_bib(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: NCBIServer
) -> None:
    out_bib = tmp_path / "with-ids.bib"
    code, _, err = run(capsys, "fetch", "--bib", MIX, "--write-ids", str(out_bib),
                       "--eutils-url", server.url)  # fmt: skip
    assert code == 0, err
    original = Path(MIX).read_text()
    written = out_bib.read_text()
    assert Path(MIX).read_text() == original  # the .bib itself is never touched
    from evidence.bibliography import load_references

    refs = load_references(out_bib)
    assert refs["wei2016"].pmid == "27685632"  # found by DOI
    assert refs["zhu2020"].pmid == "31978945"  # found by citation match
    assert refs["brighton2012"].doi == "10.1056/nejmoa1210384"  # PubMed's DOI added
    assert refs.problems == ()
    # Only new lines were added.
    assert [ln for ln in original.splitlines() if ln not in written.splitlines()] == []


def test_plot_writes_a_forest_plot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "forest.svg"
    code, _, err = run(capsys, "plot", EXAMPLE, "--bib", BIB, "--claim", "not-every-patient",
                       "-o", str(target), "--offline")  # fmt: skip
    assert code == 0, err
    svg = target.read_text()
    for text in ("Liliang 2011", "Katz 2003", "21/52", "11/34", "Pooled"):
        assert text in svg


def test_plot_of_a_claim_without_numbers_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "forest.png"
    code, _, err = run(capsys, "plot", EXAMPLE, "--bib", BIB, "--claim", "other-risk-factors",
                       "-o", str(target), "--offline")  # fmt: skip
    assert code == 2
    assert "no counted citation with events and n" in err
    assert not target.exists()
    code, _, err = run(capsys, "plot", EXAMPLE, "--bib", BIB, "--claim", "nope",
                       "-o", str(target), "--offline")  # fmt: skip
    assert code == 2
    assert "not-every-patient" in err  # the known ids are listed


def test_check_fails_on_a_claim_supported_by_a_retracted_study(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: NCBIServer
) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "claims:\n  - id: mirna\n    text: miR-623 slows lung adenocarcinoma.\n"
        "    citations:\n      - {key: wei2016, stance: supports}\n"
    )
    code, out, err = run(capsys, "check", str(claims), "--bib", MIX, "--eutils-url", server.url,
                         "--ignore", "unused-reference")  # fmt: skip
    assert code == 1, err
    (line,) = [ln for ln in out.splitlines() if "retracted" in ln]
    assert line.startswith(f"{claims}:5: error: claim 'mirna' cites 'wei2016', which is retracted")
    assert "30683838" in line
