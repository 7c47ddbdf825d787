"""Earmarking with runs: an incoming transfer paying several consecutive outflows (a fan-out)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tatsai.analytics.money.trace import Trail, TransferIndex, trace
from tatsai.cli import main
from tatsai.core.errors import InvalidInput

from .conftest import Row, World, at, cli_trace_held, transfers_table
from .test_evaluate import write_world

VICTIM, L1, SHOP = "002-0000000001", "004-0000000041", "002-0000000077"
M1, M2, M3, M4 = "004-0000000011", "014-0000000021", "014-0000000022", "004-0000000031"


def fan_out_rows(parts: list[tuple[float, float]]) -> list[Row]:
    """A lent account holding 300 of its own receives a victim's 3,000; the holder pays a
    shop 500, then the gang passes the money on in ``parts`` (minutes after, amount)."""
    rows: list[Row] = [
        ("pre", at(-60), "002-0000000099", L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 3_000.0, "transfer"),
        ("shop", at(5), L1, SHOP, 500.0, "transfer"),
    ]
    for i, (minutes, amount) in enumerate(parts):
        dst = (M2, M3, M4)[i % 3]
        rows.append((f"f{i}", at(minutes), L1, dst, amount, "transfer"))
    return rows


def edges(trail: Trail) -> list[tuple[str, float]]:
    return [(e.txn_id, round(e.traced, 6)) for e in trail.edges]


def test_a_run_matches_the_fan_out_that_fifo_and_single_earmarks_miss() -> None:
    index = TransferIndex(transfers_table(fan_out_rows([(30, 1_200.0), (33, 1_710.0)])))
    fifo = trace(index, txn="v1", attribution="fifo")
    # FIFO: the shop takes the 300 old money and 200 of the victim's; the two parts take the
    # 2,800 left (the second is short of 110, paid from unknown money).
    assert fifo.accounts[SHOP].received == pytest.approx(200.0)
    assert fifo.accounts[M2].received == pytest.approx(1_200.0)
    assert fifo.accounts[M3].received == pytest.approx(1_600.0)
    # Neither part alone is within 5 % of 3,000: a single-outflow earmark is FIFO here.
    single = trace(index, txn="v1", attribution="earmark", earmark_run=1)
    assert edges(single) == edges(fifo)
    runs = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    # The run 1,200 + 1,710 = 2,910 (97 %) is the victim's money; the shop is paid from the
    # holder's 300 and 200 unknown money; the 90 cut stays on the lent account.
    assert SHOP not in runs.accounts
    assert runs.accounts[M2].received == pytest.approx(1_200.0)
    assert runs.accounts[M3].received == pytest.approx(1_710.0)
    assert runs.accounts[L1].held == pytest.approx(90.0)
    total = sum(a.held for a in runs.accounts.values()) + runs.cashed_out
    assert total == pytest.approx(3_000.0)


def test_the_run_starts_earliest_then_is_shortest() -> None:
    # 1,000 + 1,000 = 2,000 is not within 5 % of 3,000; 1,000 + 1,000 + 900 = 2,900 is, and
    # so is the longer 1,000 + 1,000 + 900 + 50 = 2,950: the shortest run from the earliest
    # start wins. The 50 is ordinary money: FIFO gives it the salary that came in before the
    # run's 100 cut was freed.
    rows = fan_out_rows([(30, 1_000.0), (31, 1_000.0), (32, 900.0), (33, 50.0)])
    rows.append(("salary", at(31.5), "002-0000000098", L1, 1_000.0, "transfer"))
    index = TransferIndex(transfers_table(rows))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    assert dict(edges(trail)) == {"v1": 3_000.0, "f0": 1_000.0, "f1": 1_000.0, "f2": 900.0}
    assert trail.accounts[L1].held == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("parts", "run", "delay_s", "tolerance"),
    [
        ([(30, 1_200.0), (33, 1_600.0)], 4, 24 * 3600, 0.05),  # 2,800: 6.7 % short
        ([(30, 1_200.0), (33, 1_810.0)], 4, 24 * 3600, 0.05),  # 3,010: more than paid
        ([(30, 1_200.0), (60 * 25, 1_710.0)], 4, 24 * 3600, 0.05),  # 2nd part after 25 h
        ([(30, 1_200.0), (33, 1_710.0)], 4, 32 * 60, 0.05),  # 2nd part beyond the delay
        ([(30, 1_000.0), (31, 1_000.0), (32, 910.0)], 2, 24 * 3600, 0.05),  # 3 parts, run 2
        ([(30, 1_200.0), (33, 1_710.0)], 4, 24 * 3600, 0.02),  # 3 % short, 2 % tolerance
    ],
)
def test_without_a_matching_run_the_trail_is_fifo(
    parts: list[tuple[float, float]], run: int, delay_s: int, tolerance: float
) -> None:
    index = TransferIndex(transfers_table(fan_out_rows(parts)))
    fifo = trace(index, txn="v1", attribution="fifo")
    runs = trace(
        index,
        txn="v1",
        attribution="earmark",
        earmark_run=run,
        earmark_delay_s=delay_s,
        earmark_tolerance=tolerance,
    )
    assert edges(runs) == edges(fifo)
    assert runs.accounts[SHOP].received == pytest.approx(200.0)
    for name, got in runs.accounts.items():
        want = fifo.accounts[name]
        assert (got.received, got.sent, got.cashed_out) == pytest.approx(
            (want.received, want.sent, want.cashed_out)
        )


@pytest.mark.parametrize(
    ("parts", "delay_s", "tolerance", "matched"),
    [
        ([(30, 1_200.0), (33, 1_650.0)], 24 * 3600, 0.05, True),  # 2,850: exactly 95 %
        ([(30, 1_200.0), (33, 1_649.0)], 24 * 3600, 0.05, False),  # just below 95 %
        ([(30, 1_200.0), (33, 1_800.0)], 24 * 3600, 0.0, True),  # all of it, no tolerance
        ([(30, 1_200.0), (33, 1_710.0)], 33 * 60, 0.05, True),  # the last part at the delay
        ([(30, 1_200.0), (33, 1_710.0)], 33 * 60 - 1, 0.05, False),  # a second later
    ],
)
def test_run_edges_of_the_tolerance_and_the_delay(
    parts: list[tuple[float, float]], delay_s: int, tolerance: float, matched: bool
) -> None:
    index = TransferIndex(transfers_table(fan_out_rows(parts)))
    trail = trace(
        index,
        txn="v1",
        attribution="earmark",
        earmark_run=4,
        earmark_delay_s=delay_s,
        earmark_tolerance=tolerance,
    )
    assert (SHOP not in trail.accounts) is matched
    second = parts[1][1]
    assert trail.accounts[M3].received == pytest.approx(second if matched else 1_600.0)


def test_outflows_already_earmarked_are_skipped_not_counted() -> None:
    rows: list[Row] = [
        ("pre", at(-60), "002-0000000099", L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 3_000.0, "transfer"),
        ("v2", at(10), VICTIM, L1, 4_000.0, "transfer"),
        ("shop", at(20), L1, SHOP, 500.0, "transfer"),
        ("a", at(40), L1, M2, 1_500.0, "transfer"),  # v2's run, first part
        ("x", at(41), L1, M3, 2_950.0, "transfer"),  # v1's single match, between the parts
        ("b", at(42), L1, M4, 2_400.0, "transfer"),  # v2's run, second part: 3,900
    ]
    index = TransferIndex(transfers_table(rows))
    # Single outflows only: v2 has no match, and the shop takes the 300 old money and 200
    # of v2's.
    single = trace(index, account=VICTIM, attribution="earmark", earmark_run=1)
    assert single.accounts[SHOP].received == pytest.approx(200.0)
    # x is v1's, so it neither adds to v2's run nor breaks it: a + b is v2's money, and the
    # shop is paid from the holder's 300 and unknown money.
    runs = trace(index, account=VICTIM, attribution="earmark", earmark_run=4)
    assert SHOP not in runs.accounts
    assert dict(edges(runs)) == {
        "v1": 3_000.0, "v2": 4_000.0, "a": 1_500.0, "x": 2_950.0, "b": 2_400.0
    }  # fmt: skip
    assert runs.accounts[L1].held == pytest.approx(150.0)


def test_an_outflow_in_a_run_is_not_matched_again() -> None:
    rows: list[Row] = [
        ("v1", at(0), VICTIM, L1, 3_000.0, "transfer"),
        ("v2", at(1), "002-0000000002", L1, 1_200.0, "transfer"),  # the size of a's part
        ("a", at(30), L1, M2, 1_200.0, "transfer"),
        ("b", at(33), L1, M3, 1_710.0, "transfer"),
        ("c", at(50), L1, M4, 1_200.0, "transfer"),
    ]
    # v1 comes first and takes the run a + b; v2 finds a taken and pays c (untraced).
    trail = trace(
        TransferIndex(transfers_table(rows)), txn="v1", attribution="earmark", earmark_run=4
    )
    assert dict(edges(trail)) == {"v1": 3_000.0, "a": 1_200.0, "b": 1_710.0}
    assert trail.accounts[L1].held == pytest.approx(90.0)


def test_a_run_with_an_unknown_balance_and_a_partly_traced_payment() -> None:
    rows: list[Row] = [
        ("x", at(-120), L1, "002-0000000098", 500.0, "transfer"),  # history goes negative
        ("y", at(-100), "002-0000000099", L1, 3_000.0, "transfer"),
        ("v1", at(0), VICTIM, M1, 2_000.0, "transfer"),
        ("s", at(1), "002-0000000097", M1, 2_000.0, "transfer"),
        ("m", at(5), M1, L1, 4_000.0, "transfer"),  # half traced (FIFO on M1)
        ("a", at(30), L1, M2, 2_000.0, "transfer"),
        ("b", at(31), L1, M3, 1_900.0, "transfer"),
        ("c", at(40), L1, M4, 2_500.0, "transfer"),
    ]
    index = TransferIndex(transfers_table(rows))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    assert trail.accounts[L1].rule == "earmark+proportional"
    # m's 4,000 (2,000 traced) pays a + b = 3,900 half traced; its 100 cut (50 traced) joins
    # L1's balance of 2,500 + 100, of which c takes 2,500: 50 × 2,500 / 2,600.
    assert trail.accounts[M2].received == pytest.approx(1_000.0)
    assert trail.accounts[M3].received == pytest.approx(950.0)
    assert trail.accounts[M4].received == pytest.approx(50 * 2_500 / 2_600)
    total = sum(a.held for a in trail.accounts.values()) + trail.cashed_out
    assert total == pytest.approx(2_000.0)


def test_run_length_must_be_positive() -> None:
    index = TransferIndex(transfers_table(fan_out_rows([(30, 2_910.0)])))
    with pytest.raises(InvalidInput) as bad:
        trace(index, txn="v1", attribution="earmark", earmark_run=0)
    assert bad.value.field == "earmark_run"


def test_cli_trace_with_runs(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(transfers_table(fan_out_rows([(30, 1_200.0), (33, 1_710.0)])), path)
    held = {
        run: cli_trace_held(
            path,
            tmp_path / f"run{run}.json",
            ["--attribution", "earmark", *([] if run == "default" else ["--earmark-run", run])],
        )
        for run in ("1", "4", "default")
    }
    assert held["1"][SHOP] == 200.0
    assert SHOP not in held["4"]
    assert held["4"][L1] == 90.0
    assert held["default"] == held["4"]  # the CLI matches runs by default under earmark


def test_cli_eval_traces(
    tmp_path: Path, other_world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    world = write_world(tmp_path / "world", other_world)
    with pytest.raises(SystemExit) as ok:
        main(["money", "eval-traces", "--world", str(world), "--rules", "fifo,earmark-run"])
    assert ok.value.code == 0
    out = capsys.readouterr().out
    assert f"{len(other_world.victim_txns):,} victim transfers" in out
    assert "| FIFO (default) |" in out
    assert "| earmark + runs (≤ 4 outflows) |" in out
    assert "| LIBR |" not in out
    with pytest.raises(SystemExit) as bad:
        main(["money", "eval-traces", "--world", str(world), "--rules", "fifo,lifo"])
    assert bad.value.code == 2
    assert "--rules" in capsys.readouterr().err


def test_an_earlier_run_beats_a_later_single_outflow() -> None:
    # The gang fans the victim's 3,000 out at once (1,200 + 1,710); sixteen hours later the
    # holder pays a friend 2,900, within 5 % of the payment and within the 24 h delay. The
    # match that starts earliest is the victim's: the run, not the friend's payment.
    rows = fan_out_rows([(30, 1_200.0), (33, 1_710.0)])
    rows.append(("late", at(16 * 60), L1, "014-0000000078", 2_900.0, "promptpay"))
    index = TransferIndex(transfers_table(rows))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    assert trail.accounts[M2].received == pytest.approx(1_200.0)
    assert trail.accounts[M3].received == pytest.approx(1_710.0)
    # The friend's 2,900 takes the holder's 300 and then the freed 90 cut (FIFO).
    assert trail.accounts["014-0000000078"].received == pytest.approx(90.0)
    # Single outflows only, the friend's payment is the match and the gang's parts are paid
    # from the holder's 300 and unknown money.
    single = trace(index, txn="v1", attribution="earmark", earmark_run=1)
    assert single.accounts["014-0000000078"].received == pytest.approx(2_900.0)
    assert M2 not in single.accounts


def test_a_small_payment_before_the_forward_is_not_taken_into_a_run() -> None:
    # The holder pays a shop 60 ten minutes after the victim's 3,000; the gang forwards 2,910
    # at 30 minutes. 60 + 2,910 = 2,970 fits too, and starts earlier, but it ends with the
    # same outflow as the single forward: the shortest match that ends first is the forward.
    rows: list[Row] = [
        ("pre", at(-60), "002-0000000099", L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 3_000.0, "transfer"),
        ("shop", at(10), L1, SHOP, 60.0, "transfer"),
        ("fwd", at(30), L1, M2, 2_910.0, "transfer"),
    ]
    trail = trace(
        TransferIndex(transfers_table(rows)), txn="v1", attribution="earmark", earmark_run=4
    )
    assert SHOP not in trail.accounts
    assert dict(edges(trail)) == {"v1": 3_000.0, "fwd": 2_910.0}
    assert trail.accounts[L1].held == pytest.approx(90.0)
