"""Who called this subscriber lately: the numbers USSD option 1 offers to report.

:class:`LastCallsProvider` is the interface; :class:`CdrLastCalls` answers from call records
in the simulator's canonical ``cdr`` schema (Parquet) and :class:`NoLastCalls` when there are
none. An operator plugs its own (a switch query) behind the same interface.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from tatsai.sim.schemas import CDR


class LastCallsProvider(Protocol):
    def last_callers(
        self, msisdn: str, *, now: dt.datetime, window: dt.timedelta, limit: int = 5
    ) -> list[str]:
        """E.164 numbers that called ``msisdn`` in ``window`` before ``now``, latest first."""
        ...


class NoLastCalls:
    def last_callers(
        self, msisdn: str, *, now: dt.datetime, window: dt.timedelta, limit: int = 5
    ) -> list[str]:
        return []


class StaticLastCalls:
    """Calls given in memory as (caller, callee, time): for tests and the demo."""

    def __init__(self, calls: list[tuple[str, str, dt.datetime]]) -> None:
        self.calls = calls

    def last_callers(
        self, msisdn: str, *, now: dt.datetime, window: dt.timedelta, limit: int = 5
    ) -> list[str]:
        recent = sorted(
            (c for c in self.calls if c[1] == msisdn and now - window <= c[2] <= now),
            key=lambda c: c[2],
            reverse=True,
        )
        return _unique([c[0] for c in recent])[:limit]


class CdrLastCalls:
    """Calls from canonical ``cdr`` records (a Parquet file or folder)."""

    def __init__(self, path: Path | str | pa.Table) -> None:
        if isinstance(path, pa.Table):
            self._dataset: ds.Dataset = ds.dataset(path)
        else:
            self._dataset = ds.dataset(str(path), format="parquet", schema=CDR.schema)

    def last_callers(
        self, msisdn: str, *, now: dt.datetime, window: dt.timedelta, limit: int = 5
    ) -> list[str]:
        start = pa.scalar(now - window, type=CDR.schema.field("ts").type)
        end = pa.scalar(now, type=CDR.schema.field("ts").type)
        flt = (
            (pc.field("b_msisdn") == msisdn)
            & (pc.field("kind") == "call")
            & (pc.field("ts") >= start)
            & (pc.field("ts") <= end)
        )
        table = self._dataset.to_table(columns=["a_msisdn", "ts"], filter=flt)
        if table.num_rows == 0:
            return []
        table = table.sort_by([("ts", "descending")])
        return _unique([str(v) for v in table.column("a_msisdn").to_pylist()])[:limit]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


_provider: LastCallsProvider | None = None


def set_provider(provider: LastCallsProvider | None) -> None:
    """Install the provider the USSD channel uses (None: from settings)."""
    global _provider
    _provider = provider


def get_provider() -> LastCallsProvider:
    if _provider is not None:
        return _provider
    from tatsai.reports.config import get_reports_settings

    path = get_reports_settings().cdr_path
    if path is not None and Path(path).exists():
        return CdrLastCalls(path)
    return NoLastCalls()
