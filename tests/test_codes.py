"""One registry of problem codes (evidence/codes.py) that the CLI, the docs builds and
docs/errors.md all draw from; these tests prove they agree and that nothing raises a code
the registry lacks."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from evidence import codes
from evidence._docbuild import SUBTYPES, subtype_of
from evidence.bibliography import load_references
from evidence.claims import load_claims
from evidence.cli import main
from evidence.errors import EvidenceError, Problem, SourceLocation

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "evidence"
SHARED = ROOT.parent / "shared"


def _codes_in_source() -> dict[str, str]:
    """Every string literal the package passes as a problem code, with where it is.

    A code is the ``code=`` keyword of any call, the third positional argument of
    ``Problem(...)``, or the last positional argument of the readers' ``error``/``warn``/
    ``problem`` report methods, and the code of a ``(line, code, message)`` repair tuple.
    """
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "codes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            candidates: list[ast.expr] = []
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
                name = name or (node.func.id if isinstance(node.func, ast.Name) else "")
                candidates += [kw.value for kw in node.keywords if kw.arg == "code"]
                if name == "Problem" and len(node.args) >= 3:
                    candidates.append(node.args[2])
                if name in {"error", "warn", "problem"} and len(node.args) >= 3:
                    candidates.append(node.args[2])
            if isinstance(node, ast.Tuple) and len(node.elts) == 3:
                first, second, _ = node.elts
                if isinstance(first, ast.Name) and first.id == "line":
                    candidates.append(second)
            for value in candidates:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.setdefault(value.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_code_the_source_raises_is_registered() -> None:
    raised = _codes_in_source()
    assert len(raised) >= 40  # the scan finds the codes; a broken scan would find few
    missing = {code: where for code, where in raised.items() if codes.lookup(code) is None}
    assert missing == {}


def test_the_scan_would_notice_an_unregistered_code(tmp_path: Path) -> None:
    node = ast.parse("Problem(where, 'message', 'no-such-code-anywhere')").body[0]
    assert isinstance(node, ast.Expr)
    assert isinstance(node.value, ast.Call)
    assert codes.lookup("no-such-code-anywhere") is None


def test_docs_errors_page_holds_the_registry_table() -> None:
    page = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- codes-table:.*?-->\n(.*?)<!-- end codes-table -->", page, re.S)
    assert match, "docs/errors.md lost its codes table markers"
    assert match.group(1) == codes.markdown_table(), (
        "docs/errors.md's codes table differs from evidence/codes.py: regenerate it with "
        "`python -m evidence.codes`"
    )
    listed = set(re.findall(r"^\| `([a-z0-9-]+)`", match.group(1), re.M))
    assert listed == set(codes.CODES)


def test_docs_build_subtypes_come_from_the_registry_and_are_documented() -> None:
    assert dict(SUBTYPES) == codes.subtypes()
    page = (ROOT / "docs" / "docs-builds.md").read_text(encoding="utf-8")
    section = page[page.index("| subtype | what happened |") :]
    section = section[: section.index("\n\n")]
    documented = set(re.findall(r"^\| `([a-z0-9-]+)`", section, re.M))
    assert documented == set(SUBTYPES)
    # Every remark code becomes one of those subtypes.
    for code in codes.CODES.values():
        if code.stage != "check":
            problem = Problem(SourceLocation("x"), "m", code=code.name)
            assert subtype_of(problem) in SUBTYPES, code.name


def test_unknown_key_is_unresolved_in_docs_builds_and_both_names_work() -> None:
    assert subtype_of(Problem(SourceLocation("x"), "m", code="unknown-key")) == "unresolved"
    assert codes.resolve(["unresolved"]) == codes.resolve(["unknown-key"]) == {"unknown-key"}


def test_list_codes_prints_every_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--list-codes"]) == 0
    out = capsys.readouterr().out
    printed = {line.split()[0] for line in out.splitlines()}
    assert printed == set(codes.CODES)
    assert out.endswith("\n")


def test_ignore_takes_registered_codes_and_aliases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    claims = tmp_path / "c.yaml"
    claims.write_text(
        "claims:\n  - id: a\n    text: A claim.\n    citations:\n"
        "      - {key: nobody, stance: supports}\n",
        encoding="utf-8",
    )
    bib = tmp_path / "r.bib"
    bib.write_text("@article{x, title={T}, year={2000}}\n", encoding="utf-8")
    common = ["check", str(claims), "--bib", str(bib), "--offline", "--no-cache"]
    assert main([*common, "--ignore", "unused-reference"]) == 1
    assert "unknown-key" not in capsys.readouterr().out  # the message names the key
    assert main([*common, "--ignore", "unused-reference", "--ignore", "unresolved"]) == 0
    capsys.readouterr()
    assert main([*common, "--ignore", "unknwon-key"]) == 2
    err = capsys.readouterr().err
    assert "unknown problem code 'unknwon-key'" in err
    assert "unknown-key" in err


def _fixture_files(folder: str, pattern: str) -> list[Path]:
    if not (SHARED / "fixtures").is_dir():
        pytest.skip("../shared/fixtures is not beside the repository")
    return sorted((SHARED / "fixtures" / folder).glob(pattern))


def test_real_bib_exports_raise_only_registered_codes() -> None:
    seen = set()
    for path in _fixture_files("bib", "*.bib"):
        try:
            bib = load_references(path, cache=False)
        except EvidenceError as error:
            problems = list(error.problems)
        else:
            problems = list(bib.problems)
        seen |= {p.code for p in problems}
    assert seen, "the real exports have problems worth reporting"
    assert {c for c in seen if codes.lookup(c) is None} == set()


def test_broken_claims_raise_only_registered_codes(tmp_path: Path) -> None:
    samples = {
        "a.yaml": "claims:\n  - id: x\n    text: [unclosed\n",
        "b.yaml": "claims:\n  - id: x\n    txet: t\n  - id: x\n    text: t\n",
        "c.json": '{"claims": [{"id": "x", "text": "t", "citations": [{"key": "k"}]}]}',
        "d.csv": "claim_id,text,key,stance,events,n\nx,t,k,supports,5,2\n",
        "e.yaml": "!!python/object:os.system {}\n",
    }
    seen = set()
    for name, text in samples.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        try:
            seen |= {p.code for p in load_claims(path).problems}
        except EvidenceError as error:
            seen |= {p.code for p in error.problems}
    assert len(seen) >= 4
    assert {c for c in seen if codes.lookup(c) is None} == set()
