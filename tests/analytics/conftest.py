"""Engine fixtures: every analytics test that takes ``analytics_engine`` runs on DuckDB and on
Spark. Spark runs when pyspark and Java are present, skips with the reason otherwise, and
fails when ``TATSAI_REQUIRE_SPARK=1`` (as in CI)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tatsai.analytics.engine import (
    ENGINES,
    AnalyticsEngine,
    open_engine,
    spark_available,
    stop_spark,
)

# Test data is tiny: a small driver heap keeps the JVM from crowding a 2-core, 24 GB machine.
os.environ.setdefault("TATSAI_SPARK_DRIVER_MEMORY", "1g")


def require_spark() -> None:
    ok, why = spark_available()
    if not ok:
        if os.environ.get("TATSAI_REQUIRE_SPARK") == "1":
            pytest.fail(f"Spark is required (TATSAI_REQUIRE_SPARK=1) but {why}")
        pytest.skip(why)


@pytest.fixture(params=ENGINES)
def analytics_engine(request: pytest.FixtureRequest) -> Iterator[AnalyticsEngine]:
    if request.param == "spark":
        require_spark()
    with open_engine(request.param) as engine:
        yield engine


@pytest.fixture(scope="package", autouse=True)
def _stop_spark_after_analytics() -> Iterator[None]:
    """The JVM is not needed by the rest of the suite: stop it when the analytics tests end."""
    yield
    stop_spark()
