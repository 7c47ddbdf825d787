"""Earmarking with runs whose parts are not consecutive (``earmark_skip``): another outflow
leaves in the middle of a fan-out."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tatsai.analytics.money.trace import EARMARK_SKIP, TransferIndex, trace
from tatsai.core.errors import InvalidInput

from .conftest import Row, at, cli_trace_held, conserved, transfers_table
from .conftest import traced as edges

VICTIM, OTHER_VICTIM = "002-0000000001", "002-0000000002"
L1, SHOP, OLD = "004-0000000041", "002-0000000077", "002-0000000099"
M2, M3, M4 = "014-0000000021", "014-0000000022", "004-0000000031"


def holder_inside_rows(between: list[float]) -> list[Row]:
    """A lent account holding 300 of its own receives a victim's 10,000; the gang fans out
    700 + 1,200 + 7,900 = 9,800 (98 %; 200 is the cut), and the holder pays a shop the
    amounts ``between`` after the second part, a minute apart, before the third."""
    rows: list[Row] = [
        ("pre", at(-60), OLD, L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 10_000.0, "transfer"),
        ("a", at(30), L1, M2, 700.0, "transfer"),
        ("b", at(34), L1, M3, 1_200.0, "transfer"),
    ]
    for i, amount in enumerate(between):
        rows.append((f"shop{i}", at(35 + i), L1, SHOP, amount, "promptpay"))
    rows.append(("c", at(40), L1, M4, 7_900.0, "transfer"))
    return rows


def test_a_holders_payment_that_breaks_a_fan_out_is_skipped() -> None:
    index = TransferIndex(transfers_table(holder_inside_rows([300.0])))
    # Consecutive outflows only, nothing fits (a + b + 300 + c = 10,100 is too much, b + 300
    # + c = 9,400 too little): FIFO, and the 300 old money and 300 of the victim's go to
    # the gang's first part and the shop.
    consecutive = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_skip=0)
    assert edges(consecutive) == edges(trace(index, txn="v1", attribution="fifo"))
    assert consecutive.accounts[SHOP].received == pytest.approx(300.0)
    # Skipping the shop's payment, a + b + c = 9,800 is the run; the shop is paid from the
    # holder's 300.
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    assert SHOP not in trail.accounts
    assert edges(trail) == {"v1": 10_000.0, "a": 700.0, "b": 1_200.0, "c": 7_900.0}
    assert trail.accounts[L1].held == pytest.approx(200.0)
    assert conserved(trail) == pytest.approx(10_000.0)


def test_a_run_with_skips_as_long_and_larger_replaces_a_consecutive_run() -> None:
    # With the shop's 450 inside, b + 450 + c = 9,550 (95.5 %) fits consecutively; a + b + c
    # = 9,800 (98 %) fits with the shop's payment skipped, ends with the same outflow and is
    # as long, and leaves less of the payment over: it is the match (until 2026-11-29 the
    # consecutive run was, and the shop's payment carried 450 of the victim's money in place
    # of the gang's first part).
    index = TransferIndex(transfers_table(holder_inside_rows([450.0])))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    assert edges(trail) == {"v1": 10_000.0, "a": 700.0, "b": 1_200.0, "c": 7_900.0}
    assert SHOP not in trail.accounts
    # Consecutive runs only: the consecutive run, as before skipping existed.
    consecutive = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_skip=0)
    assert edges(consecutive) == {"v1": 10_000.0, "b": 1_200.0, "shop0": 450.0, "c": 7_900.0}


def test_a_shorter_run_with_skips_does_not_replace_a_consecutive_run() -> None:
    # A lent account receives 1,560.89; the holder pays 498.80 five minutes later and the
    # gang fans out 431.09 + 33.54 + 388.98 + 660.46 = 1,514.07 (97 %) two hours later. The
    # holder's 498.80 + the last two parts (1,548.24, 99.2 %, 3 outflows, skipping two) is
    # larger and ends with the same outflow, but is shorter: the gang's four parts stay the
    # match (a consecutive run is the stronger reading; docs/decisions.md).
    rows: list[Row] = [
        ("pre", at(-60), OLD, L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 1_560.89, "transfer"),
        ("h", at(5), L1, SHOP, 498.80, "promptpay"),
        ("p1", at(120), L1, M2, 431.09, "transfer"),
        ("p2", at(121), L1, M3, 33.54, "transfer"),
        ("p3", at(122), L1, M4, 388.98, "transfer"),
        ("p4", at(123), L1, M2, 660.46, "transfer"),
    ]
    index = TransferIndex(transfers_table(rows))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_cut="keep")
    assert edges(trail) == {"v1": 1_560.89, "p1": 431.09, "p2": 33.54, "p3": 388.98, "p4": 660.46}
    assert SHOP not in trail.accounts


def test_of_runs_with_skips_ending_together_and_as_long_the_largest_wins() -> None:
    # The holder pays 600 between the gang's first and second part and 350 between the
    # second and third. No consecutive run fits (600 + b + 350 + c = 10,050, b + 350 + c =
    # 9,450); with skips, 600 + b + c = 9,700 and a + b + c = 9,800 both fit, end with c and
    # have 3 outflows: the larger, the gang's, is the match.
    rows: list[Row] = [
        ("pre", at(-60), OLD, L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 10_000.0, "transfer"),
        ("a", at(30), L1, M2, 700.0, "transfer"),
        ("h1", at(31), L1, SHOP, 600.0, "promptpay"),
        ("b", at(34), L1, M3, 1_200.0, "transfer"),
        ("h2", at(35), L1, SHOP, 350.0, "promptpay"),
        ("c", at(40), L1, M4, 7_900.0, "transfer"),
    ]
    index = TransferIndex(transfers_table(rows))
    consecutive = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_skip=0)
    assert edges(consecutive) == edges(trace(index, txn="v1", attribution="fifo"))
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    assert edges(trail) == {"v1": 10_000.0, "a": 700.0, "b": 1_200.0, "c": 7_900.0}
    assert SHOP not in trail.accounts


def test_a_run_skips_no_more_outflows_than_allowed() -> None:
    # Three payments of the holder's inside the fan-out (too large to be in any fit): with at
    # most 2 skipped the gang's parts are not a run, and the trail is FIFO's.
    index = TransferIndex(transfers_table(holder_inside_rows([5_100.0, 5_200.0, 5_300.0])))
    fifo = trace(index, txn="v1", attribution="fifo")
    assert EARMARK_SKIP == 2
    default = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    assert edges(default) == edges(fifo)
    three = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_skip=3)
    assert edges(three) == {"v1": 10_000.0, "a": 700.0, "b": 1_200.0, "c": 7_900.0}


def interleaved_rows() -> list[Row]:
    """A lent account holding 300 receives two victims' payments, 10,000 then 6,000; the gang
    forwards the first in two parts (3,000 + 6,750 = 9,750) and the second in one (5,850),
    which leaves between the first's two parts."""
    return [
        ("pre", at(-60), OLD, L1, 300.0, "transfer"),
        ("v1", at(0), VICTIM, L1, 10_000.0, "transfer"),
        ("v2", at(20), OTHER_VICTIM, L1, 6_000.0, "transfer"),
        ("a", at(40), L1, M2, 3_000.0, "transfer"),
        ("x", at(42), L1, M3, 5_850.0, "transfer"),
        ("b", at(44), L1, M4, 6_750.0, "transfer"),
    ]


def test_a_fan_out_interleaved_with_another_payments_forward() -> None:
    index = TransferIndex(transfers_table(interleaved_rows()))
    # When v1 is matched, v2's forward x is still free: consecutive, a + x and x + b do not
    # fit, so v1 has no match (FIFO: a takes the 300 old money and 2,700 of v1's) and only
    # 94.5 % of it reaches the gang's next accounts.
    consecutive = trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_skip=0)
    assert edges(consecutive) == {"v1": 10_000.0, "a": 2_700.0, "b": 6_750.0}
    assert consecutive.accounts[L1].held == pytest.approx(550.0)
    # Skipping x, a + b is v1's run; v2 then takes x as its single match.
    trail = trace(index, txn="v1", attribution="earmark", earmark_run=4)
    assert edges(trail) == {"v1": 10_000.0, "a": 3_000.0, "b": 6_750.0}
    assert trail.accounts[L1].held == pytest.approx(250.0)


def test_skipping_changes_nothing_for_single_outflows_fifo_and_libr() -> None:
    for rows in (holder_inside_rows([450.0]), interleaved_rows()):
        index = TransferIndex(transfers_table(rows))
        for attribution, run in (("earmark", 1), ("fifo", 1), ("libr", 1), ("fifo", 4)):
            got = [
                edges(
                    trace(
                        index,
                        txn="v1",
                        attribution=attribution,  # type: ignore[arg-type]
                        earmark_run=run,
                        earmark_skip=skip,
                    )
                )
                for skip in (0, 2, 5)
            ]
            assert got[0] == got[1] == got[2]


def test_skip_must_not_be_negative() -> None:
    index = TransferIndex(transfers_table(interleaved_rows()))
    with pytest.raises(InvalidInput) as bad:
        trace(index, txn="v1", attribution="earmark", earmark_run=4, earmark_skip=-1)
    assert bad.value.field == "earmark_skip"


def test_cli_trace_with_and_without_gaps(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(transfers_table(holder_inside_rows([300.0])), path)
    held = {
        skip: cli_trace_held(
            path,
            tmp_path / f"skip{skip}.json",
            ["--attribution", "earmark", *([] if skip == "default" else ["--earmark-skip", skip])],
        )
        for skip in ("0", "default")
    }
    assert held["0"][SHOP] == 300.0  # consecutive only: FIFO gives the shop victim's money
    assert SHOP not in held["default"]  # with gaps the gang's three parts are the run
    assert held["default"][L1] == 200.0
