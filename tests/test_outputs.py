"""Outputs never overwrite inputs, and a failed write names the user's path (issue 12).

Each command refuses, before anything runs, an output path that is one of its inputs (by
name, by another spelling of the same path, or through a link), and a write that fails
says which file, why, what to do, and that nothing was written.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from evidence._files import atomic_write_text
from evidence.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "docs" / "examples" / "sacroiliac.yaml", tmp_path / "c.yaml")
    shutil.copy(ROOT / "references.bib", tmp_path / "r.bib")
    (tmp_path / "a.md").write_text("Pain is common [@liliang2011].\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def snapshot_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["table", "c.yaml", "--bib", "r.bib", "-o", "c.yaml"], "the claims file"),
        (["table", "c.yaml", "--bib", "r.bib", "-o", "./r.bib"], "the .bib file"),
        (["table", "c.yaml", "--bib", "r.bib", "-o", "link.yaml"], "the claims file"),
        (["plot", "c.yaml", "--bib", "r.bib", "--claim", "x", "-o", "r.bib"], "the .bib file"),
        (["extract", "a.md", "-o", "a.md"], "the article"),
        (["extract", "a.md", "--bib", "r.bib", "-o", "r.bib"], "the .bib file"),
        (["fetch", "--bib", "r.bib", "--write-ids", "r.bib"], "the .bib file"),
        (["fetch", "--bib", "r.bib", "--snapshot", "r.bib"], "the .bib file"),
    ],
)
def test_an_output_that_is_an_input_is_refused_before_anything_runs(
    work: Path, argv: list[str], what: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "link.yaml").symlink_to(work / "c.yaml")
    before = snapshot_of(work)
    assert main([*argv, "--offline"]) == 2
    err = capsys.readouterr().err
    assert f"this is also {what}" in err
    assert "nothing was written" in err
    assert snapshot_of(work) == before
    assert not (work / "cache").exists()  # refused before anything ran


def test_a_missing_folder_is_named_as_the_user_wrote_it(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["table", "c.yaml", "--bib", "r.bib", "--offline", "-o", "missing/dir/t.html"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("missing/dir/t.html: error: cannot write the file: the folder ")
    assert "'missing/dir' does not exist" in err
    assert ".tmp" not in err


def test_a_full_disk_says_so_and_leaves_nothing(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="the disk is full") as caught:
        atomic_write_text(work / "out.md", "text")
    assert caught.value.filename == str(work / "out.md")
    assert caught.value.errno == errno.ENOSPC
    assert not (work / "out.md").exists()
    assert not [p for p in work.iterdir() if p.name.startswith(".out.md.")]
