"""Per-account mule features, written once as portable SQL over the canonical ``transfers``.

Every feature is computed by :func:`account_features` through an
:class:`~tatsai.analytics.engine.AnalyticsEngine`, so DuckDB and Spark return the same table.
Units: amounts in THB, times in seconds, hours in Thai local time (UTC+7). Sums and means
of amounts add whole satang (``ROUND(amount * 100)`` as integers) and divide after, so they
do not depend on the order an engine adds rows in (parallel sums of doubles do, in the last
bits) and every run and both engines give the same features. An "odd" transfer is
one whose amount differs from its sender's usual (most frequent) amount: ordinary payers repeat
themselves, money being layered does not. Graph features (PageRank seeded at accounts that
send or receive odd transfers, and at known mules) are computed in-process (scipy, igraph).
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from tatsai.analytics.engine import AnalyticsEngine
from tatsai.analytics.money.motifs import MOTIF_FEATURES, PairGraph, motif_features, positions

# The model's inputs, in order. Changing this list changes the model file's contract.
FEATURES: tuple[str, ...] = (
    "n_out", "n_in", "amt_out", "amt_in", "mean_out", "mean_in", "max_out", "max_in",
    "min_out", "min_in", "cp_out", "cp_in", "days_out", "days_in", "amounts_out",
    "odd_out", "odd_in", "repeat_cp_out", "repeat_cp_in", "odd_cp_out", "odd_cp_in",
    "burst_out", "burst_in", "pass_through", "dwell_s", "night_share", "cash_out_share",
    "active_s", "age_s", "nb_mean_degree", "nb_max_degree", "nb_odd", "nb_odd_share",
    "nb_multi_amount", "nb_count", "seeded_pagerank", *MOTIF_FEATURES,
)  # fmt: skip
_SQL_FEATURES = FEATURES[: FEATURES.index("seeded_pagerank")]
# The baseline of the evaluation: per-account degree and amount features only.
BASELINE_FEATURES: tuple[str, ...] = FEATURES[:10]

# Written out in the SQL below too (m_t): keep both in step.
CASH_OUT_CHANNELS = ("atm_withdrawal", "crypto_exchange", "cross_border")
LOCAL_OFFSET_S = 7 * 3600  # Thai time, UTC+7: 25200 in the SQL

_VIEWS: tuple[tuple[str, str], ...] = (
    (
        "m_t",
        """SELECT txn_id, t, src_account AS src, dst_account AS dst, amount_thb AS amt,
            CAST(ROUND(amount_thb * 100) AS BIGINT) AS cents,
            CASE WHEN dst_account IS NULL
              OR channel IN ('atm_withdrawal', 'crypto_exchange', 'cross_border') THEN 1 ELSE 0 END
              AS cash_out,
            CASE WHEN FLOOR(((t + 25200) % 86400) / 3600.0) < 6 THEN 1 ELSE 0 END
              AS night,
            CAST(FLOOR(t / 86400.0) AS BIGINT) AS day
          FROM m_transfers""",
    ),
    (
        "m_amt_counts",
        "SELECT src, amt, COUNT(*) AS c FROM m_t GROUP BY src, amt",
    ),
    (
        "m_usual",
        """SELECT src, amt FROM (
             SELECT src, amt, ROW_NUMBER() OVER (PARTITION BY src ORDER BY c DESC, amt) AS rn
             FROM m_amt_counts
           ) ranked WHERE rn = 1""",
    ),
    (
        "m_e",
        """SELECT m_t.*, CASE WHEN m_t.amt <> u.amt THEN 1 ELSE 0 END AS odd
           FROM m_t JOIN m_usual u ON u.src = m_t.src""",
    ),
    (
        "m_acc",
        "SELECT src AS a FROM m_t UNION SELECT dst AS a FROM m_t WHERE dst IS NOT NULL",
    ),
    (
        "m_out",
        """SELECT src AS a, COUNT(*) AS n_out, SUM(cents) AS cents_out,
             CAST(SUM(cents) AS DOUBLE) / 100 AS amt_out,
             CAST(SUM(cents) AS DOUBLE) / (100 * COUNT(*)) AS mean_out,
             MAX(amt) AS max_out, MIN(amt) AS min_out,
             SUM(odd) AS odd_out, SUM(night) AS night_out, SUM(cash_out * cents) AS cash_cents,
             MIN(t) AS first_out, MAX(t) AS last_out
           FROM m_e GROUP BY src""",
    ),
    (
        "m_in",
        """SELECT dst AS a, COUNT(*) AS n_in, CAST(SUM(cents) AS DOUBLE) / 100 AS amt_in,
             CAST(SUM(cents) AS DOUBLE) / (100 * COUNT(*)) AS mean_in,
             MAX(amt) AS max_in, MIN(amt) AS min_in, SUM(odd) AS odd_in, SUM(night) AS night_in,
             MIN(t) AS first_in, MAX(t) AS last_in
           FROM m_e WHERE dst IS NOT NULL GROUP BY dst""",
    ),
    (
        "m_amounts",
        "SELECT src AS a, COUNT(*) AS amounts_out FROM m_amt_counts GROUP BY src",
    ),
    (
        "m_pair",
        """SELECT src, dst, COUNT(*) AS n, SUM(odd) AS odd, MIN(t) AS t_first FROM m_e
           WHERE dst IS NOT NULL GROUP BY src, dst""",
    ),
    (
        "m_pair_out",
        """SELECT src AS a, COUNT(*) AS cp_out, SUM(CASE WHEN n > 1 THEN 1 ELSE 0 END)
             AS repeat_cp_out, SUM(CASE WHEN odd > 0 THEN 1 ELSE 0 END) AS odd_cp_out
           FROM m_pair GROUP BY src""",
    ),
    (
        "m_pair_in",
        """SELECT dst AS a, COUNT(*) AS cp_in, SUM(CASE WHEN n > 1 THEN 1 ELSE 0 END)
             AS repeat_cp_in, SUM(CASE WHEN odd > 0 THEN 1 ELSE 0 END) AS odd_cp_in
           FROM m_pair GROUP BY dst""",
    ),
    (
        "m_burst_out",
        """SELECT a, MAX(c) AS burst_out, COUNT(*) AS days_out FROM
             (SELECT src AS a, day, COUNT(*) AS c FROM m_t GROUP BY src, day) d GROUP BY a""",
    ),
    (
        "m_burst_in",
        """SELECT a, MAX(c) AS burst_in, COUNT(*) AS days_in FROM
             (SELECT dst AS a, day, COUNT(*) AS c FROM m_t WHERE dst IS NOT NULL
              GROUP BY dst, day) d GROUP BY a""",
    ),
    ("m_span", "SELECT MAX(t) AS t_end FROM m_t"),
    (
        "m_local",
        """SELECT m_acc.a AS account_id,
             COALESCE(o.n_out, 0) AS n_out, COALESCE(i.n_in, 0) AS n_in,
             COALESCE(o.amt_out, CAST(0 AS DOUBLE)) AS amt_out, COALESCE(i.amt_in, 0.0) AS amt_in,
             COALESCE(o.mean_out, 0.0) AS mean_out, COALESCE(i.mean_in, 0.0) AS mean_in,
             COALESCE(o.max_out, 0.0) AS max_out, COALESCE(i.max_in, 0.0) AS max_in,
             COALESCE(o.min_out, 0.0) AS min_out, COALESCE(i.min_in, 0.0) AS min_in,
             COALESCE(po.cp_out, 0) AS cp_out, COALESCE(pi.cp_in, 0) AS cp_in,
             COALESCE(bo.days_out, 0) AS days_out, COALESCE(bi.days_in, 0) AS days_in,
             COALESCE(am.amounts_out, 0) AS amounts_out,
             COALESCE(o.odd_out, 0) AS odd_out, COALESCE(i.odd_in, 0) AS odd_in,
             COALESCE(po.repeat_cp_out, 0) AS repeat_cp_out,
             COALESCE(pi.repeat_cp_in, 0) AS repeat_cp_in,
             COALESCE(po.odd_cp_out, 0) AS odd_cp_out, COALESCE(pi.odd_cp_in, 0) AS odd_cp_in,
             COALESCE(bo.burst_out, 0) AS burst_out, COALESCE(bi.burst_in, 0) AS burst_in,
             CASE WHEN COALESCE(o.amt_out, 0) > 0 AND COALESCE(i.amt_in, 0) > 0
               THEN LEAST(o.amt_out, i.amt_in) / GREATEST(o.amt_out, i.amt_in)
               ELSE CAST(0 AS DOUBLE) END
               AS pass_through,
             CASE WHEN o.first_out IS NOT NULL AND i.first_in IS NOT NULL
               AND o.last_out >= i.first_in
               THEN CAST(GREATEST(o.first_out - i.first_in, 0) AS DOUBLE)
               ELSE CAST(-1 AS DOUBLE) END
               AS dwell_s,
             CAST(COALESCE(o.night_out, 0) + COALESCE(i.night_in, 0) AS DOUBLE)
               / (COALESCE(o.n_out, 0) + COALESCE(i.n_in, 0)) AS night_share,
             CASE WHEN COALESCE(o.cents_out, 0) > 0
               THEN CAST(o.cash_cents AS DOUBLE) / o.cents_out
               ELSE CAST(0 AS DOUBLE) END
               AS cash_out_share,
             CAST(GREATEST(COALESCE(o.last_out, i.last_in), COALESCE(i.last_in, o.last_out))
               - LEAST(COALESCE(o.first_out, i.first_in), COALESCE(i.first_in, o.first_out))
               AS DOUBLE) AS active_s,
             CAST(s.t_end - LEAST(COALESCE(o.first_out, i.first_in),
               COALESCE(i.first_in, o.first_out)) AS DOUBLE) AS age_s
           FROM m_acc CROSS JOIN m_span s
           LEFT JOIN m_out o ON o.a = m_acc.a LEFT JOIN m_in i ON i.a = m_acc.a
           LEFT JOIN m_pair_out po ON po.a = m_acc.a LEFT JOIN m_pair_in pi ON pi.a = m_acc.a
           LEFT JOIN m_burst_out bo ON bo.a = m_acc.a LEFT JOIN m_burst_in bi ON bi.a = m_acc.a
           LEFT JOIN m_amounts am ON am.a = m_acc.a""",
    ),
    (
        "m_nb",
        "SELECT src AS a, dst AS b FROM m_pair UNION ALL SELECT dst AS a, src AS b FROM m_pair",
    ),
    (
        "m_nb_agg",
        """SELECT nb.a, AVG(f.n_out + f.n_in) AS nb_mean_degree,
             MAX(f.n_out + f.n_in) AS nb_max_degree,
             SUM(CASE WHEN f.odd_out + f.odd_in > 0 THEN 1 ELSE 0 END) AS nb_odd,
             AVG(CASE WHEN f.odd_out + f.odd_in > 0 THEN CAST(1 AS DOUBLE)
               ELSE CAST(0 AS DOUBLE) END) AS nb_odd_share,
             SUM(CASE WHEN f.amounts_out > 1 THEN 1 ELSE 0 END) AS nb_multi_amount,
             COUNT(*) AS nb_count
           FROM m_nb nb JOIN m_local f ON f.account_id = nb.b GROUP BY nb.a""",
    ),
)

_MATERIALIZED = frozenset({"m_e", "m_amt_counts", "m_pair", "m_local"})

_FEATURE_QUERY = """SELECT l.*, COALESCE(n.nb_mean_degree, 0.0) AS nb_mean_degree,
     COALESCE(n.nb_max_degree, 0) AS nb_max_degree, COALESCE(n.nb_odd, 0) AS nb_odd,
     COALESCE(n.nb_odd_share, 0.0) AS nb_odd_share,
     COALESCE(n.nb_multi_amount, 0) AS nb_multi_amount, COALESCE(n.nb_count, 0) AS nb_count
   FROM m_local l LEFT JOIN m_nb_agg n ON n.a = l.account_id ORDER BY l.account_id"""


def with_epoch_seconds(transfers: pa.Table) -> pa.Table:
    """``transfers`` plus ``t``: ``ts`` as whole seconds since 1970-01-01 UTC (int64)."""
    micros = pc.cast(transfers.column("ts"), pa.int64())
    return transfers.append_column("t", pc.divide(micros, 1_000_000))


def register_transfers(engine: AnalyticsEngine, transfers: pa.Table) -> None:
    """Register canonical transfers and the feature views on ``engine``."""
    engine.register("m_transfers", with_epoch_seconds(transfers))
    for name, sql in _VIEWS:
        if name in _MATERIALIZED:
            # Read by several later views: computed once, then registered as a table.
            engine.register(name, engine.query(sql))
        else:
            engine.alias(name, sql)


def edge_list(engine: AnalyticsEngine) -> pa.Table:
    """Distinct counterparty pairs ``src, dst, n, odd, t_first`` (transfers between them, odd
    ones among them, the first one's time), in no particular order."""
    return engine.query("SELECT src, dst, n, odd, t_first FROM m_pair")


def pair_graph(ids: list[str], edges: pa.Table) -> PairGraph:
    """The directed counterparty graph over ``ids`` (sorted), edges in (src, dst) order.

    Built once per run and shared by PageRank and the motif searches: at 10 million transfers
    building an igraph graph costs seconds. Sorting here (not in SQL) fixes the edge order
    whatever the engine and its threads did, so results are reproducible.
    """
    src = positions(ids, edges.column("src"))
    dst = positions(ids, edges.column("dst"))
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    graph = ig.Graph(n=len(ids), directed=True)
    graph.add_edges(np.column_stack([src, dst]))
    return PairGraph(
        graph,
        src,
        dst,
        pc.cast(edges.column("n"), pa.float64()).to_numpy(zero_copy_only=False)[order],
        pc.cast(edges.column("t_first"), pa.float64()).to_numpy(zero_copy_only=False)[order],
    )


def account_features(
    engine: AnalyticsEngine, transfers: pa.Table, *, known_mules: list[str] | None = None
) -> pa.Table:
    """One row per account seen in ``transfers``: ``account_id`` and every name in FEATURES.

    Float64 throughout so both engines agree on types. ``seeded_pagerank`` is personalized
    PageRank (damping 0.85) over the undirected counterparty graph, restarting at accounts
    with odd transfers and at ``known_mules``; scaled so a uniform restart scores 1. The motif
    features are :mod:`tatsai.analytics.money.motifs`'.
    """
    register_transfers(engine, transfers)
    table = engine.query(_FEATURE_QUERY)
    columns = {"account_id": table.column("account_id").cast(pa.string())}
    for name in _SQL_FEATURES:
        columns[name] = pc.cast(table.column(name), pa.float64())
    ids = columns["account_id"].to_pylist()
    odd = (pc.add(columns["odd_out"], columns["odd_in"])).to_numpy(zero_copy_only=False) > 0
    seeds = odd.copy()
    if known_mules:
        known = set(known_mules)
        seeds |= np.array([a in known for a in ids], dtype=bool)
    pairs = pair_graph(ids, edge_list(engine))
    columns["seeded_pagerank"] = pa.array(seeded_pagerank(pairs, seeds), pa.float64())
    for name, values in motif_features(engine, ids, odd, pairs).items():
        columns[name] = pa.array(values, pa.float64())
    return pa.table(columns)


def seeded_pagerank(pairs: PairGraph, seeds: np.ndarray) -> np.ndarray:
    """Personalized PageRank of each account restarting at ``seeds`` (bool mask), undirected,
    weighted by the transfers of each pair; a walker at an account without counterparties
    restarts. Power iteration on a sparse matrix (until the scores move less than 1e-13 in
    all): the same scores on every run (igraph's solver differed in the last bits between
    two calls on the same graph)."""
    n = int(pairs.graph.vcount())
    if n == 0 or not seeds.any():
        return np.zeros(n)
    both = np.concatenate([pairs.src, pairs.dst]), np.concatenate([pairs.dst, pairs.src])
    weights = sp.csr_matrix((np.concatenate([pairs.n, pairs.n]), both), shape=(n, n))
    strength = np.asarray(weights.sum(axis=1)).ravel()
    has = strength > 0
    reset = seeds.astype(float) / float(seeds.sum())
    score = reset.copy()
    for _ in range(1_000):
        walk = np.where(has, score / np.where(has, strength, 1.0), 0.0)
        stuck = float(score[~has].sum())
        new = 0.85 * (weights @ walk) + (0.15 + 0.85 * stuck) * reset
        done = float(np.abs(new - score).max()) < 1e-13
        score = new
        if done:
            break
    return np.asarray(score / score.sum() * n, dtype=float)


def feature_matrix(features: pa.Table, names: tuple[str, ...] = FEATURES) -> np.ndarray:
    """The named columns of a feature table as a float matrix (rows × features)."""
    if features.num_rows == 0:
        return np.zeros((0, len(names)))
    return np.column_stack(
        [features.column(n).to_numpy(zero_copy_only=False).astype(float) for n in names]
    )
