"""The registry of renderers: :func:`register` adds a format, :func:`render` runs one.

Each format module registers its functions when the package is imported; the registry is
the one table from format names to functions, filled at import and never changed after.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from evidence._gc import paused_gc

if TYPE_CHECKING:
    from evidence.table import EvidenceTable

__all__ = ["Renderer", "register", "registered", "render"]

Renderer = Callable[..., str]
_RENDERERS: dict[str, Renderer] = {}


def register(name: str) -> Callable[[Renderer], Renderer]:
    """Register a renderer function under ``name`` (used as a decorator)."""

    def add(func: Renderer) -> Renderer:
        _RENDERERS[name] = func
        return func

    return add


def registered() -> tuple[str, ...]:
    """The registered format names, in the order they were registered."""
    return tuple(_RENDERERS)


def render(table: EvidenceTable, fmt: str, **options: Any) -> str:
    """Render ``table`` in the format ``fmt``; raises ``ValueError`` for an unknown format."""
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        known = ", ".join(sorted(_RENDERERS))
        raise ValueError(f"unknown format {fmt!r}; choose one of: {known}") from None
    # Rendering makes millions of small strings and tuples and no cycles: with the cyclic
    # GC paused a large table renders a quarter to a third faster (docs/performance.md).
    with paused_gc():
        return renderer(table, **options)
