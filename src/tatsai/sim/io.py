"""Read canonical tables from Parquet or CSV and validate them against :mod:`tatsai.sim.schemas`.

Every reader of call records, transfers or reports goes through :func:`read_table`, so a bad
input fails here, once, with a message that names the file, the row and the column:

    error (cdr.a_msisdn): data/cdr/part-00003.parquet row 1042: missing value in a required column

Contract of :func:`read_table`:

* ``path`` is a file (``.parquet`` or ``.csv``) or a folder of parts (``part-*.parquet`` or
  ``*.csv``, read in name order). Row numbers in messages are 1-based data rows of that file
  (the CSV header is not counted).
* ``column_map`` renames source columns to canonical names first (``{"caller": "a_msisdn"}``).
  Columns the schema does not know are dropped; a missing column is an error.
* Types: values are cast to the canonical type when the cast is exact (``int64`` to ``int32``
  within range, any timezone to UTC). Timestamps must carry a zone: naive Parquet timestamps and
  CSV timestamps without ``Z`` or an offset are rejected, because guessing Bangkok or UTC would
  shift every call by seven hours.
* CSV: an empty field is a missing value; booleans are ``true``/``false`` (or ``1``/``0``).
* Nulls only in the schema's ``nullable`` columns; enum columns only hold their allowed values;
  the key columns identify one row (duplicates are an error).
* ``skip_bad_rows=True`` drops rows that break a row rule (type, null, enum) and later duplicates
  of a key instead of failing; missing columns still fail. ``stats=`` reports how many.

The result is a :class:`pyarrow.Table` with exactly the canonical schema (column order included).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tatsai.core.errors import InvalidInput, NotFound
from tatsai.core.textfile import ARROW_NOT_UTF8, not_utf8
from tatsai.sim.schemas import TABLES, TableSchema

_INT = re.compile(r"^\s*[+-]?\d+\s*$")
_FLOAT = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"
_TS = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$"
_BOOL_TRUE = ["true", "True", "TRUE", "1", "t", "T"]
_BOOL_FALSE = ["false", "False", "FALSE", "0", "f", "F"]


@dataclass
class ReadStats:
    """What a :func:`read_table` call kept and skipped (pass one in as ``stats=``)."""

    rows_read: int = 0
    rows_skipped: int = 0


def table_path(world: Path, name: str) -> Path | None:
    """Where table ``name`` lives in a world folder (file or folder of parts), or ``None``."""
    for candidate in (world / f"{name}.parquet", world / f"{name}.csv", world / name):
        if candidate.exists():
            return candidate
    return None


def part_files(path: Path) -> list[Path]:
    """The files that make up a table at ``path``, in read order."""
    if path.is_dir():
        parts = sorted(p for p in path.iterdir() if p.suffix in (".parquet", ".csv"))
        if not parts:
            raise NotFound(f"{path}: folder holds no .parquet or .csv parts", field="path")
        return parts
    if not path.exists():
        raise NotFound(f"{path}: no such file or folder", field="path")
    if path.suffix not in (".parquet", ".csv"):
        raise InvalidInput(f"{path}: expected a .parquet or .csv file", field="path")
    return [path]


def read_table(
    path: str | Path,
    table: TableSchema,
    *,
    skip_bad_rows: bool = False,
    column_map: Mapping[str, str] | None = None,
    stats: ReadStats | None = None,
) -> pa.Table:
    """The table at ``path`` validated against ``table`` (see the module docstring).

    ``stats``, when given, is filled with the rows kept and skipped.
    """
    stats = stats if stats is not None else ReadStats()
    pieces: list[pa.Table] = []
    for part in part_files(Path(path)):
        raw = _read_part(part, table, column_map or {})
        pieces.append(_validate_part(raw, part, table, skip_bad_rows, stats))
    result = pa.concat_tables(pieces) if len(pieces) > 1 else pieces[0]
    result = _check_key(result, table, Path(path), skip_bad_rows, stats)
    stats.rows_read = result.num_rows
    return result.combine_chunks() if result.num_columns else result


def iter_table(
    path: str | Path,
    table: TableSchema,
    *,
    skip_bad_rows: bool = False,
    column_map: Mapping[str, str] | None = None,
) -> Iterator[pa.Table]:
    """The table at ``path`` one validated part at a time (bounded memory for big tables).

    Same rules as :func:`read_table`, except that key uniqueness is checked within each part
    only (a medium world's cdr has 50 million keys).
    """
    for part in part_files(Path(path)):
        stats = ReadStats()
        raw = _read_part(part, table, column_map or {})
        checked = _validate_part(raw, part, table, skip_bad_rows, stats)
        yield _check_key(checked, table, part, skip_bad_rows, stats)


def read_world(
    world: str | Path, tables: Iterable[str] | None = None, *, skip_bad_rows: bool = False
) -> dict[str, pa.Table]:
    """Every canonical table present in the folder ``world`` (or the named ``tables``).

    Named tables that are absent raise :class:`NotFound`; without names, absent tables are left
    out and a folder with none of them raises :class:`NotFound`.
    """
    folder = Path(world)
    if not folder.is_dir():
        raise NotFound(f"{folder}: no such world folder", field="world")
    wanted = list(tables) if tables is not None else list(TABLES)
    found: dict[str, pa.Table] = {}
    for name in wanted:
        if name not in TABLES:
            raise InvalidInput(f"unknown table {name!r}", field="table")
        where = table_path(folder, name)
        if where is None:
            if tables is not None:
                raise NotFound(f"{folder}: table {name!r} is missing", field=name)
            continue
        found[name] = read_table(where, TABLES[name], skip_bad_rows=skip_bad_rows)
    if not found:
        raise NotFound(f"{folder}: holds none of the canonical tables", field="world")
    return found


def _fail(part: Path, table: TableSchema, column: str, row: int | None, why: str) -> InvalidInput:
    where = f"{part}" if row is None else f"{part} row {row + 1}"
    return InvalidInput(f"{where}: {why}", field=f"{table.name}.{column}")


def _read_part(part: Path, table: TableSchema, column_map: Mapping[str, str]) -> pa.Table:
    try:
        if part.suffix == ".parquet":
            raw = pq.read_table(part)
        else:
            # Every canonical column as text first, so each is converted (and blamed) by our
            # rules and "007" stays "007".
            source = {v: k for k, v in column_map.items()}
            as_text = {source.get(c, c): pa.string() for c in table.columns}
            raw = pacsv.read_csv(
                part,
                read_options=pacsv.ReadOptions(block_size=1 << 24),
                convert_options=pacsv.ConvertOptions(
                    column_types=as_text,
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
            )
        columns = raw.column_names  # decoded here: a header that is not UTF-8 fails now
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        if part.suffix == ".csv" and (
            isinstance(exc, UnicodeDecodeError) or ARROW_NOT_UTF8 in str(exc)
        ):
            raise not_utf8(part, field=table.name) from exc  # naming the line
        raise InvalidInput(f"{part}: cannot be read: {exc}", field=table.name) from exc
    names = [column_map.get(n, n) for n in columns]
    if len(set(names)) != len(names):
        raise InvalidInput(f"{part}: duplicate column names after mapping", field=table.name)
    raw = raw.rename_columns(names)
    for column in table.columns:
        if column not in names:
            raise _fail(part, table, column, None, "column is missing")
    return raw.select(table.columns)


def _validate_part(
    raw: pa.Table, part: Path, table: TableSchema, skip: bool, stats: ReadStats
) -> pa.Table:
    good = np.ones(raw.num_rows, dtype=bool)
    columns: list[pa.Array] = []
    for spec in table.schema:
        values = raw.column(spec.name).combine_chunks()
        if part.suffix == ".csv":
            values, bad = _from_text(values, spec.type, part, table, spec.name, skip)
        else:
            values, bad = _from_arrow(values, spec.type, part, table, spec.name)
        bad |= _rule_violations(values, spec.name, table, part, skip)
        good &= ~bad
        columns.append(values)
    out = pa.Table.from_arrays(columns, schema=table.schema)
    if not good.all():
        stats.rows_skipped += int((~good).sum())
        out = out.filter(pa.array(good))
    return out


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _from_text(
    values: pa.Array, dtype: pa.DataType, part: Path, table: TableSchema, column: str, skip: bool
) -> tuple[pa.Array, np.ndarray]:
    """Convert a CSV text column; returns the typed column and a mask of unconvertible rows."""
    text = values.cast(pa.string())
    empty = pc.equal(pc.utf8_length(text), 0).to_numpy(zero_copy_only=False)
    if pa.types.is_string(dtype):
        return pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), text), np.zeros(
            len(text), bool
        )
    if pa.types.is_integer(dtype):
        ok = pc.match_substring_regex(text, _INT.pattern).to_numpy(zero_copy_only=False)
    elif pa.types.is_floating(dtype):
        ok = pc.match_substring_regex(text, _FLOAT).to_numpy(zero_copy_only=False)
    elif pa.types.is_boolean(dtype):
        ok = pc.is_in(text, pa.array(_BOOL_TRUE + _BOOL_FALSE)).to_numpy(zero_copy_only=False)
    elif pa.types.is_timestamp(dtype):
        ok = pc.match_substring_regex(text, _TS).to_numpy(zero_copy_only=False)
    else:  # pragma: no cover - the schemas use only the types above
        raise InvalidInput(f"unsupported type {dtype}", field=f"{table.name}.{column}")
    bad = ~ok & ~empty
    if bad.any() and not skip:
        row = _first(bad)
        raise _fail(part, table, column, row, f"{text[row].as_py()!r} is not a valid {dtype}")
    cleaned = pc.if_else(pa.array(ok), text, pa.scalar(None, pa.string()))
    if pa.types.is_boolean(dtype):
        truth = pc.is_in(cleaned, pa.array(_BOOL_TRUE))
        return pc.if_else(pc.is_null(cleaned), pa.scalar(None, pa.bool_()), truth), bad
    if pa.types.is_integer(dtype):
        cleaned = pc.utf8_trim_whitespace(cleaned)
    try:
        converted = cleaned.cast(dtype)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # Out of range for the type: find the rows one by one (only on this failure path).
        out_of_range = np.zeros(len(text), bool)
        items: list[object] = []
        for i, item in enumerate(cleaned.to_pylist()):
            try:
                items.append(pa.array([item], pa.string()).cast(dtype)[0].as_py())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                out_of_range[i] = True
                items.append(None)
        if not skip:
            row = _first(out_of_range)
            raise _fail(
                part, table, column, row, f"{text[row].as_py()!r} is out of range for {dtype}"
            ) from None
        return pa.array(items, dtype), bad | out_of_range
    return converted, bad


def _from_arrow(
    values: pa.Array, dtype: pa.DataType, part: Path, table: TableSchema, column: str
) -> tuple[pa.Array, np.ndarray]:
    """Cast a Parquet column to the canonical type when the cast loses nothing."""
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if values.type.equals(dtype):
        return values, np.zeros(len(values), bool)
    if pa.types.is_timestamp(dtype):
        if not pa.types.is_timestamp(values.type):
            raise _fail(part, table, column, None, f"expected a timestamp, found {values.type}")
        if values.type.tz is None:
            raise _fail(
                part, table, column, None, "timestamps carry no timezone; write them in UTC"
            )
    if pa.types.is_string(dtype) and pa.types.is_large_string(values.type):
        return values.cast(dtype), np.zeros(len(values), bool)
    try:
        return values.cast(dtype, safe=True), np.zeros(len(values), bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise _fail(
            part, table, column, None, f"type {values.type} cannot become {dtype}: {exc}"
        ) from exc


def _rule_violations(
    values: pa.Array, column: str, table: TableSchema, part: Path, skip: bool
) -> np.ndarray:
    """Mask of rows breaking the null and enum rules (raises on the first when not skipping)."""
    bad = np.zeros(len(values), bool)
    if column not in table.nullable and values.null_count:
        nulls = pc.is_null(values).to_numpy(zero_copy_only=False)
        if not skip:
            raise _fail(part, table, column, _first(nulls), "missing value in a required column")
        bad |= nulls
    allowed = table.enums.get(column)
    if allowed is not None:
        inside = pc.fill_null(pc.is_in(values, pa.array(sorted(allowed))), True)
        outside = ~inside.to_numpy(zero_copy_only=False)
        if outside.any() and not skip:
            row = _first(outside)
            raise _fail(
                part,
                table,
                column,
                row,
                f"{values[row].as_py()!r} is not one of {', '.join(sorted(allowed))}",
            )
        bad |= outside
    if pa.types.is_floating(values.type) and len(values):
        nan = pc.fill_null(pc.is_nan(values), False).to_numpy(zero_copy_only=False)
        if nan.any() and not skip:
            raise _fail(part, table, column, _first(nan), "NaN is not a value")
        bad |= nan
    return bad


def _check_key(
    data: pa.Table, table: TableSchema, path: Path, skip: bool, stats: ReadStats
) -> pa.Table:
    """Fail (or keep the first row) when the key columns repeat."""
    if data.num_rows < 2:
        return data
    if len(table.key) == 1:
        key = data.column(table.key[0]).combine_chunks()
        if pa.types.is_integer(key.type):
            codes = key.to_numpy(zero_copy_only=False)
        else:
            codes = pc.dictionary_encode(key).indices.to_numpy(zero_copy_only=False)
    else:
        encoded = [
            pc.dictionary_encode(data.column(c).combine_chunks()).indices.to_numpy(
                zero_copy_only=False
            )
            for c in table.key
        ]
        codes = np.unique(np.stack(encoded, axis=1), axis=0, return_inverse=True)[1].ravel()
    order = np.argsort(codes, kind="stable")
    repeated = np.zeros(len(codes), bool)
    repeated[order[1:]] = codes[order[1:]] == codes[order[:-1]]
    if not repeated.any():
        return data
    if not skip:
        row = _first(repeated)
        value = ", ".join(repr(data.column(c)[row].as_py()) for c in table.key)
        raise InvalidInput(
            f"{path} row {row + 1} (counting across parts): duplicate key {value}",
            field=f"{table.name}.{','.join(table.key)}",
        )
    stats.rows_skipped += int(repeated.sum())
    return data.filter(pa.array(~repeated))
