"""Features and scoring on both engines: the same hand-checked answers from DuckDB and Spark."""

from __future__ import annotations

import pyarrow as pa
import pytest

from tatsai.analytics.engine import AnalyticsEngine
from tatsai.analytics.money.features import FEATURES, account_features

from .conftest import T0, transfers_table
from .test_trace import M1, M2, M3, VICTIM, at


def tiny() -> pa.Table:
    return transfers_table(
        [
            ("a", at(0), VICTIM, M1, 100.0, "transfer"),
            ("b", at(1), VICTIM, M1, 100.0, "transfer"),
            ("c", at(2), VICTIM, M2, 100.0, "transfer"),
            ("d", at(10), M1, M2, 150.0, "transfer"),
            ("e", at(11), M1, M3, 40.0, "transfer"),
            ("f", at(60 * 30), M2, None, 240.0, "atm_withdrawal"),
        ]
    )


def test_account_features_by_hand(analytics_engine: AnalyticsEngine) -> None:
    table = account_features(analytics_engine, tiny())
    assert table.column_names == ["account_id", *FEATURES]
    rows = {r["account_id"]: r for r in table.to_pylist()}
    assert list(rows) == sorted([VICTIM, M1, M2, M3])
    m1 = rows[M1]
    assert (m1["n_in"], m1["n_out"], m1["amt_in"], m1["amt_out"]) == (2, 2, 200, 190)
    assert m1["cp_in"] == 1
    assert m1["repeat_cp_in"] == 1
    assert m1["cp_out"] == 2
    # M1's usual amount is 40 (tie broken by the smaller amount), so the 150 is odd.
    assert m1["odd_out"] == 1
    assert rows[M2]["odd_in"] == 1
    assert m1["pass_through"] == pytest.approx(0.95)
    assert m1["dwell_s"] == 600
    assert rows[M2]["cash_out_share"] == 1.0
    assert rows[VICTIM]["amounts_out"] == 1
    assert rows[VICTIM]["odd_out"] == 0
    # 07:00 Bangkok is 00:00 UTC: T0 is midnight UTC, so everything is daytime in Thailand.
    assert T0.hour == 0
    assert m1["night_share"] == 0.0
    assert rows[M3]["nb_count"] == 1
    assert rows[M3]["nb_odd"] == 1
    assert rows[M1]["seeded_pagerank"] > rows[VICTIM]["seeded_pagerank"] > 0


def test_engines_agree_on_a_world(analytics_engine: AnalyticsEngine, small_world) -> None:  # type: ignore[no-untyped-def]
    from tatsai.analytics.engine import open_engine

    got = account_features(analytics_engine, small_world.transfers)
    with open_engine("duckdb") as reference_engine:
        want = account_features(reference_engine, small_world.transfers)
    assert got.column("account_id").to_pylist() == want.column("account_id").to_pylist()
    for name in FEATURES:
        # Exactly: sums are in whole satang, so neither engine's order of adding matters.
        assert got.column(name).to_pylist() == want.column(name).to_pylist(), name


def test_features_do_not_depend_on_threads() -> None:
    """Sums of amounts in satang: the same features whatever order DuckDB's threads add rows
    in (sums of doubles in parallel differed in the last bits between runs)."""
    import numpy as np

    from tatsai.analytics.engine import open_engine
    from tatsai.sim.schemas import TRANSFERS

    rng = np.random.default_rng(3)
    n, n_accounts = 300_000, 20_000
    accounts = pa.array([f"004-{i:010d}" for i in range(n_accounts)])
    src = rng.integers(0, n_accounts, n)
    dst = (src + rng.integers(1, 30, n)) % n_accounts
    micros = int(T0.timestamp()) * 1_000_000 + rng.integers(0, 7 * 86400, n) * 1_000_000
    table = pa.Table.from_arrays(
        [
            pa.array([f"x{i}" for i in range(n)]),
            pa.array(micros).cast(TRANSFERS.schema.field("ts").type),
            accounts.take(pa.array(src)),
            accounts.take(pa.array(dst)),
            pa.array(np.round(rng.uniform(1, 50_000, n), 2)),
            pa.array(["promptpay"] * n),
        ],
        schema=TRANSFERS.schema,
    )
    results = []
    for threads in (1, 4):
        with open_engine("duckdb", threads=threads) as engine:
            results.append(account_features(engine, table))
    for name in FEATURES:
        assert results[0].column(name).to_pylist() == results[1].column(name).to_pylist(), name
