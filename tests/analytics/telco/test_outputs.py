"""The commands and their files: scan CSV, indicator rows, holders, report links, border cells."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tatsai.analytics.engine import open_engine
from tatsai.analytics.telco import export
from tatsai.analytics.telco.border import rank_border_cells
from tatsai.analytics.telco.cli import parse_window
from tatsai.analytics.telco.linkage import link_reports
from tatsai.analytics.telco.load import load_world
from tatsai.analytics.telco.scan import scan
from tatsai.cli import main
from tatsai.core.errors import InvalidInput
from tatsai.indicators.types import get_type
from tests.analytics.telco import world


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _run(args: list[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 0


def test_scan_command_writes_every_active_sim(world_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "scan.csv"
    ind, susp, holders = tmp_path / "ind.csv", tmp_path / "susp.csv", tmp_path / "holders.csv"
    _run(
        ["telco", "scan", "--data", str(world_dir), "--output", str(out), "--rules-only",
         "--indicators", str(ind), "--suspensions", str(susp), "--holders", str(holders)]
    )  # fmt: skip
    rows = _csv(out)
    assert list(rows[0])[:5] == ["msisdn", "imsi", "score", "is_suspect", "reasons"]
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    suspects = {r["imsi"] for r in rows if r["is_suspect"] == "true"}
    assert set(world.SCAMMERS) <= suspects
    assert world.CALL_CENTRE not in suspects
    indicators = _csv(ind)
    assert {r["channel"] for r in indicators} == {"analysis:telco"}
    phones = [r for r in indicators if r["type"] == "phone"]
    assert len(phones) == len(suspects)
    phone = get_type("phone")
    assert all(phone.clean(r["value"]) == r["value"] for r in phones)
    assert all(0 <= int(r["confidence"]) <= 100 for r in indicators)
    prefixes = {r["value"]: r for r in indicators if r["type"] == "phone_prefix"}
    assert set(prefixes) == {"+697", "+698"}
    assert prefixes["+697"]["categories"] == "spoofing"
    assert {r["imsi"] for r in _csv(susp)} == suspects
    assert [r["holder_id"] for r in _csv(holders)] == ["psn_holder_box"]


def test_scan_command_errors_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["telco", "scan", "--data", str(tmp_path), "--output", str(tmp_path / "o.csv")])
    assert done.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error (cdr):")
    assert "\n" not in err
    with pytest.raises(SystemExit) as done:
        main(["telco", "scan", "--data", str(tmp_path), "--output", "o", "--window", "90m"])
    assert done.value.code == 2
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["telco", "eval", "--data", str(tmp_path), "--memory-limit", "lots"])
    assert done.value.code == 2
    assert capsys.readouterr().err.strip().startswith("error (memory_limit):")


def test_window_parsing() -> None:
    assert parse_window("24h") == 24
    assert parse_window("2d") == 48
    for bad in ("0h", "31d", "soon", "15m"):
        with pytest.raises(InvalidInput):
            parse_window(bad)


def test_report_linkage_escalates_and_flags_false_reports(world_dir: Path) -> None:
    with open_engine("duckdb") as engine:
        load_world(engine, world_dir)
        links = {link.report_id: link for link in link_reports(engine, scan(engine))}
    assert links["R1"].verdict == links["R2"].verdict == "escalate"
    assert links["R1"].imsi == world.REPORTED_SCAMMER
    assert links["R3"].verdict == "possible_false_report"
    assert links["R3"].imsi == world.FALSELY_REPORTED


def test_link_command_writes_both_lists(world_dir: Path, tmp_path: Path) -> None:
    _run(["telco", "link", "--data", str(world_dir), "--output-dir", str(tmp_path), "--rules-only"])
    assert [r["report_id"] for r in _csv(tmp_path / "escalations.csv")] == ["R1", "R2"]
    assert [r["report_id"] for r in _csv(tmp_path / "possible_false_reports.csv")] == ["R3"]


def test_border_cells_ranked_with_legit_cost(world_dir: Path, tmp_path: Path) -> None:
    with open_engine("duckdb") as engine:
        load_world(engine, world_dir)
        cells = rank_border_cells(engine, scan(engine), radius_km=20)
    assert {c.cell_id for c in cells} == {"C0", "C1", "C2"}  # C8 is 60 km away
    assert all(c.suspect_share == 1.0 for c in cells)
    assert cells[0].cell_id == "C1"  # a scammer and the SMS blaster
    assert cells[0].recommendation.startswith("lower power")
    out = tmp_path / "border.csv"
    _run(["telco", "border", "--data", str(world_dir), "--output", str(out), "--rules-only",
          "--radius-km", "100"])  # fmt: skip
    rows = _csv(out)
    assert list(rows[0]) == [
        "cell_id", "border_km", "suspect_share", "legit_subscribers_affected", "recommendation"
    ]  # fmt: skip
    c8 = next(r for r in rows if r["cell_id"] == "C8")
    assert float(c8["suspect_share"]) == 0.0
    assert c8["recommendation"].startswith("keep")


def test_spoofed_prefixes_use_unassigned_country_codes(world_dir: Path) -> None:
    with open_engine("duckdb") as engine:
        load_world(engine, world_dir)
        found = export.spoofed_prefixes(engine)
    assert [(p.prefix, p.calls, p.subscribers, p.known) for p in found] == [
        ("+697", 3, 3, True),
        ("+698", 3, 3, True),
    ]
    assert not export._country_code_assigned("+697")
    assert export._country_code_assigned("+855")  # Cambodia is a real country code


@pytest.mark.parametrize("radius", ["inf", "-inf"])
def test_border_radius_must_be_finite(
    world_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], radius: str
) -> None:
    args = ["telco", "border", "--data", str(world_dir), "--output", str(tmp_path / "b.csv")]
    with pytest.raises(SystemExit) as done:
        main([*args, "--rules-only", f"--radius-km={radius}"])
    assert done.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error")
    assert "\n" not in err
    assert not (tmp_path / "b.csv").exists()
