"""The command line follows the conventions of ruff, pandoc and git (issue 17, item 4):
``-`` for stdin, ``-o -`` for stdout, formats from the output suffix, ``-v``/``-q`` on every
command, quiet means quiet, a clean exit on a closed pipe, a newline at the end of every
output, shell completion, ``NO_COLOR``/``--color``, and no traceback on Ctrl-C at start-up."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from evidence.cli import main
from evidence.cli.parser import AUDIENCES, FORMATS, build_parser
from evidence.cli.steps import sniff_article_format, sniff_claims_format, use_color

EXAMPLE = ROOT / "docs" / "examples" / "sacroiliac.yaml"
BIB = str(ROOT / "references.bib")
TABLE = ("table", str(EXAMPLE), "--bib", BIB, "--offline")
COMMANDS = {
    "table": [str(EXAMPLE), "--bib", BIB],
    "check": [str(EXAMPLE), "--bib", BIB],
    "fetch": ["--bib", BIB],
    "plot": [str(EXAMPLE), "--bib", BIB, "--claim", "x", "-o", "p.png"],
    "extract": ["a.md"],
    "completion": ["bash"],
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def feed_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_parser_lists_match_the_renderers() -> None:
    # The parser keeps its own copies so that --help need not import pandas.
    from evidence import render

    assert FORMATS == render.FORMATS
    assert AUDIENCES == render.AUDIENCES


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_verbose_and_quiet_on_every_command_before_or_after(command: str) -> None:
    parser = build_parser()
    rest = COMMANDS[command]
    after = parser.parse_args([command, "-v", "-v", "-q", *rest])
    before = parser.parse_args(["-vv", "-q", command, *rest])
    plain = parser.parse_args([command, *rest])
    for args in (after, before):
        assert (args.verbose, args.quiet) == (2, True)
    assert (plain.verbose, plain.quiet, plain.color) == (0, False, "auto")
    assert parser.parse_args([command, "--color", "never", *rest]).color == "never"


def test_claims_from_stdin_sniffed_and_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, EXAMPLE.read_text(encoding="utf-8"))
    code, out, err = run(capsys, "table", "-", "--bib", BIB, "--offline", "-f", "json")
    assert code == 0, err
    assert {c["id"] for c in json.loads(out)["claims"]} >= {"not-every-patient"}
    # Problems in stdin's claims are located in <stdin>, with the file's own line numbers.
    feed_stdin(monkeypatch, EXAMPLE.read_text(encoding="utf-8"))
    code, out, err = run(capsys, "check", "-", "--bib", BIB, "--offline")
    assert code == 1
    assert "<stdin>:49: warning: claim 'dysfunction-is-not-pain' cites no study" in out


def test_claims_json_from_stdin_with_from(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = {"claims": [{"id": "a", "text": "Pain."}]}
    feed_stdin(monkeypatch, json.dumps(claims))
    code, out, err = run(capsys, "check", "-", "--from", "json", "--bib", BIB, "--offline")
    assert code == 1, err
    assert "<stdin>:1: warning: claim 'a' cites no study" in out
    # --from wins over the sniffing: JSON read as CSV is not a claims table.
    feed_stdin(monkeypatch, json.dumps(claims))
    code, _, err = run(capsys, "check", "-", "--from", "csv", "--bib", BIB, "--offline")
    assert code == 2, err


def test_sniffing_claims_and_articles() -> None:
    assert sniff_claims_format('  {"claims": []}') == "json"
    assert sniff_claims_format("claim_id,text,key\na,Pain.,katz2003\n") == "csv"
    assert sniff_claims_format("id\ttext\n1\tPain.\n") == "csv"
    assert sniff_claims_format("claims:\n  - id: a\n") == "yaml"
    assert sniff_article_format("As shown \\cite{katz2003}.") == "latex"
    assert sniff_article_format("As shown [1]_.\n\n.. [1] Katz.") == "rst"
    assert sniff_article_format("As shown [1].\n\n1. Katz.") == "markdown"


def test_article_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    article = (
        "Sacroiliac joint pain follows some fusions [1].\n\n"
        "## References\n\n1. Katz V. Sacroiliac joint pain after fusion. 2003.\n"
    )
    feed_stdin(monkeypatch, article)
    code, out, err = run(capsys, "extract", "-", "--offline", "-o", "-")
    assert code == 0, err
    assert "Sacroiliac joint pain follows some fusions" in out
    assert "from <stdin>" in err


def test_dash_output_is_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "table", str(EXAMPLE), "--bib", BIB, "--offline", "-o", "-")
    assert code == 0, err
    assert out.startswith("#") or "|" in out  # Markdown, the default for stdout
    code, out, err = run(capsys, "check", str(EXAMPLE), "--bib", BIB, "--offline", "-o", "-")
    assert code == 1
    assert "warning" in out
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("t.md", "| "), ("t.html", "<!DOCTYPE html>"), ("t.json", '"schema_version"'),
     ("t.tex", "\\begin{"), ("t.csv", "claim_id,")],
)  # fmt: skip
def test_format_from_suffix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, expected: str
) -> None:
    out_path = tmp_path / name
    code, _, err = run(
        capsys, "table", str(EXAMPLE), "--bib", BIB, "--offline", "-o", str(out_path)
    )
    assert code == 0, err
    text = out_path.read_text(encoding="utf-8")
    assert expected in text
    assert text.endswith("\n")


@pytest.mark.parametrize("name", ["out.xlsx", "out", "out.docx"])
def test_unknown_suffix_is_refused_and_nothing_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    target = tmp_path / name
    code, out, err = run(
        capsys, "table", str(EXAMPLE), "--bib", BIB, "--offline", "-o", str(target)
    )
    assert code == 2
    assert f"{target}: error: cannot tell the output format" in err
    assert not target.exists()
    assert out == ""
    # An explicit format makes any name acceptable.
    code, _, err = run(
        capsys, "table", str(EXAMPLE), "--bib", BIB, "--offline", "-o", str(target), "-f", "csv"
    )
    assert code == 0, err
    assert target.read_text(encoding="utf-8").startswith("claim_id,")


def test_extract_refuses_an_unknown_suffix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    article = tmp_path / "a.md"
    article.write_text("Pain is common [1].\n\n## References\n\n1. Katz V. Pain. 2003.\n")
    code, _, err = run(capsys, "extract", str(article), "--offline", "-o", str(tmp_path / "c.txt"))
    assert code == 2
    assert "cannot tell the output format" in err


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_output_ends_with_a_newline(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, err = run(capsys, "table", str(EXAMPLE), "--bib", BIB, "--offline", "-f", fmt)
    assert code == 0, err
    assert out.endswith("\n")
    assert not out.endswith("\n\n\n")


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_check_outputs_end_with_a_newline(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, _ = run(
        capsys, "check", str(EXAMPLE), "--bib", BIB, "--offline", "--output-format", fmt
    )
    assert code == 1
    assert out.endswith("\n")


def test_quiet_means_quiet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "-q", "fetch", "--bib", BIB, "--offline")
    assert code == 0
    assert (out, err) == ("", "")
    code, out, err = run(capsys, "fetch", "--bib", BIB, "--offline")
    assert "references:" in err  # the summary shows without -q
    code, out, err = run(capsys, "check", str(EXAMPLE), "--bib", BIB, "--offline", "-q")
    assert code == 1
    assert "warning" in out  # the report is the output: it stays
    assert err == ""
    code, out, err = run(capsys, "table", str(EXAMPLE), "--bib", BIB, "--offline", "--quiet")
    assert code == 0
    assert out
    assert err == ""


def _big_claims(path: Path) -> None:
    lines = ["claims:"]
    for number in range(1500):
        lines += [f"  - id: c{number}", f"    text: Claim number {number} about pain."]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cli(*argv: str, **kwargs: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "evidence", *argv], env=env, **kwargs
    )


def test_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    claims = tmp_path / "many.yaml"
    _big_claims(claims)
    process = _cli(
        "check", str(claims), "--bib", BIB, "--offline",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    assert first  # a line came through...
    process.stdout.close()  # ...then the reader goes away, as `| head -1` does
    err = process.stderr.read().decode()
    code = process.wait(timeout=120)
    assert "Broken pipe" not in err
    assert "Traceback" not in err
    assert "Exception ignored" not in err
    assert code == 141


def test_interrupt_during_start_up_prints_no_traceback() -> None:
    # Ctrl-C while the command's modules are imported: simulated by an import that raises
    # KeyboardInterrupt, as the default SIGINT handler does at whatever line is running.
    script = (
        "import builtins, sys\n"
        "real = builtins.__import__\n"
        "def interrupting(name, *args, **kwargs):\n"
        "    if name == 'evidence.cli.parser':\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = interrupting\n"
        "from evidence.cli import main\n"
        "sys.exit(main(['--help']))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130
    assert "Traceback" not in done.stderr
    assert done.stderr == "evidence: interrupted\n"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(capsys: pytest.CaptureFixture[str], shell: str) -> None:
    code, out, _ = run(capsys, "completion", shell)
    assert code == 0
    assert "evidence" in out
    assert "_ARGCOMPLETE" in out  # the script calls evidence back to ask for completions
    assert out.endswith("\n")


def test_completion_answers_from_the_parser(tmp_path: Path) -> None:
    # What the shell script does: run evidence with the completion variables set and read
    # the candidates from file descriptor 8.
    read_end, write_end = os.pipe()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": "\n",
        "COMP_LINE": "evidence ch",
        "COMP_POINT": "11",
    }
    script = "import os; os.dup2(int(os.environ['FD']), 8); from evidence.cli import main; main()"
    env["FD"] = str(write_end)
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        pass_fds=(write_end,),
        capture_output=True,
        timeout=60,
    )
    os.close(write_end)
    with os.fdopen(read_end) as answers:
        candidates = [word.strip() for word in answers.read().split("\n")]
    assert done.returncode == 0, done.stderr
    assert "check" in candidates
    assert "table" not in candidates


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_color_follows_no_color_and_the_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_color("auto", _Terminal()) is True
    assert use_color("auto", io.StringIO()) is False  # not a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("auto", _Terminal()) is False
    assert use_color("always", io.StringIO()) is True  # the option overrides NO_COLOR
    assert use_color("never", _Terminal()) is False


def test_color_in_check_output(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", str(EXAMPLE), "--bib", BIB, "--offline"]
    _, coloured, _ = run(capsys, *argv, "--color", "always")
    _, plain, _ = run(capsys, *argv, "--color", "never")
    assert "\033[1;33mwarning\033[0m" in coloured
    assert "\033[" not in plain
    assert plain.replace("warning", "") == coloured.replace("\033[1;33mwarning\033[0m", "")


def test_main_stays_the_function_after_a_run(capsys: pytest.CaptureFixture[str]) -> None:
    import evidence.cli

    assert main(["completion", "bash"]) == 0
    capsys.readouterr()
    assert evidence.cli.main is main  # not the submodule of the same name
    from evidence.cli import main as again

    assert again is main


@pytest.mark.parametrize(
    "code",
    [
        "import evidence",
        "import evidence.cli",
        "from evidence.cli import main; main(['--help'])",
        "from evidence.cli import main; main(['completion', 'fish'])",
        "import evidence; evidence.__version__; dir(evidence)",
    ],
)
def test_start_up_imports_nothing_heavy(code: str) -> None:
    # Start-up time is measured in the benchmarks; here, what is imported at all: the
    # heavy libraries load only inside the commands (and names) that need them.
    script = (
        "import sys, contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        {code}\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ['pandas', 'numpy', 'requests', 'matplotlib', 'pybtex', 'evidence.pubmed',\n"
        "         'evidence.table', 'evidence.pipeline']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_lazy_package_still_has_every_name() -> None:
    import evidence

    assert set(evidence.__all__) <= set(dir(evidence))
    for name in evidence.__all__:
        assert getattr(evidence, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        evidence.nope  # noqa: B018
