"""Lazy re-exports for the package ``__init__`` modules (PEP 562).

A package's ``__init__`` names its public objects and the module each lives in; the module
is imported the first time one of its names is read, so ``import evidence.bibliography``
does not pull in pandas, requests or pybtex for a command that never touches them. The
value is then stored in the package's namespace, so later reads are plain attribute reads.
One helper serves every package so the rule is written once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    namespace: dict[str, Any], where: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for the module whose ``globals()`` is ``namespace``.

    ``where`` maps each public name to the module that defines it; ``namespace`` must hold
    ``__name__`` and ``__all__``.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        """Import a public name's module on first access and keep the name here."""
        home = where.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value  # the next access is a plain module attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(namespace["__all__"]))

    return __getattr__, __dir__
