"""The engine layer gives the same answers on DuckDB and Spark."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tatsai.analytics.engine import AnalyticsEngine, check_parquet, open_engine, to_spark_sql
from tatsai.core.errors import InvalidInput

UTC = dt.UTC


def _calls() -> pa.Table:
    ts = [
        dt.datetime(2026, 11, 1, h, m, tzinfo=UTC) for h, m in [(0, 5), (0, 50), (1, 10), (23, 59)]
    ]
    return pa.table(
        {
            "a": ["+6681", "+6681", "+6682", "+6681"],
            "b": ["+6690", "+6691", "+6690", "+6690"],
            "ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
            "duration_s": pa.array([5, 120, 0, 30], pa.int32()),
        }
    )


QUERY = """
SELECT a,
       count(*) AS calls,
       count(DISTINCT b) AS callees,
       sum(CASE WHEN duration_s < 10 THEN 1 ELSE 0 END) AS short_calls,
       min(date_trunc('hour', ts)) AS first_hour
FROM calls GROUP BY a ORDER BY a
"""


def test_same_answer_from_arrow(analytics_engine: AnalyticsEngine) -> None:
    analytics_engine.register("calls", _calls())
    result = analytics_engine.query(QUERY).to_pylist()
    assert result == [
        {
            "a": "+6681",
            "calls": 3,
            "callees": 2,
            "short_calls": 1,
            "first_hour": dt.datetime(2026, 11, 1, 0, 0, tzinfo=UTC),
        },
        {
            "a": "+6682",
            "calls": 1,
            "callees": 1,
            "short_calls": 1,
            "first_hour": dt.datetime(2026, 11, 1, 1, 0, tzinfo=UTC),
        },
    ]


def test_same_answer_from_parquet_parts(analytics_engine: AnalyticsEngine, tmp_path: Path) -> None:
    calls = _calls()
    folder = tmp_path / "calls"
    folder.mkdir()
    pq.write_table(calls.slice(0, 2), folder / "part-0.parquet")
    pq.write_table(calls.slice(2), folder / "part-1.parquet")
    analytics_engine.register("calls", folder)
    rows = analytics_engine.query(
        "SELECT count(*) AS n, sum(duration_s) AS s FROM calls"
    ).to_pylist()
    assert rows == [{"n": 4, "s": 155}]


def test_alias_is_a_lazy_view_over_registered_tables(analytics_engine: AnalyticsEngine) -> None:
    analytics_engine.register("calls", _calls())
    analytics_engine.alias("long_calls", "SELECT a, duration_s FROM calls WHERE duration_s >= 30")
    rows = analytics_engine.query(
        "SELECT a, count(*) AS n FROM long_calls GROUP BY a ORDER BY a"
    ).to_pylist()
    assert rows == [{"a": "+6681", "n": 2}]
    with pytest.raises(InvalidInput):
        analytics_engine.alias("not a name", "SELECT 1")


def test_missing_source_is_a_clear_error(tmp_path: Path) -> None:
    with open_engine("duckdb") as engine, pytest.raises(InvalidInput, match="does not exist"):
        engine.register("calls", tmp_path / "nope.parquet")


@pytest.mark.parametrize("content", [b"", b"\x00\x01\xff not parquet"])
@pytest.mark.parametrize("layout", ["file", "one bad part"])
def test_unreadable_parquet_is_invalid_input_when_registered(
    analytics_engine: AnalyticsEngine, tmp_path: Path, content: bytes, layout: str
) -> None:
    """Refused when registered, on both engines, naming the bad part; not later, by the first
    query, as an internal error (both engines read Parquet lazily)."""
    if layout == "file":
        source = bad = tmp_path / "calls.parquet"
    else:
        source = tmp_path / "calls"
        source.mkdir()
        pq.write_table(_calls(), source / "part-0.parquet")
        bad = source / "part-1.parquet"
    bad.write_bytes(content)
    with pytest.raises(InvalidInput, match="cannot be read as parquet") as e:
        analytics_engine.register("calls", source)
    assert e.value.field == "path"
    assert str(bad) in e.value.detail
    assert "\n" not in e.value.detail


def test_parquet_check_needs_no_engine(tmp_path: Path) -> None:
    """The check is Arrow's footer read: it runs before any engine (or JVM) is involved."""
    folder = tmp_path / "calls"
    (folder / "day=1").mkdir(parents=True)
    pq.write_table(_calls(), folder / "day=1" / "part-0.parquet")
    check_parquet(folder)  # good parts pass
    (folder / "day=1" / "part-1.parquet").write_bytes(b"PAR1 truncated")
    with pytest.raises(InvalidInput, match=r"part-1\.parquet: cannot be read as parquet"):
        check_parquet(folder)


def test_only_parquet_parts_are_read_from_a_folder(
    analytics_engine: AnalyticsEngine, tmp_path: Path
) -> None:
    """A stray file beside the parts (a note, a checksum) is not a part, on either engine."""
    folder = tmp_path / "calls"
    (folder / "november").mkdir(parents=True)
    pq.write_table(_calls().slice(0, 1), folder / "part-0.parquet")
    pq.write_table(_calls().slice(1), folder / "november" / "part-1.parquet")
    (folder / "README.txt").write_text("exported 2026-11-02\n")
    analytics_engine.register("calls", folder)
    assert analytics_engine.query("SELECT count(*) AS n FROM calls").to_pylist() == [{"n": 4}]


def test_unknown_engine() -> None:
    with pytest.raises(InvalidInput, match="unknown engine"):
        open_engine("oracle")  # type: ignore[arg-type]


def test_translation_to_spark_keeps_the_meaning() -> None:
    spark_sql = to_spark_sql("SELECT epoch(ts) AS e, median(x) AS m FROM t GROUP BY 1")
    assert "UNIX" in spark_sql.upper() or "EPOCH" not in spark_sql.upper()


def test_query_batches_stream_the_whole_result_in_order(analytics_engine: AnalyticsEngine) -> None:
    analytics_engine.register("calls", _calls())
    sql = "SELECT a, b, duration_s FROM calls ORDER BY duration_s DESC"
    batches = list(analytics_engine.query_batches(sql, batch_rows=3))
    assert [b.num_rows for b in batches] == [3, 1]
    streamed = pa.Table.from_batches(batches).to_pylist()
    assert streamed == analytics_engine.query(sql).to_pylist()
    assert [r["duration_s"] for r in streamed] == [120, 30, 5, 0]


def test_duckdb_spills_to_its_own_folder_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work, spill = tmp_path / "work", tmp_path / "spill"
    work.mkdir()
    spill.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TATSAI_SPILL_DIR", str(spill))
    engine = open_engine("duckdb", memory_limit="64MB", threads=1)
    with engine:
        folder = Path(engine.query("SELECT current_setting('temp_directory') AS d")["d"][0].as_py())
        assert folder.parent == spill
        # Sorting ~200 MB of rows under a 64 MB limit must spill, and only into that folder.
        total = engine.query(
            "SELECT count(*) AS n FROM (SELECT i, repeat('x', 20) AS s FROM range(8000000) t(i) "
            "ORDER BY s, i DESC)"
        )["n"][0].as_py()
        assert total == 8_000_000
    assert not folder.exists()
    assert list(work.iterdir()) == []
