"""Deterministic writers: same table, same bytes.

Parquet: zstd level 1, dictionary encoding for enum and other low-cardinality columns (trying
it on numbers and identifiers only costs time), fixed row-group size, format 2.6, no pandas or
wall-clock metadata (Arrow writes none; ``created_by`` names the library version only). CSV: a
header, UTC ISO-8601 timestamps (``2026-03-02T01:02:03.000000Z``), ``true``/``false``, empty
fields for missing values.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tatsai.sim.schemas import TableSchema

FORMATS = ("parquet", "csv")


def conform(data: dict[str, object] | pa.Table, table: TableSchema) -> pa.Table:
    """``data`` as a table with exactly the canonical schema (columns cast, order fixed)."""
    if isinstance(data, pa.Table):
        columns = [data.column(n) for n in table.columns]
    else:
        columns = [data[n] for n in table.columns]
    arrays = [
        (c if isinstance(c, pa.Array | pa.ChunkedArray) else pa.array(c)).cast(f.type)
        for c, f in zip(columns, table.schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=table.schema)


#: Columns with few distinct values besides the enums: worth a dictionary.
LOW_CARDINALITY = frozenset(
    {"cell_id", "province", "operator", "bank", "campaign_id", "gang_id", "sender", "theme"}
)


def write(
    data: pa.Table,
    path: Path,
    fmt: str,
    *,
    row_group_rows: int = 1_000_000,
    dictionary: frozenset[str] = frozenset(),
) -> Path:
    """Write ``data`` to ``path`` (suffix added) in ``fmt``; returns the file written."""
    path = path.with_suffix(f".{fmt}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(
            data,
            path,
            row_group_size=row_group_rows,
            compression="zstd",
            compression_level=1,
            use_dictionary=[n for n in data.column_names if n in dictionary | LOW_CARDINALITY],
            write_statistics=True,
            version="2.6",
            store_schema=True,
        )
        return path
    columns = []
    for field, column in zip(data.schema, data.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            column = pc.strftime(column, format="%Y-%m-%dT%H:%M:%SZ")
        columns.append(column)
    text = pa.Table.from_arrays(columns, names=data.column_names)
    pacsv.write_csv(text, path, write_options=pacsv.WriteOptions(include_header=True))
    return path
