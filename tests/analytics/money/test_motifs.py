"""Motif features by hand on a tiny graph, the same on DuckDB and Spark."""

from __future__ import annotations

import pyarrow as pa

from tatsai.analytics.engine import AnalyticsEngine
from tatsai.analytics.money.features import account_features
from tatsai.analytics.money.motifs import cycle_lengths

from .conftest import transfers_table
from .test_trace import at

DAY = 24 * 60


def motif_world() -> pa.Table:
    rows = [
        # A cycle a → b → c → a within a day.
        ("c1", at(0), "a", "b", 100.0, "transfer"),
        ("c2", at(60), "b", "c", 95.0, "transfer"),
        ("c3", at(120), "c", "a", 90.0, "transfer"),
        # Scatter-gather s → m1, m2 → k; m1 passes on 90% within an hour (a chain link).
        ("g1", at(10), "s", "m1", 50.0, "transfer"),
        ("g2", at(11), "s", "m2", 50.0, "transfer"),
        ("g3", at(70), "m1", "k", 45.0, "transfer"),
        ("g4", at(5 * DAY), "m2", "k", 10.0, "transfer"),
        # Fan-in: three senders to f within one day.
        ("f1", at(1), "x1", "f", 20.0, "transfer"),
        ("f2", at(2), "x2", "f", 20.0, "transfer"),
        ("f3", at(3), "x3", "f", 20.0, "transfer"),
        # A cycle whose closing transfer comes 100 days later is not money returning.
        ("l1", at(0), "p", "q", 10.0, "transfer"),
        ("l2", at(100 * DAY), "q", "p", 10.0, "transfer"),
        # a and s usually pay z 7 THB, so their transfers above are odd (candidates).
        ("o1", at(10 * DAY + 0), "a", "z", 7.0, "transfer"),
        ("o2", at(10 * DAY + 1), "a", "z", 7.0, "transfer"),
        ("o3", at(10 * DAY + 2), "s", "z", 7.0, "transfer"),
        ("o4", at(10 * DAY + 3), "s", "z", 7.0, "transfer"),
        ("o5", at(10 * DAY + 4), "x1", "z", 7.0, "transfer"),
        # A same-day cycle between accounts that only ever pay their usual amount, with no
        # odd transfer near them: not searched (not a candidate).
        ("u1", at(0), "u", "v", 30.0, "transfer"),
        ("u2", at(60), "v", "u", 40.0, "transfer"),
    ]
    return transfers_table(rows)


def test_motifs_by_hand(analytics_engine: AnalyticsEngine) -> None:
    rows = {
        r["account_id"]: r for r in account_features(analytics_engine, motif_world()).to_pylist()
    }
    assert [rows[a]["cycle_len"] for a in "abc"] == [3, 3, 3]
    assert rows["s"]["cycle_len"] == 0
    assert rows["p"]["cycle_len"] == rows["q"]["cycle_len"] == 0
    assert rows["u"]["cycle_len"] == rows["v"]["cycle_len"] == 0
    assert rows["f"]["fan_in_window"] == 3
    assert rows["s"]["fan_out_window"] == 2
    assert rows["s"]["sg_source"] == 2
    assert rows["k"]["sg_sink"] == 2
    assert rows["m1"]["sg_mid"] == rows["m2"]["sg_mid"] == 1
    assert rows["a"]["sg_mid"] == 0
    # m1 passed 45 of 50 on within the hour; m2 passed 10 of 50 days later: no chain.
    assert rows["m1"]["chain_in"] == 1
    assert rows["m2"]["chain_in"] == 0
    assert rows["b"]["chain_in"] == 1


def test_cycle_lengths_picks_the_shortest() -> None:
    import numpy as np

    # 0 → 1 → 0 (length 2) and 0 → 2 → 3 → 0 (length 3); 4 is on no cycle.
    src = np.array([0, 1, 0, 2, 3, 4])
    dst = np.array([1, 0, 2, 3, 0, 0])
    got = cycle_lengths(5, src, dst, np.zeros(6))
    assert got.tolist() == [2, 2, 3, 3, 0]
    # Searched from 2 and 3 only, and without the edge 1 → 0.
    keep = np.array([True, False, True, True, True, True])
    got = cycle_lengths(5, src, dst, np.zeros(6), candidates=np.array([2, 3]), keep=keep)
    assert got.tolist() == [0, 0, 3, 3, 0]


def test_scatter_gather_skips_hubs() -> None:
    import numpy as np
    import scipy.sparse as sp

    from tatsai.analytics.money.motifs import scatter_gather

    # 0 → {1, 2} → 3: two paths from 0 to 3; with 2 a hub only one is left.
    adj = sp.csr_matrix((np.ones(4), ([0, 0, 1, 2], [1, 2, 3, 3])), shape=(4, 4))
    plain = scatter_gather(adj, np.array([0]), np.zeros(4, dtype=bool))
    assert plain["sg_source"].tolist() == [2, 0, 0, 0]
    assert plain["sg_sink"].tolist() == [0, 0, 0, 2]
    assert plain["sg_mid"].tolist() == [0, 1, 1, 0]
    hub = scatter_gather(adj, np.array([0]), np.array([False, False, True, False]))
    assert hub["sg_source"].tolist() == [1, 0, 0, 0]
    assert hub["sg_mid"].tolist() == [0, 0, 0, 0]
