"""Rings: igraph in-process and iterative joins on the engines give the same components."""

from __future__ import annotations

import pyarrow as pa

from tatsai.analytics.engine import AnalyticsEngine
from tatsai.analytics.money.rings import rings_in_process, rings_on_engine, suspicious_edges

from .conftest import transfers_table
from .test_trace import at


def tiny_edges() -> pa.Table:
    # Two rings: a chain e–d–c–b–a (ids reversed so the minimum has to travel four hops)
    # and x → y → z → x; plus a lone flagged account and an unflagged one.
    rows = [
        ("1", at(0), "e", "d", 10.0, "transfer"),
        ("2", at(1), "d", "c", 10.0, "transfer"),
        ("3", at(2), "c", "b", 10.0, "transfer"),
        ("4", at(3), "b", "a", 10.0, "transfer"),
        ("5", at(4), "x", "y", 10.0, "transfer"),
        ("6", at(5), "y", "z", 10.0, "transfer"),
        ("7", at(6), "z", "x", 10.0, "transfer"),
        ("8", at(7), "z", "n", 10.0, "transfer"),
        ("9", at(8), "lone", "n", 10.0, "transfer"),
    ]
    flagged = ["a", "b", "c", "d", "e", "x", "y", "z", "lone"]
    return suspicious_edges(transfers_table(rows), flagged)


def test_rings_agree(analytics_engine: AnalyticsEngine) -> None:
    edges = tiny_edges()
    want = rings_in_process(edges)
    got = rings_on_engine(analytics_engine, edges)
    assert got.to_pylist() == want.to_pylist()
    rings = {r["account_id"]: (r["ring_id"], r["ring_size"]) for r in want.to_pylist()}
    assert rings == {
        **dict.fromkeys("abcde", ("a", 5)),
        **dict.fromkeys("xyz", ("x", 3)),
    }
