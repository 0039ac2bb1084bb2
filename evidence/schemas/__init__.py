"""JSON Schemas shipped with the package: the claims file, the table's JSON output and
``evidence check``'s JSON report (draft 2020-12; published in docs/schemas.md).

:func:`schema_path` finds one; nothing here imports the rest of the package. Editors can
point at a claims file's schema with ``# yaml-language-server: $schema=<path or URL>``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["SCHEMAS", "load_schema", "schema_path"]

SCHEMAS = ("claims", "table", "check")
"""The shipped schemas, by name."""


def schema_path(name: str) -> Path:
    """The file of the schema ``name`` (one of :data:`SCHEMAS`)."""
    if name not in SCHEMAS:
        raise ValueError(f"no schema {name!r}; the schemas are: {', '.join(SCHEMAS)}")
    return Path(__file__).with_name(f"{name}.schema.json")


def load_schema(name: str) -> dict[str, Any]:
    """The schema ``name`` as a dict."""
    loaded: dict[str, Any] = json.loads(schema_path(name).read_text(encoding="utf-8"))
    return loaded
