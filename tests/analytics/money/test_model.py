from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pytest

from tatsai.analytics.engine import open_engine
from tatsai.analytics.money.features import account_features
from tatsai.analytics.money.model import MuleModel, f1_score, train
from tatsai.analytics.money.service import label_vector, score_accounts
from tatsai.cli import main
from tatsai.core.errors import InvalidInput

from .conftest import World


def labels(world: World, table) -> np.ndarray:  # type: ignore[no-untyped-def]
    return label_vector(table, dict.fromkeys(world.mules, 1))


@pytest.fixture(scope="module")
def trained(small_world: World) -> MuleModel:
    with open_engine("duckdb") as engine:
        feats = account_features(engine, small_world.transfers)
    return train([feats], [labels(small_world, feats)])


def test_model_finds_mules_in_another_world(trained: MuleModel, other_world: World) -> None:
    with open_engine("duckdb") as engine:
        scores = score_accounts(engine, other_world.transfers, trained)
    flagged = {
        a
        for a, m in zip(
            scores.column("account_id").to_pylist(),
            scores.column("is_mule").to_pylist(),
            strict=True,
        )
        if m
    }
    y = np.array([a in other_world.mules for a in scores.column("account_id").to_pylist()])
    assert (
        f1_score(
            y.astype(int), np.array([a in flagged for a in scores.column("account_id").to_pylist()])
        )
        >= 0.9
    )
    reasons = [
        r
        for r, m in zip(
            scores.column("reasons").to_pylist(), scores.column("is_mule").to_pylist(), strict=True
        )
        if m
    ]
    assert all(r for r in reasons)


def test_save_load_round_trip_without_pickle(
    trained: MuleModel, tmp_path: Path, small_world: World
) -> None:
    path = tmp_path / "mule.lgb.txt"
    trained.save(path)
    assert path.read_text().startswith("tree")
    meta = json.loads((tmp_path / "mule.lgb.txt.json").read_text())
    assert meta["threshold"] == trained.threshold
    again = MuleModel.load(path)
    with open_engine("duckdb") as engine:
        feats = account_features(engine, small_world.transfers)
    assert again.predict(feats) == pytest.approx(trained.predict(feats))
    meta["features"] = ["n_out"]
    (tmp_path / "mule.lgb.txt.json").write_text(json.dumps(meta))
    with pytest.raises(InvalidInput):
        MuleModel.load(path)


def test_a_model_edited_after_it_was_saved_is_refused(trained: MuleModel, tmp_path: Path) -> None:
    path = tmp_path / "mule.lgb.txt"
    trained.save(path)
    text = path.read_text(encoding="utf-8")
    at = text.index("leaf_value=") + len("leaf_value=")
    digit = next(i for i in range(at, len(text)) if text[i].isdigit())
    swapped = "1" if text[digit] != "1" else "2"  # same length: LightGBM would load it
    path.write_text(text[:digit] + swapped + text[digit + 1 :], encoding="utf-8")
    with pytest.raises(InvalidInput, match="does not match the checksum") as info:
        MuleModel.load(path)
    assert info.value.field == "model"


def test_training_needs_both_classes(small_world: World) -> None:
    with open_engine("duckdb") as engine:
        feats = account_features(engine, small_world.transfers)
    with pytest.raises(InvalidInput):
        train([feats], [np.zeros(feats.num_rows)])


def test_cli_train_score_evidence_freeze(
    small_world: World, other_world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, world in (("a", small_world), ("b", other_world)):
        pacsv.write_csv(world.transfers, tmp_path / f"{name}.csv")
        with (tmp_path / f"{name}_labels.csv").open("w") as handle:
            handle.write("account_id,is_mule\n")
            for acct in sorted(set(world.transfers.column("src_account").to_pylist())):
                handle.write(f"{acct},{int(acct in world.mules)}\n")
    model = tmp_path / "m" / "mule.lgb.txt"
    with pytest.raises(SystemExit) as done:
        main(
            [
                "money",
                "train",
                "--transfers",
                str(tmp_path / "a.csv"),
                "--labels",
                str(tmp_path / "a_labels.csv"),
                "--model",
                str(model),
            ]
        )
    assert done.value.code == 0
    out = tmp_path / "scores.csv"
    (tmp_path / "known.txt").write_text("account_id\n" + sorted(other_world.mules)[0] + "\n")
    with pytest.raises(SystemExit) as done:
        main(
            [
                "money",
                "score",
                "--transfers",
                str(tmp_path / "b.csv"),
                "--model",
                str(model),
                "--output",
                str(out),
                "--evidence",
                str(tmp_path / "ev.csv"),
                "--freeze",
                str(tmp_path / "freeze.csv"),
                "--known-mules",
                str(tmp_path / "known.txt"),
                "--rings",
                str(tmp_path / "rings.csv"),
            ]
        )
    assert done.value.code == 0
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert list(rows[0]) == ["account_id", "score", "is_mule", "reasons"]
    seen = set(other_world.transfers.column("src_account").to_pylist()) | {
        a for a in other_world.transfers.column("dst_account").to_pylist() if a
    }
    assert {r["account_id"] for r in rows} == seen
    evidence = list(csv.DictReader((tmp_path / "ev.csv").read_text().splitlines()))
    assert evidence
    assert {e["channel"] for e in evidence} == {"analysis:money"}
    assert {e["type"] for e in evidence} == {"bank_account"}
    assert {e["value"] for e in evidence} <= seen  # already in the canonical form
    freeze = list(csv.DictReader((tmp_path / "freeze.csv").read_text().splitlines()))
    assert {f["bank"] for f in freeze} <= {"002", "004", "014"}
    flagged = {r["account_id"] for r in rows if r["is_mule"] == "1"}
    rings = list(csv.DictReader((tmp_path / "rings.csv").read_text().splitlines()))
    assert rings
    assert {r["account_id"] for r in rings} <= flagged
    for ring_id in {r["ring_id"] for r in rings}:
        members = [r["account_id"] for r in rings if r["ring_id"] == ring_id]
        assert ring_id == min(members)
        assert len(members) == int(next(r["ring_size"] for r in rings if r["ring_id"] == ring_id))


def test_cli_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "t.csv"
    bad.write_text(
        "txn_id,ts,src_account,dst_account,amount_thb,channel\n"
        "a,2026-03-01T10:00:00Z,004-1111111111,,-3,atm_withdrawal\n"
    )
    with pytest.raises(SystemExit) as done:
        main(["money", "trace", "--transfers", str(bad), "--txn", "a"])
    assert done.value.code == 2
    assert "row 1" in capsys.readouterr().err


def test_precision_threshold_by_hand() -> None:
    from tatsai.analytics.money.model import precision_threshold

    y = np.array([1, 1, 0, 1, 0, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    # ≥ 0.6 flags 4 rows with 3 mules (0.75); ≥ 0.8 flags 2 with 2 (1.0).
    assert precision_threshold(y, scores, 0.75) == 0.6
    assert precision_threshold(y, scores, 0.9) == 0.8
    assert precision_threshold(np.zeros(6), scores, 0.9) == 1.0


@pytest.mark.parametrize(
    ("sidecar", "model_text"),
    [
        (b"\xff\xfe not json", "tree\n"),  # sidecar neither UTF-8 nor JSON
        (b"[1, 2]", "tree\n"),  # JSON, but not an object
        (None, "not a model"),  # our sidecar beside a file that is no LightGBM model
        (None, "tree\nversion=v4\n"),  # a LightGBM header and nothing else
    ],
)
def test_unreadable_model_files_are_invalid_input(
    trained: MuleModel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sidecar: bytes | None,
    model_text: str,
) -> None:
    path = tmp_path / "mule.lgb.txt"
    trained.save(path)
    if sidecar is not None:
        (tmp_path / "mule.lgb.txt.json").write_bytes(sidecar)
    path.write_text(model_text)
    with pytest.raises(InvalidInput) as info:
        MuleModel.load(path)
    assert info.value.field == "model"
    transfers = tmp_path / "t.csv"
    transfers.write_text(
        "txn_id,ts,src_account,dst_account,amount_thb,channel\n"
        "a,2026-03-01T10:00:00Z,004-1111111111,,3,atm_withdrawal\n"
    )
    args = ["--transfers", str(transfers), "--model", str(path), "--output", str(tmp_path / "o")]
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["money", "score", *args])
    assert done.value.code == 2
    assert capsys.readouterr().err.startswith("error (model):")


def test_too_few_labelled_accounts_is_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    transfers = tmp_path / "t.csv"
    transfers.write_text(
        "txn_id,ts,src_account,dst_account,amount_thb,channel\n"
        "a,2026-03-01T10:00:00Z,004-0000000001,004-0000000002,1000,transfer\n"
        "b,2026-03-01T10:05:00Z,004-0000000002,004-0000000003,900,transfer\n"
    )
    labels = tmp_path / "labels.csv"
    labels.write_text("account_id,is_mule\n004-0000000001,1\n004-0000000002,0\n004-0000000003,0\n")
    model = tmp_path / "m" / "mule.lgb.txt"
    with pytest.raises(SystemExit) as done:
        main(["money", "train", "--transfers", str(transfers), "--labels", str(labels),
              "--model", str(model)])  # fmt: skip
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error (labels): 3 labelled accounts are too few")
    assert err.count("\n") == 1
    assert not model.exists()
