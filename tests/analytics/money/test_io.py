from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from tatsai.analytics.money.io import LoadReport, load_transfers
from tatsai.core.errors import InvalidInput
from tatsai.sim.schemas import ACCOUNTS
from tests.conftest import require_shared_data

HEADER = "txn_id,ts,src_account,dst_account,amount_thb,channel\n"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "transfers.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_negative_amount_stops_with_row_number(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a,2026-03-01T10:00:00Z,004-1111111111,014-2222222222,100.0,transfer\n"
        "b,2026-03-01T10:05:00Z,004-1111111111,014-2222222222,-5,transfer\n",
    )
    with pytest.raises(InvalidInput, match="row 2") as info:
        load_transfers(path)
    assert info.value.field == "transfers.amount_thb"


def test_skip_bad_rows_keeps_the_valid_ones_and_lists_the_rest(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a,2026-03-01T10:00:00Z,004-1111111111,014-2222222222,100.0,transfer\n"
        "b,2026-03-01T10:05:00Z,004-1111111111,014-2222222222,0,transfer\n"
        "c,2026-03-01T10:06:00Z,004-1111111111,,300,atm_withdrawal\n",
    )
    report = LoadReport()
    table = load_transfers(path, skip_bad_rows=True, report=report)
    assert table.column("txn_id").to_pylist() == ["a", "c"]
    assert [(b.row, b.column) for b in report.bad_rows] == [(2, "amount_thb")]


def test_non_numeric_amount_and_duplicate_ids_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "a,2026-03-01T10:00:00Z,004-1111111111,014-2222222222,ten,transfer\n")
    with pytest.raises(InvalidInput, match="row 1"):
        load_transfers(path)
    path = write(
        tmp_path,
        "a,2026-03-01T10:00:00Z,004-1111111111,014-2222222222,10,transfer\n"
        "a,2026-03-01T10:01:00Z,004-1111111111,014-2222222222,10,transfer\n",
    )
    with pytest.raises(InvalidInput):
        load_transfers(path)
    assert load_transfers(path, skip_bad_rows=True).num_rows == 1


def test_unknown_accounts_and_time_going_backwards(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a,2026-03-01T10:00:00Z,004-1111111111,014-2222222222,100.0,transfer\n"
        "b,2026-03-01T10:05:00Z,004-1111111111,014-9999999999,50,transfer\n"
        "c,2025-01-01T10:06:00Z,004-1111111111,014-2222222222,30,transfer\n",
    )
    opened = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    accounts = pa.Table.from_pylist(
        [
            {"account_id": "004-1111111111", "bank": "004", "holder_id": "h1",
             "opened_at": opened, "kind": "personal"},
            {"account_id": "014-2222222222", "bank": "014", "holder_id": "h2",
             "opened_at": opened, "kind": "personal"},
        ],
        schema=ACCOUNTS.schema,
    )  # fmt: skip
    with pytest.raises(InvalidInput, match=r"row 2.*unknown account"):
        load_transfers(path, accounts=accounts)
    report = LoadReport()
    table = load_transfers(path, accounts=accounts, skip_bad_rows=True, report=report)
    assert table.column("txn_id").to_pylist() == ["a"]
    reasons = {(b.row, b.reason.split(":")[0]) for b in report.bad_rows}
    assert reasons == {(2, "unknown account"), (3, "time goes backwards")}


def test_amlsim_layout_maps_columns(tmp_path: Path) -> None:
    path = tmp_path / "transactions.csv"
    path.write_text("sourceNodeId,targetNodeId,value,time\n1,2,10.5,3\n2,3,x,4\n", "utf-8")
    with pytest.raises(InvalidInput, match="row 2"):
        load_transfers(path, layout="amlsim")
    table = load_transfers(path, layout="amlsim", skip_bad_rows=True)
    assert table.to_pylist()[0]["src_account"] == "1"
    assert table.to_pylist()[0]["ts"] == dt.datetime(2020, 1, 4, tzinfo=dt.UTC)


def test_amlsim_sample_loads() -> None:
    root = require_shared_data("amlsim_ibm_20k_samples")
    table = load_transfers(root / "20K_cycle200" / "transactions.csv", layout="amlsim")
    assert table.num_rows == 117_805


def test_unknown_layout_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tatsai.cli import main

    path = write(tmp_path, "a,2026-03-01T10:00:00Z,004-1111111111,014-2222222222,100.0,transfer\n")
    with pytest.raises(InvalidInput) as info:
        load_transfers(path, layout="foo")
    assert info.value.field == "layout"
    with pytest.raises(SystemExit) as done:
        main(["money", "trace", "--transfers", str(path), "--txn", "a", "--layout", "foo"])
    assert done.value.code == 2
    assert capsys.readouterr().err.strip() == (
        "error (layout): unknown layout 'foo'; use canonical, amlsim"
    )


def test_infinite_amount_is_refused(tmp_path: Path) -> None:
    # 1e400 is a valid-looking float that overflows to inf; AMLSim's loader reads "inf" as one.
    path = write(tmp_path, "a,2026-03-01T10:00:00Z,004-1111111111,014-2222222222,1e400,transfer\n")
    with pytest.raises(InvalidInput, match="row 1") as info:
        load_transfers(path)
    assert info.value.field == "transfers.amount_thb"
    amlsim = tmp_path / "transactions.csv"
    amlsim.write_text("sourceNodeId,targetNodeId,value,time\n1,2,5,1\n1,2,inf,1\n")
    with pytest.raises(InvalidInput, match="row 2"):
        load_transfers(amlsim, layout="amlsim")


@pytest.mark.parametrize("step", ["-1", "999999999999", "99999999999999999999"])
def test_amlsim_step_out_of_range_is_refused(tmp_path: Path, step: str) -> None:
    amlsim = tmp_path / "transactions.csv"
    amlsim.write_text(f"sourceNodeId,targetNodeId,value,time\n1,2,5,1\n1,2,5,{step}\n")
    with pytest.raises(InvalidInput, match="row 2") as info:
        load_transfers(amlsim, layout="amlsim")
    assert info.value.field == "transfers.ts"
    report = LoadReport()
    kept = load_transfers(amlsim, layout="amlsim", skip_bad_rows=True, report=report)
    assert kept.num_rows == 1
    assert [bad.row for bad in report.bad_rows] == [2]


def test_labels_and_known_mules_that_are_not_utf8_name_the_option_and_line(
    tmp_path: Path,
) -> None:
    from tatsai.analytics.money.service import read_known_mules, read_labels

    labels = tmp_path / "labels.csv"
    labels.write_bytes(b"account_id,is_mule\n004-1111111111,1\n004-\xa72,0\n")
    with pytest.raises(InvalidInput) as info:
        read_labels(labels)
    assert (info.value.field, info.value.detail.split(":")[0]) == ("labels", f"{labels} line 3")
    mules = tmp_path / "mules.txt"
    mules.write_bytes(b"004-1111111111\n\xa7\n")
    with pytest.raises(InvalidInput) as info:
        read_known_mules(mules)
    assert (info.value.field, info.value.detail.split(":")[0]) == ("known_mules", f"{mules} line 2")
