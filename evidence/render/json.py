"""JSON: the documented schema (docs/formats.md): ``claims``, ``evidence``, ``pooled``,
``remarks`` and ``references``, and ``comparative`` when a claim has comparative effects."""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from evidence.render.layout import TableRows, plain_text
from evidence.render.references import reference_lines
from evidence.render.registry import register

if TYPE_CHECKING:
    from evidence.table import EvidenceTable

__all__ = ["JSON_SCHEMA_VERSION", "render_json"]

JSON_SCHEMA_VERSION = 1
"""Bumped only when a field of the JSON output changes meaning or goes away."""


def _json_value(value: Any) -> Any:
    kind = type(value)
    if kind is str:  # fast paths for the common cells, same results as below
        return value or None
    if kind is int or kind is bool:
        return value
    text = plain_text(value) if not isinstance(value, tuple | list) else None
    if text == "":
        return None
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


@register("json")
def render_json(table: EvidenceTable, *, indent: int | None = 2, style: str = "unsrt") -> str:
    """The JSON schema documented in docs/formats.md (``schema_version`` 1); each
    reference's ``citation`` is in ``style`` (pybtex or CSL)."""

    def rows(records: list[dict[str, Any]], lists: Sequence[str]) -> list[dict[str, Any]]:
        out = [{column: _json_value(v) for column, v in row.items()} for row in records]
        for row in out:
            for column in lists:  # list fields are always lists, never null
                row[column] = row[column] or []
        return out

    frames = TableRows(table)
    # Indented, the rows are written one by one from the frames' records (_Rows), never
    # made into a second set of dicts first: the same text with a third less memory.
    make: Any = rows if indent is None else _Rows
    claims = make(frames.claims, ("supported_by", "contradicted_by", "certainty_reasons", "tags"))
    evidence = make(frames.evidence, ("publication_types", "major_mesh", "mismatches"))
    pooled = make(frames.pooled, ("keys",))
    remarks = [
        {
            "path": p.location.path,
            "line": p.location.line,
            "severity": p.severity.value,
            "code": p.code,
            "message": p.message,
        }
        for p in table.remarks
    ]
    references = [
        {"number": i, "key": ref.key, "citation": text, "pmid": ref.pmid, "doi": ref.doi}
        for i, (ref, text) in enumerate(
            zip(table.references, reference_lines(table, style), strict=True), 1
        )
    ]
    document = {
        "schema_version": JSON_SCHEMA_VERSION,
        "title": table.title,
        "claims": claims,
        "evidence": evidence,
        "pooled": pooled,
        # Only when there are comparative effects, so other tables' JSON stays as it was.
        **({"comparative": make(frames.comparative, ())} if frames.comparative else {}),
        "remarks": remarks,
        "references": references,
    }
    if indent is None:
        return json.dumps(document, ensure_ascii=False) + "\n"
    # json.dumps with an indent runs the pure-Python encoder; this writes the same text
    # three times faster (most of a large table's JSON render, in the benchmark's profile).
    out: list[str] = []
    _indented_json(document, out, "\n", " " * indent)
    out.append("\n")
    return "".join(out)


def _indented_json(value: Any, out: list[str], newline: str, step: str) -> None:
    """Append ``value`` as ``json.dumps(value, indent=len(step), ensure_ascii=False)``
    writes it (same separators, same float and constant spellings)."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif type(value) is _Rows:
        value.write(out, newline, step)
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        finite = value == value and value not in _INFINITIES
        out.append(float.__repr__(value) if finite else json.dumps(value))
    elif isinstance(value, list | tuple | dict):
        if not value:
            out.append("{}" if isinstance(value, dict) else "[]")
            return
        inner = newline + step
        if isinstance(value, dict):
            out.append("{")
            for number, (key, item) in enumerate(value.items()):
                head = (inner if number == 0 else "," + inner) + _json_key(key) + ": "
                # Strings and null are most values: written here, without a call.
                if type(item) is str:
                    out.append(head + encode_basestring(item))
                elif item is None:
                    out.append(head + "null")
                else:
                    out.append(head)
                    _indented_json(item, out, inner, step)
            out.append(newline + "}")
        else:
            out.append("[")
            for number, item in enumerate(value):
                out.append(inner if number == 0 else "," + inner)
                if isinstance(item, dict | list | tuple):
                    # Each element made whole on its own: one list of millions of small
                    # strings would hold several times the output's size at once.
                    part: list[str] = []
                    _indented_json(item, part, inner, step)
                    out.append("".join(part))
                else:
                    _indented_json(item, out, inner, step)
            out.append(newline + "]")
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_INFINITIES = (float("inf"), float("-inf"))


class _Rows:
    """A frame's records as a JSON array of objects, written as ``_json_value`` of each
    cell (``lists`` columns never null) inside :func:`_indented_json`, row by row.

    The same text as making the converted rows first and writing them: each key's
    indentation and quoting is made once, not once per row (a 10,000-claim table's JSON
    has 1.5 million keys), and the common cells (strings, null, numbers) are written
    here without a call each.
    """

    __slots__ = ("lists", "records")

    def __init__(self, records: list[dict[str, Any]], lists: Sequence[str]) -> None:
        self.records = records
        self.lists = frozenset(lists)

    def __bool__(self) -> bool:
        return bool(self.records)

    def write(self, out: list[str], newline: str, step: str) -> None:
        """Append the array as ``_indented_json`` would, at indentation ``newline``."""
        if not self.records:
            out.append("[]")
            return
        inner = newline + step  # each row
        field = inner + step  # each key of a row
        heads: dict[Any, str] = {}  # ",\n      \"key\": " for each column
        lists = self.lists
        out.append("[")
        opening = inner + "{"
        for record in self.records:
            if not record:
                out.append(f"{opening[:-1]}{{}}")
                opening = "," + inner + "{"
                continue
            part = [opening]
            opening = "," + inner + "{"
            first = True
            for key, raw in record.items():
                head = heads.get(key)
                if head is None:
                    head = heads[key] = "," + field + _json_key(key) + ": "
                if first:
                    head = head[1:]
                    first = False
                kind = type(raw)
                if key in lists:
                    part.append(head)
                    _indented_json(_json_value(raw) or [], part, field, step)
                elif kind is str:
                    part.append(head + encode_basestring(raw) if raw else head + "null")
                elif raw is None:
                    part.append(head + "null")
                elif kind is int:
                    part.append(head + int.__repr__(raw))
                elif kind is float and raw == raw and raw not in _INFINITIES:
                    part.append(head + float.__repr__(raw))
                else:
                    value = _json_value(raw)
                    if value is None:
                        part.append(head + "null")
                    else:
                        part.append(head)
                        _indented_json(value, part, field, step)
            part.append(inner + "}")
            out.append("".join(part))
        out.append(newline + "]")


def _json_key(key: Any) -> str:
    if type(key) is str:
        return encode_basestring(key)
    if not isinstance(key, str):  # json's own conversion of other keys
        key = json.dumps(key) if key is None or isinstance(key, bool | float) else int.__repr__(key)
    return encode_basestring(key)
