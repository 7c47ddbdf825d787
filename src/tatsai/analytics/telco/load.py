"""Find a world's tables in a folder, register them with an engine, and check them.

A data folder holds the canonical tables (``tatsai.sim.schemas``) as ``<name>.parquet``,
``<name>.csv`` or a folder ``<name>/`` of parts. ``cdr``, ``subscribers`` and ``cells`` are
required; ``reports`` is optional (an empty table stands in).

Generic validation is the simulator's loader (:func:`tatsai.sim.io.read_table`: columns, types,
timestamps with a zone, nulls, enums, keys — each error names the file and row). Subscribers,
cells, reports, and call records given as CSV go through it whole. Call records in Parquet stay
on disk (a month of them does not fit in Python memory): their columns are checked, and the
row rules below run as one engine pass, naming the file and 1-based row of the first offender:

* ``ts`` present and a timestamp; ``event_id`` present;
* ``kind`` and ``direction`` hold their allowed values;
* (telco, every format) every ``cdr.cell_id`` is a known cell.

With ``skip_bad_rows`` offending rows are left out instead, and counted.

Reports name their reporter only by a keyed pseudonym (``psn_reporter_…``, HMAC-SHA256 under the
platform's secret, :mod:`tatsai.core.pseudonym`). To tell which callees later reported to 1185,
the subscribers' numbers are pseudonymized with the same key and matched: the engine gets a
``reporters`` table (``msisdn``, ``hour`` = UTC hour index of a report), one row per reporter
number and hour. Reporters who are not subscribers in the world stay unmatched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tatsai.analytics.engine import AnalyticsEngine
from tatsai.core.errors import InvalidInput, NotFound
from tatsai.core.pseudonym import pseudonym
from tatsai.sim.io import ReadStats, read_table
from tatsai.sim.schemas import TABLES

REQUIRED = ("cdr", "subscribers", "cells")
OPTIONAL = ("reports",)
# Call records are checked column by column here (the other tables by the simulator's loader).
CDR_COLUMNS: tuple[str, ...] = tuple(TABLES["cdr"].columns)


@dataclass
class LoadedWorld:
    """Where each registered table came from, and how many call records were skipped."""

    paths: dict[str, Path] = field(default_factory=dict)
    skipped_rows: int = 0
    skipped_why: dict[str, int] = field(default_factory=dict)


def table_path(folder: Path, name: str) -> Path | None:
    """Where table ``name`` lives in ``folder`` (file or folder of parts), or ``None``."""
    for candidate in (folder / f"{name}.parquet", folder / f"{name}.csv", folder / name):
        if candidate.exists():
            return candidate
    return None


def part_files(path: Path) -> list[Path]:
    """The files that make up a table at ``path``, in name order."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".parquet", ".csv"))
    return [path]


def locate(path: Path, column: str, value: object) -> str:
    """``<file> row <n>`` of the first row whose ``column`` equals ``value`` (error path only)."""
    for part in part_files(path):
        if part.suffix == ".parquet":
            values = pq.read_table(part, columns=[column]).column(column).to_pylist()
        else:
            as_text = {column: pa.string()}
            options = pacsv.ConvertOptions(column_types=as_text, include_columns=[column])
            values = pacsv.read_csv(part, convert_options=options).column(column).to_pylist()
            value = None if value is None else str(value)
        for row, found in enumerate(values, start=1):
            if found == value or (part.suffix == ".csv" and str(found) == str(value)):
                return f"{part} row {row}"
    return str(path)


def _empty_reports() -> pa.Table:
    return TABLES["reports"].schema.empty_table()


def _columns(engine: AnalyticsEngine, name: str) -> dict[str, str]:
    schema = engine.query(f"SELECT * FROM {name} LIMIT 0").schema
    return {f.name: str(f.type) for f in schema}


def _first(engine: AnalyticsEngine, sql: str) -> dict[str, object] | None:
    rows = engine.query(sql).to_pylist()
    return rows[0] if rows else None


def load_world(
    engine: AnalyticsEngine,
    data_dir: Path | str,
    *,
    skip_bad_rows: bool = False,
    reporter_secret: str | None = None,
) -> LoadedWorld:
    """Register ``cdr``, ``subscribers``, ``cells`` and ``reports`` from ``data_dir`` on ``engine``,
    and ``reporters`` (see the module docstring; ``reporter_secret`` is the pseudonym key, the
    configured ``TATSAI_SECRET_KEY`` by default).

    Raises :class:`NotFound` for a missing folder or table and :class:`InvalidInput` (with the
    file and row) for bad input; see the module docstring.
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        raise NotFound(f"{folder}: no such data folder", field="data")
    loaded = LoadedWorld()
    for name in REQUIRED + OPTIONAL:
        where = table_path(folder, name)
        if where is None:
            if name in REQUIRED:
                raise NotFound(f"{folder}: table {name!r} is missing", field=name)
            engine.register(name, _empty_reports())
            continue
        loaded.paths[name] = where
        if name == "cdr" and all(p.suffix == ".parquet" for p in part_files(where)):
            engine.register("raw_cdr", where)
            present = _columns(engine, "raw_cdr")
            missing = [c for c in CDR_COLUMNS if c not in present]
            if missing:
                raise InvalidInput(
                    f"{where}: column(s) missing: {', '.join(missing)}",
                    field=f"cdr.{missing[0]}",
                )
            continue
        stats = ReadStats()
        table = read_table(where, TABLES[name], skip_bad_rows=skip_bad_rows, stats=stats)
        if stats.rows_skipped:
            loaded.skipped_why[f"{name}: bad rows"] = stats.rows_skipped
            if name == "cdr":
                loaded.skipped_rows += stats.rows_skipped
        engine.register("raw_cdr" if name == "cdr" else name, table)
    _check_cdr(engine, loaded, skip_bad_rows=skip_bad_rows)
    register_reporters(engine, reporter_secret)
    return loaded


REPORTERS_SCHEMA = pa.schema([("msisdn", pa.string()), ("hour", pa.int64())])


def register_reporters(engine: AnalyticsEngine, secret: str | None = None) -> int:
    """Register ``reporters`` (subscriber numbers whose pseudonym filed a report, with the report
    hours) on ``engine``; returns how many reporter numbers were matched."""
    reports = engine.query(
        "SELECT reporter, CAST(FLOOR(epoch(ts) / 3600) AS BIGINT) AS hour FROM reports "
        "WHERE reporter IS NOT NULL AND ts IS NOT NULL"
    ).to_pylist()
    hours: dict[str, set[int]] = {}
    for row in reports:
        hours.setdefault(str(row["reporter"]), set()).add(int(str(row["hour"])))
    matched: dict[str, list[int]] = {}
    if hours:
        numbers = engine.query(
            "SELECT DISTINCT msisdn FROM subscribers WHERE msisdn IS NOT NULL"
        ).column("msisdn")
        for number in numbers.to_pylist():
            token = pseudonym(str(number), purpose="reporter", secret=secret)
            if token in hours:
                matched[str(number)] = sorted(hours[token])
    rows = [(number, hour) for number, found in sorted(matched.items()) for hour in found]
    table = pa.table(
        {"msisdn": [r[0] for r in rows], "hour": [r[1] for r in rows]}, schema=REPORTERS_SCHEMA
    )
    engine.register("reporters", table)
    return len(matched)


def _ts_expr(column: str, arrow_type: str) -> str:
    """``column`` as a timestamp: as it is when typed, parsed when it is text (NULL if bad)."""
    if arrow_type.startswith("timestamp"):
        return column
    return f"TRY_CAST({column} AS TIMESTAMPTZ)"


# Row problems in call records: (why, column blamed, condition over ``r`` joined to cells ``l``).
def _cdr_problems(ts: str) -> list[tuple[str, str, str]]:
    return [
        ("missing timestamp", "ts", "r.ts IS NULL"),
        ("unparseable timestamp", "ts", f"{ts} IS NULL"),
        ("missing event_id", "event_id", "r.event_id IS NULL"),
        ("kind is not call or sms", "kind", "r.kind IS NULL OR r.kind NOT IN ('call', 'sms')"),
        (
            "direction is not mo or mt",
            "direction",
            "r.direction IS NULL OR r.direction NOT IN ('mo', 'mt')",
        ),
        ("unknown cell", "cell_id", "r.cell_id IS NOT NULL AND l.cell_id IS NULL"),
    ]


def _check_cdr(engine: AnalyticsEngine, loaded: LoadedWorld, *, skip_bad_rows: bool) -> None:
    path = loaded.paths["cdr"]
    present = _columns(engine, "raw_cdr")
    ts = _ts_expr("r.ts", present["ts"])
    problems = _cdr_problems(ts)
    joined = "raw_cdr r LEFT JOIN cells l ON l.cell_id = r.cell_id"
    bad_any = " OR ".join(f"({cond})" for _, _, cond in problems)
    # One pass over the records for all checks (a Spark job each would cost seconds).
    if skip_bad_rows:
        sums = ", ".join(
            f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS p{i}"
            for i, (_, _, cond) in enumerate(problems)
        )
        counts = engine.query(
            f"SELECT {sums}, SUM(CASE WHEN {bad_any} THEN 1 ELSE 0 END) AS total FROM {joined}"
        ).to_pylist()[0]
        for i, (why, _, _) in enumerate(problems):
            if counts[f"p{i}"]:
                loaded.skipped_why[why] = int(counts[f"p{i}"])
        loaded.skipped_rows += int(counts["total"] or 0)
    else:
        which = " ".join(f"WHEN {cond} THEN {i}" for i, (_, _, cond) in enumerate(problems))
        row = _first(
            engine,
            "SELECT CAST(r.event_id AS VARCHAR) AS event_id, r.cell_id, "
            f"CASE {which} END AS problem FROM {joined} WHERE {bad_any} "
            "ORDER BY r.event_id LIMIT 1",
        )
        if row is not None:
            why, column, _ = problems[int(str(row["problem"]))]
            value = f" {row['cell_id']!r}" if column == "cell_id" else ""
            raise InvalidInput(
                f"{_where(path, row)}: {why}{value} (--skip-bad-rows leaves such rows out)",
                field=f"cdr.{column}",
            )
    kept = ", ".join(f"{ts} AS ts" if c == "ts" else f"r.{c}" for c in CDR_COLUMNS)
    if skip_bad_rows:
        engine.alias("cdr", f"SELECT {kept} FROM {joined} WHERE NOT ({bad_any})")
    else:
        engine.alias("cdr", f"SELECT {kept} FROM raw_cdr r")


def _where(path: Path, row: dict[str, object]) -> str:
    if row.get("event_id") is None:
        return str(path)
    return locate(path, "event_id", int(str(row["event_id"])))
