"""The model: trained on one hand-made world, saved as text + JSON, judged on another seed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tatsai.analytics.engine import open_engine
from tatsai.analytics.telco.evaluate import (
    _sampled_features,
    evaluate_world,
    first_scam_hours,
    train_on_world,
)
from tatsai.analytics.telco.features import FEATURES
from tatsai.analytics.telco.load import load_world
from tatsai.analytics.telco.model import (
    META_FILE,
    MODEL_FILE,
    ScamSimModel,
    _pick_threshold,
    heavy_allowance,
    labels_for,
    load_shipped,
    sim_level_curve,
)
from tatsai.analytics.telco.scan import compute, scan
from tatsai.core.errors import InvalidInput, NotFound
from tests.analytics.telco import world


@pytest.fixture(scope="module")
def trained(world_dir: Path) -> ScamSimModel:
    return train_on_world(world_dir, rounds=40)


def test_labels_leave_out_hours_before_the_first_scam_call(world_dir: Path) -> None:
    with open_engine("duckdb") as engine:
        load_world(engine, world_dir)
        features, _ = compute(engine)
    first = first_scam_hours(world_dir)
    label, keep = labels_for(features, first)
    rows = features.select(["imsi", "hour"]).to_pylist()
    for row, y, kept in zip(rows, label, keep, strict=True):
        if row["imsi"] in first:
            assert kept == (row["hour"] >= first[row["imsi"]])
            assert y == (1.0 if kept else 0.0)
        else:
            assert kept
            assert y == 0.0


def test_model_round_trips_through_text_and_json(trained: ScamSimModel, tmp_path: Path) -> None:
    trained.save(tmp_path)
    assert (tmp_path / MODEL_FILE).read_text().startswith("tree")
    meta = json.loads((tmp_path / META_FILE).read_text())
    assert meta["features"] == list(FEATURES)
    loaded = ScamSimModel.load(tmp_path)
    assert loaded.threshold == trained.threshold
    meta["features"] = ["calls_w"]
    (tmp_path / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(InvalidInput, match="retrain"):
        ScamSimModel.load(tmp_path)
    with pytest.raises(NotFound):
        ScamSimModel.load(tmp_path / "absent")


def test_model_trained_on_one_seed_finds_scammers_in_another(
    trained: ScamSimModel, tmp_path: Path
) -> None:
    other = world.write_world(tmp_path / "seed2", world.build_world(seed=2))
    with open_engine("duckdb") as engine:
        load_world(engine, other)
        result = scan(engine, model=trained)
    verdicts = {v.imsi: v for v in result.verdicts}
    assert result.scored_by == "model"
    for imsi in world.SCAMMERS:
        assert verdicts[imsi].is_suspect
        assert any(r.startswith("model: ") for r in verdicts[imsi].reasons)
    assert not verdicts[world.CALL_CENTRE].is_suspect
    report = evaluate_world(other, model=trained)
    by_name = {q.name: q for q in report.rows}
    assert by_name["model + rules"].recall >= 0.5
    assert by_name["model + rules"].precision >= 0.9
    assert by_name["baseline: > 100 calls/day"].heavy_flagged == 1  # the unregistered seller


def test_shipped_model_ranks_the_hand_made_scammers_first_and_spares_heavy_callers(
    world_dir: Path,
) -> None:
    model = load_shipped()
    assert model is not None
    assert model.meta["features"] == list(FEATURES)
    with open_engine("duckdb") as engine:
        load_world(engine, world_dir)
        result = scan(engine, model=model)
    suspects = {v.imsi for v in result.suspects()}
    bad = {*world.SCAMMERS, *world.SIM_BOX, world.SMS_BLASTER}
    assert suspects <= bad
    assert world.SMS_BLASTER in suspects
    assert len(suspects & set(world.SIM_BOX)) >= 6
    # The threshold (0.979) is strict: it is set so that no heavy legitimate caller of the
    # training world is flagged out of fold, with a margin. The three hand-made scammers (one
    # day of 25 short calls an hour from young SIMs) score 0.92-0.93 there, under it; they
    # still rank above every legitimate SIM, the call centre and the seller far below.
    score = {v.imsi: v.score for v in result.verdicts}
    legit = [s for imsi, s in score.items() if imsi not in bad]
    assert min(score[s] for s in world.SCAMMERS) >= 0.9
    assert min(score[s] for s in world.SCAMMERS) > max(legit)
    assert score[world.CALL_CENTRE] < 0.1
    assert score[world.TELESALES] < 0.1


def test_threshold_keeps_heavy_legit_callers_under_the_limit() -> None:
    features = pa.table({"imsi": ["S1", "S1", "H1", "O1", "S2"], "hour": [1, 2, 1, 1, 1]})
    scores = np.array([0.2, 0.95, 0.9, 0.3, 0.85])
    first = {"S1": 0, "S2": 0}
    loose, _ = _pick_threshold(features, scores, first, 0.5, frozenset(), 0.001)
    assert loose == 0.05  # every SIM flagged: precision 0.5 is enough
    strict, curve = _pick_threshold(features, scores, first, 0.5, frozenset({"H1"}), 0.001)
    assert strict == 0.91  # the lowest grid point above the heavy caller's 0.9
    assert {t: h for t, _, _, h in curve}[strict] == 0
    allowed, _ = _pick_threshold(features, scores, first, 0.5, frozenset({"H1"}), 1.0)
    assert allowed == 0.05


def test_training_records_the_heavy_callers_at_its_threshold(trained: ScamSimModel) -> None:
    assert trained.meta["heavy_callers"] == 2  # the call centre and the seller
    assert trained.meta["out_of_fold_at_threshold"]["heavy_flagged"] == 0
    assert trained.meta["heavy_weight"] == 1.0


def test_sampled_features_keep_whole_sims_and_weigh_the_drawn_ones() -> None:
    imsi = [f"O{i}" for i in range(400) for _ in range(2)] + ["S1", "S1", "H1"]
    batch = pa.RecordBatch.from_pydict({"imsi": imsi, "hour": list(range(len(imsi)))})
    table, weight = _sampled_features([batch], whole={"S1", "H1"}, sample=0.25, seed=7)
    kept = table.column("imsi").to_pylist()
    assert kept.count("S1") == 2
    assert kept.count("H1") == 1
    drawn = {s for s in kept if s.startswith("O")}
    assert 60 <= len(drawn) <= 140  # about a quarter of 400
    assert all(kept.count(s) == 2 for s in drawn)  # a drawn SIM keeps all its rows
    assert weight.tolist() == [1.0 if s in {"S1", "H1"} else 4.0 for s in kept]
    again, _ = _sampled_features([batch], whole={"S1", "H1"}, sample=0.25, seed=7)
    assert again.column("imsi").to_pylist() == kept  # seeded


def test_sampled_ordinary_sims_count_by_their_weight_in_precision() -> None:
    features = pa.table({"imsi": ["S1", "O1", "O2"], "hour": [1, 1, 1]})
    scores = np.array([0.9, 0.9, 0.1])
    first = {"S1": 0}
    plain = sim_level_curve(features, scores, first, np.array([0.5]))
    weighted = sim_level_curve(
        features, scores, first, np.array([0.5]), sim_weight=np.array([1.0, 4.0, 4.0])
    )
    assert plain[0][1] == 0.5  # one scam SIM, one ordinary SIM flagged
    assert weighted[0][1] == 0.2  # the flagged ordinary SIM stands for four


def test_training_on_a_sample_records_it(world_dir: Path) -> None:
    model = train_on_world(world_dir, rounds=20, sample=0.5)
    assert model.meta["sample"] == 0.5
    assert model.meta["scam_sims"] == len(first_scam_hours(world_dir))
    with pytest.raises(InvalidInput):
        train_on_world(world_dir, rounds=20, sample=0.0)


def test_heavy_allowance_leaves_a_margin_for_the_next_world() -> None:
    assert heavy_allowance(2700, 0.001, None) == pytest.approx(2.7)
    assert heavy_allowance(2700, 0.001, 0.9) == 0  # 1 of 2,700 could be 0.14% next time
    assert heavy_allowance(20_000, 0.001, 0.9) == 13  # 20 expected: 13 keeps 90% under it
    assert heavy_allowance(20_000, 0.001, 0.5) > heavy_allowance(20_000, 0.001, 0.9)
    features = pa.table({"imsi": ["S1", "H1", "H2"], "hour": [1, 1, 1]})
    scores = np.array([0.95, 0.9, 0.5])
    heavy = frozenset({f"H{i}" for i in range(1, 2001)})  # 2 000 heavy callers, 2 seen
    plain, _ = _pick_threshold(features, scores, {"S1": 0}, 0.5, heavy, 0.001)
    sure, _ = _pick_threshold(features, scores, {"S1": 0}, 0.5, heavy, 0.001, heavy_confidence=0.9)
    assert plain == 0.51  # one heavy caller flagged (precision 0.5), within 0.1% of 2 000 (2)
    assert sure == 0.91  # with a margin, none may be


@pytest.mark.parametrize(
    ("meta", "model_text"),
    [
        (b"\xff\xfe not json", None),  # metadata neither UTF-8 nor JSON
        (b"[1, 2]", None),  # JSON, but not an object
        (None, "not a model"),  # our metadata beside a file that is no LightGBM model
        (None, "tree\nversion=v4\n"),  # a LightGBM header and nothing else
    ],
)
def test_unreadable_model_folder_is_invalid_input(
    world_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    meta: bytes | None,
    model_text: str | None,
) -> None:
    import shutil

    from tatsai.analytics.telco.model import shipped_model_dir
    from tatsai.cli import main

    folder = tmp_path / "model"
    shutil.copytree(shipped_model_dir(), folder)
    if meta is not None:
        (folder / META_FILE).write_bytes(meta)
    if model_text is not None:
        (folder / MODEL_FILE).write_text(model_text)
    with pytest.raises(InvalidInput) as info:
        ScamSimModel.load(folder)
    assert info.value.field == "model"
    out = tmp_path / "o.csv"
    with pytest.raises(SystemExit) as done:
        main(
            [
                "telco",
                "scan",
                "--data",
                str(world_dir),
                "--output",
                str(out),
                "--model",
                str(folder),
            ]
        )
    assert done.value.code == 2
    assert capsys.readouterr().err.startswith("error (model):")
    assert not out.exists()
