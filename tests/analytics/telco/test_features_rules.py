"""Features and transparent rules on the hand-made world (DuckDB; parity is in test_parity)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tatsai.analytics.engine import open_engine
from tatsai.analytics.telco import rules
from tatsai.analytics.telco.features import FeatureParams, hourly_features_sql
from tatsai.analytics.telco.load import load_world
from tatsai.analytics.telco.scan import ScanResult, scan
from tests.analytics.telco import world


@pytest.fixture(scope="module")
def rule_scan(world_dir: Path) -> ScanResult:
    with open_engine("duckdb") as engine:
        load_world(engine, world_dir)
        return scan(engine)


def _rows(world_dir: Path, imsi: str, params: FeatureParams | None = None) -> list[dict]:
    with open_engine("duckdb") as engine:
        load_world(engine, world_dir)
        table = engine.query(hourly_features_sql(params))
    return [r for r in table.to_pylist() if r["imsi"] == imsi]


def test_scam_sim_features_in_its_first_hour(world_dir: Path) -> None:
    first = _rows(world_dir, world.SCAMMERS[0])[0]
    assert first["hour"] % 24 == world.SCAM_START_HOUR % 24
    assert first["calls_1h"] == first["calls_w"] == 25
    assert first["border_share_w"] == 1.0
    assert first["novelty_w"] > 0.9
    assert 48 < first["sim_age_h"] < 60  # activated a day before the world starts
    assert first["callback_ratio_w"] == 0.0


def test_ordinary_people_get_called_back(world_dir: Path) -> None:
    rows = [r for p in range(10) for r in _rows(world_dir, f"5200100000000{p:02d}")]
    assert rows, "ordinary people with a busy day pass the gate"
    assert max(r["callback_ratio_w"] for r in rows) > 0.1
    assert min(r["answer_ratio_w"] for r in rows) >= 0.5


def test_sim_box_handset_count_grows_with_each_sim(world_dir: Path) -> None:
    loads = [_rows(world_dir, s)[0]["sims_on_handset"] for s in world.SIM_BOX]
    assert loads == list(range(1, 9))


def test_window_length_changes_the_sums(world_dir: Path) -> None:
    day = _rows(world_dir, world.CALL_CENTRE)
    hour = _rows(world_dir, world.CALL_CENTRE, FeatureParams(window_h=1, gate_calls=1))
    assert max(r["calls_w"] for r in day) > max(r["calls_w"] for r in hour)
    assert all(r["calls_w"] == r["calls_1h"] for r in hour)


def test_rules_flag_scammers_and_spare_heavy_legit_callers(rule_scan: ScanResult) -> None:
    verdicts = {v.imsi: v for v in rule_scan.verdicts}
    for imsi in (*world.SCAMMERS, world.SMS_BLASTER, *world.SIM_BOX[5:]):
        assert verdicts[imsi].is_suspect, imsi
        assert verdicts[imsi].reasons
    for imsi in (world.CALL_CENTRE, world.TELESALES, "520010000000003"):
        assert not verdicts[imsi].is_suspect, imsi
    scammer = verdicts[world.SCAMMERS[0]]
    assert any(r.startswith("border_cells") for r in scammer.reasons)
    assert scammer.first_flag_ts is not None
    assert (scammer.first_flag_ts - world.START).total_seconds() == 3600 * (
        world.SCAM_START_HOUR + 1
    )


def test_every_sim_that_called_or_texted_gets_a_verdict(
    rule_scan: ScanResult, world_tables
) -> None:
    cdr = world_tables["cdr"].to_pylist()
    active = {r["a_imsi"] for r in cdr if r["direction"] == "mo"}
    assert {v.imsi for v in rule_scan.verdicts} == active


def test_regulator_100_calls_a_day_rule(rule_scan: ScanResult) -> None:
    verdicts = {v.imsi: v for v in rule_scan.verdicts}
    assert verdicts[world.TELESALES].reverify_owner
    assert verdicts[world.TELESALES].max_calls_day == 110
    assert not verdicts[world.CALL_CENTRE].reverify_owner  # registered business line
    assert verdicts[world.CALL_CENTRE].max_calls_day > 100
    assert not verdicts["520010000000003"].reverify_owner
    assert rules.needs_reverification(101, False)
    assert not rules.needs_reverification(100, False)
    assert not rules.needs_reverification(500, True)


def test_holders_with_more_than_six_sims(world_dir: Path) -> None:
    with open_engine("duckdb") as engine:
        load_world(engine, world_dir)
        holders = engine.query(rules.HOLDERS_SQL).to_pylist()
    assert [h["holder_id"] for h in holders] == ["psn_holder_box"]
    assert holders[0]["sims"] == 8


def test_callees_who_later_reported_are_counted_from_the_report_hour(world_dir: Path) -> None:
    rows = _rows(world_dir, world.REPORTED_CALLEES_SCAMMER)
    report_hour = int(world.START.timestamp()) // 3600 + world.SCAM_START_HOUR + 7  # R4
    before = [r for r in rows if r["hour"] < report_hour]
    after = [r for r in rows if r["hour"] >= report_hour]
    assert before
    assert after
    assert all(r["reported_callees_total"] == 0 for r in before)
    assert all(r["reported_callees_total"] == 1 for r in after)
    assert 0 < after[0]["reported_callee_share"] < 0.05  # one of ~150 callees
    reported = _rows(world_dir, world.REPORTED_SCAMMER)
    assert reported[-1]["reported_callees_total"] == 2


def test_reporters_match_only_under_the_reports_key(world_dir: Path) -> None:
    with open_engine("duckdb") as engine:
        load_world(engine, world_dir)
        matched = engine.query("SELECT DISTINCT msisdn FROM reporters").num_rows
        assert matched == 4  # every report was filed by a subscriber of the world
        load_world(engine, world_dir, reporter_secret="another key")
        assert engine.query("SELECT * FROM reporters").num_rows == 0
        table = engine.query(hourly_features_sql())
    assert max(table.column("reported_callees_total").to_pylist()) == 0


def test_sim_gate_keeps_scam_like_sims_and_drops_ordinary_ones(world_dir: Path) -> None:
    # Ordinary people here make about 10 calls a day: a SIM gate of 30 calls drops them, and
    # keeps the scammers (25 an hour), the SMS blaster, the SIM box's later SIMs (a crowded
    # handset) and the reported number, with the same rows as without any SIM gate.
    people = [f"5200100000000{p:02d}" for p in range(40)]
    ordinary = [p for p in people if p != world.FALSELY_REPORTED]
    high = FeatureParams(sim_gate_calls=30, sim_gate_sms=30)
    everyone = FeatureParams(sim_gate_calls=0, sim_gate_sms=0)  # every SIM through the windows
    with open_engine("duckdb") as engine:
        load_world(engine, world_dir)
        gated = engine.query(hourly_features_sql(high)).to_pylist()
        default = engine.query(hourly_features_sql()).to_pylist()
        ungated = engine.query(hourly_features_sql(everyone)).to_pylist()
        verdicts = {v.imsi: v for v in scan(engine, params=high).verdicts}
    kept = {r["imsi"] for r in gated}
    assert not kept & set(ordinary)
    assert {r["imsi"] for r in ungated} & set(ordinary)  # they pass the row gate
    for imsi in (*world.SCAMMERS, world.SMS_BLASTER, *world.SIM_BOX[2:], world.FALSELY_REPORTED):
        assert imsi in kept, imsi
    assert [r for r in ungated if r["imsi"] in kept] == gated
    # The default SIM gate (the row gate's numbers) is exact: not one row differs.
    assert default == ungated
    # Gated out is not left out: every SIM that called still gets a verdict.
    assert all(imsi in verdicts and not verdicts[imsi].is_suspect for imsi in ordinary)
    assert all(verdicts[imsi].is_suspect for imsi in world.SCAMMERS)


def test_sim_gate_checks_busy_spans_hour_by_hour(world_dir: Path) -> None:
    # Ordinary people make 7-14 calls on each of the two days: 20 or more in two days, but
    # fewer in any 24 hours. A gate of 16 calls must look at the hours, not the day pair.
    with open_engine("duckdb") as engine:
        load_world(engine, world_dir)
        gated = engine.query(hourly_features_sql(FeatureParams(sim_gate_calls=16)))
        ungated = engine.query(hourly_features_sql(FeatureParams(sim_gate_calls=0)))
    best: dict[str, int] = {}
    for row in ungated.to_pylist():
        best[row["imsi"]] = max(best.get(row["imsi"], 0), row["calls_w"])
    kept = set(gated.column("imsi").to_pylist())
    assert {s for s in kept if s.startswith("5200100000000")} == {
        s for s, n in best.items() if s.startswith("5200100000000") and n >= 16
    } | ({world.FALSELY_REPORTED} & set(best))
