"""``evidence review`` in a real pseudo-terminal: the sacroiliac case end to end, resuming,
colours, and SIGKILL at random moments never costing an earlier decision."""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
from pathlib import Path

import pexpect
import pytest
from conftest import ROOT, shared_path

from evidence.claims import load_claims
from evidence.cli import main
from evidence.model import Stance

BIB = ROOT / "tests" / "data" / "sacroiliac-abstracts.bib"
PROMPT = r"decision \[s/c/m/b a e n k p q \?\]: "


def _extract(tmp_path: Path) -> Path:
    article = shared_path("examples", "sacroiliac-article.txt")
    claims = tmp_path / "claims.yaml"
    code = main(
        ["-q", "extract", str(article), "--bib", str(BIB), "--offline", "--with-uncited",
         "-o", str(claims)]
    )  # fmt: skip
    assert code == 0
    return claims


def _spawn(claims: Path, *, colour: bool = False) -> pexpect.spawn:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm"
    if not colour:
        env["NO_COLOR"] = "1"
    return pexpect.spawn(
        sys.executable,
        ["-m", "evidence", "review", str(claims), "--bib", str(BIB), "--offline"],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 200),
    )


def _decided(claims: Path) -> dict[tuple[str, int], Stance]:
    return {
        (claim.id, i): c.stance
        for claim in load_claims(claims)
        for i, c in enumerate(claim.citations)
        if c.stance is not Stance.UNKNOWN
    }


def test_review_the_sacroiliac_article_to_a_supported_claim(tmp_path: Path) -> None:
    claims = _extract(tmp_path)
    before = claims.read_text(encoding="utf-8")
    child = _spawn(claims)
    child.expect(r"\[1/2\] claim ")
    child.expect("Liliang 2011")
    child.expect(r"suggestion, not reviewed: 21/52 \(40%\) patients")
    child.expect(PROMPT)
    assert "\x1b[" not in (child.before or "")  # NO_COLOR: no escape sequences
    child.send("a")
    child.expect("saved: numbers 21/52")
    child.expect(PROMPT)
    child.send("s")
    child.expect("saved: supports")
    child.expect(r"\[2/2\] claim ")
    child.expect("Katz 2003")
    child.expect(PROMPT)
    child.send("a")
    child.expect("saved: numbers 11/34")
    child.expect(PROMPT)
    child.send("s")
    child.expect("2 decisions saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    # The file changed only in the two citations: every other line is as extract wrote it.
    after = claims.read_text(encoding="utf-8")
    assert [line for line in before.splitlines() if line not in after.splitlines()] == [
        "        stance: unknown",
        "        stance: unknown",
    ]
    out = tmp_path / "table.json"
    assert main(["-q", "table", str(claims), "--bib", str(BIB), "--offline", "-o", str(out)]) == 0
    table = json.loads(out.read_text(encoding="utf-8"))
    cited = [c for c in table["claims"] if c["supported_by"] or c["unreviewed"]]
    assert len(cited) == 1
    assert cited[0]["verdict"] == "supported"
    assert cited[0]["supported_by"] == ["liliang2011", "katz2003"]
    assert cited[0]["certainty"] == "very-low"
    assert {c["verdict"] for c in table["claims"] if c is not cited[0]} == {"uncited"}
    rows = {r["key"]: r for r in table["evidence"]}
    assert (rows["liliang2011"]["events"], rows["liliang2011"]["n"]) == (21, 52)
    assert (rows["katz2003"]["events"], rows["katz2003"]["n"]) == (11, 34)
    assert rows["liliang2011"]["design"] == "prospective-cohort"
    assert rows["katz2003"]["design"] == "retrospective-cohort"
    markdown = tmp_path / "table.md"
    main(["-q", "table", str(claims), "--bib", str(BIB), "--offline", "-o", str(markdown)])
    text = markdown.read_text(encoding="utf-8")
    assert "Liliang 2011 \\[1\\]; Katz 2003 \\[2\\]" in text
    assert "| 21/52 |" in text
    assert "| 11/34 |" in text


def test_quit_and_resume_and_colour(tmp_path: Path) -> None:
    claims = _extract(tmp_path)
    child = _spawn(claims, colour=True)
    child.expect(PROMPT)
    assert "\x1b[" in (child.before or "")  # a terminal without NO_COLOR gets colour
    child.send("c")
    child.expect("saved: contradicts")
    child.expect(PROMPT)
    child.send("q")
    child.expect(pexpect.EOF)
    child = _spawn(claims)
    child.expect(r"1 citation to review")
    child.expect(r"\[1/1\] claim ")
    child.expect("Katz 2003")
    child.expect(PROMPT)
    child.send("p")  # back at the first: stays on it
    child.expect(PROMPT)
    child.send("n")
    child.expect("note")
    child.sendline("read the full text too")
    child.expect("saved: note")
    child.expect(PROMPT)
    child.send("e")
    child.expect("events/n")
    child.sendline("11/34")
    child.expect("saved: 11/34")
    child.expect(PROMPT)
    child.send("k")
    child.expect(pexpect.EOF)
    decided = _decided(claims)
    assert list(decided.values()) == [Stance.CONTRADICTS]
    (katz,) = [c for claim in load_claims(claims) for c in claim.citations if c.key == "katz2003"]
    assert (katz.stance, katz.events, katz.n, katz.note) == (
        Stance.UNKNOWN, 11, 34, "read the full text too",
    )  # fmt: skip


def test_sigkill_at_random_moments_never_loses_a_decision(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    items = "".join(
        f"  - id: claim-{i}\n    text: Sacroiliac joint pain after lumbar fusion, case {i}.\n"
        "    citations:\n      - key: liliang2011   # from the article\n"
        "        stance: unknown\n      - katz2003\n"
        for i in range(20)
    )
    claims.write_text(f"# many citations to review\nversion: 1\nclaims:\n{items}", "utf-8")
    rng = random.Random(15)
    decided = _decided(claims)
    for _ in range(20):
        child = _spawn(claims)
        if rng.random() < 0.7:  # most kills land in the loop, some while it starts
            child.expect(PROMPT)
        deadline = time.monotonic() + rng.uniform(0.0, 0.8)
        while time.monotonic() < deadline:
            child.send(rng.choice("scmba"))
            time.sleep(rng.uniform(0.0, 0.05))
        os.kill(child.pid, signal.SIGKILL)
        child.close(force=True)
        now = _decided(claims)  # loads: never a half-written file
        for place, stance in decided.items():
            assert now.get(place) == stance, place  # no earlier decision lost
        decided = now
    assert decided  # the kills did not stop every run before its first decision
    assert "# many citations to review" in claims.read_text(encoding="utf-8")


def test_review_refuses_a_csv_file_before_asking_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id,text,key\nc,Pain.,katz2003\n", encoding="utf-8")
    assert main(["review", str(claims), "--bib", str(BIB), "--offline"]) == 2
    assert "YAML or JSON" in capsys.readouterr().err
    assert claims.read_text(encoding="utf-8") == "claim_id,text,key\nc,Pain.,katz2003\n"


def test_review_from_a_pipe_reads_one_line_per_key(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "claims:\n  - id: c\n    text: Sacroiliac joint pain after fusion.\n"
        "    citations: [katz2003, liliang2011]\n",
        encoding="utf-8",
    )
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "evidence", "review", str(claims), "--bib", str(BIB), "--offline"],
        input="b\nk\n",
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout
    stances = [c.stance for c in load_claims(claims)[0].citations]
    assert stances == [Stance.BACKGROUND, Stance.UNKNOWN]
