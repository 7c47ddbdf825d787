"""The simulated world: deterministic, schema-valid, and its truth agrees with its tables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tatsai.sim.generate import simulate
from tatsai.sim.io import read_world
from tatsai.sim.schemas import TABLES


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world") / "w"
    simulate(out, scale="small", days=3, seed=11)
    return out


@pytest.fixture(scope="module")
def world(world_dir: Path) -> dict[str, pa.Table]:
    return read_world(world_dir)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


def test_same_seed_same_bytes_other_seed_other_world(tmp_path: Path) -> None:
    simulate(tmp_path / "a", scale="small", days=1, seed=5)
    simulate(tmp_path / "b", scale="small", days=1, seed=5)
    simulate(tmp_path / "c", scale="small", days=1, seed=6)
    first = files(tmp_path / "a")
    assert first == files(tmp_path / "b")
    assert first["cdr/part-00000.parquet"] != files(tmp_path / "c")["cdr/part-00000.parquet"]


def test_every_table_is_written_and_valid(world_dir: Path, world: dict[str, pa.Table]) -> None:
    assert set(world) == set(TABLES)
    for name, table in world.items():
        assert table.schema == TABLES[name].schema, name
    assert (world_dir / "cdr" / "part-00002.parquet").exists()
    assert world["cdr"].num_rows > 100_000


def test_csv_world_reads_back_equal(tmp_path: Path) -> None:
    simulate(tmp_path / "p", scale="small", days=1, seed=2)
    simulate(tmp_path / "c", scale="small", days=1, seed=2, fmt="csv")
    parquet, csv = read_world(tmp_path / "p"), read_world(tmp_path / "c")
    for name in ("cdr", "transfers", "reports", "truth_scam_sims", "subscribers"):
        assert csv[name].equals(parquet[name]), name


def test_events_are_sorted_and_keys_unique(world: dict[str, pa.Table]) -> None:
    ts = world["cdr"].column("ts").cast(pa.int64()).to_numpy()
    assert (np.diff(ts) >= 0).all()
    assert pc.count_distinct(world["cdr"].column("event_id")).as_py() == world["cdr"].num_rows


def test_every_scam_sim_belongs_to_a_gang_and_exists(world: dict[str, pa.Table]) -> None:
    sims = world["truth_scam_sims"]
    assert sims.num_rows > 0
    assert sims.column("gang_id").null_count == 0
    subscribers = set(world["subscribers"].column("imsi").to_pylist())
    assert set(sims.column("imsi").to_pylist()) <= subscribers
    cdr = world["cdr"]
    for imsi, first in zip(
        sims.column("imsi").to_pylist()[:10],
        sims.column("first_scam_ts").to_pylist()[:10],
        strict=True,
    ):
        mine = cdr.filter(pc.equal(cdr.column("a_imsi"), imsi))
        assert pc.min(mine.column("ts")).as_py() <= first  # callbacks may not precede a call


def test_every_sim_box_imei_carries_several_imsis(world: dict[str, pa.Table]) -> None:
    boxes = world["truth_sim_boxes"]
    assert boxes.num_rows >= 1
    devices = world["devices"]
    for imei in boxes.column("imei").to_pylist():
        carried = devices.filter(pc.equal(devices.column("imei"), imei)).column("imsi")
        assert pc.count_distinct(carried).as_py() >= 4


def test_every_victim_transfer_reaches_a_mule(world: dict[str, pa.Table]) -> None:
    victims = world["truth_victim_transfers"]
    assert victims.num_rows > 0
    transfers = world["transfers"]
    paid = transfers.filter(pc.is_in(transfers.column("txn_id"), victims.column("txn_id")))
    assert paid.num_rows == victims.num_rows
    mules = world["truth_mule_accounts"]
    layer1 = mules.filter(pc.equal(mules.column("layer"), 1)).column("account_id")
    assert pc.all(pc.is_in(paid.column("dst_account"), layer1)).as_py()
    by_txn = dict(
        zip(paid.column("txn_id").to_pylist(), paid.column("src_account").to_pylist(), strict=True)
    )
    for txn, victim in zip(
        victims.column("txn_id").to_pylist(),
        victims.column("victim_account").to_pylist(),
        strict=True,
    ):
        assert by_txn[txn] == victim


def test_mules_are_known_accounts_and_money_moves_on(world: dict[str, pa.Table]) -> None:
    mules = world["truth_mule_accounts"]
    accounts = set(world["accounts"].column("account_id").to_pylist())
    assert set(mules.column("account_id").to_pylist()) <= accounts
    transfers = world["transfers"]
    out_of_mules = transfers.filter(
        pc.is_in(transfers.column("src_account"), mules.column("account_id"))
    )
    channels = set(out_of_mules.column("channel").to_pylist())
    assert channels & {"atm_withdrawal", "crypto_exchange", "cross_border"}


def test_reports_link_to_victims_and_include_wrong_ones(world: dict[str, pa.Table]) -> None:
    reports = world["reports"]
    truth = set(reports.column("truth").to_pylist())
    assert "true" in truth
    assert {"false", "malicious"} & truth
    linked = world["truth_victim_transfers"].column("report_id").drop_null()
    assert set(linked.to_pylist()) <= set(reports.column("report_id").to_pylist())
    phones = reports.filter(pc.equal(reports.column("indicator_type"), "phone"))
    assert pc.all(pc.starts_with(phones.column("indicator_value"), "+66")).as_py()


def test_scam_sms_carry_campaign_and_link(world: dict[str, pa.Table]) -> None:
    sms = world["sms_content"]
    scam = sms.filter(pc.equal(sms.column("label"), "scam"))
    assert scam.num_rows > 0
    assert scam.column("campaign_id").null_count == 0
    campaigns = set(world["truth_campaigns"].column("campaign_id").to_pylist())
    assert set(scam.column("campaign_id").to_pylist()) <= campaigns
    assert {"ham", "spam"} <= set(sms.column("label").to_pylist())


def test_heavy_legit_callers_overlap_scam_sims_in_daily_calls(world: dict[str, pa.Table]) -> None:
    """A naive 100-calls-a-day rule is not enough: legit SIMs cross it, scam SIMs stay under."""
    cdr = world["cdr"].filter(pc.equal(world["cdr"].column("kind"), "call"))
    counts = cdr.group_by("a_imsi").aggregate([("event_id", "count")])
    per = dict(
        zip(
            counts.column("a_imsi").to_pylist(),
            counts.column("event_id_count").to_pylist(),
            strict=True,
        )
    )
    roles = world["truth_roles"]
    legit = [
        r
        for r, role in zip(
            roles.column("imsi").to_pylist(), roles.column("role").to_pylist(), strict=True
        )
        if role in ("call_centre", "delivery_rider")
    ]
    scam = world["truth_scam_sims"].column("imsi").to_pylist()
    assert sum(per.get(i, 0) > 300 for i in legit) > 0  # over 100 a day for 3 days
    assert sum(per.get(i, 0) < 100 for i in scam) > 0  # quiet or short-lived scam SIMs


def test_cells_border_distance_is_computed(world: dict[str, pa.Table]) -> None:
    cells = world["cells"]
    km = cells.column("border_km").to_numpy()
    assert km.min() < 5
    assert km.max() > 200
    bangkok = cells.filter(pc.equal(cells.column("province"), "Bangkok")).column("border_km")
    assert 100 < pc.min(bangkok).as_py() < 200


def test_cli_writes_a_world_and_rejects_bad_options(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "tatsai", "simulate", "--out", str(tmp_path / "w")]
    ok = subprocess.run(
        [*cmd, "--days", "1", "--seed", "3"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert "truth_scam_sims" in ok.stdout
    bad = subprocess.run([*cmd, "--format", "xml"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error (format): format must be one of parquet, csv"
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.txt").write_text("keep me", encoding="utf-8")
    cmd[-1] = str(tmp_path / "mine")
    refused = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert refused.returncode == 2
    assert "is not a simulated world" in refused.stderr
    assert (tmp_path / "mine" / "thesis.txt").exists()


def test_cli_refusal_is_exactly_one_line(tmp_path: Path) -> None:
    # The progress display is not started for a refused input: no blank line before the error.
    cmd = [sys.executable, "-m", "tatsai", "simulate", "--out", str(tmp_path / "w")]
    bad = subprocess.run([*cmd, "--format", "xml"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert bad.stderr == "error (format): format must be one of parquet, csv\n"


def test_report_values_are_clean_indicators(world: dict[str, pa.Table]) -> None:
    from tatsai.indicators.types import get_type

    reports = world["reports"]
    pairs = zip(
        reports.column("indicator_type").to_pylist(),
        reports.column("indicator_value").to_pylist(),
        strict=True,
    )
    for itype, value in pairs:
        assert get_type(itype).clean(value) == value


def test_start_date_is_local_midnight_in_bangkok(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    simulate(tmp_path / "w", scale="small", days=1, seed=1, start=datetime(2026, 1, 5, tzinfo=UTC))
    ts = read_world(tmp_path / "w", ["cdr"])["cdr"].column("ts")
    assert pc.min(ts).as_py() >= datetime(2026, 1, 4, 17, 0, tzinfo=UTC)
    assert pc.max(ts).as_py() < datetime(2026, 1, 5, 17, 0, tzinfo=UTC)
