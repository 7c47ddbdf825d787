"""One suite, two engines: the scan, border cells, holders and spoofed prefixes give equal
answers on DuckDB and on Spark (the Spark run skips without pyspark/Java, fails in CI)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from tatsai.analytics.engine import AnalyticsEngine, open_engine
from tatsai.analytics.telco import export, rules
from tatsai.analytics.telco.border import rank_border_cells
from tatsai.analytics.telco.features import PACK, unpack_high, unpack_low
from tatsai.analytics.telco.linkage import link_reports
from tatsai.analytics.telco.load import load_world
from tatsai.analytics.telco.scan import compute, score


def _answers(engine: AnalyticsEngine, world_dir: Path) -> dict[str, Any]:
    load_world(engine, world_dir)
    features, summary = compute(engine)
    result = score(features, summary)
    return {
        "features": features.to_pylist(),
        "summary": summary,
        "verdicts": result.verdicts,
        "border": rank_border_cells(engine, result),
        "links": link_reports(engine, result),
        "holders": engine.query(rules.HOLDERS_SQL).to_pylist(),
        "prefixes": export.spoofed_prefixes(engine),
    }


def _close(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_close(left[k], right[k]) for k in left)
    return bool(left == right)


@pytest.fixture
def one_partition(analytics_engine: AnalyticsEngine) -> Iterator[AnalyticsEngine]:
    """Spark on a few thousand rows: one shuffle partition halves the time of every query."""
    spark = getattr(analytics_engine, "spark", None)
    if spark is None:
        yield analytics_engine
        return
    before = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", "1")
    try:
        yield analytics_engine
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", before)


def test_same_answers_on_every_engine(one_partition: AnalyticsEngine, world_dir: Path) -> None:
    got = _answers(one_partition, world_dir)
    with open_engine("duckdb") as reference:
        want = _answers(reference, world_dir)
    assert len(got["features"]) == len(want["features"]) > 100
    for left, right in zip(got["features"], want["features"], strict=True):
        assert _close(left, right), (left, right)
    for key in ("summary", "verdicts", "border", "links", "holders", "prefixes"):
        assert got[key] == want[key], key
    assert any(v.is_suspect for v in got["verdicts"])


def test_packed_counts_unpack_exactly_at_their_limits(analytics_engine: AnalyticsEngine) -> None:
    """Two counts summed as one BIGINT come back exactly, up to 2**31 - 1 each, on both engines."""
    pairs = [(0, 0), (1, 0), (0, 1), (3, 2**32 - 1), (2**31 - 1, 2**32 - 1), (123_456, 7)]
    analytics_engine.register(
        "pairs", pa.table({"hi": [h for h, _ in pairs], "lo": [lo for _, lo in pairs]})
    )
    packed, summed = f"hi * {PACK} + lo", f"SUM(hi * {PACK} + lo)"
    rows = analytics_engine.query(
        f"SELECT hi, lo, {unpack_high(packed)} AS h, {unpack_low(packed)} AS l "  # noqa: S608
        "FROM pairs ORDER BY hi, lo"
    ).to_pylist()
    assert [(r["h"], r["l"]) for r in rows] == sorted(pairs)
    # A sum of packed rows is the packed pair of sums while the low sum stays below PACK.
    total = analytics_engine.query(
        f"SELECT {unpack_high(summed)} AS h, {unpack_low(summed)} AS l "  # noqa: S608
        "FROM pairs WHERE hi < 1000000 AND lo < 1000000"
    ).to_pylist()[0]
    small = [p for p in pairs if p[0] < 1_000_000 and p[1] < 1_000_000]
    assert (total["h"], total["l"]) == (sum(h for h, _ in small), sum(lo for _, lo in small))
