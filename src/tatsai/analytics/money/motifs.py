"""Motif membership per account: cycles, fan-in, fan-out, scatter-gather and chains.

Computed in-process (igraph for cycles, sparse matrices for two-step paths) over the
directed counterparty graph (one edge per distinct sender → receiver pair seen in the
transfers, stamped with the pair's first transfer) and, for the timed motifs, over the
transfers themselves through the engine layer (portable SQL). Units: seconds, THB.

Memory and time stay bounded on large graphs: the graph searches (cycles, scatter-gather)
start only from *candidate* accounts (an odd transfer of their own or a counterparty with
one: where layering shows), never pass through *hubs* (more than HUB_DEGREE distinct
counterparties), and two-step counts are computed SOURCE_CHUNK sources at a time. Other
accounts get 0 for ``cycle_len`` and ``sg_source``.

- ``cycle_len``: length (2..CYCLE_MAX) of the shortest directed cycle through the account
  among pairs first used within one CYCLE_WINDOW_S window (money returning to its origin);
  0 when none. Windows start every half window.
- ``fan_in_window`` / ``fan_out_window``: most distinct senders (receivers) within one
  FAN_WINDOW_S bucket of time.
- ``sg_source`` / ``sg_sink``: most distinct intermediates between this account and one
  other account over two-step paths (a source fanning out to intermediates that gather in
  one sink); ``sg_mid``: 1 when the account is such an intermediate (pair with ≥ 2 paths).
- ``chain_in``: incoming transfers passed on within CHAIN_DWELL_S as an outgoing transfer
  of CHAIN_LOW..1 times the amount (pass-through with in ≈ out).
- ``nb_odd_in`` / ``nb_odd_out``: senders (receivers) of this account that made or received
  an odd transfer (directional count of flagged counterparties); ``nb2_odd``: two-step walks
  (either direction, not back to the account itself) that end at an account with an odd
  transfer.
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph as ig
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from tatsai.analytics.engine import AnalyticsEngine

MOTIF_FEATURES: tuple[str, ...] = (
    "cycle_len", "fan_in_window", "fan_out_window", "sg_source", "sg_sink", "sg_mid",
    "chain_in", "nb_odd_in", "nb_odd_out", "nb2_odd",
)  # fmt: skip

CYCLE_MAX = 6
CYCLE_WINDOW_S = 30 * 86400
FAN_WINDOW_S = 3 * 86400
CHAIN_DWELL_S = 2 * 86400
CHAIN_LOW = 0.8
# Accounts with more distinct counterparties are not searched through (an exchange or a
# payroll account is no mule's intermediate; their two-hop neighbourhoods are huge).
HUB_DEGREE = 1000
SOURCE_CHUNK = 20_000  # scatter-gather sources per sparse product
SEARCH_CHUNK = 5_000  # cycle searches per igraph call

# Portable SQL over the views of features.register_transfers (m_t, m_e).
_FAN_SQL = """SELECT a, MAX(c) AS v FROM (
    SELECT {me} AS a, CAST(FLOOR(t / {w}) AS BIGINT) AS b, COUNT(DISTINCT {other}) AS c
    FROM m_t WHERE dst IS NOT NULL GROUP BY {me}, CAST(FLOOR(t / {w}) AS BIGINT)) x
  GROUP BY a"""
# Module constants only are formatted into the SQL (no user input).
_CHAIN_SQL = f"""SELECT i.dst AS a, COUNT(DISTINCT i.txn_id) AS v
  FROM m_t i JOIN m_t o ON o.src = i.dst
  WHERE i.dst IS NOT NULL AND o.t >= i.t AND o.t <= i.t + {CHAIN_DWELL_S}
    AND o.amt <= i.amt AND o.amt >= {CHAIN_LOW} * i.amt AND o.txn_id <> i.txn_id
  GROUP BY i.dst"""  # noqa: S608


@dataclass(frozen=True)
class PairGraph:
    """The directed counterparty graph: one edge per distinct sender → receiver pair.

    ``graph`` has the edges ``src[i] → dst[i]`` (positions in the sorted account ids) in this
    order; ``n`` is the pair's transfer count, ``t_first`` its first transfer (seconds).
    """

    graph: ig.Graph
    src: np.ndarray
    dst: np.ndarray
    n: np.ndarray
    t_first: np.ndarray


def positions(ids: list[str], column: pa.ChunkedArray) -> np.ndarray:
    """Position of each value of ``column`` in ``ids`` (-1 where absent)."""
    found = pc.index_in(column.cast(pa.string()), value_set=pa.array(ids, pa.string()))
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)


def _lookup(ids: list[str], table: pa.Table) -> np.ndarray:
    """Column ``v`` of ``table`` (keyed by ``a``) in ``ids`` order; 0 where absent."""
    out = np.zeros(len(ids))
    if table.num_rows:
        values = pc.cast(table.column("v"), pa.float64()).to_numpy(zero_copy_only=False)
        out[positions(ids, table.column("a"))] = values
    return out


def motif_features(
    engine: AnalyticsEngine, ids: list[str], odd: np.ndarray, pairs: PairGraph
) -> dict[str, np.ndarray]:
    """MOTIF_FEATURES per account of ``ids`` (float arrays in ``ids`` order).

    Needs the views of :func:`tatsai.analytics.money.features.register_transfers` on
    ``engine`` and every account of them in ``ids``; ``odd`` is the bool mask of accounts
    with an odd transfer, in ``ids`` order; ``pairs`` the counterparty graph over ``ids``.
    """
    n = len(ids)
    out = {name: np.zeros(n) for name in MOTIF_FEATURES}
    if n == 0:
        return out
    for name, me, other in (("fan_in_window", "dst", "src"), ("fan_out_window", "src", "dst")):
        sql = _FAN_SQL.format(me=me, other=other, w=FAN_WINDOW_S)
        out[name] = _lookup(ids, engine.query(sql))
    out["chain_in"] = _lookup(ids, engine.query(_CHAIN_SQL))

    src, dst = pairs.src, pairs.dst
    loop = src == dst  # money to oneself is no counterparty
    adj = sp.csr_matrix((np.ones(int((~loop).sum())), (src[~loop], dst[~loop])), shape=(n, n))
    sym = sp.csr_matrix(((adj + adj.T) > 0).astype(float))
    degree = np.diff(sym.indptr)
    flagged = odd.astype(float)
    out["nb_odd_in"] = np.asarray(adj.T @ flagged).ravel()
    out["nb_odd_out"] = np.asarray(adj @ flagged).ravel()
    # Two-step walks to flagged accounts: two sparse matrix-vector products, no two-hop matrix.
    out["nb2_odd"] = np.asarray(sym @ (sym @ flagged)).ravel() - degree * flagged
    candidates = np.flatnonzero(odd | (np.asarray(sym @ flagged).ravel() > 0))
    hub = degree > HUB_DEGREE
    out.update(scatter_gather(adj, candidates, hub))
    out["cycle_len"] = cycle_lengths(
        n,
        src,
        dst,
        pairs.t_first,
        candidates=candidates,
        keep=~hub[src] & ~hub[dst],  # self-loops close no cycle: harmless
        graph=pairs.graph,
    )
    return out


def scatter_gather(
    adj: sp.csr_matrix, sources: np.ndarray, hub: np.ndarray
) -> dict[str, np.ndarray]:
    """``sg_source``, ``sg_sink`` and ``sg_mid`` over two-step paths out of ``sources``.

    Intermediates are accounts that are not hubs; the two-step counts are computed for
    SOURCE_CHUNK sources at a time, so memory is bounded by the chunk, not the graph.
    """
    n = adj.shape[0]
    sg_source, sg_sink, sg_mid = np.zeros(n), np.zeros(n), np.zeros(n, dtype=bool)
    first = sp.csr_matrix(adj @ sp.diags((~hub).astype(float)))  # s → m, m not a hub
    for start in range(0, len(sources), SOURCE_CHUNK):
        rows = sources[start : start + SOURCE_CHUNK]
        step = first[rows]
        two = sp.coo_matrix(step @ adj)
        other = two.col != rows[two.row]  # s → m → s is no path between two accounts
        two = sp.csr_matrix(
            (two.data[other], (two.row[other], two.col[other])), shape=(len(rows), n)
        )
        if not two.nnz:
            continue
        sg_source[rows] = np.asarray(two.max(axis=1).todense()).ravel()
        sg_sink = np.maximum(sg_sink, np.asarray(two.max(axis=0).todense()).ravel())
        # m is an intermediate when s→m→v with ≥ 2 distinct two-step paths from s to v.
        strong = sp.csr_matrix((two >= 2).astype(float))
        via = sp.csr_matrix(step.T @ strong).multiply(adj)
        sg_mid |= np.asarray(via.sum(axis=1)).ravel() > 0
    return {"sg_source": sg_source, "sg_sink": sg_sink, "sg_mid": sg_mid.astype(float)}


def cycle_lengths(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    t_first: np.ndarray,
    *,
    candidates: np.ndarray | None = None,
    keep: np.ndarray | None = None,
    graph: ig.Graph | None = None,
) -> np.ndarray:
    """Shortest directed cycle (2..CYCLE_MAX edges) through each vertex, 0 when none.

    Per window of CYCLE_WINDOW_S over the pairs first used in it (windows start every half
    window, so every cycle whose pairs all start within half a window is seen; one window
    when all pairs fit in one). Only the ``candidates`` (vertex indexes; all when None) are
    searched from, over the edges in ``keep`` (bool mask; all when None). ``graph``, when
    given, is the graph of exactly these edges in this order (saves building it).
    """
    result = np.zeros(n)
    keep = np.ones(len(src), dtype=bool) if keep is None else keep
    if not keep.any():
        return result
    wanted = np.zeros(n, dtype=bool)
    wanted[np.arange(n) if candidates is None else candidates] = True
    low, high = float(np.min(t_first[keep])), float(np.max(t_first[keep]))
    if high - low < CYCLE_WINDOW_S:
        starts = [low]
    else:
        step = CYCLE_WINDOW_S // 2
        starts = list(np.arange(low - step, high + 1, step))
    for start in starts:
        in_window = keep & (t_first >= start) & (t_first < start + CYCLE_WINDOW_S)
        if not in_window.any():
            continue
        if graph is not None and in_window.all():
            window = graph
        elif graph is not None:
            window = graph.subgraph_edges(np.flatnonzero(in_window), delete_vertices=False)
        else:
            window = ig.Graph(n=n, directed=True)
            window.add_edges(np.column_stack([src[in_window], dst[in_window]]))
        # Only vertices in a non-trivial strongly connected component lie on a cycle.
        membership = np.asarray(window.connected_components(mode="strong").membership)
        todo = np.flatnonzero((np.bincount(membership)[membership] > 1) & wanted).tolist()
        for order in range(1, CYCLE_MAX):
            # Bounded search out of v (in C): a sender to v within `order` steps closes a
            # cycle of order + 1 edges.
            todo = [v for v in todo if result[v] == 0 or result[v] > order + 1]
            if not todo:
                break
            left = []
            for at in range(0, len(todo), SEARCH_CHUNK):  # neighbourhood lists: bounded memory
                batch = todo[at : at + SEARCH_CHUNK]
                reached = window.neighborhood(batch, order=order, mode="out", mindist=1)
                for v, near in zip(batch, reached, strict=True):
                    if set(window.predecessors(v)).isdisjoint(near):
                        left.append(v)
                    else:
                        result[v] = order + 1
            todo = left
    return result
