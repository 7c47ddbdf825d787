"""Bad input: clear errors naming file and row; --skip-bad-rows leaves bad records out."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tatsai.analytics.engine import open_engine
from tatsai.analytics.telco.load import load_world
from tatsai.core.errors import InvalidInput, NotFound
from tests.analytics.telco import world
from tests.analytics.telco.world import write_world


def _world(tmp_path: Path, tables: dict[str, pa.Table]) -> Path:
    return write_world(tmp_path / "w", dict(tables))


def test_missing_table_and_folder(tmp_path: Path, world_tables: dict[str, pa.Table]) -> None:
    with open_engine("duckdb") as engine, pytest.raises(NotFound, match="missing"):
        load_world(
            engine, _world(tmp_path, {k: v for k, v in world_tables.items() if k != "cells"})
        )
    with open_engine("duckdb") as engine, pytest.raises(NotFound):
        load_world(engine, tmp_path / "nowhere")


def test_missing_column_names_file_and_column(
    tmp_path: Path, world_tables: dict[str, pa.Table]
) -> None:
    tables = dict(world_tables)
    tables["subscribers"] = tables["subscribers"].drop_columns(["holder_id"])
    with open_engine("duckdb") as engine, pytest.raises(InvalidInput) as err:
        load_world(engine, _world(tmp_path, tables))
    assert "subscribers.parquet" in err.value.detail
    assert err.value.field == "subscribers.holder_id"


def test_unknown_cell_names_file_and_row(tmp_path: Path, world_tables: dict[str, pa.Table]) -> None:
    cdr = world_tables["cdr"]
    cells = cdr.column("cell_id").to_pylist()
    bad_row = cdr.num_rows - 3  # in the second part
    cells[bad_row] = "NOWHERE"
    tables = dict(world_tables, cdr=cdr.set_column(7, "cell_id", pa.array(cells)))
    folder = _world(tmp_path, tables)
    with open_engine("duckdb") as engine, pytest.raises(InvalidInput) as err:
        load_world(engine, folder)
    half = cdr.num_rows // 2
    assert f"part-00001.parquet row {bad_row - half + 1}" in err.value.detail
    assert "'NOWHERE'" in err.value.detail
    assert err.value.field == "cdr.cell_id"
    with open_engine("duckdb") as engine:
        loaded = load_world(engine, folder, skip_bad_rows=True)
        n = engine.query("SELECT COUNT(*) AS n FROM cdr").column("n")[0].as_py()
    assert loaded.skipped_rows == 1
    assert loaded.skipped_why == {"unknown cell": 1}
    assert n == cdr.num_rows - 1


def test_unparseable_timestamp_in_csv(tmp_path: Path, world_tables: dict[str, pa.Table]) -> None:
    folder = _world(tmp_path, {k: v for k, v in world_tables.items() if k != "cdr"})
    rows = world_tables["cdr"].slice(0, 50).to_pylist()
    path = folder / "cdr.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for i, row in enumerate(rows):
            row["ts"] = "not a time" if i == 41 else row["ts"].isoformat().replace("+00:00", "Z")
            row["answered"] = str(row["answered"]).lower()
            writer.writerow(row)
    with open_engine("duckdb") as engine, pytest.raises(InvalidInput) as err:
        load_world(engine, folder)
    assert f"{path} row 42: 'not a time' is not a valid timestamp" in err.value.detail
    assert err.value.field == "cdr.ts"
    with open_engine("duckdb") as engine:
        loaded = load_world(engine, folder, skip_bad_rows=True)
        n = engine.query("SELECT COUNT(*) AS n FROM cdr").column("n")[0].as_py()
    assert (loaded.skipped_rows, n) == (1, 49)


def test_bad_direction_is_named(tmp_path: Path, world_tables: dict[str, pa.Table]) -> None:
    cdr = world_tables["cdr"]
    direction = cdr.column("direction").to_pylist()
    direction[0] = "sideways"
    tables = dict(world_tables, cdr=cdr.set_column(10, "direction", pa.array(direction)))
    folder = _world(tmp_path, tables)
    pq.write_table(tables["cdr"], folder / "cdr" / "part-00000.parquet")
    with open_engine("duckdb") as engine, pytest.raises(InvalidInput, match="row 1: direction"):
        load_world(engine, folder)


def test_telco_scan_on_a_cdr_that_is_not_parquet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tatsai.cli import main

    folder = world.write_world(tmp_path / "w", world.build_world(seed=1))
    for part in (folder / "cdr").iterdir():
        part.write_bytes(b"\x00\x01\xff not parquet")
    with pytest.raises(SystemExit) as done:
        main(["telco", "scan", "--data", str(folder), "--output", str(tmp_path / "o.csv")])
    assert done.value.code == 2
    assert capsys.readouterr().err.startswith("error (path):")


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
@pytest.mark.parametrize("content", [b"", b"\x00\x01\xff not parquet"])
def test_telco_scan_names_the_one_bad_cdr_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str, content: bytes
) -> None:
    """One empty or non-Parquet part among good ones: one line naming it, exit 2, on both
    engines (not an internal error from the first query that reads it)."""
    from tatsai.cli import main
    from tests.analytics.conftest import require_spark

    if engine == "spark":
        require_spark()
    folder = world.write_world(tmp_path / "w", world.build_world(seed=1))
    bad = sorted((folder / "cdr").iterdir())[-1]
    bad.write_bytes(content)
    args = ["--data", str(folder), "--output", str(tmp_path / "o.csv"), "--engine", engine]
    with pytest.raises(SystemExit) as done:
        main(["telco", "scan", *args])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error (path): {bad}: cannot be read as parquet")
    assert err.count("\n") == 1
