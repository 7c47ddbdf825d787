"""Mule rings: connected components of the suspicious subgraph.

The suspicious subgraph holds the flagged accounts and the transfers between them (direction
ignored). A ring is one of its connected components with at least two accounts; its id is the
smallest account id in it, so both ways of computing it below give the same ids.

- :func:`rings_in_process`: igraph's connected components.
- :func:`rings_on_engine`: iterative joins through the engine layer (portable SQL, so it runs on
  DuckDB and on Spark): every account starts labelled with its own id and takes the smallest
  label among its neighbours, until no label changes (label propagation of the minimum).
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tatsai.analytics.engine import AnalyticsEngine

RINGS_SCHEMA = pa.schema(
    [("account_id", pa.string()), ("ring_id", pa.string()), ("ring_size", pa.int64())]
)
MAX_ROUNDS = 1000


def suspicious_edges(transfers: pa.Table, flagged: list[str]) -> pa.Table:
    """Distinct ``src, dst`` pairs of transfers between two flagged accounts (no self-loops)."""
    keep = set(flagged)
    pairs = {
        (s, d)
        for s, d in zip(
            transfers.column("src_account").to_pylist(),
            transfers.column("dst_account").to_pylist(),
            strict=True,
        )
        if d is not None and s != d and s in keep and d in keep
    }
    ordered = sorted(pairs)
    return pa.table(
        {"src": pa.array([p[0] for p in ordered], pa.string()),
         "dst": pa.array([p[1] for p in ordered], pa.string())}
    )  # fmt: skip


def _result(labels: dict[str, str]) -> pa.Table:
    sizes: dict[str, int] = {}
    for ring in labels.values():
        sizes[ring] = sizes.get(ring, 0) + 1
    rows = sorted((a, r) for a, r in labels.items() if sizes[r] > 1)
    return pa.table(
        {
            "account_id": pa.array([a for a, _ in rows], pa.string()),
            "ring_id": pa.array([r for _, r in rows], pa.string()),
            "ring_size": pa.array([sizes[r] for _, r in rows], pa.int64()),
        },
        schema=RINGS_SCHEMA,
    )


def rings_in_process(edges: pa.Table) -> pa.Table:
    """``account_id, ring_id, ring_size`` for every account of ``edges`` (``src, dst``)."""
    ids = sorted(set(edges.column("src").to_pylist()) | set(edges.column("dst").to_pylist()))
    if not ids:
        return _result({})
    value_set = pa.array(ids, pa.string())
    src = pc.index_in(edges.column("src"), value_set=value_set).to_numpy(zero_copy_only=False)
    dst = pc.index_in(edges.column("dst"), value_set=value_set).to_numpy(zero_copy_only=False)
    graph = ig.Graph(n=len(ids), edges=np.column_stack([src, dst]).astype(np.int64))
    labels: dict[str, str] = {}
    for members in graph.connected_components(mode="weak"):
        ring = min(ids[m] for m in members)
        for m in members:
            labels[ids[m]] = ring
    return _result(labels)


def rings_on_engine(engine: AnalyticsEngine, edges: pa.Table) -> pa.Table:
    """The same as :func:`rings_in_process`, as iterative joins on ``engine``."""
    engine.register("r_edges", edges)
    engine.register(
        "r_und",
        engine.query("SELECT src AS a, dst AS b FROM r_edges UNION SELECT dst, src FROM r_edges"),
    )
    engine.register("r_label", engine.query("SELECT DISTINCT a, a AS label FROM r_und"))
    for _ in range(MAX_ROUNDS):
        step = engine.query(
            """SELECT l.a, LEAST(l.label, COALESCE(MIN(n.label), l.label)) AS label
               FROM r_label l LEFT JOIN r_und u ON u.a = l.a
               LEFT JOIN r_label n ON n.a = u.b
               GROUP BY l.a, l.label"""
        )
        engine.register("r_next", step)
        changed = engine.query(
            """SELECT COUNT(*) AS c FROM r_next x JOIN r_label l ON l.a = x.a
               WHERE x.label <> l.label"""
        )
        engine.register("r_label", step)
        if changed.column("c")[0].as_py() == 0:
            break
    final = engine.query("SELECT a, label FROM r_label")
    return _result(
        dict(zip(final.column("a").to_pylist(), final.column("label").to_pylist(), strict=True))
    )
