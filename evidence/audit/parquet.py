"""Parquet plumbing shared by the index build and the audit (pyarrow).

Why Parquet through :mod:`pyarrow`: a columnar file that pandas, DuckDB, Spark and R read
as they are, with per-row-group statistics so a reader can skip what it does not need. The
files are built in memory and written with
:func:`evidence._files.atomic_write_bytes`:
a partition's file is either whole or absent.

*Grouped* files hold one row group per value of a key column (a bucket number), so a
later pass reads exactly its own rows from each file (:func:`read_groups`) without
scanning the rest. pyarrow is imported when used: it is the ``scale`` extra.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["read_groups", "table_bytes", "write_grouped"]


def table_bytes(table: pa.Table, *, row_group_size: int | None = None) -> bytes:
    """``table`` as the bytes of a Parquet file (zstd-compressed)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=row_group_size, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def write_grouped(
    rows: Mapping[str, Sequence[Any]] | pa.Table,
    key: str,
    *,
    sort: Sequence[str],
    schema: pa.Schema | None = None,
) -> bytes:
    """A Parquet file of ``rows`` sorted by ``sort`` with one row group per ``key`` value."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = rows if isinstance(rows, pa.Table) else pa.table(dict(rows), schema=schema)
    if table.num_rows:
        table = table.take(pc.sort_indices(table, sort_keys=[(c, "ascending") for c in sort]))
    sink = pa.BufferOutputStream()
    with pq.ParquetWriter(sink, table.schema, compression="zstd") as writer:
        if not table.num_rows:
            writer.write_table(table)
        keys = table.column(key).to_numpy()
        start = 0
        for end in range(1, len(keys) + 1):
            if end == len(keys) or keys[end] != keys[start]:
                writer.write_table(table.slice(start, end - start), row_group_size=end - start)
                start = end
    return bytes(sink.getvalue().to_pybytes())


def read_groups(paths: Iterable[str | os.PathLike[str]], key: str, value: int) -> pa.Table:
    """The rows whose ``key`` is ``value`` from grouped files, reading only their groups."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    tables = []
    schema = None
    for path in paths:
        file = pq.ParquetFile(path)
        schema = schema or file.schema_arrow
        column = file.schema_arrow.get_field_index(key)
        for group in range(file.num_row_groups):
            stats = file.metadata.row_group(group).column(column).statistics
            if stats is None or not stats.has_min_max or stats.min <= value <= stats.max:
                table = file.read_row_group(group)
                if stats is None or not stats.has_min_max or stats.min != stats.max:
                    table = table.filter(pc.equal(table.column(key), value))
                tables.append(table)
    if not tables:
        if schema is None:
            raise ValueError("read_groups needs at least one file")
        return schema.empty_table()
    return pa.concat_tables(tables)
