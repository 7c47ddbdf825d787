"""Transfers in, validated: the canonical ``transfers`` table plus the money-specific checks.

Generic checks (types, nulls, enums, duplicate ``txn_id``) are :func:`tatsai.sim.io.read_table`'s;
this module adds what only money needs, each reported with the 1-based data row of the file:

* ``amount_thb`` must be a positive, finite number (negative, zero or infinite amounts are
  refused);
* with an ``accounts`` table, both ends of a transfer must be known accounts
  (``dst_account`` may be empty: a cash withdrawal);
* time must not go backwards: no transfer before either account was opened, and none after now.

``skip_bad_rows=True`` drops offending rows and lists them in :class:`LoadReport`; otherwise
the first one stops the load with :class:`~tatsai.core.errors.InvalidInput`. When the generic
loader already skipped rows, the money checks' row numbers count the rows it kept.

Layouts: ``canonical`` (the schema's own columns), ``amlsim`` (IBM AMLSim's
``sourceNodeId,targetNodeId,value,time``; ``time`` is a simulation step read as whole days after
2020-01-01 UTC, 0 to 36,500; ``txn_id`` is ``amlsim-<row>``), or any mapping
``{source column: canonical}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from tatsai.core.errors import InvalidInput
from tatsai.sim.io import ReadStats, read_table
from tatsai.sim.schemas import ACCOUNTS, TRANSFERS

AMLSIM_COLUMNS = ("sourceNodeId", "targetNodeId", "value", "time")
AMLSIM_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
# A step is a day after the epoch; past a century it is no simulation step (and far enough past
# it, no timestamp at all).
AMLSIM_MAX_STEP = 36_500
LAYOUTS = ("canonical", "amlsim")


@dataclass(frozen=True)
class BadRow:
    """One refused row: 1-based data row of the file, the column and why."""

    row: int
    column: str
    reason: str

    def line(self) -> str:
        return f"row {self.row} ({self.column}): {self.reason}"


@dataclass
class LoadReport:
    """What a load kept and refused."""

    rows_kept: int = 0
    rows_skipped_generic: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)


def load_transfers(
    path: str | Path,
    *,
    layout: str | Mapping[str, str] = "canonical",
    accounts: pa.Table | None = None,
    skip_bad_rows: bool = False,
    report: LoadReport | None = None,
    now: dt.datetime | None = None,
) -> pa.Table:
    """The transfers at ``path`` (CSV/Parquet file or folder) in the canonical schema, checked."""
    report = report if report is not None else LoadReport()
    path = Path(path)
    if layout == "amlsim":
        table = _read_amlsim(path, skip_bad_rows, report)
    else:
        stats = ReadStats()
        # Before the mapping is built: dict() of an unknown layout name fails unhelpfully.
        if isinstance(layout, str) and layout not in LAYOUTS:
            raise InvalidInput(
                f"unknown layout {layout!r}; use {', '.join(LAYOUTS)}", field="layout"
            )
        column_map = None if layout == "canonical" else dict(layout)  # type: ignore[arg-type]
        table = read_table(
            path, TRANSFERS, skip_bad_rows=skip_bad_rows, column_map=column_map, stats=stats
        )
        report.rows_skipped_generic = stats.rows_skipped
    table = _money_checks(table, path, accounts, skip_bad_rows, report, now)
    report.rows_kept = table.num_rows
    return table


def load_accounts(path: str | Path, *, skip_bad_rows: bool = False) -> pa.Table:
    """The canonical ``accounts`` table at ``path``."""
    return read_table(path, ACCOUNTS, skip_bad_rows=skip_bad_rows)


def _read_amlsim(path: Path, skip: bool, report: LoadReport) -> pa.Table:
    try:
        raw = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in AMLSIM_COLUMNS},
                include_columns=list(AMLSIM_COLUMNS),
            ),
        )
    except (pa.ArrowInvalid, OSError, KeyError) as exc:
        raise InvalidInput(f"{path}: not an AMLSim transactions file: {exc}", field="path") from exc
    n = raw.num_rows
    value = raw.column("value").to_pylist()
    step = raw.column("time").to_pylist()
    amounts = np.full(n, np.nan)
    steps = np.zeros(n, dtype=np.int64)
    good = np.ones(n, dtype=bool)
    for i in range(n):
        try:
            amounts[i] = float(value[i])
        except (TypeError, ValueError):
            _refuse(
                report, skip, path, BadRow(i + 1, "amount_thb", f"{value[i]!r} is not a number")
            )
            good[i] = False
        try:
            steps[i] = int(step[i])
            if not 0 <= steps[i] <= AMLSIM_MAX_STEP:
                raise ValueError(step[i])
        except (TypeError, ValueError, OverflowError):
            _refuse(
                report,
                skip,
                path,
                BadRow(i + 1, "ts", f"{step[i]!r} is not a step number (0 to {AMLSIM_MAX_STEP})"),
            )
            steps[i] = 0
            good[i] = False
    epoch_us = int(AMLSIM_EPOCH.timestamp() * 1_000_000)
    ts = pa.array(epoch_us + steps * 86_400_000_000, pa.int64()).cast(
        TRANSFERS.schema.field("ts").type
    )
    table = pa.Table.from_arrays(
        [
            pa.array([f"amlsim-{i + 1}" for i in range(n)], pa.string()),
            ts,
            raw.column("sourceNodeId").combine_chunks(),
            raw.column("targetNodeId").combine_chunks(),
            pa.array(amounts, pa.float64()),
            pa.array(["transfer"] * n, pa.string()),
        ],
        schema=TRANSFERS.schema,
    )
    return table.filter(pa.array(good)) if not good.all() else table


def _refuse(report: LoadReport, skip: bool, path: Path, bad: BadRow) -> None:
    if not skip:
        raise InvalidInput(f"{path} {bad.line()}", field=f"transfers.{bad.column}")
    report.bad_rows.append(bad)


def _money_checks(
    table: pa.Table,
    path: Path,
    accounts: pa.Table | None,
    skip: bool,
    report: LoadReport,
    now: dt.datetime | None,
) -> pa.Table:
    n = table.num_rows
    if n == 0:
        return table
    checks: list[tuple[str, np.ndarray, str]] = []
    amount = table.column("amount_thb").to_numpy(zero_copy_only=False)
    # inf passes "> 0" but is no sum of money (and writes Infinity, which is not JSON).
    checks.append(
        (
            "amount_thb",
            ~((amount > 0) & np.isfinite(amount)),
            "amount must be a positive number of baht",
        )
    )
    ts = pc.cast(table.column("ts"), pa.int64()).to_numpy(zero_copy_only=False)
    limit = int((now or dt.datetime.now(dt.UTC)).timestamp() * 1_000_000)
    checks.append(("ts", ts > limit, "time is in the future"))
    if accounts is not None:
        known = accounts.column("account_id")
        for column in ("src_account", "dst_account"):
            values = table.column(column)
            inside = pc.fill_null(pc.is_in(values, known), column == "dst_account")
            checks.append((column, ~inside.to_numpy(zero_copy_only=False), "unknown account"))
        opened = pc.cast(accounts.column("opened_at"), pa.int64()).to_numpy(zero_copy_only=False)
        ids = known.to_pylist()
        lookup = dict(zip(ids, opened.tolist(), strict=True))
        for column in ("src_account", "dst_account"):
            opened_at = np.array(
                [
                    lookup.get(a, -(2**62)) if a else -(2**62)
                    for a in table.column(column).to_pylist()
                ]
            )
            checks.append(
                (column, ts < opened_at, "time goes backwards: before the account opened")
            )
    bad = np.zeros(n, dtype=bool)
    for column, mask, reason in checks:
        for row in np.flatnonzero(mask & ~bad):
            _refuse(report, skip, path, BadRow(int(row) + 1, column, reason))
        bad |= mask
    return table.filter(pa.array(~bad)) if bad.any() else table
