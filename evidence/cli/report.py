"""``evidence check``'s report in the formats CI systems and editors read.

* ``text`` — ``path:line: severity: message``, the compiler convention editors jump from;
* ``json`` — one object (schema: ``evidence/schemas/check.schema.json``, in the docs);
* ``github`` — GitHub Actions workflow commands (``::warning file=…,line=…::…``), which
  show as annotations on the pull request's changed lines;
* ``sarif`` — SARIF 2.1.0, the OASIS format code-scanning services and editors import;
  every problem code is a rule with its meaning and what to do, from :mod:`evidence.codes`.

All of them are built from the same :class:`~evidence.errors.Problem` records, so the formats
cannot disagree about what was found.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evidence._version import __version__
from evidence.codes import lookup
from evidence.errors import Problem, Severity

__all__ = ["REPORT_VERSION", "github_report", "json_report", "sarif_report", "text_report"]

REPORT_VERSION = 1
"""The ``version`` field of the JSON report; raised when a field changes meaning."""

_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_INFORMATION_URI = "https://pypi.org/project/evidence/"


def _named(path: str) -> bool:
    """Whether ``path`` names a file (``<stdin>`` and ``<string>`` do not)."""
    return not (path.startswith("<") and path.endswith(">"))


def text_report(problems: Sequence[Problem]) -> str:
    """One ``path:line: severity: message`` line per problem."""
    return "".join(f"{problem}\n" for problem in problems)


def _problem_record(problem: Problem) -> dict[str, Any]:
    where = problem.location
    return {
        "path": where.path,
        "line": where.line,
        "column": where.column,
        "severity": problem.severity.value,
        "code": problem.code,
        "message": problem.message,
        "key": problem.key,
    }


def json_report(problems: Sequence[Problem], *, claims: int) -> str:
    """The problems and a summary as one JSON object (see ``check.schema.json``)."""
    errors = sum(p.severity is Severity.ERROR for p in problems)
    report = {
        "version": REPORT_VERSION,
        "tool": {"name": "evidence", "version": __version__},
        "summary": {
            "problems": len(problems),
            "errors": errors,
            "warnings": len(problems) - errors,
            "claims": claims,
        },
        "problems": [_problem_record(p) for p in problems],
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    # The workflow-command escapes: % first, then the line breaks that would end the command.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_report(problems: Sequence[Problem]) -> str:
    """One GitHub Actions ``::error``/``::warning`` command per problem, titled by its code."""
    lines = []
    for problem in problems:
        where = problem.location
        props = []
        if _named(where.path):
            props.append(f"file={_escape_property(where.path)}")
            if where.line is not None:
                props.append(f"line={where.line}")
            if where.column is not None:
                props.append(f"col={where.column}")
        props.append(f"title={_escape_property(f'evidence {problem.code}')}")
        lines.append(
            f"::{problem.severity.value} {','.join(props)}::{_escape_data(problem.message)}"
        )
    return "".join(f"{line}\n" for line in lines)


def _uri(path: str, root: Path) -> tuple[str, bool]:
    """A path as a SARIF artifact URI: relative to ``root`` when inside it (with the
    ``%SRCROOT%`` base), else an absolute ``file:`` URI."""
    full = Path(path).absolute()
    try:
        return full.relative_to(root).as_posix(), True
    except ValueError:
        return full.as_uri(), False


def _rule(name: str) -> dict[str, Any]:
    code = lookup(name)
    if code is None:  # not registered (tests/test_codes.py prevents it): still a valid rule
        return {"id": name}
    return {
        "id": name,
        "shortDescription": {"text": code.meaning},
        "help": {"text": code.action},
        "defaultConfiguration": {"level": code.severity.value},
    }


def sarif_report(problems: Sequence[Problem], *, root: str | os.PathLike[str] = ".") -> str:
    """A SARIF 2.1.0 log with one run: the rules used and one result per problem.

    Paths inside ``root`` (the working directory) are relative URIs against ``%SRCROOT%``,
    which is how code-scanning services map results to the repository's files.
    """
    base = Path(root).absolute()
    names = sorted({p.code for p in problems})
    index = {name: i for i, name in enumerate(names)}
    results = []
    for problem in problems:
        result: dict[str, Any] = {
            "ruleId": problem.code,
            "ruleIndex": index[problem.code],
            "level": problem.severity.value,
            "message": {"text": problem.message},
        }
        where = problem.location
        if _named(where.path):
            uri, relative = _uri(where.path, base)
            artifact: dict[str, Any] = {"uri": uri}
            if relative:
                artifact["uriBaseId"] = "%SRCROOT%"
            physical: dict[str, Any] = {"artifactLocation": artifact}
            if where.line is not None:
                region: dict[str, Any] = {"startLine": where.line}
                if where.column is not None:
                    region["startColumn"] = where.column
                physical["region"] = region
            result["locations"] = [{"physicalLocation": physical}]
        results.append(result)
    log = {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "evidence",
                        "version": __version__,
                        "informationUri": _INFORMATION_URI,
                        "rules": [_rule(name) for name in names],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri() + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
