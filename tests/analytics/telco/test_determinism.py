"""The hourly features are a function of the data alone: equal on every run, whatever the
number of DuckDB threads (parallel hash aggregation and window segment trees add numbers in an
order that depends on the threads, so any sum over floating-point values would drift)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tatsai.analytics.engine import DuckDBEngine
from tatsai.analytics.telco.features import FEATURES, hourly_features_sql, sim_summary_sql
from tatsai.analytics.telco.load import load_world
from tatsai.core.pseudonym import pseudonym
from tatsai.sim.schemas import TABLES

SECRET = "determinism-test"
START_S = 1_772_409_600  # 2026-03-02 00:00 UTC


def _us(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds * 1_000_000, pa.int64()).cast(pa.timestamp("us", tz="UTC"))


def _numbers(prefix: str, ids: np.ndarray) -> list[str]:
    return [f"{prefix}{i:07d}" for i in ids]


def _random_world(folder: Path, records: int, seed: int) -> Path:
    """Call records of 1,500 SIMs over three days in 400 cells whose coordinates carry every
    digit a double can hold, with off-net callers, shared handsets and reports."""
    rng = np.random.default_rng(seed)
    sims, cells, days = 1_500, 400, 3
    ids = np.arange(sims)
    subscribers = {
        "msisdn": _numbers("+66810", ids),
        "imsi": _numbers("52001000", ids),
        "operator": ["AIS"] * sims,
        "plan": ["prepaid"] * sims,
        "activated_at": _us(START_S - rng.integers(3_600, 400 * 86_400, sims)),
        "holder_id": _numbers("psn_holder_", ids // 2),
        "province": ["Bangkok"] * sims,
        "business_line": [False] * sims,
    }
    cell_table = {
        "cell_id": [f"C{i:04d}" for i in range(cells)],
        "lat": rng.uniform(5.6, 20.5, cells),
        "lon": rng.uniform(97.3, 105.6, cells),
        "province": ["x"] * cells,
        "operator": ["AIS"] * cells,
        "border_km": rng.uniform(0, 200, cells),
        "border_country": ["MM"] * cells,
    }
    weight = rng.gamma(0.8, 1.0, sims)
    caller = rng.choice(sims, records, p=weight / weight.sum())
    callee = rng.integers(0, sims * 2, records)  # half of them on other networks
    off_net = rng.random(records) < 0.15  # calls from elsewhere to our subscribers
    callee[off_net] %= sims
    kind = np.where(rng.random(records) < 0.85, "call", "sms")
    answered = (rng.random(records) < 0.7) & (kind == "call")
    home = rng.integers(0, cells, sims)
    cell = np.where(rng.random(records) < 0.6, home[caller], rng.integers(0, cells, records))
    imei = np.where(caller % 50 == 0, caller // 200, caller + 10_000)  # some shared handsets
    cdr = {
        "event_id": np.arange(records),
        "ts": _us(np.sort(rng.integers(START_S, START_S + days * 86_400, records))),
        "kind": kind,
        "a_msisdn": np.where(off_net, _numbers("+66900", caller), _numbers("+66810", caller)),
        "b_msisdn": _numbers("+66810", callee),
        "a_imsi": pa.array(_numbers("52001000", caller), pa.string(), mask=off_net),
        "a_imei": _numbers("35", imei),
        "cell_id": [f"C{c:04d}" for c in cell],
        "duration_s": np.where(answered, rng.gamma(2.0, 50.0, records), 0).astype(np.int32),
        "answered": answered,
        "direction": np.where(off_net, "mt", "mo"),
    }
    named = rng.choice(sims, 60, replace=False)
    reporters = rng.choice(sims, 60, replace=False)
    reports = {
        "report_id": [f"R{i}" for i in range(60)],
        "ts": _us(START_S + rng.integers(0, days * 86_400, 60)),
        "channel": ["sms-1185"] * 60,
        "reporter": [
            pseudonym(n, purpose="reporter", secret=SECRET) for n in _numbers("+66810", reporters)
        ],
        "indicator_type": ["phone"] * 60,
        "indicator_value": _numbers("+66810", named),
        "kind": ["call"] * 60,
        "amount_lost_thb": [None] * 60,
        "truth": ["true"] * 60,
        "incident_ts": _us(START_S + rng.integers(0, days * 86_400, 60)),
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cdr").mkdir(exist_ok=True)
    for name, columns in (
        ("subscribers", subscribers),
        ("cells", cell_table),
        ("reports", reports),
    ):
        pq.write_table(pa.table(columns, schema=TABLES[name].schema), folder / f"{name}.parquet")
    table = pa.table(cdr, schema=TABLES["cdr"].schema)
    half = records // 2
    for part, piece in enumerate((table.slice(0, half), table.slice(half))):
        pq.write_table(piece, folder / "cdr" / f"part-{part}.parquet", row_group_size=20_000)
    return folder


@pytest.fixture(scope="module")
def random_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _random_world(tmp_path_factory.mktemp("telco_random"), records=60_000, seed=3)


def _features(folder: Path, threads: int) -> tuple[pa.Table, pa.Table]:
    with DuckDBEngine(threads=threads) as engine:
        load_world(engine, folder, reporter_secret=SECRET)
        return engine.query(hourly_features_sql()), engine.query(sim_summary_sql())


def test_features_are_equal_whatever_the_thread_count(random_world: Path) -> None:
    hourly_1, summary_1 = _features(random_world, threads=1)
    assert hourly_1.num_rows > 10_000
    assert hourly_1.column_names == ["imsi", "hour", *FEATURES]
    # The world exercises what could drift: moves between cells, callbacks, reports.
    for name in ("distance_km_w", "callback_ratio_w", "reports_total", "reported_callees_total"):
        assert max(hourly_1.column(name).to_pylist()) > 0, name
    for threads in (2, 4):
        hourly_n, summary_n = _features(random_world, threads=threads)
        assert hourly_n.num_rows == hourly_1.num_rows
        for name in hourly_1.column_names:  # exact equality, column by column
            assert hourly_n.column(name).equals(hourly_1.column(name)), (threads, name)
        assert summary_n.equals(summary_1), threads
