"""One suite, two engines: the scan, border cells, holders and spoofed prefixes give equal
answers on DuckDB and on Spark (the Spark run skips without pyspark/Java, fails in CI)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tatsai.analytics.engine import AnalyticsEngine, open_engine
from tatsai.analytics.telco import export, rules
from tatsai.analytics.telco.border import rank_border_cells
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
