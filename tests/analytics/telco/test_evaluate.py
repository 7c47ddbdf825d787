"""The evaluation streams the hourly features: its figures equal those from the whole table."""

from __future__ import annotations

from pathlib import Path

import pytest

from tatsai.analytics.engine import open_engine
from tatsai.analytics.telco.evaluate import (
    EvalReport,
    _read_truth,
    evaluate_world,
    first_scam_times,
    measure,
)
from tatsai.analytics.telco.linkage import link_reports
from tatsai.analytics.telco.load import load_world
from tatsai.analytics.telco.model import ScamSimModel, load_shipped
from tatsai.analytics.telco.scan import compute, score


def _whole_table_report(data: Path, model: ScamSimModel | None) -> EvalReport:
    """Reference: the evaluation as it was before streaming — the whole hourly feature table
    and the summary collected, then scored by each scorer in turn."""
    first_scam = first_scam_times(data)
    roles = {str(r["imsi"]): str(r["role"]) for r in _read_truth(data, "truth_roles") or []}
    with open_engine("duckdb") as engine:
        load_world(engine, data)
        features, summary = compute(engine)
        n_cdr = int(engine.query("SELECT COUNT(*) AS n FROM cdr").column("n")[0].as_py())
        results = [score(features, summary, model=model)] if model is not None else []
        results.append(score(features, summary, model=None))
        truth_of = {
            str(r["report_id"]): str(r["truth"])
            for r in engine.query("SELECT report_id, truth FROM reports").to_pylist()
        }
        links = link_reports(engine, results[0])
    report = EvalReport(str(data), len(summary), len(first_scam), n_cdr, 0.0)
    measure(report, results, links, truth_of, first_scam, roles)
    return report


@pytest.mark.parametrize("scorer", ["model", "rules"])
@pytest.mark.parametrize("batch_rows", [1, 7, 500_000])
def test_streamed_evaluation_gives_the_whole_table_figures(
    world_dir: Path, scorer: str, batch_rows: int
) -> None:
    model = load_shipped() if scorer == "model" else None
    if scorer == "model" and model is None:
        pytest.skip("no shipped model")
    expected = _whole_table_report(world_dir, model)
    got = evaluate_world(world_dir, model=model, batch_rows=batch_rows)
    assert [q.name for q in got.rows] == [q.name for q in expected.rows]
    assert got.rows == expected.rows
    assert got.linkage == expected.linkage
    assert (got.sims, got.scam_sims, got.cdr_rows) == (
        expected.sims,
        expected.scam_sims,
        expected.cdr_rows,
    )
    # The figures are not trivially equal: something is flagged, reports are linked.
    assert any(q.flagged for q in got.rows)
    assert got.linkage
