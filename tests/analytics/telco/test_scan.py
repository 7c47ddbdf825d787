"""Scoring in batches: each SIM keeps its deciding row, whatever the batch size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pytest

from tatsai.analytics.engine import open_engine
from tatsai.analytics.telco import rules
from tatsai.analytics.telco.features import FEATURES
from tatsai.analytics.telco.load import load_world
from tatsai.analytics.telco.model import ScamSimModel, feature_matrix, load_shipped
from tatsai.analytics.telco.scan import compute, scan, score


def _deciding_hours(
    features: pa.Table, scores: npt.NDArray[np.float64], threshold: float
) -> dict[str, int]:
    """Reference: first row at or above the threshold, else the first highest-scoring row."""
    chosen: dict[str, int] = {}
    flagged: set[str] = set()
    for i, sim in enumerate(features.column("imsi").to_pylist()):
        if sim in flagged:
            continue
        if scores[i] >= threshold:
            chosen[sim] = i
            flagged.add(sim)
        elif sim not in chosen or scores[i] > scores[chosen[sim]]:
            chosen[sim] = i
    hours = features.column("hour").to_pylist()
    return {sim: hours[i] for sim, i in chosen.items()}


@pytest.mark.parametrize("scorer", ["rules", "model"])
def test_every_batch_size_gives_the_same_verdicts_and_deciding_rows(
    world_dir: Path, scorer: str
) -> None:
    model: ScamSimModel | None = load_shipped() if scorer == "model" else None
    if scorer == "model" and model is None:
        pytest.skip("no shipped model")
    with open_engine("duckdb") as engine:
        load_world(engine, world_dir)
        features, summary = compute(engine)
        streamed = scan(engine, model=model, batch_rows=5)
    if model is not None:
        scores, threshold = model.predict(feature_matrix(features)), model.threshold
    else:
        columns = {n: features.column(n).to_numpy(zero_copy_only=False) for n in FEATURES}
        scores = rules.rule_scores(rules.fired_matrix(columns))
        threshold = rules.RULE_THRESHOLD
    expected = _deciding_hours(features, np.asarray(scores, float), threshold)
    whole = score(features, summary, model=model, batch_rows=features.num_rows)
    assert len({r["imsi"] for r in summary}) > 5  # several SIMs, so batches of 1 and 5 split them
    for batch_rows in (1, 5, features.num_rows):
        result = score(features, summary, model=model, batch_rows=batch_rows)
        assert result.verdicts == whole.verdicts
        kept = result.features.select(["imsi", "hour"]).to_pylist()
        assert {r["imsi"]: r["hour"] for r in kept} == expected
        assert result.features.num_rows == len(expected)
    assert any(v.is_suspect for v in whole.verdicts)
    assert streamed.verdicts == whole.verdicts
