"""Claims files: YAML, JSON and CSV to :class:`ClaimSet` and back.

May import ``evidence.errors``, ``evidence.model`` and the shared helpers.
"""

from evidence.claims.loader import (
    FORMATS,
    ClaimSet,
    dump_claims,
    load_claims,
    parse_claims,
)

__all__ = [
    "FORMATS",
    "ClaimSet",
    "dump_claims",
    "load_claims",
    "parse_claims",
]
