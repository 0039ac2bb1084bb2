"""The table's DataFrames, built from their rows on first read.

Why: pandas (with numpy and pyarrow) is most of the command line's start-up, and
``evidence check`` reads only a table's remarks and studies, never its frames. So
:func:`~evidence.table.build.build_table` hands the
:class:`~evidence.table.evidence_table.EvidenceTable` its rows (a :class:`PendingFrame`),
and the table's :class:`FrameField` attributes turn them into the DataFrame the first time
they are read, then keep it. Reading ``table.claims`` gives the same DataFrame as before,
built the same way; only when it is built changed. ``evidence check`` of the bundled
example imported 0.84-1.1 s of modules before, pandas, numpy and pyarrow most of it
(``python -X importtime``, best of 5 on a loaded 2-core machine); see
``benchmarks/bench_startup.py`` for the figures after.

pandas is imported here only inside :meth:`PendingFrame.frame`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FrameField", "PendingFrame"]


class PendingFrame:
    """A DataFrame not built yet: its rows, columns, dtypes and ordered categoricals.

    ``dtypes`` is applied with ``astype`` when there are rows (or dtypes to apply);
    ``orders`` makes the named columns ordered categoricals in the order given. Plain data
    (no function inside), so a table that still holds one can be pickled.
    """

    __slots__ = ("columns", "dtypes", "orders", "rows")

    def __init__(
        self,
        rows: Sequence[Mapping[str, Any]],
        columns: Sequence[str],
        dtypes: Mapping[str, str] | None = None,
        orders: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.rows = rows
        self.columns = tuple(columns)
        self.dtypes = dict(dtypes or {})
        self.orders = dict(orders or {})

    def __repr__(self) -> str:
        return f"PendingFrame({len(self.rows)} rows, {len(self.columns)} columns)"

    def frame(self) -> pd.DataFrame:
        """The DataFrame: a new one on every call."""
        import pandas as pd

        frame = pd.DataFrame(self.rows, columns=list(self.columns))
        if len(frame) or self.dtypes:
            frame = frame.astype(self.dtypes)
        # The vocabulary columns as ordered categoricals, so that sorting and comparing them
        # in a notebook follows their meaning, not the alphabet (a missing value stays missing).
        for column, order in self.orders.items():
            frame[column] = pd.Categorical(frame[column], categories=list(order), ordered=True)
        return frame


class FrameField:
    """A DataFrame attribute of a frozen dataclass that may be given as a
    :class:`PendingFrame` and is built on first read.

    ``default`` (a pending frame) is the field's default; without one the field has none.
    The built frame replaces the pending one in the instance, so it is built once.
    """

    def __init__(self, default: PendingFrame | None = None) -> None:
        self._default = default
        self._slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}_frame"

    @overload
    def __get__(self, instance: None, owner: type) -> PendingFrame: ...

    @overload
    def __get__(self, instance: object, owner: type) -> pd.DataFrame: ...

    def __get__(self, instance: object | None, owner: type) -> pd.DataFrame | PendingFrame:
        if instance is None:
            # What dataclasses asks for the field's default: AttributeError means none.
            if self._default is None:
                raise AttributeError(self._slot[1:].removesuffix("_frame"))
            return self._default
        value: pd.DataFrame | PendingFrame = instance.__dict__[self._slot]
        if isinstance(value, PendingFrame):
            value = value.frame()
            instance.__dict__[self._slot] = value  # a frozen dataclass: past its __setattr__
        return value

    def __set__(self, instance: object, value: pd.DataFrame | PendingFrame) -> None:
        # Reached only through the dataclass's own __init__ (a frozen dataclass refuses
        # assignment before it gets here).
        instance.__dict__[self._slot] = value
