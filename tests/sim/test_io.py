"""The loaders reject broken inputs with the file, row and column, and accept good ones."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tatsai.core.errors import InvalidInput, NotFound
from tatsai.sim.io import ReadStats, iter_table, read_table, read_world
from tatsai.sim.schemas import CDR, REPORTS, TRANSFERS

HEADER = "event_id,ts,kind,a_msisdn,b_msisdn,a_imsi,a_imei,cell_id,duration_s,answered,direction"
GOOD = [
    "1,2026-03-02T01:00:00Z,call,+66811111111,+66822222222,520031234567890,356938035643809,"
    "520-03-1000-010001,30,true,mo",
    "2,2026-03-02T08:05:00+07:00,sms,+66811111111,+66833333333,520031234567890,"
    "356938035643809,520-03-1000-010001,0,true,mo",
]


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_good_csv_reads_with_canonical_types(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "cdr.csv", GOOD), CDR)
    assert table.schema == CDR.schema
    assert table.column("ts").to_pylist() == [
        datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 1, 5, tzinfo=UTC),  # +07:00 converted to UTC
    ]
    assert table.column("a_imsi")[0].as_py() == "520031234567890"


@pytest.mark.parametrize(
    ("column", "bad", "message"),
    [
        ("duration_s", "thirty", "'thirty' is not a valid int32"),
        ("answered", "maybe", "'maybe' is not a valid bool"),
        ("kind", "fax", "'fax' is not one of call, sms"),
        ("ts", "2026-03-02T01:00:00", "is not a valid timestamp"),
        ("a_msisdn", "", "missing value in a required column"),
        ("duration_s", "99999999999", "out of range for int32"),
    ],
)
def test_bad_csv_value_names_file_row_and_column(
    tmp_path: Path, column: str, bad: str, message: str
) -> None:
    cells = GOOD[1].split(",")
    cells[HEADER.split(",").index(column)] = bad
    path = write_csv(tmp_path / "cdr.csv", [GOOD[0], ",".join(cells)])
    with pytest.raises(InvalidInput) as info:
        read_table(path, CDR)
    assert info.value.field == f"cdr.{column}"
    assert f"{path} row 2" in info.value.detail
    assert message in info.value.detail


def test_skip_bad_rows_keeps_the_good_ones(tmp_path: Path) -> None:
    bad = GOOD[1].replace(",sms,", ",fax,")
    stats = ReadStats()
    path = write_csv(tmp_path / "cdr.csv", [GOOD[0], bad])
    table = read_table(path, CDR, skip_bad_rows=True, stats=stats)
    assert table.column("event_id").to_pylist() == [1]
    assert (stats.rows_read, stats.rows_skipped) == (1, 1)


def test_missing_column_and_column_map(tmp_path: Path) -> None:
    header = HEADER.replace("a_msisdn", "caller")
    path = write_csv(tmp_path / "cdr.csv", GOOD, header=header)
    with pytest.raises(InvalidInput, match="column is missing") as info:
        read_table(path, CDR)
    assert info.value.field == "cdr.a_msisdn"
    table = read_table(path, CDR, column_map={"caller": "a_msisdn"})
    assert table.column("a_msisdn")[0].as_py() == "+66811111111"


def test_duplicate_key_across_parts(tmp_path: Path) -> None:
    folder = tmp_path / "cdr"
    folder.mkdir()
    write_csv(folder / "part-00000.csv", GOOD)
    write_csv(folder / "part-00001.csv", [GOOD[1]])
    with pytest.raises(InvalidInput, match="duplicate key 2") as info:
        read_table(folder, CDR)
    assert info.value.field == "cdr.event_id"
    assert read_table(folder, CDR, skip_bad_rows=True).num_rows == 2
    parts = list(iter_table(folder, CDR))  # part by part: each part alone is fine
    assert [p.num_rows for p in parts] == [2, 1]


def test_parquet_naive_timestamps_are_rejected(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "cdr.csv", GOOD), CDR)
    naive = table.set_column(1, "ts", table.column("ts").cast(pa.timestamp("us")))
    pq.write_table(naive, tmp_path / "cdr.parquet")
    with pytest.raises(InvalidInput, match="carry no timezone") as info:
        read_table(tmp_path / "cdr.parquet", CDR)
    assert info.value.field == "cdr.ts"


def test_parquet_casts_exact_types_and_finds_null_rows(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "cdr.csv", GOOD), CDR)
    wide = table.set_column(8, "duration_s", table.column("duration_s").cast(pa.int64()))
    bangkok = wide.set_column(
        1, "ts", wide.column("ts").cast(pa.timestamp("ms", tz="Asia/Bangkok"))
    )
    pq.write_table(bangkok, tmp_path / "ok.parquet")
    assert read_table(tmp_path / "ok.parquet", CDR).equals(table)
    holed = table.set_column(7, "cell_id", pa.array(["520-03-1000-010001", None]))
    pq.write_table(holed, tmp_path / "holed.parquet")
    with pytest.raises(InvalidInput, match=r"holed.parquet row 2: missing value"):
        read_table(tmp_path / "holed.parquet", CDR)


def test_nullable_columns_accept_empty_fields(tmp_path: Path) -> None:
    header = "txn_id,ts,src_account,dst_account,amount_thb,channel"
    rows = ["T1,2026-03-02T01:00:00Z,004-0000000001,,20000.00,atm_withdrawal"]
    table = read_table(write_csv(tmp_path / "t.csv", rows, header), TRANSFERS)
    assert table.column("dst_account").to_pylist() == [None]
    rows = ["T1,2026-03-02T01:00:00Z,004-0000000001,,NaN,atm_withdrawal"]
    with pytest.raises(InvalidInput, match="not a valid double"):
        read_table(write_csv(tmp_path / "t.csv", rows, header), TRANSFERS)


def test_unreadable_and_absent_inputs(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        read_table(tmp_path / "nope.parquet", REPORTS)
    (tmp_path / "reports.parquet").write_bytes(b"not parquet")
    with pytest.raises(InvalidInput, match="cannot be read"):
        read_table(tmp_path / "reports.parquet", REPORTS)
    with pytest.raises(NotFound, match="holds none"):
        read_world(tmp_path / "empty" if (tmp_path / "empty").mkdir() is None else tmp_path)
    with pytest.raises(NotFound, match="'cdr' is missing"):
        read_world(tmp_path, ["cdr"])


@pytest.mark.parametrize(
    ("header", "row", "line"),
    [
        (HEADER, GOOD[1].replace("mo", "m\xf3"), 3),  # Latin-1 in a value
        (HEADER.replace("kind", "k\xefnd"), GOOD[1], 1),  # in the header (Arrow decodes it late)
    ],
)
def test_csv_that_is_not_utf8_names_the_line(
    tmp_path: Path, header: str, row: str, line: int
) -> None:
    path = tmp_path / "cdr.csv"
    path.write_bytes("\n".join([header, GOOD[0], row]).encode("latin-1") + b"\n")
    with pytest.raises(InvalidInput) as info:
        read_table(path, CDR)
    assert info.value.field == "cdr"
    assert info.value.detail.startswith(f"{path} line {line}: not UTF-8 text (byte 0x")


def test_schema_doc_is_current() -> None:
    from tatsai.sim.schemadoc import render

    doc = Path(__file__).resolve().parents[2] / "docs" / "schemas.md"
    assert doc.read_text(encoding="utf-8") == render(), "run python -m tatsai.sim.schemadoc"
