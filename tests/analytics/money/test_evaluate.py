"""The simulator-world evaluation: mule scores on a world of another seed, trace recovery."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tatsai.analytics.money.evaluate import evaluate_worlds, recall_at_precision, render_world
from tatsai.cli import main

from .conftest import World


def write_world(folder: Path, world: World) -> Path:
    folder.mkdir()
    pq.write_table(world.transfers, folder / "transfers.parquet")
    mules = sorted(world.mules)
    pq.write_table(
        pa.table(
            {
                "account_id": pa.array(mules, pa.string()),
                "gang_id": pa.array(["g1"] * len(mules), pa.string()),
                "layer": pa.array([1] * len(mules), pa.int32()),
            }
        ),
        folder / "truth_mule_accounts.parquet",
    )
    src = dict(
        zip(
            world.transfers.column("txn_id").to_pylist(),
            world.transfers.column("src_account").to_pylist(),
            strict=True,
        )
    )
    pq.write_table(
        pa.table(
            {
                "txn_id": pa.array(world.victim_txns, pa.string()),
                "victim_account": pa.array([src[t] for t in world.victim_txns], pa.string()),
                "report_id": pa.array([None] * len(world.victim_txns), pa.string()),
            }
        ),
        folder / "truth_victim_transfers.parquet",
    )
    return folder


def test_recall_at_precision_by_hand() -> None:
    y = np.array([1, 1, 0, 1, 0, 0])
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    # Top 2: precision 1, recall 2/3; top 4: precision 0.75 (below 0.9).
    assert recall_at_precision(y, score) == pytest.approx(2 / 3)
    assert recall_at_precision(y, score, floor=0.75) == 1.0
    # Ties go in together: the top two tie with a non-mule, precision 2/3 only.
    tied = np.array([0.9, 0.9, 0.9, 0.6, 0.5, 0.4])
    assert recall_at_precision(y, tied) == 0.0


def test_worlds_mules_and_trace_recovery(
    tmp_path: Path, small_world: World, other_world: World
) -> None:
    train = write_world(tmp_path / "train", small_world)
    test = write_world(tmp_path / "test", other_world)
    result = evaluate_worlds(train, test)
    assert result.mules == len(other_world.mules)
    assert result.victims == len(other_world.victim_txns)
    ours = result.models[-1]
    assert ours.recall >= 0.8
    assert ours.precision >= 0.8
    # The rings pass the money on among mules to an ATM: all of it stays on the path.
    assert result.recovered.min() >= 0.95
    assert result.recovered_amount >= 0.95
    for rule in ("libr", "earmark", "earmark-run", "earmark-keep"):
        other = result.traces[rule]
        assert len(other.recovered) == result.victims
        assert other.recovered.min() >= 0.95
    text = "\n".join(render_world(result, train, test))
    assert "traces recover ≥ 95 % of each victim's money path — **met**" in text
    assert "| FIFO (default) |" in text
    assert "| LIBR |" in text
    assert "Under LIBR (`--attribution libr`): **met**" in text
    assert "| earmark |" in text
    single = "Under earmarking of single outflows (`--attribution earmark --earmark-run 1`)"
    assert f"{single}: **met**" in text
    assert "| earmark + runs (≤ 4 outflows) |" in text
    assert "Under earmarking with runs (`--attribution earmark --earmark-run 4`): **met**" in text
    assert "| earmark + runs (≤ 4 outflows), cut kept |" in text
    kept = "Under earmarking with runs, keeping each mule's cut (`--attribution earmark"
    assert f"{kept} --earmark-run 4 --earmark-cut keep`): **met**" in text


def test_worlds_recovery_drops_when_the_path_is_not_mules(
    tmp_path: Path, small_world: World, other_world: World
) -> None:
    # Label only first-layer accounts as the gang's: money passed on is off the path.
    train = write_world(tmp_path / "train", small_world)
    layer1 = World(
        other_world.transfers,
        {a for a in other_world.mules if a.startswith("004-")},
        other_world.accounts,
        other_world.victim_txns,
    )
    test = write_world(tmp_path / "test", layer1)
    result = evaluate_worlds(train, test)
    assert result.recovered.max() < 0.2


def test_cli_eval_needs_both_worlds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["money", "eval", "--amlsim", str(tmp_path), "--train-world", str(tmp_path)])
    assert done.value.code == 2
    assert "--test-world" in capsys.readouterr().err
