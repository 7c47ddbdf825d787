"""One engine layer for tabular analytics: DuckDB in-process by default, PySpark for scale.

Queries are written once, in DuckDB's SQL dialect, and run unchanged on DuckDB; the Spark
engine translates them with sqlglot and runs them on a SparkSession. Results come back as
Arrow tables on both, so callers compare answers directly. Tables are registered by name
from Parquet (a file or a folder of parts), CSV with a header, or an Arrow table.

Both engines run in UTC, so timestamp arithmetic and ``date_trunc`` agree.
"""

from __future__ import annotations

import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import duckdb
import pyarrow as pa

from tatsai.core.errors import InvalidInput

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

EngineName = Literal["duckdb", "spark"]
ENGINES: tuple[EngineName, ...] = ("duckdb", "spark")


class AnalyticsEngine(ABC):
    """A place to run portable SQL over named tables."""

    name: EngineName

    @abstractmethod
    def register(self, name: str, source: Path | str | pa.Table) -> None:
        """Make ``source`` queryable as ``name`` (replacing an earlier table of that name)."""

    @abstractmethod
    def query(self, sql: str) -> pa.Table:
        """Run ``sql`` (DuckDB dialect) and return the whole result as an Arrow table."""

    def query_batches(self, sql: str, batch_rows: int = 500_000) -> Iterator[pa.RecordBatch]:
        """Run ``sql`` and yield its result in order, in record batches of at most
        ``batch_rows`` rows, so a caller can fold a large result without holding it whole.
        Run no other query on the engine until the iteration ends. (This default collects the
        whole result first; engines that can stream override it.)"""
        yield from self.query(sql).to_batches(max_chunksize=batch_rows)

    @abstractmethod
    def alias(self, name: str, sql: str) -> None:
        """Make the query ``sql`` (DuckDB dialect) queryable as ``name``, a lazy view: nothing
        is computed or copied until a query reads it."""

    def close(self) -> None:  # noqa: B027 - optional hook, most engines need nothing
        """Release what the engine holds."""

    def __enter__(self) -> AnalyticsEngine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def check_parquet(path: Path) -> None:
    """Refuse ``path`` (a Parquet file, or a folder of parts) unless the footer of every part
    reads: an empty, truncated or non-Parquet part is bad input naming that part. Both engines
    read parts lazily, so without this a bad part surfaces as an internal error of whichever
    query first touches it."""
    import pyarrow.parquet as pq

    parts = sorted(p for p in path.rglob("*.parquet") if p.is_file()) if path.is_dir() else [path]
    for part in parts:
        try:
            pq.read_metadata(part)
        except (pa.ArrowInvalid, OSError) as exc:
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InvalidInput(f"{part}: cannot be read as parquet: {why}", field="path") from exc


def _checked_source(path: Path) -> Literal["parquet", "csv"]:
    """What ``path`` holds, after checking it exists and, for Parquet, that every part reads."""
    if not path.exists():
        raise InvalidInput(f"{path} does not exist", field="path")
    kind = _source_kind(path)
    if kind == "parquet":
        check_parquet(path)
    return kind


def _source_kind(path: Path) -> Literal["parquet", "csv"]:
    if path.is_dir():
        if any(path.rglob("*.parquet")):
            return "parquet"
        if any(path.rglob("*.csv")):
            return "csv"
        raise InvalidInput(f"{path} holds no .parquet or .csv files", field="path")
    if path.suffix == ".parquet":
        return "parquet"
    if path.suffix == ".csv":
        return "csv"
    raise InvalidInput(
        f"{path}: expected a .parquet or .csv file, or a folder of them", field="path"
    )


def _check_name(name: str) -> str:
    if not name.isidentifier():
        raise InvalidInput(f"table name {name!r} is not an identifier", field="name")
    return name


def check_memory_limit(text: str | None) -> str | None:
    """``text`` when it is a size DuckDB reads (e.g. 6GB, 512MiB); bad input otherwise."""
    if text is not None and not re.fullmatch(r"\d+(\.\d+)?\s*([KMGT]i?B)", text.strip()):
        raise InvalidInput(f"memory limit {text!r}: use a size such as 6GB", field="memory_limit")
    return text


class DuckDBEngine(AnalyticsEngine):
    """DuckDB in-process. ``threads`` and ``memory_limit`` default to DuckDB's own choice.

    What DuckDB spills to disk goes to a temporary folder of the engine's own (under
    ``TATSAI_SPILL_DIR`` when set, else the system's temporary folder), removed on close, never
    to the caller's working directory (DuckDB's default, ``.tmp``)."""

    name: EngineName = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        config: dict[str, Any] = {}
        if threads:
            config["threads"] = threads
        if check_memory_limit(memory_limit):
            config["memory_limit"] = memory_limit
        self._spill = tempfile.TemporaryDirectory(
            prefix="tatsai-duckdb-", dir=os.environ.get("TATSAI_SPILL_DIR") or None
        )
        config["temp_directory"] = self._spill.name
        self.con = duckdb.connect(config=config)
        # After connecting: the built-in ICU extension must load before the zone can be set.
        self.con.execute("SET TimeZone = 'UTC'")
        self._arrow: dict[str, pa.Table] = {}

    def register(self, name: str, source: Path | str | pa.Table) -> None:
        name = _check_name(name)
        if isinstance(source, pa.Table):
            self._arrow[name] = source
            self.con.register(name, source)
            return
        path = Path(source)
        kind = _checked_source(path)
        pattern = str(path / "**" / f"*.{kind}") if path.is_dir() else str(path)
        reader = "read_parquet" if kind == "parquet" else "read_csv_auto"
        # DDL takes no parameters: the name is a checked identifier, the path a quoted literal.
        literal = pattern.replace("'", "''")
        ddl = f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM {reader}('{literal}')"  # noqa: S608
        try:
            self.con.execute(ddl)
        except (duckdb.InvalidInputException, duckdb.IOException) as exc:
            # Unreadable (Parquet parts were checked above; this is DuckDB's own refusal):
            # say so in one line; DuckDB's message quotes the DDL.
            why = str(exc).splitlines()[0]
            raise InvalidInput(f"{path}: cannot be read as {kind}: {why}", field="path") from exc

    def query(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def query_batches(self, sql: str, batch_rows: int = 500_000) -> Iterator[pa.RecordBatch]:
        # Streamed: DuckDB hands over one batch at a time, spilling what it must keep to disk.
        reader = self.con.sql(sql).to_arrow_reader(batch_rows)
        try:
            yield from reader
        finally:
            reader.close()

    def alias(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE VIEW {_check_name(name)} AS {sql}")

    def close(self) -> None:
        self.con.close()
        self._spill.cleanup()


def to_spark_sql(sql: str) -> str:
    """``sql`` in DuckDB's dialect translated to Spark SQL."""
    import sqlglot

    statements = sqlglot.transpile(sql, read="duckdb", write="spark")
    if len(statements) != 1:
        raise InvalidInput("one SQL statement at a time", field="sql")
    return statements[0]


_SPARK: SparkSession | None = None


def spark_session() -> SparkSession:
    """The process's local SparkSession (started once: Spark cannot restart cheaply)."""
    global _SPARK
    if _SPARK is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise InvalidInput(
                "the Spark engine needs the spark extra: pip install 'tatsai[spark]'",
                field="engine",
            ) from exc
        master = os.environ.get("TATSAI_SPARK_MASTER", "local[2]")
        _SPARK = (
            SparkSession.builder.master(master)
            .appName("tatsai")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", os.environ.get("TATSAI_SPARK_PARTITIONS", "4"))
            .config("spark.ui.enabled", "false")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.driver.memory", os.environ.get("TATSAI_SPARK_DRIVER_MEMORY", "4g"))
            .getOrCreate()
        )
        _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def stop_spark() -> None:
    """Stop the process's SparkSession, if one runs, and free its JVM."""
    global _SPARK
    if _SPARK is not None:
        _SPARK.stop()
        _SPARK = None


class SparkEngine(AnalyticsEngine):
    """PySpark (local mode unless ``TATSAI_SPARK_MASTER`` says otherwise)."""

    name: EngineName = "spark"

    def __init__(self) -> None:
        self.spark = spark_session()
        self._views: list[str] = []

    def register(self, name: str, source: Path | str | pa.Table) -> None:
        name = _check_name(name)
        if isinstance(source, pa.Table):
            frame = self.spark.createDataFrame(source)
        else:
            path = Path(source)
            kind = _checked_source(path)
            # Only the parts DuckDB's glob reads (``**/*.parquet``): not a note or checksum
            # beside them, which Spark would otherwise read as a part.
            reader = self.spark.read.option("recursiveFileLookup", "true").option(
                "pathGlobFilter", f"*.{kind}"
            )
            if kind == "parquet":
                frame = reader.parquet(str(path))
            else:
                frame = reader.option("header", "true").option("inferSchema", "true").csv(str(path))
        frame.createOrReplaceTempView(name)
        self._views.append(name)

    def query(self, sql: str) -> pa.Table:
        table: pa.Table = self.spark.sql(to_spark_sql(sql)).toArrow()
        return table

    def alias(self, name: str, sql: str) -> None:
        name = _check_name(name)
        self.spark.sql(to_spark_sql(sql)).createOrReplaceTempView(name)
        self._views.append(name)

    def close(self) -> None:
        for name in self._views:
            self.spark.catalog.dropTempView(name)
        self._views.clear()


def spark_available() -> tuple[bool, str]:
    """Whether the Spark engine can run here, and if not, why."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False, "pyspark is not installed (the spark extra)"
    import shutil

    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return False, "no Java runtime (Spark needs Java 17)"
    return True, ""


def open_engine(name: EngineName = "duckdb", **options: Any) -> AnalyticsEngine:
    """An engine by name: ``duckdb`` (default, embedded) or ``spark``."""
    if name == "duckdb":
        return DuckDBEngine(**options)
    if name == "spark":
        return SparkEngine()
    raise InvalidInput(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}", field="engine")
