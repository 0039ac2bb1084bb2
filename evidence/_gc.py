"""The one way to pause Python's cyclic garbage collector around a bulk step.

Parsing a large .bib, a batch of PubMed XML or rendering a big table allocates many small
objects and creates no reference cycles; the collector's generation-0 passes then cost more
than the step itself (measured in docs/performance.md). ``paused_gc`` switches it off for the
block and restores the previous state even when the block raises, and nests safely.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the block with the cyclic collector off; its earlier state comes back after.

    >>> with paused_gc():
    ...     gc.isenabled()
    False
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
