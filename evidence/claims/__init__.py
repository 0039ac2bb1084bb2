"""Claims files: YAML, JSON and CSV to :class:`ClaimSet` and back.

Each format's reader turns text into a neutral tree with line numbers (``tree``,
``yaml_reader``, ``json_reader``, ``csv_reader``); ``build`` checks the tree against the
field tables of ``fields`` and makes the records; ``writers`` and ``dump`` go the other
way; ``formats`` is the registry tying a format name to its reader and writer; ``load``
holds :func:`parse_claims` and :func:`load_claims`. A new format is a new module plus one
line in ``formats.REGISTRY``; a new field starts in ``fields``.

May import ``evidence.errors``, ``evidence.model`` and the stage-0 helpers, never a stage
above. Modules in here import their siblings directly, never this ``__init__``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evidence.claims.claimset import ClaimSet
    from evidence.claims.dump import dump_claims
    from evidence.claims.formats import FORMATS
    from evidence.claims.load import load_claims, parse_claims

# Where each public name lives: imported on first use (PEP 562), so importing one module
# of the package does not import all of them (the command line's start-up).
_WHERE = {
    "ClaimSet": "evidence.claims.claimset",
    "FORMATS": "evidence.claims.formats",
    "dump_claims": "evidence.claims.dump",
    "load_claims": "evidence.claims.load",
    "parse_claims": "evidence.claims.load",
}

__all__ = [
    "FORMATS",
    "ClaimSet",
    "dump_claims",
    "load_claims",
    "parse_claims",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access and keep the name here."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value  # the next access is a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
